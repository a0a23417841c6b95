"""The running service's objects, built from :class:`~stream_monitor.settings.Settings`.

One place turns configuration into a :class:`~stream_monitor.pipeline.Pipeline` on a
:class:`~stream_monitor.state.redis_store.RedisStore`: each model's reference profile,
windowing and limits become a :class:`~stream_monitor.model_spec.ModelSpec`.
"""

from __future__ import annotations

from dataclasses import dataclass

from stream_monitor.errors import UserError
from stream_monitor.model_spec import ModelSpec
from stream_monitor.pipeline import Pipeline
from stream_monitor.settings import (
    LimitSettings,
    ModelSettings,
    RedisSettings,
    Settings,
    read_secret,
)
from stream_monitor.state.connect import redis_client
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.stats.profile import ReferenceProfile


@dataclass(frozen=True)
class Service:
    pipeline: Pipeline
    store: RedisStore


def load_profile(model: ModelSettings) -> ReferenceProfile:
    try:
        profile = ReferenceProfile.load(model.reference)
    except OSError as exc:
        raise UserError(
            f"model {model.id}: cannot read reference profile {model.reference}: {exc.strerror}"
        ) from None
    except ValueError as exc:
        raise UserError(f"model {model.id}: {exc}") from None
    _check_features(model, profile)
    return profile


def _check_features(model: ModelSettings, profile: ReferenceProfile) -> None:
    """Features declared in the config must be the reference's, with the same kinds."""
    if model.features is None:
        return
    declared = dict(model.features)
    profiled = {name: p.kind.value for name, p in profile.features.items()}
    if declared != profiled:
        raise UserError(
            f"model {model.id}: features {declared} do not match the reference profile "
            f"{model.reference}, which has {profiled}; omit `features` to take them from it"
        )


def model_spec(model: ModelSettings, limits: LimitSettings) -> ModelSpec:
    return ModelSpec(
        model_id=model.id,
        profile=load_profile(model),
        windowing=model.windows.windowing(),
        retention_seconds=model.windows.retention,
        max_features_per_event=limits.max_features_per_event,
        label_ttl_seconds=model.label_ttl,
    )


def build_specs(settings: Settings) -> dict[str, ModelSpec]:
    return {m.id: model_spec(m, settings.limits) for m in settings.models}


def connect_redis(settings: RedisSettings) -> RedisStore:
    password = read_secret(settings.password, settings.password_file)
    return RedisStore(redis_client(settings.url, password, settings.tls, settings.tls_ca_file))


def build_service(settings: Settings) -> Service:
    """The pipeline of every configured model on the configured Redis."""
    store = connect_redis(settings.redis)
    pipeline = Pipeline(
        build_specs(settings), store, max_message_bytes=settings.limits.max_message_bytes
    )
    return Service(pipeline, store)

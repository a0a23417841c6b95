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
    ModelSettings,
    RedisSettings,
    Settings,
    read_secret,
)
from stream_monitor.specs import load_reference, model_spec
from stream_monitor.state.connect import check_credentials, redis_client
from stream_monitor.state.redis_store import RedisStore
from stream_monitor.state.silence_store import SilenceStore
from stream_monitor.state.store import Store
from stream_monitor.stats.profile import ReferenceProfile


@dataclass(frozen=True)
class Service:
    pipeline: Pipeline
    store: RedisStore
    silences: SilenceStore


def load_profile(model: ModelSettings) -> ReferenceProfile:
    """The model's reference (a saved profile, or training data profiled on the fly)."""
    profile = load_reference(model.reference)
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


def build_specs(settings: Settings) -> dict[str, ModelSpec]:
    return {m.id: model_spec(m, load_profile(m), settings.limits) for m in settings.models}


def connect_redis(settings: RedisSettings) -> tuple[RedisStore, SilenceStore]:
    """The state store and the silences (written by ``stream-monitor silence``) on one client."""
    password = read_secret(settings.password, settings.password_file)
    client = redis_client(
        settings.url, password, settings.tls, settings.tls_ca_file, settings.username
    )
    check_credentials(client, settings.url)
    return RedisStore(client), SilenceStore(client)


def build_pipeline(settings: Settings, store: Store) -> Pipeline:
    """The pipeline of every configured model, with the configured drift and alert rules."""
    return Pipeline(
        build_specs(settings),
        store,
        policy=settings.drift.policy(),
        alerting=settings.alerting,
        max_message_bytes=settings.limits.max_message_bytes,
        retrain_policy=settings.retraining,
    )


def build_service(settings: Settings) -> Service:
    """The pipeline on the configured Redis."""
    store, silences = connect_redis(settings.redis)
    return Service(build_pipeline(settings, store), store, silences)

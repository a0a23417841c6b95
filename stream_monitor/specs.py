"""From configuration to the pipeline's model specs (used by embedded runs and the worker)."""

from __future__ import annotations

from pathlib import Path

from stream_monitor.errors import UserError
from stream_monitor.model_spec import ModelSpec
from stream_monitor.quality.spec import QualitySpec
from stream_monitor.settings import LimitSettings, ModelSettings
from stream_monitor.stats.build import build_profile
from stream_monitor.stats.io import read_table
from stream_monitor.stats.profile import CategoricalProfile, ReferenceProfile

PROFILE_SUFFIXES = (".json",)


def load_reference(path: Path) -> ReferenceProfile:
    """A saved reference profile (``.json``), or raw training data profiled on the fly
    (CSV, Parquet or JSON lines)."""
    if not path.exists():
        raise UserError(f"reference {path} does not exist")
    try:
        if path.suffix.lower() in PROFILE_SUFFIXES:
            return ReferenceProfile.load(path)
        return build_profile(read_table(path))
    except ValueError as exc:
        raise UserError(f"reference {path}: {exc}") from None


def quality_spec(model: ModelSettings) -> QualitySpec:
    if model.task == "regression":
        return QualitySpec(task="regression")
    positive: str | int = (
        int(model.positive_label) if model.positive_label.isdigit() else model.positive_label
    )
    return QualitySpec(task="binary", positive_label=positive)


def check_limits(model: ModelSettings, profile: ReferenceProfile, limits: LimitSettings) -> None:
    """A reference the limits cannot serve is a config error: every event would be
    dead-lettered, or a bucket would hold more category fields than allowed.

    Events cannot grow the category fields: values outside the frozen vocabulary are
    counted in ``__other__``."""
    if len(profile.features) > limits.max_features_per_event:
        raise UserError(
            f"model {model.id}: the reference has {len(profile.features)} features; "
            f"limits.max_features_per_event is {limits.max_features_per_event}"
        )
    for name, feature in profile.features.items():
        if isinstance(feature, CategoricalProfile) and (
            len(feature.vocabulary) > limits.max_categories_per_feature
        ):
            raise UserError(
                f"model {model.id}: feature {name!r} has {len(feature.vocabulary)} categories "
                f"in the reference; limits.max_categories_per_feature is "
                f"{limits.max_categories_per_feature} (rebuild the profile with fewer "
                "categories, or raise the limit)"
            )


def check_importance_names(model: ModelSettings, profile: ReferenceProfile) -> None:
    """``importance`` may only name the reference's features."""
    if unknown := sorted(set(model.importance) - set(profile.features)):
        raise UserError(
            f"model {model.id}: importance names {', '.join(map(repr, unknown))}, not a "
            f"feature of the reference; its features are {', '.join(sorted(profile.features))}"
        )


def model_spec(
    model: ModelSettings, profile: ReferenceProfile, limits: LimitSettings | None = None
) -> ModelSpec:
    limits = limits or LimitSettings()
    check_limits(model, profile, limits)
    check_importance_names(model, profile)
    return ModelSpec(
        model_id=model.id,
        profile=profile,
        windowing=model.windows.windowing(),
        retention_seconds=model.windows.retention,
        max_features_per_event=limits.max_features_per_event,
        quality=quality_spec(model) if model.join_labels else None,
        label_ttl_seconds=model.label_ttl,
        reference_quality=dict(model.reference_quality),
        feature_importance=dict(model.importance),
    )

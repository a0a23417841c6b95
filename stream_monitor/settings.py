"""Service configuration: one YAML file plus environment overrides (pydantic-settings).

Environment variables override the file: ``STREAM_MONITOR_<SECTION>__<FIELD>``, e.g.
``STREAM_MONITOR_KAFKA__BOOTSTRAP_SERVERS=broker:9092`` or
``STREAM_MONITOR_REDIS__PASSWORD_FILE=/run/secrets/redis``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from schemas import DEFAULT_MAX_MESSAGE_BYTES, MAX_FEATURES_PER_EVENT
from stream_monitor import topics
from stream_monitor.durations import Duration
from stream_monitor.errors import UserError
from stream_monitor.policy import PolicyConfig
from stream_monitor.policy.config import check_importance
from stream_monitor.rules import AlertingConfig, default_rules
from stream_monitor.stats.decision import Correction, DriftPolicy
from stream_monitor.windowing import Windowing


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def read_secret(value: SecretStr | None, file: Path | None) -> str | None:
    """A secret given inline or in a file (Kubernetes secret mounts); never logged."""
    if file is not None:
        try:
            return file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise UserError(f"cannot read the secret file {file}: {exc.strerror}") from None
    return value.get_secret_value() if value is not None else None


class KafkaSettings(_Section):
    bootstrap_servers: str = "localhost:9092"
    group_id: str = "stream-monitor"
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    sasl_password_file: Path | None = None
    ssl_cafile: Path | None = None
    ssl_certfile: Path | None = None
    ssl_keyfile: Path | None = None
    batch_size: int = Field(default=1000, ge=1, le=100_000)
    batch_timeout_seconds: float = Field(default=0.5, gt=0, le=60)
    batch_max_bytes: int = Field(default=4_194_304, ge=1024, le=1_073_741_824)
    """Predictions: a consumed batch larger than this is applied in parts of at most this
    many bytes of messages (envelopes make a batch of messages large)."""

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> KafkaSettings:
        if self.security_protocol.startswith("SASL") and (
            self.sasl_mechanism is None or self.sasl_username is None
        ):
            raise ValueError(
                f"security_protocol {self.security_protocol} needs sasl_mechanism "
                "(PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512) and sasl_username"
            )
        return self


class RedisSettings(_Section):
    url: str = "redis://localhost:6379/0"
    username: str | None = None
    """An ACL user (Redis 6+); none: the ``default`` user."""
    password: SecretStr | None = None
    password_file: Path | None = None
    tls: bool = False
    tls_ca_file: Path | None = None


class TopicSettings(_Section):
    predictions: str = topics.PREDICTIONS
    ground_truth: str = topics.GROUND_TRUTH
    metrics: str = topics.METRICS
    drift: str = topics.DRIFT
    alerts: str = topics.ALERTS
    retrain: str = topics.RETRAIN
    dead_letter: str = topics.DEAD_LETTER


class LimitSettings(_Section):
    max_message_bytes: int = Field(default=DEFAULT_MAX_MESSAGE_BYTES, ge=1024)
    max_features_per_event: int = Field(default=200, ge=1, le=MAX_FEATURES_PER_EVENT)
    max_categories_per_feature: int = Field(default=50, ge=1, le=1000)
    max_models: int = Field(default=100, ge=1)


class WorkerSettings(_Section):
    """The Kafka worker (``stream_monitor.stream``); see ``docs/streaming.md``."""

    evaluation_clock: Literal["wall", "event"] = "wall"
    """``wall``: slots are due by the wall clock (production). ``event``: by each model's
    event time, the slowest partition's newest event (replays of historical data, tests)."""
    evaluation_tick_seconds: float = Field(default=5.0, gt=0, le=3600)
    evaluation_lease_seconds: float = Field(default=30.0, ge=1, le=3600)
    """How long a slot stays leased to the worker evaluating it; an evaluation not
    committed by then (the worker died) is done again by the next tick of any worker."""
    session_timeout_seconds: float = Field(default=30.0, ge=6, le=300)
    """How soon the group notices a worker that died without leaving (SIGKILL, crash)."""
    consumer_threads: int = Field(default=2, ge=1, le=16)
    """Predictions consumers in the process (one group member each, in its own thread):
    while one waits on Redis another decodes. More than the partitions leaves some idle."""
    topic_partitions: int = Field(default=4, ge=1)
    topic_replication: int = Field(default=-1, ge=-1)
    """-1: the broker's ``default.replication.factor``."""
    web_enabled: bool = True
    web_host: str = "0.0.0.0"
    web_port: int = Field(default=6066, ge=1, le=65535)


class WindowSettings(_Section):
    bucket: Duration = 60
    window: Duration = 600
    interval: Duration = 60
    lateness: Duration = 60
    retention: Duration = 86_400

    def windowing(self) -> Windowing:
        return Windowing(self.bucket, self.window, self.interval, self.lateness)

    @model_validator(mode="after")
    def _consistent(self) -> WindowSettings:
        self.windowing()
        if self.retention < self.window + self.lateness:
            raise ValueError("retention must cover window + lateness")
        return self


class DriftSettings(_Section):
    """False-alarm control of the drift tests (see docs/statistics.md for the defaults)."""

    min_events: int = Field(default=500, ge=1)
    alpha: float = Field(default=0.005, gt=0, lt=1)
    correction: Literal["benjamini-hochberg", "bonferroni", "none"] = "benjamini-hochberg"
    thresholds: dict[str, float] = Field(default_factory=dict)
    dataset_drift_share: float = Field(default=0.5, gt=0, le=1)

    def policy(self) -> DriftPolicy:
        try:
            return DriftPolicy(
                min_events=self.min_events,
                alpha=self.alpha,
                correction=Correction(self.correction),
                thresholds=dict(self.thresholds),
                dataset_drift_share=self.dataset_drift_share,
            )
        except ValueError as exc:
            raise UserError(f"drift: {exc}") from None


class ModelSettings(_Section):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
    reference: Path
    task: Literal["classification", "regression"] = "classification"
    positive_label: str = "1"
    features: dict[str, Literal["numeric", "categorical"]] | None = None
    importance: dict[str, float] = Field(default_factory=dict)
    """Feature -> importance for this model's retraining decisions (normalised to sum 1);
    empty: ``retraining.feature_importance``."""
    windows: WindowSettings = Field(default_factory=WindowSettings)
    join_labels: bool = True
    """Keep a join record per prediction (about 110 bytes in Redis for ``label_ttl``) so
    ground truth can be joined; false for a model that never gets labels."""
    label_ttl: Duration = 2 * 86_400
    reference_quality: dict[str, float] = Field(
        default_factory=dict, description="Quality on the reference data, e.g. accuracy: 0.91"
    )

    @field_validator("importance")
    @classmethod
    def _check_importance(cls, importance: dict[str, float]) -> dict[str, float]:
        return check_importance(importance, "importance")


class Settings(BaseSettings):
    """The whole configuration; see ``docs/configuration.md``."""

    model_config = SettingsConfigDict(
        env_prefix="STREAM_MONITOR_", env_nested_delimiter="__", extra="forbid"
    )

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    redis: RedisSettings = Field(default_factory=RedisSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    worker: WorkerSettings = Field(default_factory=WorkerSettings)
    models: list[ModelSettings] = Field(default_factory=list)
    drift: DriftSettings = Field(default_factory=DriftSettings)
    alerting: AlertingConfig = Field(default_factory=lambda: AlertingConfig(rules=default_rules()))
    retraining: PolicyConfig = Field(default_factory=PolicyConfig)
    """The retraining policy and its guardrails (``docs/retraining.md``)."""

    @model_validator(mode="after")
    def _unique_models(self) -> Settings:
        ids = [m.id for m in self.models]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"model ids must be unique; repeated: {', '.join(duplicated)}")
        if len(ids) > self.limits.max_models:
            raise ValueError(
                f"{len(ids)} models configured; limits.max_models is {self.limits.max_models}"
            )
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment first: it overrides the YAML file, which arrives as init arguments.
        return env_settings, init_settings


def format_errors(exc: ValidationError, source: str) -> str:
    """One line per problem: where, what was wrong, and what is allowed."""
    lines = [f"{source}: {exc.error_count()} problem(s)"]
    for error in exc.errors(include_url=False):
        where = ".".join(str(p) for p in error["loc"]) or "<top>"
        got = error.get("input")
        shown = "" if isinstance(got, dict | list) or got is None else f" (got {got!r})"
        lines.append(f"  {where}: {error['msg']}{shown}")
    return "\n".join(lines)


def load_settings(path: Path | None) -> Settings:
    """Settings from a YAML file (or none) plus the environment; UserError when invalid."""
    data: Any = {}
    if path is not None:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise UserError(f"cannot read config {path}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise UserError(f"{path} is not valid YAML: {exc}") from None
        if not isinstance(data, dict):
            raise UserError(f"{path}: the top level must be a mapping of sections")
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise UserError(format_errors(exc, str(path or "environment"))) from None

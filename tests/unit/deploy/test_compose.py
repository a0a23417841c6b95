"""docker-compose.yml, offline: the Compose Specification's JSON Schema (vendored in
deploy/schemas), and everything it names exists in the project: settings behind the
environment variables, mounted files, ports, Prometheus targets."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
import pytest
from pydantic import BaseModel

from stream_monitor.settings import Settings, load_settings
from tests.unit.deploy.deploy_files import COMPOSE_FILE, DEPLOY, ROOT, load_yaml

SCHEMA = DEPLOY / "schemas" / "compose-spec.json"
ENV_PREFIX = "STREAM_MONITOR_"
CONFIG_IN_CONTAINER = "/etc/stream-monitor/config.yaml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = load_yaml(COMPOSE_FILE)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]  # type: ignore[no-any-return]


def schema_errors(document: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    # The schema declares draft 2019-09 by a non-canonical URL (".../draft/2019-09/schema#").
    assert "2019-09" in schema["$schema"]
    jsonschema.Draft201909Validator.check_schema(schema)
    validator = jsonschema.Draft201909Validator(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def settings_field(name: str) -> str | None:
    """Why ``STREAM_MONITOR_A__B`` names no settings field, or None when it does."""
    model: type[BaseModel] = Settings
    parts = name.removeprefix(ENV_PREFIX).lower().split("__")
    for depth, part in enumerate(parts):
        field = model.model_fields.get(part)
        if field is None:
            return f"{name}: {part!r} is not a field of {model.__name__}"
        annotation = field.annotation
        is_section = isinstance(annotation, type) and issubclass(annotation, BaseModel)
        if depth < len(parts) - 1:
            if not is_section:
                return f"{name}: {part!r} is not a section"
            assert isinstance(annotation, type)
            model = annotation
        elif is_section:
            return f"{name}: {part!r} is a whole section, not a field"
    return None


def bind_mounts(service: dict[str, Any]) -> dict[str, Path]:
    """Container path -> repository path of the service's ``./`` bind mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target = volume.split(":")[:2]
        if source.startswith("./"):
            mounts[target] = ROOT / source
    return mounts


def worker_names(services: dict[str, dict[str, Any]]) -> list[str]:
    """Services that run the image's entrypoint (the worker) with the config."""
    return sorted(
        name
        for name, service in services.items()
        if "build" in service and "entrypoint" not in service
    )


def worker_config(services: dict[str, dict[str, Any]]) -> Settings:
    worker = services[worker_names(services)[0]]
    return load_settings(bind_mounts(worker)[CONFIG_IN_CONTAINER])


def test_the_compose_file_is_valid_against_the_compose_specification(
    compose: dict[str, Any],
) -> None:
    assert schema_errors(compose) == []


def test_the_schema_check_refuses_an_unknown_service_key(compose: dict[str, Any]) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["redis"]["imagee"] = "redis:7.2"
    assert any("imagee" in error for error in schema_errors(broken))


def test_the_vendored_schema_keeps_its_licence() -> None:
    licence = (DEPLOY / "schemas" / "LICENSE.compose-spec").read_text(encoding="utf-8")
    assert "Apache License" in licence and "Version 2.0" in licence


def test_two_workers_a_simulator_and_the_services_they_need(
    services: dict[str, dict[str, Any]],
) -> None:
    assert worker_names(services) == ["worker-1", "worker-2"]
    assert {"kafka", "redis", "prometheus", "grafana", "simulator"} <= set(services)
    simulator = services["simulator"]
    assert simulator["entrypoint"] == ["stream-monitor"]
    assert simulator["command"][:4] == ["simulate", "--to-kafka", "--config", CONFIG_IN_CONTAINER]
    assert CONFIG_IN_CONTAINER in bind_mounts(simulator)


def test_every_project_environment_variable_names_a_settings_field(
    services: dict[str, dict[str, Any]],
) -> None:
    names = {n for s in services.values() for n in environment(s) if n.startswith(ENV_PREFIX)}
    assert names, "the workers should take their endpoints from the environment"
    assert [problem for n in sorted(names) if (problem := settings_field(n))] == []


def test_the_checker_refuses_an_unknown_settings_name() -> None:
    assert settings_field("STREAM_MONITOR_KAFKA__BOOTSTRAP_SERVER") is not None
    assert settings_field("STREAM_MONITOR_REDIS") is not None
    assert settings_field("STREAM_MONITOR_KAFKA__BOOTSTRAP_SERVERS") is None


def test_the_workers_config_with_their_environment_loads(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [*worker_names(services), "simulator"]:
        service = services[name]
        for key, value in environment(service).items():
            if key.startswith(ENV_PREFIX):
                monkeypatch.setenv(key, value)
        settings = load_settings(bind_mounts(service)[CONFIG_IN_CONTAINER])
        assert settings.redis.password_file == Path("/run/secrets/redis_password")
        assert [m.id for m in settings.models] == ["churn-classifier"]


def test_every_mounted_file_exists_in_the_repository(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    mounted = [p for s in services.values() for p in bind_mounts(s).values()]
    mounted += [ROOT / s["file"] for s in compose.get("secrets", {}).values()]
    assert len(mounted) >= 8
    assert [str(p) for p in mounted if not p.exists()] == []
    for name in worker_names(services):
        build = services[name]["build"]
        assert (ROOT / build["context"] / build["dockerfile"]).is_file()


def test_the_models_reference_profiles_are_mounted(services: dict[str, dict[str, Any]]) -> None:
    settings = worker_config(services)
    for name in worker_names(services):
        mounts = bind_mounts(services[name])
        assert all(str(m.reference) in mounts for m in settings.models)


def test_ports_agree_with_the_config(services: dict[str, dict[str, Any]]) -> None:
    settings = worker_config(services)
    web_port = settings.worker.web_port
    for name in worker_names(services):
        worker = services[name]
        assert str(web_port) in worker["expose"]
        assert f"127.0.0.1:{web_port}/ready" in " ".join(worker["healthcheck"]["test"])
    kafka_host, kafka_port = settings.kafka.bootstrap_servers.split(":")
    kafka_env = environment(services[kafka_host])
    assert f"PLAINTEXT://:{kafka_port}" in kafka_env["KAFKA_LISTENERS"].split(",")
    assert f"PLAINTEXT://{kafka_host}:{kafka_port}" in kafka_env["KAFKA_ADVERTISED_LISTENERS"]
    redis_url = urlsplit(settings.redis.url)
    redis_command = " ".join(services[str(redis_url.hostname)]["command"])
    assert f"--port {redis_url.port}" in redis_command
    assert f"-p {redis_url.port}" in " ".join(services["redis"]["healthcheck"]["test"])


def test_prometheus_scrapes_every_worker_on_the_web_port(
    services: dict[str, dict[str, Any]],
) -> None:
    mounts = bind_mounts(services["prometheus"])
    config = load_yaml(mounts["/etc/prometheus/prometheus.yml"])
    web_port = worker_config(services).worker.web_port
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "stream-monitor"]
    targets = {t for group in job["static_configs"] for t in group["targets"]}
    assert targets == {f"{name}:{web_port}" for name in worker_names(services)}
    assert job.get("metrics_path", "/metrics") == "/metrics"
    for rule_file in config["rule_files"]:
        assert f"/etc/prometheus/{rule_file}" in mounts


def test_grafana_is_provisioned_with_the_datasource_and_dashboard(
    services: dict[str, dict[str, Any]],
) -> None:
    mounts = bind_mounts(services["grafana"])
    datasources = mounts["/etc/grafana/provisioning/datasources"]
    (source,) = load_yaml(datasources / "prometheus.yml")["datasources"]
    assert urlsplit(source["url"]).hostname == "prometheus"
    assert re.search(r":9090$", source["url"])
    assert "9090:9090" in services["prometheus"]["ports"]
    providers = load_yaml(mounts["/etc/grafana/provisioning/dashboards"] / "stream-monitor.yml")
    (provider,) = providers["providers"]
    dashboards = mounts[provider["options"]["path"]]
    assert (dashboards / "stream-monitor.json").is_file()


def test_named_volumes_secrets_and_dependencies_are_declared(
    compose: dict[str, Any], services: dict[str, dict[str, Any]]
) -> None:
    for name, service in services.items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith(("./", "/")):
                assert source in compose["volumes"], (name, source)
        for secret in service.get("secrets", []):
            assert secret in compose["secrets"], (name, secret)
        assert set(service.get("depends_on", [])) <= set(services), name

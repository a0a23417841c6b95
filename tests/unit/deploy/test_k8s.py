"""deploy/k8s, offline: every manifest against the Kubernetes JSON schemas
(kubernetes-validate bundles them), the kustomizations list every file, labels and
selectors agree, the ConfigMap's config loads, the probes use the configured web port."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import kubernetes_validate
import orjson
import pytest
import yaml

from stream_monitor.demo import reference_profile
from stream_monitor.settings import Settings, load_settings
from tests.unit.deploy.deploy_files import K8S, ROOT, load_yaml
from tests.unit.deploy.test_compose import settings_field

KUBERNETES_VERSION = "1.33.0"
CONFIGMAP_LIMIT_BYTES = 1024 * 1024


def manifest_files() -> list[Path]:
    files = sorted(K8S.rglob("*.yaml"))
    return [f for f in files if f.name != "kustomization.yaml"]


def manifests() -> dict[str, dict[str, Any]]:
    """Kind -> the manifest (one of each kind in deploy/k8s itself)."""
    by_kind: dict[str, dict[str, Any]] = {}
    for path in sorted(K8S.glob("*.yaml")):
        document = load_yaml(path)
        if document["kind"] != "Kustomization":
            assert document["kind"] not in by_kind, f"two {document['kind']} manifests"
            by_kind[document["kind"]] = document
    return by_kind


def generated_configmaps(directory: Path) -> list[dict[str, Any]]:
    kustomization = load_yaml(directory / "kustomization.yaml")
    maps = []
    for generator in kustomization.get("configMapGenerator", []):
        files = [directory / f for f in generator["files"]]
        data = {f.name: f.read_text(encoding="utf-8") for f in files}
        maps.append(
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": generator["name"]}}
            | {"data": data}
        )
    return maps


@pytest.fixture(scope="module")
def k8s() -> dict[str, dict[str, Any]]:
    return manifests()


@pytest.fixture(scope="module")
def config(k8s: dict[str, dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Settings:
    path = tmp_path_factory.mktemp("k8s") / "config.yaml"
    path.write_text(k8s["ConfigMap"]["data"]["config.yaml"], encoding="utf-8")
    return load_settings(path)


def container(k8s: dict[str, dict[str, Any]]) -> dict[str, Any]:
    (worker,) = k8s["Deployment"]["spec"]["template"]["spec"]["containers"]
    return worker  # type: ignore[no-any-return]


def port_number(worker: dict[str, Any], port: int | str) -> int:
    if isinstance(port, int):
        return port
    (number,) = [p["containerPort"] for p in worker["ports"] if p["name"] == port]
    return number  # type: ignore[no-any-return]


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_the_manifest_is_valid_against_the_kubernetes_schema(path: Path) -> None:
    kubernetes_validate.validate(load_yaml(path), KUBERNETES_VERSION, strict=True)


def test_the_generated_reference_configmaps_are_valid_and_fit() -> None:
    (reference,) = generated_configmaps(K8S)
    kubernetes_validate.validate(reference, KUBERNETES_VERSION, strict=True)
    assert len(orjson.dumps(reference)) < CONFIGMAP_LIMIT_BYTES


def test_the_schema_check_refuses_a_misspelt_field(k8s: dict[str, dict[str, Any]]) -> None:
    broken = copy.deepcopy(k8s["Deployment"])
    broken["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["httpGett"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("directory", [K8S, K8S / "prometheus-adapter"], ids=str)
def test_the_kustomization_lists_every_file(directory: Path) -> None:
    kustomization = load_yaml(directory / "kustomization.yaml")
    listed = set(kustomization["resources"])
    listed |= {f for g in kustomization.get("configMapGenerator", []) for f in g["files"]}
    on_disk = {p.name for p in directory.glob("*.yaml") if p.name != "kustomization.yaml"}
    on_disk |= {str(p.relative_to(directory)) for p in directory.glob("reference/*")}
    assert listed == on_disk


def test_selectors_match_the_pod_labels(k8s: dict[str, dict[str, Any]]) -> None:
    deployment = k8s["Deployment"]
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    selectors = [
        deployment["spec"]["selector"]["matchLabels"],
        k8s["Service"]["spec"]["selector"],
        k8s["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
    ]
    for selector in selectors:
        assert selector and selector.items() <= pod_labels.items()
    target = k8s["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment["metadata"]["name"])


def test_the_deployment_mounts_what_it_names(k8s: dict[str, dict[str, Any]]) -> None:
    pod = k8s["Deployment"]["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["config"]["configMap"]["name"] == k8s["ConfigMap"]["metadata"]["name"]
    assert volumes["credentials"]["secret"]["secretName"] == k8s["Secret"]["metadata"]["name"]
    (reference,) = generated_configmaps(K8S)
    assert volumes["reference"]["configMap"]["name"] == reference["metadata"]["name"]
    assert {m["name"] for m in container(k8s)["volumeMounts"]} == set(volumes)


def test_the_configmap_config_loads_with_the_deployment_environment(
    k8s: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    worker = container(k8s)
    env = {e["name"]: e["value"] for e in worker["env"]}
    assert [problem for name in env if (problem := settings_field(name))] == []
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config_mount = next(m for m in worker["volumeMounts"] if m["name"] == "config")
    assert worker["args"] == ["--config", config_mount["mountPath"]]
    assert Path(config_mount["mountPath"]).name == config_mount["subPath"]
    path = tmp_path / config_mount["subPath"]
    path.write_text(k8s["ConfigMap"]["data"][config_mount["subPath"]], encoding="utf-8")
    settings = load_settings(path)
    secret_keys = set(k8s["Secret"]["stringData"])
    for secret_file in (settings.redis.password_file, settings.kafka.sasl_password_file):
        assert secret_file is not None
        assert secret_file.parent == mount_path(worker, "credentials")
        assert secret_file.name in secret_keys


def mount_path(worker: dict[str, Any], volume: str) -> Path:
    (mount,) = [m for m in worker["volumeMounts"] if m["name"] == volume]
    return Path(mount["mountPath"])


def test_every_model_reference_is_in_the_reference_configmap(
    k8s: dict[str, dict[str, Any]], config: Settings
) -> None:
    (reference,) = generated_configmaps(K8S)
    directory = mount_path(container(k8s), "reference")
    for model in config.models:
        assert model.reference.parent == directory
        assert model.reference.name in reference["data"]


def test_the_shipped_reference_is_the_simulated_models_profile() -> None:
    profile, _ = reference_profile()
    shipped = orjson.loads((K8S / "reference" / "churn-classifier.json").read_bytes())
    assert shipped == orjson.loads(profile.to_json())


def test_probes_and_service_use_the_configured_web_port(
    k8s: dict[str, dict[str, Any]], config: Settings
) -> None:
    worker = container(k8s)
    web_port = config.worker.web_port
    probes = {name: worker[name]["httpGet"] for name in ("livenessProbe", "readinessProbe")}
    assert probes["livenessProbe"]["path"] == "/live"
    assert probes["readinessProbe"]["path"] == "/ready"
    for probe in [*probes.values(), worker["startupProbe"]["httpGet"]]:
        assert port_number(worker, probe["port"]) == web_port
    (service_port,) = k8s["Service"]["spec"]["ports"]
    assert port_number(worker, service_port["targetPort"]) == web_port
    assert k8s["Service"]["metadata"]["annotations"]["prometheus.io/port"] == str(web_port)


def test_the_autoscaler_reads_the_lag_metric_and_stays_within_the_partitions(
    k8s: dict[str, dict[str, Any]], config: Settings
) -> None:
    spec = k8s["HorizontalPodAutoscaler"]["spec"]
    (metric,) = spec["metrics"]
    assert metric["external"]["metric"]["name"] == "stream_monitor_consumer_lag"
    topic = metric["external"]["metric"]["selector"]["matchLabels"]["topic"]
    assert topic == config.topics.predictions
    assert spec["minReplicas"] <= k8s["Deployment"]["spec"]["replicas"] <= spec["maxReplicas"]
    assert spec["maxReplicas"] <= config.worker.topic_partitions
    adapter = load_yaml(K8S / "prometheus-adapter" / "adapter-config.yaml")
    (rule,) = yaml.safe_load(adapter["data"]["config.yaml"])["externalRules"]
    assert rule["name"]["as"] == metric["external"]["metric"]["name"]


def test_the_pod_runs_as_non_root_with_a_read_only_filesystem(
    k8s: dict[str, dict[str, Any]],
) -> None:
    pod = k8s["Deployment"]["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    worker = container(k8s)
    assert worker["securityContext"]["readOnlyRootFilesystem"] is True
    assert mount_path(worker, "tmp") == Path("/tmp")  # faust's data directory
    assert set(worker["resources"]) == {"requests", "limits"}


def test_the_secret_example_holds_placeholders_only(k8s: dict[str, dict[str, Any]]) -> None:
    values = k8s["Secret"]["stringData"].values()
    assert values and all(v.startswith("REPLACE-WITH-") for v in values)


def test_the_kustomization_image_is_the_deployments(k8s: dict[str, dict[str, Any]]) -> None:
    (image,) = load_yaml(K8S / "kustomization.yaml")["images"]
    assert container(k8s)["image"].split(":")[0] == image["name"]


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (K8S / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    pairs = [line.split(None, 1) for line in lines if line and not line.startswith("#")]
    return [(p[0].upper(), p[1]) for p in pairs]


def test_the_dockerfile_builds_a_slim_non_root_worker_image(
    k8s: dict[str, dict[str, Any]], config: Settings
) -> None:
    instructions = dockerfile_instructions()
    bases = [arg for op, arg in instructions if op == "FROM"]
    assert bases and all(re.match(r"python:3\.11-slim\b", base) for base in bases)
    (user,) = [arg for op, arg in instructions if op == "USER"]
    assert user.split(":")[0] not in {"0", "root"}
    assert (
        str(k8s["Deployment"]["spec"]["template"]["spec"]["securityContext"]["runAsUser"])
        == (user.split(":")[0])
    )
    (entrypoint,) = [arg for op, arg in instructions if op == "ENTRYPOINT"]
    assert orjson.loads(entrypoint) == ["python", "-m", "stream_monitor.stream"]
    (expose,) = [arg for op, arg in instructions if op == "EXPOSE"]
    assert int(expose) == config.worker.web_port
    installs = [arg for op, arg in instructions if op == "RUN" and "pip install" in arg]
    assert installs and "-c requirements.lock" in installs[0]
    for op, arg in instructions:
        if op == "COPY" and not arg.startswith("--from"):
            assert all((ROOT / source).exists() for source in arg.split()[:-1])

"""deploy/prometheus: promtool accepts the rules and the compose Prometheus config, the
rules' unit tests pass, the model rules mirror the default rule pack, and every metric
name is one of the contract's."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from typing import Any

import pytest

from stream_monitor.rules import default_rules
from stream_monitor.rules.durations import Hold
from tests.unit.deploy.deploy_files import PROMETHEUS, load_yaml, unknown_metric_names

RULES = PROMETHEUS / "rules.yml"
MODEL_GROUP, SELF_GROUP = "stream-monitor-models", "stream-monitor-self"
EVALUATION_INTERVAL = timedelta(minutes=1)  # the default models[].windows.interval
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d)")
_UNIT = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def promtool(*args: str) -> str:
    if shutil.which("promtool") is None:
        pytest.skip("promtool is not installed (Debian package prometheus; .ci/run installs it)")
    done = subprocess.run(
        ["promtool", *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=120
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    return output


def rule_groups() -> dict[str, list[dict[str, Any]]]:
    """Group name -> its alerting rules (recording rules left out)."""
    groups = load_yaml(RULES)["groups"]
    return {g["name"]: [r for r in g["rules"] if "alert" in r] for g in groups}


def recording_rules() -> dict[str, str]:
    groups = load_yaml(RULES)["groups"]
    return {r["record"]: r["expr"] for g in groups for r in g["rules"] if "record" in r}


def prometheus_duration(text: str) -> timedelta:
    parts = _DURATION.findall(text)
    assert "".join(n + u for n, u in parts) == text, f"not a Prometheus duration: {text}"
    return timedelta(seconds=sum(int(n) * _UNIT[u] for n, u in parts))


def expected_for(hold: Hold) -> timedelta:
    """n evaluations are seen for about (n + 0.25) intervals: `for` (n - 0.25) intervals."""
    if hold.evaluations is None:
        assert hold.duration is not None
        return hold.duration
    return EVALUATION_INTERVAL * (hold.evaluations - 0.25)


def expected_keep(hold: Hold) -> timedelta:
    if hold.evaluations is None:
        assert hold.duration is not None
        return hold.duration
    return EVALUATION_INTERVAL * hold.evaluations


def test_promtool_accepts_the_rules() -> None:
    assert "SUCCESS: 17 rules found" in promtool("check", "rules", RULES.name)


def test_the_rules_pass_their_promtool_unit_tests() -> None:
    assert "SUCCESS" in promtool("test", "rules", "rules.test.yml")


def test_promtool_accepts_the_compose_prometheus_config() -> None:
    output = promtool("check", "config", "prometheus.yml")
    assert "is valid prometheus config file syntax" in output


def test_the_model_rules_mirror_the_default_rule_pack() -> None:
    rules = {r["alert"]: r for r in rule_groups()[MODEL_GROUP]}
    pack = default_rules()
    assert set(rules) == {rule.name for rule in pack}
    for rule in pack:
        mirrored = rules[rule.name]
        assert mirrored["labels"]["severity"] == rule.severity.value, rule.name
        assert mirrored["labels"]["category"] == rule.category, rule.name
        if rule.threshold is not None:
            condition = f"{rule.op} {rule.threshold:g}"
            assert condition in " ".join(mirrored["expr"].split()), (rule.name, condition)
        assert prometheus_duration(mirrored["for"]) == expected_for(rule.for_), rule.name
        keep = prometheus_duration(mirrored["keep_firing_for"])
        assert keep == expected_keep(rule.keep_firing_for), rule.name


def test_the_drift_rules_read_the_engines_deciding_statistics() -> None:
    rules = {r["alert"]: r for r in rule_groups()[MODEL_GROUP]}
    for name in ("feature_drift", "prediction_drift"):
        assert 'statistic=~"ks|chi2|psi"' in rules[name]["expr"]


def test_the_model_rules_read_only_the_workers_that_evaluated_lately() -> None:
    evaluation_gauge = re.compile(
        r"stream_monitor_(?:drift_detected|drift_statistic|model_metric)\{[^}]*\}(.{0,70})"
    )
    fresh = " and on (instance, model) stream_monitor:model_evaluated_recently"
    assert "stream_monitor:model_evaluated_recently" in recording_rules()
    for rule in rule_groups()[MODEL_GROUP]:
        selections = evaluation_gauge.findall(rule["expr"])
        assert selections, rule["alert"]
        assert all(after.startswith(fresh) for after in selections), rule["alert"]


def test_every_alert_has_a_severity_category_and_summary() -> None:
    for group in rule_groups().values():
        for rule in group:
            assert rule["labels"]["severity"] in {"info", "warning", "critical"}
            assert rule["labels"]["category"]
            assert rule["annotations"]["summary"]


def test_the_monitor_watches_itself() -> None:
    names = {r["alert"] for r in rule_groups()[SELF_GROUP]}
    required = {
        "StreamMonitorWorkerDown",
        "StreamMonitorConsumerLagHigh",
        "StreamMonitorDeadLetterRateHigh",
    }
    assert required <= names


def test_the_rules_use_only_the_contracts_metric_names() -> None:
    exprs = [r["expr"] for group in rule_groups().values() for r in group]
    exprs += list(recording_rules().values())
    assert unknown_metric_names(exprs) == set()
    recorded = {name for e in exprs for name in re.findall(r"stream_monitor:[a-z_:]+", e)}
    assert recorded <= set(recording_rules())


def test_the_name_check_catches_a_name_outside_the_contract() -> None:
    exprs = ["rate(stream_monitor_events_total[5m])", "stream_monitor_lag_seconds > 1"]
    assert unknown_metric_names(exprs) == {"stream_monitor_lag_seconds"}
    assert unknown_metric_names(["stream_monitor_redis_rtt_seconds_bucket"]) == set()

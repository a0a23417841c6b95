"""The HTML report: one self-contained page, a chart per target, escaped user data."""

from __future__ import annotations

import re

import pytest

from stream_monitor.report import render_report
from stream_monitor.report.svg import FLAG_COLOR
from stream_monitor.stats.profile import CategoricalProfile, NumericProfile
from tests.unit.report import builders as b
from tests.unit.report.page_parser import chart, charts

DRIFT_TARGETS = [f"{kind}:{name}" for kind, name in b.TARGETS] + ["dataset:dataset"]


@pytest.fixture(scope="module")
def page() -> str:
    return render_report(b.outputs(), b.profile(), title="Run <1>")


def test_is_one_document_that_loads_nothing(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<html") == page.count("</html>") == 1
    lowered = page.lower()
    for forbidden in ("<script", "<link", "<img", "<iframe", "<object", "@import", "url("):
        assert forbidden not in lowered, forbidden
    assert "http://" not in lowered and "https://" not in lowered
    assert not re.search(r"\ssrc\s*=", lowered)
    hrefs = re.findall(r'\shref="([^"]*)"', page)
    assert all(h.startswith("#") for h in hrefs), hrefs
    assert "default-src 'none'" in page


def test_every_chart_is_an_svg_with_a_title_and_a_point_count(page: str) -> None:
    found = charts(page)
    assert len(found) >= 15
    for c in found:
        assert c.attrs["class"] == "chart"
        assert c.series >= 0 and c.title


@pytest.mark.parametrize("target", DRIFT_TARGETS)
def test_one_drift_chart_per_target_with_a_point_per_window(page: str, target: str) -> None:
    c = chart(page, kind="drift", target=target)
    assert c.series == b.WINDOWS
    assert c.count("polyline") == 1
    assert c.count("line", stroke_dasharray="6 4") == 1  # the threshold


def test_drifted_windows_are_marked(page: str) -> None:
    flagged = {
        t: chart(page, kind="drift", target=t).count("circle", fill=FLAG_COLOR)
        for t in DRIFT_TARGETS
    }
    assert flagged == {
        t: (b.WINDOWS - b.DRIFT_FROM if t == "feature:age" else 0) for t in DRIFT_TARGETS
    }
    heat = chart(page, kind="drift-map")
    assert heat.series == len(DRIFT_TARGETS) * b.WINDOWS
    assert heat.count("rect", **{"class": "drift"}) == b.WINDOWS - b.DRIFT_FROM
    assert "Drifted: age (3)" in page


def test_malicious_names_are_escaped(page: str) -> None:
    assert b.EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert "<title>Run &lt;1&gt;</title>" in page
    assert chart(page, kind="reference", target=b.EVIL).series == 10


def test_metric_charts_skip_empty_series(page: str) -> None:
    accuracy = chart(page, kind="metric", metric="accuracy")
    assert accuracy.series == (b.WINDOWS - 2) + b.WINDOWS + b.WINDOWS  # + estimate + reference
    assert chart(page, kind="metric", metric="latency (ms)").series == 3 * b.WINDOWS
    assert chart(page, kind="metric", metric="missing_rate").series == b.WINDOWS
    assert chart(page, kind="metric", group="operational", metric="throughput_eps").series == 6
    metrics = {c.attrs.get("data-metric") for c in charts(page)}
    assert "roc_auc" not in metrics and "invalid_rate" not in metrics
    assert "0 in every window: plan" in page  # data quality: per rate chart
    assert "0 in every window: errors" in page  # other groups: one note
    assert "errors" not in metrics
    assert "age (ref 0.01)" in page


def test_alert_timeline_and_table(page: str) -> None:
    timeline = chart(page, kind="alerts")
    # latency firing; feature_drift pending then firing; missing_values pending only
    assert timeline.series == 4
    assert timeline.count("rect", **{"class": "alert-pending"}) == 1
    assert timeline.count("path", **{"class": "alert-pending"}) == 1
    for text in ("feature_drift", "missing_values", "latency_p99_high", "2026-03-01 10:29:00 UTC"):
        assert text in page
    assert re.search(r"<b>3</b><span>distinct alerts</span>", page)
    assert re.search(r"<b>2</b><span>pending alert events</span>", page)
    assert re.search(r"<b>3</b><span>firing alert events</span>", page)
    assert re.search(r"<b>1</b><span>resolved alert events</span>", page)


def test_decision_reasons_and_trace(page: str) -> None:
    for reason in b.decision().reasons:
        assert reason in page
    assert "sustained_drift" in page and "too few labels" in page
    assert 'badge-critical">retrain<' in page


def test_header_counts_windows_and_dead_letters(page: str) -> None:
    assert re.search(r"<b>6</b><span>windows evaluated</span>", page)
    assert re.search(r"<b>1</b><span>dead letters</span>", page)
    assert "<code>malformed_json</code>" in page


def test_reference_distributions_follow_the_profile(page: str) -> None:
    profile = b.profile()
    for name, target in profile.features.items():
        c = chart(page, kind="reference", target=name)
        if isinstance(target, NumericProfile):
            assert c.series == len(target.coarse_starts)
        else:
            assert isinstance(target, CategoricalProfile)
            assert c.series == len(target.vocabulary)
    assert chart(page, kind="reference", target="prediction: score").series == 10
    assert "Current distributions are not part of the output events" in page


def test_without_a_profile_there_is_a_note_instead() -> None:
    page = render_report(b.outputs())
    assert not [c for c in charts(page) if c.attrs.get("data-kind") == "reference"]
    assert "No reference profile was given" in page


def test_empty_outputs_render_a_no_data_note() -> None:
    page = render_report([])
    assert "No data" in page and "</html>" in page
    assert charts(page) == []
    assert re.search(r"<b>0</b><span>models</span>", page)


def test_empty_outputs_with_a_profile_still_show_it() -> None:
    page = render_report([], b.profile())
    assert "No data" in page
    assert chart(page, kind="reference", target="age").series == 10


def test_models_get_their_own_sections_and_profiles() -> None:
    other = [e.model_copy(update={"model_id": "fraud"}) for e in b.drift_events()]
    page = render_report([*b.drift_events(), *other], {"fraud": b.profile()})
    assert 'href="#model-1"' in page and 'href="#model-2"' in page
    assert page.index("Model <code>churn</code>") < page.index("Model <code>fraud</code>")
    references = [c for c in charts(page) if c.attrs.get("data-kind") == "reference"]
    assert len(references) == 4  # only fraud's profile: age, plan, EVIL, score
    assert len([c for c in charts(page) if c.attrs.get("data-kind") == "drift"]) == 10

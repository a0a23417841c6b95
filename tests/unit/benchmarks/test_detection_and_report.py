"""Bookkeeping of the benchmark suites: flags, delays, rates, and the marked document."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

import benchmarks.detection
import benchmarks.report
from benchmarks.__main__ import _plan
from benchmarks.binning import ADD, NUMPY, BinningProfile, run_binning
from benchmarks.binning import markdown as binning_markdown
from benchmarks.detection import (
    Row,
    WindowResult,
    markdown,
    poisson_interval,
    summarise_windows,
)
from benchmarks.report import HEADER, RunInfo, replace_section, write_section
from benchmarks.scenarios import stationary, transient


@pytest.mark.parametrize("module", [benchmarks.detection, benchmarks.report])
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)  # type: ignore[arg-type]
    assert result.attempted > 0 and result.failed == 0


def test_flags_are_true_only_on_changed_targets_inside_the_drifted_span() -> None:
    data = transient(0)  # normal_3 drifts over events 5500-7500
    windows = (
        WindowResult(4, 4000, 5000, ("normal_3",), "normal_3"),  # before: false
        WindowResult(5, 5000, 6000, ("normal_0",), "normal_0"),  # other feature: false
        WindowResult(6, 6000, 7000, ("normal_3", "cat_small"), "normal_3"),  # 1 true, 1 false
        WindowResult(7, 7000, 8000, ("normal_3",), "normal_3"),  # overlaps: true
        WindowResult(8, 8000, 9000, ("normal_3",), "normal_3"),  # after revert: false
        WindowResult(9, 9000, 10000, (), "poisson_0"),
    )
    run = summarise_windows(data, 1000, windows, seconds=2.0)
    assert (run.true_flags, run.false_flags) == (2, 4)
    assert run.false_targets == ("normal_3", "normal_0", "cat_small", "normal_3")
    assert (run.first_alarm, run.delay, run.ranked_first) == (6, 7000 - 5500, "normal_3")
    assert run.events == 6000 and run.flagged_windows == [4, 5, 6, 7, 8]


def test_a_run_without_the_changed_feature_flagged_is_a_miss() -> None:
    windows = (WindowResult(0, 0, 1000, ("x",), "x"),)
    run = summarise_windows(stationary(0, stream_size=1000), 1000, windows, 1.0)
    assert run.first_alarm is None and run.delay is None and run.false_flags == 1


def test_poisson_interval_is_the_exact_garwood_interval() -> None:
    low, high = poisson_interval(0)
    assert low == 0.0 and high == pytest.approx(3.6889, abs=1e-4)
    low, high = poisson_interval(3)
    assert (low, high) == (pytest.approx(0.6187, abs=1e-4), pytest.approx(8.7673, abs=1e-4))


def _row(**overrides: object) -> Row:
    fields: dict[str, object] = {
        "scenario": "mean_shift_0.5sd",
        "detector": "drift engine (W=1000)",
        "runs": 4,
        "expects_drift": True,
        "delays": (500, 1500, 1500),
        "false_alarms": 1,
        "exposure": 200_000,
        "ranked_first": ("normal_3", "normal_3", "cat_small"),
        "changed": ("normal_3",),
        "events": 56_000,
        "seconds": 4.0,
    }
    fields.update(overrides)
    return Row(**fields)  # type: ignore[arg-type]


def test_row_summaries() -> None:
    row = _row()
    assert (row.detected, row.missed) == (3, 1)
    summary = row.delay_summary()
    assert summary is not None
    assert summary[:2] == (pytest.approx(3500 / 3), 1500.0)
    rate, low, high = row.false_alarm_rate()
    assert rate == pytest.approx(0.5) and low < rate < high
    assert row.changed_ranked_first() == pytest.approx(2 / 3)
    assert row.events_per_second == 14_000
    silent = _row(expects_drift=False, delays=(), ranked_first=(), false_alarms=0)
    assert silent.missed == 0 and silent.delay_summary() is None


def test_markdown_has_one_line_per_row() -> None:
    report = benchmarks.detection.DetectionReport(
        benchmarks.detection.PROFILES["quick"], (_row(), _row(scenario="stationary")), 1.0
    )
    text = markdown(report)
    assert "| `mean_shift_0.5sd` | drift engine (W=1000) | 4 | 3/4 | 1 | 1,167 / 1,500 /" in text
    assert "67% changed (normal_3 x2, cat_small x1)" in text
    assert "(1 in 200,000)" in text
    flagged = markdown(
        benchmarks.detection.DetectionReport(
            benchmarks.detection.PROFILES["quick"], (_row(false_targets=("cat_small",)),), 1.0
        )
    )
    assert "(1 in 200,000: cat_small x1)" in flagged
    assert text.count("| `stationary` | drift engine") == 1


def test_a_suite_rewrites_only_its_own_section(tmp_path: Path) -> None:
    path = tmp_path / "benchmarks.md"
    write_section("detection", "## D\n\nfirst\n", path)
    assert path.read_text().startswith(HEADER)
    write_section("binning", "## B\n\nbins\n", path)
    text = path.read_text().replace("<!-- binning:end -->", "<!-- binning:end -->\n\nhand notes")
    path.write_text(text)
    write_section("detection", "## D\n\nsecond\n", path)
    text = path.read_text()
    assert "second" in text and "first" not in text
    assert text.index("<!-- detection:start -->") < text.index("<!-- binning:start -->")
    assert "bins" in text and "hand notes" in text and text.count("<!-- detection:end -->") == 1


def test_broken_markers_are_refused() -> None:
    with pytest.raises(ValueError, match="only one"):
        replace_section("<!-- a:start -->\nx\n", "a", "y")
    twice = "<!-- a:start -->\n<!-- a:end -->\n" * 2
    with pytest.raises(ValueError, match="2 'a' sections"):
        replace_section(twice, "a", "y")
    with pytest.raises(ValueError, match="lowercase"):
        replace_section("", "A B", "y")


def test_run_info_names_commit_and_machine() -> None:
    info = RunInfo.collect("quick", date="2026-01-01", commit="abc123")
    text = info.markdown()
    assert "2026-01-01" in text and "`abc123`" in text and f"nproc {info.cpus}" in text
    assert "Python 3." in text


def test_only_takes_a_suite_or_a_scenario() -> None:
    assert _plan(None) == (["detection", "binning", "throughput", "replay", "soak"], None, True)
    assert _plan("binning") == (["binning"], None, True)
    assert _plan("variance_x2") == (["detection"], ["variance_x2"], False)
    with pytest.raises(SystemExit, match="unknown suite or scenario"):
        _plan("nope")


def test_binning_suite_times_every_variant_on_a_tiny_profile() -> None:
    tiny = BinningProfile("tiny", events=2_000, repeats=2, event_objects=100, small_batch=500)
    report = run_binning(tiny)
    assert report.features == 20 and len(report.timings) == 7
    assert report.ratio(NUMPY) == 1.0 and report.ratio(ADD, 500) > 0
    assert {t.batch for t in report.timings} == {2_000, 100, 500}
    text = binning_markdown(report)
    assert "Acceptance (binning a batch into 20 features' counts within 2x" in text
    assert text.count("\n| ") == 9  # header, rule and 7 rows

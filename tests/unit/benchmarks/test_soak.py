"""The soak benchmark's bookkeeping: growth after the settling time, and its table."""

from __future__ import annotations

from benchmarks.__main__ import SUITES
from benchmarks.soak import PROFILES, SETTLE_SECONDS, Sample, SoakReport, _growth, markdown

SETTLE = SETTLE_SECONDS


def _sample(at: float, rss_mib: int, produced: int, counted: int) -> Sample:
    return Sample(at, produced, counted, 3, rss_mib * 2**20, 50 * 2**20, 1000)


def test_growth_is_measured_from_the_first_settled_sample_per_minute() -> None:
    samples = [_sample(0, 10, 0, 0), _sample(SETTLE, 100, 1, 1), _sample(SETTLE + 120, 130, 2, 2)]
    grown, per_minute = _growth(samples, "rss")
    assert grown == 30 * 2**20
    assert per_minute == 15 * 2**20


def test_the_table_has_a_row_per_sample_and_the_worst_lag() -> None:
    report = SoakReport(
        PROFILES["quick"], [_sample(SETTLE, 80, 1000, 0), _sample(SETTLE + 60, 90, 5000, 4500)]
    )
    report.produced = report.counted = 5000
    text = markdown(report)
    assert text.count(f"\n| {SETTLE:.0f} |") == 1 and text.count(f"\n| {SETTLE + 60:.0f} |") == 1
    assert "worst lag at a sample: 1,000 events" in text
    assert "10.0 MiB growth" in text


def test_the_runner_knows_the_soak_suite() -> None:
    assert "soak" in SUITES


def test_doctests() -> None:
    import doctest

    import benchmarks.soak

    result = doctest.testmod(benchmarks.soak)
    assert result.attempted > 0 and result.failed == 0

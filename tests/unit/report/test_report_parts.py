"""The report's building blocks: axes, alert episodes, bins, metric series."""

from __future__ import annotations

import math
from datetime import timedelta
from itertools import pairwise

from schemas.outputs import (
    AlertStatus,
    DriftEvent,
    MetricEvent,
    RetrainAction,
    Target,
    TargetKind,
)
from stream_monitor.report import render_report
from stream_monitor.report.alerts import episodes
from stream_monitor.report.data import metric_series, target_drift
from stream_monitor.report.decisions import runs
from stream_monitor.report.distributions import category_rows, numeric_bins
from stream_monitor.report.scales import (
    format_number,
    nice_range,
    time_label,
    time_ticks,
    value_ticks_format,
)
from stream_monitor.stats.profile import CategoricalProfile, NumericProfile
from tests.unit.report import builders as b
from tests.unit.report.page_parser import chart

T0 = b.START.timestamp()


def test_time_ticks_are_round_utc_minutes_labelled_hh_mm() -> None:
    ticks = time_ticks(T0 + 65, T0 + 1800)
    assert ticks[0] == T0 + 300 and all(t % 300 == 0 for t in ticks)
    assert [time_label(t, 1800) for t in ticks[:2]] == ["10:05", "10:10"]
    assert time_label(T0, 3 * 86400) == "03-01 10:00"


def test_value_ticks_are_nice_and_tell_apart() -> None:
    lo, hi, ticks = nice_range(1.6, 2.1)
    assert (lo, hi) == (1.6, 2.1)
    assert value_ticks_format(ticks) == ["1.6", "1.7", "1.8", "1.9", "2.0", "2.1"]
    assert nice_range(0.0, 0.0)[:2] == (0.0, 1.0)
    lo, hi, _ = nice_range(-2.0, -2.0)
    assert lo < -2.0 < hi
    assert value_ticks_format(nice_range(0, 1005)[2])[-2:] == ["1,000", "1,250"]
    assert format_number(None) == "—" and format_number(0.000012) == "1.2e-05"


def test_alert_events_fold_into_episodes() -> None:
    eps = {e.fingerprint: e for e in episodes(b.alert_events())}
    drift = eps["feature_drift-age"]
    assert (drift.pending_at, drift.firing_at, drift.resolved_at) == (
        T0 + 20 * 60,
        T0 + 25 * 60,
        T0 + 29 * 60,
    )
    assert drift.last.status is AlertStatus.RESOLVED
    assert eps["missing_values-plan"].firing_at is None
    assert eps["latency_p99_high-latency"].resolved_at is None


def test_a_new_episode_after_resolution() -> None:
    again = [
        *b.alert_events(),
        b.alert("feature_drift", AlertStatus.FIRING, 40),
    ]
    drift = [e for e in episodes(again) if e.fingerprint == "feature_drift-age"]
    assert [(e.firing_at, e.resolved_at) for e in drift] == [
        (T0 + 25 * 60, T0 + 29 * 60),
        (T0 + 40 * 60, None),
    ]


def test_numeric_bins_sum_the_fine_cells_of_each_coarse_bin() -> None:
    age = b.profile().features["age"]
    assert isinstance(age, NumericProfile)
    bins = numeric_bins(age)
    assert [x.count for x in bins] == [int(c) for c in age.coarse_counts]
    assert sum(x.count for x in bins) == age.count
    assert bins[0].lo == age.min and bins[-1].hi == age.max
    assert all(x.hi == y.lo for x, y in pairwise(bins))


def test_category_rows_keep_the_most_frequent_values() -> None:
    plan = b.profile().features["plan"]
    assert isinstance(plan, CategoricalProfile)
    rows = category_rows(plan)
    assert rows[0][0] == "free" and sum(c for _, c in rows) == plan.count


def test_metric_series_drop_none_nan_and_empty_metrics() -> None:
    events = [
        MetricEvent(
            model_id="m",
            window=b.window(i),
            group="quality",
            metrics={"a": None, "b": math.nan if i == 0 else 0.5, "c": float(i)},
        )
        for i in range(3)
    ]
    series = metric_series(events, "quality")
    assert set(series) == {"b", "c"}
    assert [v for _, v in series["b"]] == [0.5, 0.5]
    assert metric_series(events, "operational") == {}


def test_target_drift_plots_psi_and_flags_by_deciding_statistics() -> None:
    events = b.drift_events()
    targets = {t.name: t for t in target_drift(events)}
    assert targets["age"].statistic == "psi"
    assert targets["age"].drifted_windows == b.WINDOWS - b.DRIFT_FROM
    assert targets["age"].windows[-1].flagged_by == ("ks", "psi")
    assert targets["dataset"].statistic == "drift_share"
    # a repeated window keeps one row
    repeat = events[0].model_copy(update={"window": b.window(0)})
    assert len({w.end for w in target_drift([*events, repeat])[0].windows}) == b.WINDOWS
    assert b.window(0).end - b.window(0).start == timedelta(minutes=10)


def test_the_chart_plots_the_statistic_that_flagged_drift() -> None:
    def event(i: int, statistic: str, drift: bool) -> DriftEvent:
        return DriftEvent(
            model_id="m",
            window=b.window(i),
            target=Target(kind=TargetKind.PREDICTION, name="label"),
            statistic=statistic,
            value=0.05,
            threshold=0.1,
            drift=drift,
        )

    events = [event(i, s, s == "chi2" and i > 0) for i in range(3) for s in ("psi", "chi2")]
    (label,) = target_drift(events)
    assert label.statistic == "chi2" and label.drifted_windows == 2
    (calm,) = target_drift([e for e in events if e.statistic == "psi"])
    assert calm.statistic == "psi" and calm.drifted_windows == 0
    (other,) = target_drift([event(0, "adwin", True)], deciding=("ks",))
    assert other.statistic == "adwin" and other.windows[0].flagged_by == ("adwin",)


def test_steady_decisions_are_grouped_into_runs() -> None:
    first = b.decision()
    later = [
        first.model_copy(update={"decided_at": first.decided_at + timedelta(minutes=m)})
        for m in (1, 2)
    ]
    calm = first.model_copy(
        update={
            "decided_at": first.decided_at + timedelta(minutes=3),
            "action": RetrainAction.NONE,
            "reasons": ["no retraining signal"],
        }
    )
    grouped = runs([calm, *later, first])
    assert [len(r) for r in grouped] == [3, 1]
    assert grouped[1][0].action is RetrainAction.NONE
    page = render_report([first, *later, calm])
    assert chart(page, kind="decisions").series == 4
    assert "3 decisions" in page

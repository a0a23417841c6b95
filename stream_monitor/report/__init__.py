"""A one-file, self-contained HTML report of a run's output events.

>>> html = render_report([])
>>> html.startswith("<!DOCTYPE html>") and "No data" in html
True

The page needs no network: styles are inline and every chart is an inline ``<svg
class="chart">`` drawn here, with a ``data-series`` attribute counting its plotted
points or bars. Per model it shows drift over time (a heat map of targets x windows and
a chart per target), the reference distributions when a profile is given, quality,
operational and data-quality metrics over time, the alert timeline and the retraining
decisions with their reasons; a header sums up the run and its dead letters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from stream_monitor.report.data import OutputEvent
from stream_monitor.report.page import render_page
from stream_monitor.stats.profile import ReferenceProfile

__all__ = ["render_report"]


def render_report(
    outputs: Iterable[OutputEvent],
    profile: ReferenceProfile | Mapping[str, ReferenceProfile] | None = None,
    title: str = "stream-monitor report",
) -> str:
    """The HTML report of ``outputs`` (metric, drift, alert, retrain-decision and
    dead-letter events, in any order).

    ``profile`` is the reference profile of the model (used for every model of the run),
    or a mapping model id -> profile, or None to leave out reference distributions.
    All text from the events (target names, labels, reasons) is HTML-escaped.
    """
    return render_page(outputs, profile, title)

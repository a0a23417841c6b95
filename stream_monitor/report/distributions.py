"""Reference distributions from a reference profile: a histogram per numeric target
(its coarse PSI bins) and a bar chart per categorical target (its vocabulary counts).

Output events carry statistics, not window distributions, so current distributions
cannot be drawn from them; the section says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Final

from stream_monitor.report.markup import esc, note, truncate
from stream_monitor.report.scales import Scale, format_number, nice_range, padded
from stream_monitor.report.svg import (
    BOTTOM,
    HEIGHT,
    LEFT,
    PALETTE,
    RIGHT,
    TOP,
    WIDTH,
    line,
    svg_open,
    text,
    value_axis,
)
from stream_monitor.stats.profile import (
    CategoricalProfile,
    NumericProfile,
    ReferenceProfile,
    TargetProfile,
)
from stream_monitor.stats.values import OTHER

MAX_CATEGORIES: Final = 15
MIN_BIN_SHARE: Final = 0.005
"""A bin narrower than this share of the value range (a point mass) gets its density
computed as if it were this wide, so it does not dwarf the others."""
BAR_ROW: Final = 18
BAR_LABEL: Final = 130


@dataclass(frozen=True)
class Bin:
    lo: float
    hi: float
    count: int


def numeric_bins(profile: NumericProfile) -> list[Bin]:
    """The coarse PSI bins: their value range (clipped to the reference min and max) and
    the sum of the fine-cell counts they hold."""
    cuts, starts = profile.cuts, [int(s) for s in profile.coarse_starts]
    ends = [*starts[1:], profile.n_cells]
    bins = []
    for first, stop in zip(starts, ends, strict=True):
        lo = float(cuts[first - 1]) if first > 0 else profile.min
        hi = float(cuts[stop - 1]) if stop - 1 < len(cuts) else profile.max
        bins.append(Bin(lo, max(hi, lo), int(profile.counts[first:stop].sum())))
    return bins


def _bin_bars(
    bins: Sequence[Bin], total: int, xs: Scale, min_width: float
) -> Iterator[tuple[float, float, float, str]]:
    """(x, width, density, tooltip) of each bin."""
    for b in bins:
        share = b.count / total if total else 0.0
        tip = f"({format_number(b.lo)}, {format_number(b.hi)}]: {b.count} ({share:.1%})"
        x1, x2 = xs(b.lo), xs(b.hi)
        yield x1, max(x2 - x1 - 0.6, 1.5), share / max(b.hi - b.lo, min_width), tip


def histogram(name: str, profile: NumericProfile) -> str:
    """Bar area proportional to each bin's share of the reference values."""
    bins = numeric_bins(profile)
    lo, hi = padded(profile.min, profile.max, max(abs(profile.min) * 0.05, 0.5))
    min_width = (hi - lo) * MIN_BIN_SHARE
    xs = Scale(lo, hi, LEFT, WIDTH - RIGHT)
    bars = list(_bin_bars(bins, max(profile.count, 1), xs, min_width))
    y_lo, y_hi, y_ticks = nice_range(0.0, max((b[2] for b in bars), default=1.0))
    ys = Scale(y_lo, y_hi, HEIGHT - BOTTOM, TOP)
    parts = [
        svg_open(
            f"Reference distribution of {name}",
            len(bars),
            WIDTH,
            HEIGHT,
            {"kind": "reference", "target": name},
        ),
        value_axis(ys, y_ticks, LEFT, WIDTH - RIGHT),
        text(4, TOP - 6, "density", anchor="start", cls="axis-label"),
    ]
    for x, width, density, tip in bars:
        y = ys(density)
        parts.append(
            f'<rect x="{x}" y="{y}" width="{width:.1f}" height="{max(ys(0.0) - y, 0.0):.1f}" '
            f'fill="{PALETTE[0]}" fill-opacity="0.75"><title>{esc(tip)}</title></rect>'
        )
    parts.append(_value_ticks(xs, lo, hi, HEIGHT - BOTTOM))
    return "".join(parts) + "</svg>"


def _value_ticks(xs: Scale, lo: float, hi: float, y: float) -> str:
    _, _, ticks = nice_range(lo, hi, 6)
    parts = [line(xs.start, y, xs.stop, y, "#888")]
    for tick in (t for t in ticks if lo <= t <= hi):
        parts.append(line(xs(tick), y, xs(tick), y + 4, "#888"))
        parts.append(text(xs(tick), y + 15, format_number(tick)))
    return "".join(parts)


def category_rows(profile: CategoricalProfile) -> list[tuple[str, int]]:
    """The most frequent values and their counts, the rest summed as ``other values``."""
    pairs = list(zip(profile.vocabulary, (int(c) for c in profile.counts), strict=False))
    pairs.sort(key=lambda p: -p[1])
    shown = pairs[:MAX_CATEGORIES]
    rest = sum(c for _, c in pairs[MAX_CATEGORIES:]) + int(profile.counts[-1])
    if rest:
        more = len(pairs) - len(shown)
        shown.append((f"{OTHER} (+{more} values)" if more else OTHER, rest))
    return shown


def bar_chart(name: str, profile: CategoricalProfile) -> str:
    """Horizontal bars: the share of each value in the reference."""
    rows = category_rows(profile)
    total = max(sum(c for _, c in rows), 1)
    _, top, ticks = nice_range(0.0, max((100 * c / total for _, c in rows), default=1.0))
    height = 10 + BAR_ROW * len(rows) + 30
    xs = Scale(0.0, top, BAR_LABEL, WIDTH - RIGHT)
    parts = [
        svg_open(
            f"Reference distribution of {name}",
            len(rows),
            WIDTH,
            height,
            {"kind": "reference", "target": name},
        )
    ]
    axis_y = 10 + BAR_ROW * len(rows)
    for tick in ticks:
        parts.append(line(xs(tick), 6, xs(tick), axis_y, "#e6e6e6"))
        parts.append(text(xs(tick), axis_y + 15, f"{format_number(tick)}%"))
    for i, (value, count) in enumerate(rows):
        y, share = 8 + BAR_ROW * i, 100 * count / total
        parts.append(
            text(BAR_LABEL - 6, y + 12, truncate(value, 20), anchor="end", cls="row-label")
        )
        parts.append(
            f'<rect x="{xs(0.0)}" y="{y}" width="{max(xs(share) - xs(0.0), 1.0):.1f}" '
            f'height="{BAR_ROW - 4}" fill="{PALETTE[2]}" fill-opacity="0.8">'
            f"<title>{esc(value)}: {count} ({share:.1f}%)</title></rect>"
        )
    return "".join(parts) + "</svg>"


def _card(label: str, profile: TargetProfile) -> str:
    if isinstance(profile, NumericProfile):
        chart = histogram(label, profile)
        facts = (
            f"{profile.count} values; mean {format_number(profile.mean)}, std "
            f"{format_number(profile.std)}, range {format_number(profile.min)} to "
            f"{format_number(profile.max)}"
        )
    else:
        chart = bar_chart(label, profile)
        facts = f"{profile.count} values, {len(profile.vocabulary)} distinct kept"
    facts += f"; {profile.missing} missing, {profile.invalid} invalid"
    return (
        f'<figure class="card"><figcaption><b>{esc(label)}</b> '
        f"<span>{esc(profile.kind.value)}</span></figcaption>{chart}"
        f'<p class="note">{esc(facts)}</p></figure>'
    )


def distributions_section(profile: ReferenceProfile | None) -> str:
    if profile is None:
        return note("No reference profile was given, so reference distributions are not shown.")
    cards = [_card(name, p) for name, p in profile.features.items()]
    cards += [_card(f"prediction: {name}", p) for name, p in profile.outputs.items()]
    explain = (
        "Reference (training) distributions from the profile: numeric targets over their "
        "coarse PSI bins (bar area = share of values), categorical targets by value. "
        "Current distributions are not part of the output events, so they are not drawn; "
        "the drift charts above compare each window with these."
    )
    return note(explain) + f'<div class="grid">{"".join(cards)}</div>'

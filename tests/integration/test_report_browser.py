"""The HTML report in a real browser: headless Chromium (Debian's ``chromium``) lays out
every chart, draws every line, applies the inline stylesheet under the page's
Content-Security-Policy, and the screenshot is a page, not a blank.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zlib
from pathlib import Path

import pytest

from stream_monitor.report import render_report
from tests.unit.report import builders as b
from tests.unit.report.page_parser import Chart, charts

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--window-size=1400,3000",
)
PROBE = """<script>
document.body.dataset.background = getComputedStyle(document.body).backgroundColor;
for (const svg of document.querySelectorAll("svg.chart")) {
  const box = svg.getBoundingClientRect();
  svg.dataset.box = Math.round(box.width) + "x" + Math.round(box.height);
}
for (const line of document.querySelectorAll("svg.chart polyline")) {
  line.dataset.length = Math.round(line.getTotalLength());
}
</script>"""
"""Measures the laid-out page; added to a copy only (the report itself has no script)."""
PAGE_BACKGROUND = "rgb(245, 247, 250)"


def _chromium() -> str:
    found = next(
        (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and os.access(p, os.X_OK)),
        None,
    )
    if found:
        return found
    reason = "chromium is not installed (Debian: apt-get install -y chromium)"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"CI needs headless Chromium for the report test: {reason}")
    pytest.skip(reason)


def _run(chromium: str, profile_dir: Path, *args: str) -> str:
    done = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def _probed_copy(report: Path) -> Path:
    """The report with the probe script before ``</body>``, and a policy allowing it."""
    page = report.read_text(encoding="utf-8")
    page = page.replace("default-src 'none';", "default-src 'none'; script-src 'unsafe-inline';")
    copy = report.with_name("probed.html")
    copy.write_text(page.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    return copy


def _distinct_pixel_bytes(png: bytes) -> int:
    """Distinct byte values in the PNG's (filtered) pixel rows: a blank page has very few."""
    pos, data = 8, b""
    while pos < len(png):
        length = int.from_bytes(png[pos : pos + 4], "big")
        kind = png[pos + 4 : pos + 8]
        if kind == b"IDAT":
            data += png[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return len(set(zlib.decompress(data)))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_report(b.outputs(), b.profile(), title="Browser check"), "utf-8")
    return path


def _check_drawn(dom_charts: list[Chart], source_charts: list[Chart]) -> None:
    assert [c.attrs["data-series"] for c in dom_charts] == [
        c.attrs["data-series"] for c in source_charts
    ]
    for chart in dom_charts:
        width, height = (int(v) for v in chart.attrs["data-box"].split("x"))
        assert width >= 300 and height >= 80, (chart.title, width, height)
    drift = [c for c in dom_charts if c.attrs.get("data-kind") == "drift"]
    assert len(drift) == len(b.TARGETS) + 1
    for chart in drift:
        lines = [a for tag, a in chart.elements if tag == "polyline"]
        assert len(lines) == 1 and int(lines[0]["data-length"]) > 100, chart.title
        assert chart.count("circle") == b.WINDOWS


def test_chromium_lays_out_and_draws_every_chart(report: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    dom = _run(chromium, tmp_path / "profile", "--dump-dom", _probed_copy(report).as_uri())

    assert f'data-background="{PAGE_BACKGROUND}"' in dom  # the inline stylesheet applied
    source = charts(report.read_text(encoding="utf-8"))
    _check_drawn(charts(dom), source)
    kinds = {c.attrs.get("data-kind") for c in charts(dom)}
    assert {"drift-map", "drift", "reference", "metric", "alerts"} <= kinds
    heat = next(c for c in charts(dom) if c.attrs.get("data-kind") == "drift-map")
    assert heat.count("rect") == heat.series
    assert "<script>alert(1)" not in dom  # the malicious target name stayed text


def test_chromium_screenshot_is_not_blank(report: Path, tmp_path: Path) -> None:
    chromium = _chromium()
    shot = tmp_path / "report.png"
    _run(chromium, tmp_path / "profile", f"--screenshot={shot}", report.as_uri())

    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(png) > 50_000, len(png)
    assert _distinct_pixel_bytes(png) > 64

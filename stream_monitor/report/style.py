"""The report's inline stylesheet: light theme, system fonts, responsive grid."""

from __future__ import annotations

from typing import Final

CSS: Final = """
:root { --ink: #1d2330; --muted: #5f6b7a; --line: #dde2e8; --panel: #ffffff;
  --bg: #f5f7fa; --red: #d62728; --amber: #ff9f1c; --blue: #1f77b4; --green: #2ca02c; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 20px 24px 60px; }
h1 { font-size: 24px; margin: 8px 0 4px; }
h2 { font-size: 20px; margin: 36px 0 8px; padding-top: 12px; border-top: 2px solid var(--line); }
h3 { font-size: 16px; margin: 26px 0 8px; }
h4 { font-size: 14px; margin: 18px 0 6px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .04em; }
.note { color: var(--muted); font-size: 12.5px; margin: 4px 0 10px; }
.summary { font-weight: 600; }
.stats { display: flex; flex-wrap: wrap; gap: 10px; margin: 14px 0; }
.stat { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 14px; min-width: 130px; }
.stat b { display: block; font-size: 20px; }
.stat span { color: var(--muted); font-size: 12px; }
nav a { margin-right: 12px; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(340px, 1fr)); gap: 12px; }
figure { margin: 0; }
.card, .wide { background: var(--panel); border: 1px solid var(--line); border-radius: 8px;
  padding: 8px 10px; }
.wide { margin: 8px 0 12px; }
.card.alarm { border-color: #f0a8a8; box-shadow: inset 3px 0 0 var(--red); }
figcaption { font-size: 13px; margin-bottom: 4px; }
figcaption span { color: var(--muted); margin-left: 6px; }
.wide figcaption { color: var(--muted); font-size: 12px; margin-top: 4px; }
svg.chart { display: block; width: 100%; height: auto; overflow: visible; }
svg.chart text { font-family: inherit; fill: #4a5361; }
svg.chart .tick { font-size: 10.5px; }
svg.chart .axis-label { font-size: 10.5px; fill: #7a8491; }
svg.chart .row-label { font-size: 11px; fill: var(--ink); }
svg.chart .hline-label { font-size: 10px; fill: #444; }
.legend { font-size: 11.5px; color: var(--muted); margin-top: 2px; }
.key { margin-right: 10px; white-space: nowrap; }
.key i { display: inline-block; width: 16px; height: 3px; margin: 0 4px 3px 0;
  vertical-align: middle; border-top: 0 solid transparent; }
.key i.dashed { height: 0; border-top: 2px dashed; background: transparent !important; }
.scroll { overflow-x: auto; }
table.data { border-collapse: collapse; width: 100%; background: var(--panel);
  border: 1px solid var(--line); font-size: 12.5px; }
table.data th, table.data td { padding: 5px 8px; border-bottom: 1px solid var(--line);
  text-align: left; vertical-align: top; }
table.data th { background: #eef1f5; font-weight: 600; white-space: nowrap; }
table.data code { font-size: 11px; color: var(--muted); }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 11.5px;
  font-weight: 600; color: #fff; background: #7f7f7f; }
.badge-critical, .badge-firing { background: var(--red); }
.badge-warning, .badge-pending { background: var(--amber); color: #3a2a00; }
.badge-info { background: var(--blue); }
.badge-resolved { background: var(--green); }
ul.reasons, ul.trace { margin: 0; padding-left: 18px; }
ul.trace li.unmatched { color: var(--muted); }
details summary { cursor: pointer; color: var(--blue); }
"""

"""Reads back the report's charts with the standard HTML parser (attribute values unescaped)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Chart:
    attrs: dict[str, str]
    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    title: str = ""

    @property
    def series(self) -> int:
        return int(self.attrs["data-series"])

    def count(self, tag: str, **match: str) -> int:
        return sum(
            1
            for name, attrs in self.elements
            if name == tag and all(attrs.get(k.replace("_", "-")) == v for k, v in match.items())
        )


class ChartParser(HTMLParser):
    """Collects every ``<svg>`` with its attributes, its descendants and its title."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.charts: list[Chart] = []
        self._in_svg = False
        self._in_title = False
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self.charts.append(Chart(values))
            self._in_svg, self._depth = True, 0
            return
        if self._in_svg:
            self._depth += 1
            self.charts[-1].elements.append((tag, values))
            self._in_title = tag == "title" and self._depth == 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._in_svg:
            self.charts[-1].elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._in_svg = False
        elif self._in_svg:
            self._depth -= 1
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.charts[-1].title += data


def charts(page: str) -> list[Chart]:
    parser = ChartParser()
    parser.feed(page)
    parser.close()
    return parser.charts


def chart(page: str, **match: str) -> Chart:
    """The one chart whose ``data-*`` attributes match (``kind="drift", target=...``)."""
    found = [
        c for c in charts(page) if all(c.attrs.get(f"data-{k}") == v for k, v in match.items())
    ]
    assert len(found) == 1, f"{len(found)} charts match {match}"
    return found[0]

"""Small HTML helpers: every piece of text that reaches the page goes through :func:`esc`."""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

EM_DASH = "—"


def esc(text: object) -> str:
    """HTML-escape any value for text or a quoted attribute (user data lands here)."""
    return html.escape(str(text), quote=True)


def attrs(values: Mapping[str, object]) -> str:
    """`` name="value"`` pairs, escaped; None values are left out."""
    return "".join(f' {name}="{esc(v)}"' for name, v in values.items() if v is not None)


def tag(name: str, body: str = "", **values: object) -> str:
    """An element with escaped attributes (``class_`` for ``class``) and a raw ``body``."""
    named = {k.rstrip("_").replace("_", "-"): v for k, v in values.items()}
    return f"<{name}{attrs(named)}>{body}</{name}>"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, class_: str = "data") -> str:
    """A table; header texts are escaped, cells are raw HTML (escape them first)."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<div class="scroll"><table class="{esc(class_)}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def note(text: str) -> str:
    """A muted paragraph; ``text`` is escaped."""
    return f'<p class="note">{esc(text)}</p>'


def badge(text: str, kind: str) -> str:
    """A coloured label; ``kind`` picks the colour (a CSS class suffix)."""
    return f'<span class="badge badge-{esc(kind)}">{esc(text)}</span>'


def truncate(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut (escape afterwards)."""
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"

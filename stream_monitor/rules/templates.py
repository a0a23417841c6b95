"""Annotation templates: ``str.format_map`` over a fixed set of placeholders.

Only bare placeholders are allowed (``{value}``, not ``{value:.2f}`` or ``{value!r}``), so
a template checked when the config loads can never fail when an alert fires.

>>> render("{target} moved to {value}", {"target": "age", "value": "0.31"})
'age moved to 0.31'
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from string import Formatter
from typing import Final

PLACEHOLDERS: Final = ("model_id", "target", "value", "threshold", "rule", "severity")
"""The names a template may use."""


def check_template(field: str, template: str) -> str:
    """Return the template, or raise ValueError naming the bad placeholder and the allowed."""
    allowed = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
    try:
        parts = list(Formatter().parse(template))
    except ValueError as error:
        raise ValueError(
            f"annotation {field!r}: {error} (write a literal brace as {{{{ or }}}})"
        ) from None
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if name not in PLACEHOLDERS:
            raise ValueError(
                f"annotation {field!r} uses unknown placeholder {{{name}}}: allowed are {allowed}"
            )
        if spec or conversion:
            raise ValueError(
                f"annotation {field!r}: placeholder {{{name}}} takes no format spec or "
                f"conversion; write it bare, e.g. {{{name}}}"
            )
    return template


def render(template: str, values: Mapping[str, str]) -> str:
    """Fill a checked template; a placeholder without a value renders as itself."""
    return template.format_map(_Safe(values))


def format_number(value: float | None) -> str:
    """How values and thresholds appear in annotations: 4 significant digits, or n/a."""
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value:.4g}"


class _Safe(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"

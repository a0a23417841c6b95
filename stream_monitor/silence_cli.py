"""Parsing what users type for silences: ``name=value``, ``name!=value``, ``name=~regex``."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta

from pydantic import ValidationError

from stream_monitor.errors import UserError
from stream_monitor.rules import Matcher, Silence

_MATCHER = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")


def parse_matcher(text: str) -> Matcher:
    """``model_id=churn`` -> Matcher; ops ``=``, ``!=``, ``=~`` (regex), ``!~``.

    >>> parse_matcher('alertname=~"feature_.*"').op
    '=~'
    """
    match = _MATCHER.match(text)
    if match is None:
        raise UserError(
            f"matcher {text!r} is not name=value; ops: = != =~ !~ (e.g. model_id=churn)"
        )
    name, op, value = match.groups()
    try:
        return Matcher(name=name, op=op, value=value.strip('"'))
    except ValidationError as exc:
        raise UserError(f"matcher {text!r}: {exc.errors()[0]['msg']}") from None


def new_silence(
    matchers: list[str], duration_s: int, author: str, comment: str, now: datetime
) -> Silence:
    if not matchers:
        raise UserError("a silence needs at least one --matcher, e.g. --matcher model_id=churn")
    try:
        return Silence(
            id=uuid.uuid4().hex[:12],
            matchers=[parse_matcher(m) for m in matchers],
            starts_at=now,
            ends_at=now + timedelta(seconds=duration_s),
            created_by=author,
            comment=comment,
        )
    except ValidationError as exc:
        raise UserError(f"silence: {exc.errors()[0]['msg']}") from None

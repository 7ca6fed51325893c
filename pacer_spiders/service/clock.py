"""The service's clock: one function, so that a test can move time (links valid 60 minutes)."""

from __future__ import annotations

import datetime as dt

_offset = dt.timedelta(0)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc) + _offset


def advance(seconds: float) -> None:
    """Move this process's service clock forward (tests)."""
    global _offset
    _offset += dt.timedelta(seconds=seconds)


def reset() -> None:
    global _offset
    _offset = dt.timedelta(0)

"""What every page parser shares: decoding, whitespace, dates.  Extend here; do not copy."""

from __future__ import annotations

import re
from datetime import date, datetime

from parsel import Selector

_WS = re.compile(r"[ \t\r\f\v\xa0]+")
_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2,4})")


def decode(body: bytes | str) -> str:
    """PACER pages are mostly windows-1252 labelled as anything; UTF-8 first, then cp1252."""
    if isinstance(body, str):
        return body
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def selector(body: bytes | str, type: str = "html") -> Selector:
    return Selector(text=decode(body), type=type)


def clean(text: str | None) -> str:
    """Collapse runs of spaces (not newlines) and strip."""
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def parse_date(text: str | None) -> str | None:
    """``MM/DD/YYYY`` (or ``MM/DD/YY``) anywhere in ``text`` -> ``YYYY-MM-DD``; None when absent."""
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_datetime(text: str | None, formats=("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")) -> str | None:
    """A PACER timestamp -> ISO ``YYYY-MM-DDTHH:MM:SS``; None when nothing parses."""
    if not text:
        return None
    text = clean(text)
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).isoformat()
        except ValueError:
            continue
    return None

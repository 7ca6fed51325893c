"""Finding new cases for the scheduled jobs, from free sources first, saying what each could not see.

``RssSource`` reads a court's RSS feed (``rss_outside.pl``: free, no login).  A feed carries only
recent entries (often the last day or so) and some courts publish none or only some entry
types, so each look returns a ``Coverage`` naming the part of the asked window the source did not
see; the job report lists those gaps instead of silently missing their cases.  Fill a gap with
the case query report (``iquery.pl``, billed, needs an account) through a ``case_query`` crawl,
or by enqueueing the cases by hand.
"""

from __future__ import annotations

import datetime as dt
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field

# Short descriptions of the entry that opens a case (district, bankruptcy and appellate feeds).
OPENING_ENTRY = re.compile(
    r"^(complaint|petition|voluntary petition|involuntary petition|notice of removal|indictment|"
    r"information|new case|case opened|notice of appeal|civil cover sheet|adversary case|"
    r"chapter \d+ voluntary petition|docketing)",
    re.I,
)


@dataclass(frozen=True)
class FoundCase:
    court_id: str
    pacer_case_id: str | None
    docket_number: str | None
    case_name: str | None
    date_filed: dt.date | None


@dataclass
class Coverage:
    """What one source saw of a court over a window: the cases, and the days it could not see."""

    source: str
    court_id: str
    window: tuple[dt.date, dt.date]
    cases: list[FoundCase] = field(default_factory=list)
    seen_from: dt.date | None = None  # the first day the source covers (None: nothing)
    note: str = ""

    @property
    def gap(self) -> tuple[dt.date, dt.date] | None:
        start, end = self.window
        if self.seen_from is None:
            return start, end
        if self.seen_from > start:
            return start, min(end, self.seen_from - dt.timedelta(days=1))
        return None

    def describe_gap(self) -> str | None:
        gap = self.gap
        if gap is None:
            return None
        reason = f" ({self.note})" if self.note else ""
        return f"{self.court_id}: {self.source} did not see cases filed {gap[0].isoformat()} to {gap[1].isoformat()}{reason}"


def _http_get(url: str, timeout: float = 30.0) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "pacer_spiders discovery"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


class RssSource:
    """A court's RSS feed: free; sees only what the feed still carries."""

    name = "rss"

    def __init__(self, url_template: str | None = None, fetch=_http_get):
        self.url_template = url_template
        self.fetch = fetch

    def feed_url(self, court_id: str) -> str:
        from pacer_spiders.courts import court_base_url

        return court_base_url(court_id, self.url_template) + "/cgi-bin/rss_outside.pl"

    def discover(self, court_id: str, window: tuple[dt.date, dt.date]) -> Coverage:
        coverage = Coverage(self.name, court_id, window)
        try:
            from pacer_spiders.parsers import parser_for

            parse = parser_for("rss", court_id)
            body = self.fetch(self.feed_url(court_id))
            dockets = parse(body, {"court_id": court_id})
        except (urllib.error.URLError, OSError) as exc:
            coverage.note = f"no feed: {getattr(exc, 'reason', exc)}"
            return coverage
        except Exception as exc:  # a parser refusing the page (NotTheReport), none installed...
            coverage.note = f"feed unreadable: {exc}"
            return coverage
        start, end = window
        oldest = None
        for docket in dockets:
            for entry in docket.get("docket_entries") or ():
                day = _date(entry.get("date_filed"))
                if day is None:
                    continue
                oldest = day if oldest is None or day < oldest else oldest
                if start <= day <= end and OPENING_ENTRY.match(entry.get("short_description") or ""):
                    coverage.cases.append(FoundCase(court_id, docket.get("pacer_case_id") or None,
                                                    docket.get("docket_number") or None,
                                                    docket.get("case_name") or None, day))
        if oldest is None:
            coverage.note = "the feed is empty"
        else:
            # a feed covers from its oldest entry on; only opening entries it carries are seen
            coverage.seen_from = oldest
            if oldest > start:
                coverage.note = f"the feed's oldest entry is of {oldest.isoformat()}"
        return coverage

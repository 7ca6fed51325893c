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

    def discover(self, court_id: str, window: tuple[dt.date, dt.date], hints: dict | None = None) -> Coverage:
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


def cso_login(login_url: str, account) -> str:
    """A PACER session token for ``account`` (a ``pacer_spiders.login.Account``) from cso-auth.

    The same request and answer rules as the crawl's login middleware; the error names PACER's
    answer, never the password or the token.
    """
    import json

    from pacer_spiders.login import classify_login_answer, login_body

    body = login_body(account)
    request = urllib.request.Request(login_url, data=json.dumps(body).encode(), method="POST", headers={
        "Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        data = json.loads(answer.read())
    failure = classify_login_answer(data, account, sent_otp="otpCode" in body)
    if failure is not None:
        raise PermissionError(str(failure))
    return data["nextGenCSO"]


class CaseQuerySource:
    """The case ids after the highest one known, asked one by one of the case query report."""

    name = "case_query"

    def __init__(self, settings, max_probes: int = 40, max_misses: int = 5, fetch=None):
        self.settings = settings
        self.max_probes = max_probes
        self.max_misses = max_misses
        self._fetch = fetch
        self._token = None
        self._account = None

    def _get(self, url: str) -> bytes:
        if self._fetch is not None:
            return self._fetch(url)
        get = self.settings.get
        if self._token is None:
            from pacer_spiders.login import accounts_from_settings

            accounts = accounts_from_settings(self.settings)
            if not accounts:
                raise PermissionError("no PACER account (PACER_USERNAME, PACER_PASSWORD)")
            self._account = accounts[0]
            self._token = cso_login(get("PACER_LOGIN_URL"), self._account)
        cookie = f"NextGenCSO={self._token}"
        if self._account.client_code:
            cookie += f"; PacerClientCode={self._account.client_code}"
        request = urllib.request.Request(url, headers={"Cookie": cookie, "User-Agent": "pacer_spiders discovery"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read()

    def discover(self, court_id: str, window: tuple[dt.date, dt.date], hints: dict | None = None) -> Coverage:
        from pacer_spiders.courts import court_base_url
        from pacer_spiders.pages import NotTheReport
        from pacer_spiders.parsers import parser_for

        coverage = Coverage(self.name, court_id, window)
        start_id, start_filed = (hints or {}).get("max_case_id"), (hints or {}).get("max_case_filed")
        if not start_id:
            coverage.note = "no known case id to count from"
            return coverage
        base = court_base_url(court_id, self.settings.get("PACER_COURT_URL_TEMPLATE"))
        parse = parser_for("case_query", court_id)
        misses = probes = 0
        case_id = int(start_id)
        try:
            while probes < self.max_probes and misses < self.max_misses:
                case_id += 1
                probes += 1
                body = self._get(f"{base}/cgi-bin/iquery.pl?{case_id}")
                try:
                    case = parse(body, {"court_id": court_id, "pacer_case_id": str(case_id)})
                except NotTheReport:
                    misses += 1
                    continue
                misses = 0
                filed = _date(case.get("date_filed"))
                if filed is None or window[0] <= filed <= window[1]:
                    coverage.cases.append(FoundCase(court_id, str(case_id), case.get("docket_number") or None,
                                                    case.get("case_name") or None, filed))
        except (urllib.error.URLError, OSError) as exc:
            coverage.note = f"case query failed at id {case_id}: {getattr(exc, 'reason', exc)}"
            return coverage
        if misses < self.max_misses:
            coverage.note = f"stopped at the budget of {self.max_probes} ids (after {case_id}); more may follow"
            return coverage
        # every id after the start was asked until the numbering ran out: seen since the start case
        coverage.seen_from = _date(start_filed) or None
        if coverage.seen_from is None:
            coverage.note = f"the filing date of case {start_id} is unknown"
        coverage.note = coverage.note or f"ids {int(start_id) + 1} to {case_id - self.max_misses} asked"
        return coverage

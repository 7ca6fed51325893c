"""Discovery spiders: the cases a court has that we may not, and the days of a window they could not see.

    scrapy crawl rss -a court=nysd,cand -a date_start=2016-09-05 -a date_end=2016-09-09
    scrapy crawl case_query_sweep -a court=nysd -a after=100001 -a after_filed=2016-08-01

``rss`` reads each court's RSS feed (``rss_outside.pl``, free, no login) and finds the cases whose
opening entry (complaint, petition, notice of removal...) falls in the window.
``case_query_sweep`` asks the case query report (``iquery.pl``) for the case ids after ``after``,
one at a time and in order, until ``max_misses`` ids in a row are not cases (or ``max_probes``
ids were asked); with several courts, ``after`` and ``after_filed`` name each court's start
(``nysd:100001,cand:41``).  The window defaults to the last 4 days.

They are ordinary PACER crawls (login middleware, per-court limits, ``PACER_MAX_COST``,
cassettes, pipelines): every page received is an item.  What each court showed and what it could
not show is ``spider.coverages`` (``pacer_spiders.distributed.discovery.Coverage``), logged at
the end and read by ``pacer-spiders schedule``.
"""

from __future__ import annotations

import datetime as dt
import logging
from http import HTTPStatus

import scrapy
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from pacer_spiders.distributed.discovery import Coverage, FoundCase, as_date, read_feed
from pacer_spiders.reports.case_query import UNIT as CASE_QUERY
from pacer_spiders.reports.rss import UNIT as RSS

from .base import PRICE_PER_PAGE, ArgumentError, PacerSpider

logger = logging.getLogger(__name__)

DEFAULT_LOOKBACK_DAYS = 4


def why_failed(failure) -> str:
    """A failed request in a few words: PACER's HTTP status phrase, or the error."""
    if failure.check(HttpError):
        status = failure.value.response.status
        try:
            return HTTPStatus(status).phrase
        except ValueError:
            return f"HTTP {status}"
    if failure.check(IgnoreRequest):
        return str(failure.value) or "not sent"
    return failure.type.__name__


class DiscoverySpider(PacerSpider):
    """Several courts (``-a court=a,b``), one window (``date_start``, ``date_end``), a coverage each."""

    source = ""  # the name a coverage gives its source (a schedule's ``sources`` entry)

    def __init__(self, court=None, date_start=None, date_end=None, **kwargs):
        super().__init__(court=court, **kwargs)
        self.date_start, self.date_end = date_start, date_end
        self.coverages: dict[str, Coverage] = {}

    def courts(self):
        wanted = [c.strip() for c in str(self.court_arg or "").split(",") if c.strip()]
        if not wanted:
            raise ArgumentError("no court: pass -a court=<court id> (several: comma-separated)")
        return [self.court(court_id) for court_id in dict.fromkeys(wanted)]

    def window(self) -> tuple[dt.date, dt.date]:
        def day(value, name):
            found = as_date(value)
            if found is None or str(value).strip() != found.isoformat():
                raise ArgumentError(f"{name} must be a date (YYYY-MM-DD), not {value!r}")
            return found

        end = day(self.date_end, "date_end") if self.date_end else dt.date.today()
        start = day(self.date_start, "date_start") if self.date_start else end - dt.timedelta(days=DEFAULT_LOOKBACK_DAYS)
        if start > end:
            raise ArgumentError(f"date_start {start.isoformat()} is after date_end {end.isoformat()}")
        return start, end

    def open_coverages(self):
        """A coverage for each court asked (bad arguments fail here, before anything is fetched)."""
        window = self.window()
        for court in self.courts():
            self.coverages[court.court_id] = Coverage(self.source, court.court_id, window)
        return self.coverages

    async def distributed_start(self):
        # A discovery crawl asks for what its own arguments say (a schedule starts it), it is not a
        # worker of the shared work queue; its requests still go through the per-court queues.
        async for request in PacerSpider.start(self):
            yield request

    def closed(self, reason):
        found = 0
        for coverage in self.coverages.values():
            found += len(coverage.cases)
            gap = coverage.gap
            unseen = f"; not seen: {gap[0].isoformat()} to {gap[1].isoformat()}" if gap else ""
            note = f" ({coverage.note})" if coverage.note else ""
            logger.info("%s %s: %d cases found%s%s", self.source, coverage.court_id, len(coverage.cases), unseen, note)
        self.crawler.stats.set_value("pacer/discovery/found", found)


class RssSpider(DiscoverySpider):
    name = "rss"
    needs_login = False  # the feeds are free and public
    source = "rss"

    def start_requests_checked(self):
        for court_id in self.open_coverages():
            court = self.court(court_id)
            # free and public: no login (pacer_no_login), and each look is a new ask (dont_filter:
            # the shared duplicate filter remembers every URL ever asked)
            yield scrapy.Request(RSS.url(self.base_url(court)), callback=self.parse_feed,
                                 cb_kwargs={"context": {"court_id": court_id}}, errback=self.feed_failed,
                                 meta={"pacer_no_login": True}, dont_filter=True)

    def parse_feed(self, response, context):
        page = self.read_page(response, "rss", context)
        yield from page.items
        coverage = self.coverages[context["court_id"]]
        if page.parsed is None:
            coverage.note = f"feed unreadable: {page.problem}"
            return
        read_feed(coverage, page.parsed)

    def feed_failed(self, failure):
        court_id = failure.request.cb_kwargs["context"]["court_id"]
        self.coverages[court_id].note = f"no feed: {why_failed(failure)}"
        self.failed(failure)


class CaseQuerySweepSpider(DiscoverySpider):
    name = "case_query_sweep"
    source = "case_query"
    # The case query page of one case id: at most one billable page (the cap counts it so).
    PROBE_COST = PRICE_PER_PAGE

    def __init__(self, court=None, after=None, after_filed=None, max_probes=40, max_misses=5, **kwargs):
        super().__init__(court=court, **kwargs)
        self.after, self.after_filed = after, after_filed
        self.max_probes, self.max_misses = max_probes, max_misses
        self.sweeps: dict[str, dict] = {}  # court -> {start, filed, next, probes, misses, done}

    def per_court(self, value, name: str) -> dict[str, str]:
        """``123`` (the one court asked) or ``nysd:123,cand:45``."""
        text = str(value or "").strip()
        if not text:
            return {}
        if ":" not in text:
            if len(self.coverages) != 1:
                raise ArgumentError(f"{name}: with several courts, name each court's value (nysd:123,cand:45)")
            return {next(iter(self.coverages)): text}
        values = {}
        for pair in text.split(","):
            court_id, sep, item = pair.strip().partition(":")
            if not sep or not item.strip():
                raise ArgumentError(f"{name}: {pair!r} is not court:value")
            values[self.court(court_id.strip()).court_id] = item.strip()
        return values

    def start_requests_checked(self):
        try:
            self.max_probes, self.max_misses = int(self.max_probes), int(self.max_misses)
        except ValueError:
            raise ArgumentError(f"max_probes and max_misses must be numbers, not {self.max_probes!r}, "
                                f"{self.max_misses!r}") from None
        if self.max_probes < 1 or self.max_misses < 1:
            raise ArgumentError("max_probes and max_misses must be at least 1")
        self.open_coverages()
        starts, filed = self.per_court(self.after, "after"), self.per_court(self.after_filed, "after_filed")
        for court_id, start in starts.items():
            if court_id not in self.coverages:
                raise ArgumentError(f"after names {court_id}, which is not among the courts asked")
            if not start.isdigit():
                raise ArgumentError(f"after must be a PACER case id (digits), not {start!r}")
        for day in filed.values():
            if as_date(day) is None:
                raise ArgumentError(f"after_filed must be a date (YYYY-MM-DD), not {day!r}")
        for court_id, coverage in self.coverages.items():
            if court_id not in starts:
                coverage.note = "no known case id to count from"
                continue
            self.sweeps[court_id] = {"start": int(starts[court_id]), "filed": as_date(filed.get(court_id)),
                                     "next": int(starts[court_id]) + 1, "probes": 0, "misses": 0, "done": False}
        for court_id in list(self.sweeps):
            yield from self.probe(court_id)

    def probe(self, court_id: str):
        """The request for the court's next case id, or nothing when its sweep ends here."""
        sweep, coverage = self.sweeps[court_id], self.coverages[court_id]
        if sweep["misses"] >= self.max_misses:
            self.finish(court_id)
            return
        if sweep["probes"] >= self.max_probes:
            coverage.note = (f"stopped at the budget of {self.max_probes} ids (after {sweep['next'] - 1}); "
                             f"more may follow")
            sweep["done"] = True
            return
        case_id = str(sweep["next"])
        if not self.within_cap(self.PROBE_COST):
            coverage.note = f"stopped at PACER_MAX_COST before id {case_id}"
            sweep["done"] = True
            try:
                self.stop_for_cost(self.PROBE_COST, f"the case query of {court_id} {case_id}")
            except CloseSpider:
                pass  # the crawl closes (reason cost_cap) once the other courts' probes are back
            return
        sweep["probes"] += 1
        self.reserved += self.PROBE_COST
        context = {"court_id": court_id, "pacer_case_id": case_id}
        # dont_filter: an id that was no case at the last sweep may be one now
        yield scrapy.Request(CASE_QUERY.url(self.base_url(self.court(court_id)), pacer_case_id=case_id),
                             callback=self.parse_case, cb_kwargs={"context": context}, errback=self.probe_failed,
                             dont_filter=True)

    def parse_case(self, response, context):
        page = self.read_page(response, "case_query", context, billed=True)
        yield from page.items
        court_id, case_id = context["court_id"], int(context["pacer_case_id"])
        sweep = self.sweeps.get(court_id)
        if sweep is None or sweep["done"] or case_id != sweep["next"]:
            return  # an answer of an earlier crawl that a distributed queue handed back: kept, not followed
        self.reserved -= self.PROBE_COST
        case = page.parsed
        if case is None:
            sweep["misses"] += 1
        else:
            sweep["misses"] = 0
            filed = as_date(case.get("date_filed"))
            window = self.coverages[court_id].window
            if filed is None or window[0] <= filed <= window[1]:
                self.coverages[court_id].cases.append(FoundCase(court_id, str(case_id), case.get("docket_number") or None,
                                                                case.get("case_name") or None, filed))
        sweep["next"] = case_id + 1
        yield from self.probe(court_id)

    def probe_failed(self, failure):
        context = failure.request.cb_kwargs["context"]
        self.failed(failure)
        sweep = self.sweeps.get(context["court_id"])
        if sweep is None or sweep["done"] or int(context["pacer_case_id"]) != sweep["next"]:
            return  # not this crawl's probe (see parse_case)
        self.reserved -= self.PROBE_COST
        sweep["done"] = True
        self.coverages[context["court_id"]].note = (f"case query failed at id {context['pacer_case_id']}: "
                                                    f"{why_failed(failure)}")

    def finish(self, court_id: str) -> None:
        """Every id after the start was asked until the numbering ran out: seen since the start case."""
        sweep, coverage = self.sweeps[court_id], self.coverages[court_id]
        sweep["done"] = True
        last = sweep["next"] - 1 - self.max_misses
        coverage.seen_from = sweep["filed"]
        if coverage.seen_from is None:
            coverage.note = f"the filing date of case {sweep['start']} is unknown"
        else:
            coverage.note = f"ids {sweep['start'] + 1} to {last} asked"

    def closed(self, reason):
        for court_id, sweep in self.sweeps.items():
            if not sweep["done"]:  # the crawl ended first (a refused login, a shutdown...)
                self.coverages[court_id].note = f"the sweep ended at id {sweep['next']} ({reason})"
        super().closed(reason)

"""``scrapy crawl refresh``: bring held dockets up to date, buying only the ones that moved.

    scrapy crawl refresh -a court=cand -a all=1
    scrapy crawl refresh -a filed_within_days=30          (every court we hold dockets of)

For each docket of the archive it asks PACER's free sources first, in the order that costs
nothing and sees most: the court's RSS feed (one request a court; it can say "nothing new" only
for courts whose feed carries every entry, PACER_RSS_FULL_COURTS, and only back to its oldest
item), then the mobile query's entry count (free when asked by case), then the case query's
"date of last filing".  Only a docket that one of them shows moved is bought, as a docket report
filtered to the entries filed since the newest one held, without parties; a docket with nothing
new costs $0.00.  When no free source can tell, the docket is bought (a refresh must not miss
entries) and counted as such.  The run ends with one line: dockets checked, changed, bought, the
cost, and what buying every docket would have cost more.
"""

from __future__ import annotations

import datetime as dt
import logging

import scrapy

from pacer_spiders.db.reader import ArchiveReader
from pacer_spiders.db.refresh_checks import recorded_counts
from pacer_spiders.reports.case_query import UNIT as CASE_QUERY
from pacer_spiders.reports.mobile_query import UNIT as MOBILE_QUERY
from pacer_spiders.reports.rss import UNIT as RSS

from .base import ArgumentError, flag, pacer_date
from .docket import DocketSpider

logger = logging.getLogger(__name__)

# The least PACER bills for a docket report (one page): what each unchanged docket would have cost.
LEAST_DOCKET_COST = 0.10
DEFAULT_FILED_WITHIN_DAYS = 60

CHANGED, UNCHANGED, UNKNOWN = "changed", "unchanged", "unknown"


class RefreshSpider(DocketSpider):
    name = "refresh"

    def __init__(self, court=None, filed_within_days=None, all=None, as_of=None, **kwargs):  # noqa: A002
        super().__init__(court=court, **kwargs)
        self.filed_within_days = filed_within_days
        self.every_docket = flag(all)
        self.as_of = as_of
        self.held: dict[tuple[str, str], dict] = {}
        self.decided: dict[tuple[str, str], str] = {}
        self.counted: dict[tuple[str, str], int] = {}  # PACER's entry counts seen by this run
        self.up_to_date: set[tuple[str, str]] = set()  # dockets whose entries the archive now holds

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        full = crawler.settings.getlist("PACER_RSS_FULL_COURTS")
        spider.rss_full_courts = {c.strip().lower() for c in full if c.strip()}
        spider.use_rss = crawler.settings.getbool("PACER_REFRESH_RSS", True)
        return spider

    # -- which dockets --------------------------------------------------------------------------
    def filed_since(self) -> str | None:
        if self.every_docket:
            return None
        days = self.filed_within_days if self.filed_within_days not in (None, "") else DEFAULT_FILED_WITHIN_DAYS
        if not str(days).strip().isdigit():
            raise ArgumentError(f"filed_within_days must be a number of days, not {days!r}")
        try:
            today = dt.date.fromisoformat(self.as_of) if self.as_of else dt.date.today()
        except ValueError:
            raise ArgumentError(f"as_of must be a date (YYYY-MM-DD), not {self.as_of!r}") from None
        return (today - dt.timedelta(days=int(days))).isoformat()

    def start_requests_checked(self):
        if not self.database_url:
            raise ArgumentError("a refresh needs the archive: set DATABASE_URL")
        court_id = self.court(self.court_arg).court_id if self.court_arg else None
        filed_since = self.filed_since()
        # A snapshot taken before anything is fetched: what this run stores must not hide what moved.
        counts = recorded_counts(self.database_url, court_id)
        for docket in ArchiveReader.open(self.database_url).held_dockets(court_id, filed_since):
            key = (docket["court_id"], str(docket["pacer_case_id"]))
            docket["pacer_entry_count"] = counts.get(key)
            self.held[key] = docket
        logger.info("refresh: %d held dockets%s%s", len(self.held), f" of {court_id}" if court_id else "",
                    f" filed since {filed_since}" if filed_since else "")
        self.crawler.stats.inc_value("pacer/refresh/checked", len(self.held))
        for court in sorted({c for c, _ in self.held}):
            if self.use_rss:
                yield scrapy.Request(RSS.url(self.base_url(self.court(court))), callback=self.parse_rss,
                                     cb_kwargs={"court_id": court}, errback=self.rss_failed,
                                     meta={"pacer_no_login": True, "court_id": court}, dont_filter=True)
            else:
                yield from self.ask_mobile_queries(court)

    def dockets_of(self, court_id: str) -> list[dict]:
        return [d for (c, _), d in sorted(self.held.items()) if c == court_id]

    # -- 1. the court's RSS feed ----------------------------------------------------------------
    def parse_rss(self, response, court_id):
        page = self.read_page(response, "rss", {"court_id": court_id})
        yield from page.items
        if page.parsed is None:
            yield from self.ask_mobile_queries(court_id)
            return
        feed = page.parsed
        days = [e["date_filed"][:10] for case in feed for e in case.get("docket_entries") or [] if e.get("date_filed")]
        oldest = min(days) if days else None
        full = "*" in self.rss_full_courts or court_id in self.rss_full_courts
        for docket in self.dockets_of(court_id):
            seen = [e for case in feed if str(case.get("pacer_case_id") or "") == str(docket["pacer_case_id"])
                    for e in case.get("docket_entries") or []]
            if any(self.is_new(docket, entry) for entry in seen):
                # Moved; the mobile query (free) still gives PACER's count for the next refresh.
                yield self.mobile_query_request(docket, moved="the RSS feed shows new entries")
            elif full and oldest and docket["last_entry_date"] and oldest < docket["last_entry_date"]:
                # The feed reaches back before our newest entry and carries every entry: nothing new.
                yield from self.decide(docket, UNCHANGED, "the RSS feed shows nothing new")
            else:
                yield self.mobile_query_request(docket)

    def rss_failed(self, failure):
        self.failed(failure)
        court_id = failure.request.cb_kwargs["court_id"]
        yield from self.ask_mobile_queries(court_id)

    @staticmethod
    def is_new(docket: dict, entry: dict) -> bool:
        # A feed item's date is when the entry was entered (not filed): only its number tells.
        number = str(entry.get("document_number") or "")
        return number.isdigit() and (docket["last_document_number"] is None or int(number) > docket["last_document_number"])

    # -- 2. the mobile query's entry count ------------------------------------------------------
    def ask_mobile_queries(self, court_id: str):
        for docket in self.dockets_of(court_id):
            yield self.mobile_query_request(docket)

    def mobile_query_request(self, docket: dict, moved: str | None = None) -> scrapy.Request:
        court = self.court(docket["court_id"])
        url = MOBILE_QUERY.url(self.base_url(court), pacer_case_id=docket["pacer_case_id"])
        return scrapy.Request(url, callback=self.parse_mobile_query, errback=self.free_source_failed,
                              cb_kwargs={"key": self.key(docket), "moved": moved}, dont_filter=True)

    def parse_mobile_query(self, response, key, moved=None):
        docket = self.held[tuple(key)]
        page = self.read_page(response, "mobile_query", self.context(docket))
        yield from page.items
        if page.parsed is None:
            if moved:
                yield from self.decide(docket, CHANGED, moved)
            else:
                yield self.case_query_request(docket)
            return
        count = page.parsed["entry_count"]
        self.counted[tuple(key)] = count
        # The count PACER showed when we last held every entry, else the archive's rows.
        known = docket["pacer_entry_count"] if docket["pacer_entry_count"] is not None else docket["entry_count"]
        if moved:
            yield from self.decide(docket, CHANGED, moved)
        elif count > known:
            yield from self.decide(docket, CHANGED, f"the mobile query counts {count} entries, we hold {known}")
        else:
            yield from self.decide(docket, UNCHANGED, f"the mobile query counts {count} entries, as many as we hold")

    # -- 3. the case query's date of last filing ------------------------------------------------
    def case_query_request(self, docket: dict) -> scrapy.Request:
        court = self.court(docket["court_id"])
        return scrapy.Request(CASE_QUERY.url(self.base_url(court), pacer_case_id=docket["pacer_case_id"]),
                              callback=self.parse_case_query, errback=self.free_source_failed,
                              cb_kwargs={"key": self.key(docket), "last": True}, dont_filter=True)

    def parse_case_query(self, response, key, last=True):
        docket = self.held[tuple(key)]
        page = self.read_page(response, "case_query", self.context(docket))
        yield from page.items
        filed = (page.parsed or {}).get("date_last_filing")
        if not filed or not docket["last_entry_date"]:
            yield from self.decide(docket, UNKNOWN, "no free source could tell (the case query names no last filing)")
        elif str(filed)[:10] > docket["last_entry_date"]:
            yield from self.decide(docket, CHANGED, f"the case query's last filing is {filed}")
        else:
            yield from self.decide(docket, UNCHANGED, f"the case query's last filing is {filed}, as we hold")

    def free_source_failed(self, failure):
        self.failed(failure)
        request = failure.request
        docket = self.held[tuple(request.cb_kwargs["key"])]
        if request.cb_kwargs.get("moved"):
            yield from self.decide(docket, CHANGED, request.cb_kwargs["moved"])
        elif request.callback == self.parse_mobile_query:
            yield self.case_query_request(docket)
        else:
            yield from self.decide(docket, UNKNOWN, "no free source answered")

    # -- deciding and buying --------------------------------------------------------------------
    @staticmethod
    def key(docket: dict) -> list:
        return [docket["court_id"], str(docket["pacer_case_id"])]

    @staticmethod
    def context(docket: dict) -> dict:
        return {"court_id": docket["court_id"], "pacer_case_id": str(docket["pacer_case_id"]),
                "docket_number": docket.get("docket_number")}

    def decide(self, docket: dict, verdict: str, why: str):
        key = tuple(self.key(docket))
        if key in self.decided:  # one verdict a docket, whatever answers twice
            return
        self.decided[key] = verdict
        stats = self.crawler.stats
        stats.inc_value(f"pacer/refresh/{verdict}")
        logger.info("refresh: %s %s (%s) %s: %s", docket["court_id"], docket["pacer_case_id"],
                    docket.get("docket_number") or "", verdict, why)
        if verdict == UNCHANGED:
            self.up_to_date.add(key)
            return
        options = self.report_options({"show_parties_and_counsel": "0", "show_terminated_parties": "0"})
        if docket["last_entry_date"]:
            # PACER filters by day: the newest held day's entries come again (the archive keeps one copy).
            options.update(date_range_type="Filed", date_from=pacer_date(docket["last_entry_date"]))
        before = self.crawler.stats.get_value("pacer/skipped/cost_cap", 0)
        for request in self.docket_request(self.court(docket["court_id"]), self.context(docket), options):
            stats.inc_value("pacer/refresh/bought")
            yield request
        if self.crawler.stats.get_value("pacer/skipped/cost_cap", 0) != before:
            stats.inc_value("pacer/refresh/not_bought")

    async def parse_docket(self, response, context, options=None):
        async for item in super().parse_docket(response, context, options):
            if type(item).__name__ != "RawPage" and item.get("court_id"):  # the report was read
                self.up_to_date.add((context["court_id"], str(context["pacer_case_id"])))
            yield item

    def closed(self, reason):
        # PACER's count, now that the archive holds those entries (a filtered report counts only its own).
        self.entry_counts.update({key: count for key, count in self.counted.items() if key in self.up_to_date})
        super().closed(reason)
        stats = self.crawler.stats
        checked = len(self.held)
        unchanged = int(stats.get_value("pacer/refresh/unchanged", 0))
        saved = round(unchanged * LEAST_DOCKET_COST, 2)
        stats.set_value("pacer/refresh/saved", saved)
        logger.info("refresh: %d dockets checked, %d changed, %d unknown, %d bought, $%.2f spent, $%.2f saved "
                    "against buying every docket (%d unchanged at $%.2f or more each)", checked,
                    int(stats.get_value("pacer/refresh/changed", 0)), int(stats.get_value("pacer/refresh/unknown", 0)),
                    int(stats.get_value("pacer/refresh/bought", 0)), self.spent(), saved, unchanged, LEAST_DOCKET_COST)

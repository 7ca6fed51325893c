"""``scrapy crawl docket``: docket reports (DktRpt.pl), by docket number or PACER case id.

    scrapy crawl docket -a court=okwd -a docket_number=5:16-cv-00432
    scrapy crawl docket -a court=okwd -a pacer_case_id=123456 -a date_start=2024-01-01
    scrapy crawl docket -a input=cases.csv            (columns court, docket_number | pacer_case_id)
    scrapy crawl docket -a court=okwd -a pacer_case_id=123456 -a since=last -a attachments=1
    scrapy crawl docket -a court=ca1 -a docket_number=24-1001 -a attachments=1   (a court of appeals)

A docket number becomes a case id through possible_case_numbers.pl (free).  ``since=last``
asks only for the entries filed on or after the newest one we hold, without the parties (unless
``show_parties_and_counsel`` is given), so a refresh is billed for the new entries (PACER filters
by day: that last day's entries come again).  ``attachments=1``
follows every document link of the report to its attachment page (free).
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import scrapy

from pacer_spiders.courts import UnknownCourtError, check_identifiers
from pacer_spiders.db.reader import ArchiveReader
from pacer_spiders.reports.docket import UNIT as DOCKET
from pacer_spiders.reports.possible_case_numbers import UNIT as POSSIBLE_CASE_NUMBERS

from .appellate import AppellateDocketMixin
from .base import (
    MAX_CHARGE, PURCHASE_META, ArgumentError, PacerSpider, flag, multipart_request, pacer_date, purchase_key,
)

logger = logging.getLogger(__name__)

# The report options that leave entries out (a report without them lists every entry).
FILTER_FIELDS = ("date_from", "date_to", "documents_numbered_from_", "documents_numbered_to_")
OPTION_NAMES = ("show_parties_and_counsel", "show_terminated_parties", "show_list_of_member_cases",
                "date_start", "date_end", "date_range_type", "doc_num_start", "doc_num_end", "since")


class DocketSpider(AppellateDocketMixin, PacerSpider):
    name = "docket"

    def __init__(self, court=None, docket_number=None, pacer_case_id=None, input=None, pick=None,
                 attachments=None, **kwargs):
        options = {name: kwargs.pop(name, None) for name in OPTION_NAMES}
        super().__init__(court=court, **kwargs)
        self.docket_number = docket_number
        self.pacer_case_id = pacer_case_id
        self.input = input
        self.pick = pick
        self.follow_attachments = flag(attachments)
        self.options = options
        self.explicit_parties = options.get("show_parties_and_counsel") not in (None, "")
        self._seen_doc_ids: set[str] = set()
        # PACER's entry count of each docket bought whole, kept for the refresh (refresh_checks)
        self.entry_counts: dict[tuple[str, str], int] = {}

    # -- what to crawl ----------------------------------------------------------------------
    def cases(self) -> list[dict]:
        if self.input:
            return list(self._read_input(Path(self.input)))
        if not (self.docket_number or self.pacer_case_id):
            raise ArgumentError("pass -a docket_number=… or -a pacer_case_id=… (or -a input=cases.csv|.jsonl)")
        return [{"court": self.court_arg, "docket_number": self.docket_number, "pacer_case_id": self.pacer_case_id,
                 **{k: v for k, v in self.options.items() if v not in (None, "")}}]

    def case_count(self) -> int:
        """How many cases this crawl is given (0 when its arguments are bad: the crawl says why once
        it starts)."""
        try:
            return len(self.cases())
        except (OSError, ValueError):  # ArgumentError is a ValueError
            return 0

    def _read_input(self, path: Path):
        if not path.is_file():
            raise ArgumentError(f"input file not found: {path}")
        with path.open(newline="", encoding="utf-8") as handle:
            rows: Iterator[object]
            if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
                rows = (json.loads(line) for line in handle if line.strip())
            else:
                rows = csv.DictReader(handle)
            number = 0
            while True:
                number += 1
                try:
                    row = next(rows, None)
                except (UnicodeDecodeError, csv.Error, json.JSONDecodeError) as exc:
                    raise ArgumentError(f"{path}:{number}: cannot be read as cases: {exc}") from None
                if row is None:
                    return
                if not isinstance(row, dict):
                    raise ArgumentError(f"{path}:{number}: a case must be a JSON object")
                row = {k.strip(): (str(v).strip() if v is not None else "") for k, v in row.items() if k}
                case = {**{k: v for k, v in self.options.items() if v not in (None, "")},
                        **{k: v for k, v in row.items() if v != ""}}
                case.setdefault("court", self.court_arg)
                if not (case.get("docket_number") or case.get("pacer_case_id")):
                    raise ArgumentError(f"{path}:{number}: no docket_number or pacer_case_id")
                yield case

    def start_requests_checked(self):
        cases = self.cases()
        single = len(cases) == 1
        for case in cases:
            try:
                court = self.court(case.get("court"))
            except UnknownCourtError as exc:
                if single:
                    raise
                self.refuse("unknown_court", str(exc))
                continue
            if self.is_appellate(court):  # appellate CM/ECF or ACMS: spiders/appellate.py
                yield from self.appellate_docket_requests(court, case)
                continue
            context = {"court_id": court.court_id, "docket_number": case.get("docket_number"),
                       "pacer_case_id": case.get("pacer_case_id")}
            # Ids and numbers of PACER's forms only: anything else would be a billed search for nothing.
            context.update(check_identifiers(court.court_id, {k: context[k] for k in ("pacer_case_id", "docket_number")}))
            options = self.report_options(case)  # bad dates fail here, before anything is fetched
            since = str(case.get("since") or "").strip().lower()
            if since and since != "last":
                raise ArgumentError(f"since must be 'last', not {since!r}")
            options["since"] = since or None
            if since and not context["pacer_case_id"] and self.database_url:
                held = ArchiveReader.open(self.database_url).find_docket(court.court_id, None, context["docket_number"])
                if held and held.get("pacer_case_id"):
                    context["pacer_case_id"] = held["pacer_case_id"]  # no need to look the number up again
            if context["pacer_case_id"]:
                yield from self.docket_request(court, context, options)
            else:
                url = POSSIBLE_CASE_NUMBERS.url(self.base_url(court), docket_number=context["docket_number"])
                yield scrapy.Request(url, callback=self.parse_possible_case_numbers,
                                     cb_kwargs={"context": context, "options": options},
                                     errback=self.failed)

    def report_options(self, case: dict) -> dict:
        """PACER's form fields for the crawl options of one case."""
        range_type = (case.get("date_range_type") or "filed").strip().lower()
        if range_type not in ("filed", "entered"):
            raise ArgumentError(f"date_range_type must be filed or entered, not {range_type!r}")
        for name in ("doc_num_start", "doc_num_end"):
            if case.get(name) and not str(case[name]).isdigit():
                raise ArgumentError(f"{name} must be a document number, not {case[name]!r}")
        return {
            "date_range_type": range_type.capitalize(),
            "date_from": pacer_date(case.get("date_start"), "date_start"),
            "date_to": pacer_date(case.get("date_end"), "date_end"),
            "documents_numbered_from_": case.get("doc_num_start") or "",
            "documents_numbered_to_": case.get("doc_num_end") or "",
            "list_of_parties_and_counsel": "on" if flag(case.get("show_parties_and_counsel"), True) else None,
            "terminated_parties": "on" if flag(case.get("show_terminated_parties"), True) else None,
            "list_of_member_cases": "on" if flag(case.get("show_list_of_member_cases"), False) else None,
        }

    # -- possible_case_numbers.pl -----------------------------------------------------------
    def parse_possible_case_numbers(self, response, context, options):
        court = self.court(context["court_id"])
        wanted = context["docket_number"]
        page = self.read_page(response, "possible_case_numbers", {**context, "pick": self.pick})
        if page.problem is not None:
            # Not found, sealed, or several cases and no -a pick: the page is kept and its reason recorded.
            yield from page.items
            kind = {"ambiguous": "ambiguous_docket_number", "not_found": "case_not_found"}.get(
                page.problem.kind, page.problem.kind)
            hint = ". Pass -a pacer_case_id=<one of them> or -a pick=main" if kind == "ambiguous_docket_number" else ""
            self.refuse(kind, f"{court.court_id} docket number {wanted!r}: {page.problem.reason}{hint}")
            return
        yield from page.items
        context = {**context, "pacer_case_id": page.parsed["pacer_case_id"]}
        logger.info("%s %s is PACER case %s", court.court_id, wanted, context["pacer_case_id"])
        yield from self.docket_request(court, context, options)

    # -- DktRpt.pl --------------------------------------------------------------------------
    def docket_request(self, court, context, options):
        """The DktRpt.pl report request (none once the cost cap is reached)."""
        if not self.within_cap(MAX_CHARGE):
            # A report costs up to $3.00 and its size is known only once it is bought.
            self.stop_for_cost(MAX_CHARGE, f"the docket report of {court.court_id} {context['pacer_case_id']} (at most)")
            return
        if options.get("since") == "last":
            options = self.since_last(court, context, options)
        fields = {"all_case_ids": context["pacer_case_id"], **options, "pdf_header": "1",
                  "output_format": "html", "sort1": "oldest date first"}
        fields.pop("since", None)
        fields = DOCKET.form(court.court_id, fields)
        context = {**context, "options": {k: v for k, v in options.items() if v}}
        self.reserved += MAX_CHARGE
        # a paid retry of a broken answer is a purchase of its own
        meta = {PURCHASE_META: purchase_key("docket", court.court_id, context["pacer_case_id"],
                                            {**fields, "paid_tries": context.get("paid_tries")})}
        yield multipart_request(DOCKET.url(self.base_url(court)), fields,
                                callback=self.parse_docket, cb_kwargs={"context": context, "options": options},
                                errback=self.failed, dont_filter=True, meta=meta)

    def since_last(self, court, context, options) -> dict:
        """Options asking only for the entries filed on or after the newest one we hold.

        PACER's date filter is by day, so that day's entries come again (the archive's upsert
        keeps one copy).  Parties and counsel are left out unless asked for: they are the
        costly part of a refresh and rarely change.
        """
        held = ArchiveReader.open(self.database_url).find_docket(court.court_id, context["pacer_case_id"]) \
            if self.database_url else None
        if not held or not held.get("last_entry_date"):
            logger.info("since=last: %s %s is not in the archive yet; fetching it whole", court.court_id,
                        context["pacer_case_id"])
            return {**options, "since": None}
        options = {**options, "date_range_type": "Filed", "date_from": pacer_date(held["last_entry_date"]),
                   "since": held["last_entry_date"]}
        if not self.explicit_parties:
            options["list_of_parties_and_counsel"] = options["terminated_parties"] = None
        logger.info("since=last: %s %s: only entries filed from %s (the archive holds %s entries)", court.court_id,
                    context["pacer_case_id"], held["last_entry_date"], held.get("entry_count"))
        return options

    async def parse_docket(self, response, context, options=None):
        court = self.court(context["court_id"])
        # A docket can be megabytes: its parse runs off the reactor thread.  The reservation is
        # released in the same turn as the page's cost is counted, never before.
        page = await self.read_page_off_reactor(response, "docket", context, billed=True)
        self.reserved -= MAX_CHARGE
        for item in page.items:
            yield item
        whole = not any((options or {}).get(name) for name in FILTER_FIELDS)
        if page.parsed is not None and options is not None and whole:
            self.entry_counts[(court.court_id, str(context["pacer_case_id"]))] = len(page.parsed.get("docket_entries") or [])
        what = f"the docket report of {court.court_id} {context['pacer_case_id']}"
        if options is not None and self.buy_again(response, page, context, MAX_CHARGE, what):
            again = {k: v for k, v in context.items() if k != "options"}
            for request in self.docket_request(court, {**again, "paid_tries": int(context.get("paid_tries") or 0) + 1},
                                               options):
                yield request
            return
        if not self.follow_attachments or page.parsed is None:
            return
        # Each entry's own document (attachment links inside the text are on its attachment page).
        for entry in page.parsed.get("docket_entries") or []:
            doc_id = entry.get("pacer_doc_id")
            if not doc_id or not doc_id.isdigit() or doc_id in self._seen_doc_ids:
                continue
            self._seen_doc_ids.add(doc_id)
            page_context = {"court_id": court.court_id, "pacer_case_id": context["pacer_case_id"],
                            "docket_number": context.get("docket_number"), "pacer_doc_id": doc_id}
            yield scrapy.Request(self.doc1_url(court, doc_id), callback=self.parse_attachment_page,
                                 cb_kwargs={"context": page_context}, errback=self.failed)

    def closed(self, reason):
        if self.database_url and self.entry_counts:
            from pacer_spiders.db.refresh_checks import record_counts

            record_counts(self.database_url, self.entry_counts)

    def parse_attachment_page(self, response, context):
        from .attachment_page import attachment_page_items

        yield from attachment_page_items(self, response, context)

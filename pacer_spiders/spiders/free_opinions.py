"""``scrapy crawl free_opinions``: a court's written opinions of a period, and their PDFs, free.

    scrapy crawl free_opinions -a court=cand -a date_start=2024-01-01 -a date_end=2024-01-31

PACER's Written Opinions Report (WrtOpRpt.pl) lists the opinions a court filed in a period;
neither the report nor the opinions are billed ("No fee is charged for access to judicial
opinions", the fee schedule).  Each opinion's case and entry go into the archive (the report's
unit), then its document through ``/doc1/`` as the pdf spider fetches one, with one difference:
a document whose receipt shows any cost is not bought (counted ``pacer/skipped/not_free``).  A
document the archive holds already is not fetched again.
"""

from __future__ import annotations

import logging

from pacer_spiders.courts import normalize_pacer_doc_id
from pacer_spiders.db.reader import ArchiveReader
from pacer_spiders.reports.free_opinions import UNIT as FREE_OPINIONS

from .base import ArgumentError, multipart_request, pacer_date
from .pdf import PdfSpider

logger = logging.getLogger(__name__)


class FreeOpinionsSpider(PdfSpider):
    name = "free_opinions"

    def __init__(self, court=None, date_start=None, date_end=None, documents=None, **kwargs):
        super().__init__(court=court, **kwargs)
        self.date_start, self.date_end = date_start, date_end
        self.fetch_documents = documents not in ("0", "no", "false")

    def start_requests_checked(self):
        court = self.court()
        if not (self.date_start and self.date_end):
            raise ArgumentError("pass -a date_start=YYYY-MM-DD -a date_end=YYYY-MM-DD (the opinions' filing dates)")
        date_from, date_to = pacer_date(self.date_start), pacer_date(self.date_end)
        if self.date_start > self.date_end:
            raise ArgumentError(f"date_start {self.date_start} is after date_end {self.date_end}")
        fields = FREE_OPINIONS.form(court.court_id, {"filed_from": date_from, "filed_to": date_to, "ShowFull": "1",
                                                     "Key1": "cs_sort_case_numb", "all_case_ids": "0"})
        yield multipart_request(FREE_OPINIONS.url(self.base_url(court)), fields, callback=self.parse_report,
                                cb_kwargs={"court_id": court.court_id}, errback=self.failed, dont_filter=True)

    def parse_report(self, response, court_id):
        page = self.read_page(response, "free_opinions", {"court_id": court_id, "date_start": self.date_start,
                                                           "date_end": self.date_end})
        yield from page.items
        if page.problem is not None:
            self.refuse(page.problem.kind, f"{court_id} written opinions report: {page.problem.reason}")
            return
        logger.info("%s: %d written opinions filed %s to %s", court_id, len(page.parsed), self.date_start, self.date_end)
        self.crawler.stats.inc_value("pacer/free_opinions/listed", len(page.parsed))
        if not self.fetch_documents:
            return
        court = self.court(court_id)
        reader = ArchiveReader.open(self.database_url) if self.database_url else None
        for opinion in page.parsed:
            if not opinion.get("pacer_doc_id"):
                continue
            doc_id = normalize_pacer_doc_id(opinion["pacer_doc_id"], court_id)
            if (court_id, doc_id) in self._asked:
                continue
            self._asked.add((court_id, doc_id))
            if reader is not None and reader.held_document(court_id, doc_id):
                self.crawler.stats.inc_value("pacer/skipped/already_held")
                continue
            context = {"court_id": court_id, "pacer_case_id": opinion.get("pacer_case_id"),
                       "docket_number": opinion.get("docket_number"), "pacer_doc_id": doc_id,
                       "document_number": opinion.get("document_number"), "pacer_seq_no": opinion.get("pacer_seq_no")}
            yield self.doc1_request(court, context)

    def doc1_request(self, court, context):
        import scrapy

        return scrapy.Request(self.doc1_url(court, context["pacer_doc_id"]), callback=self.parse_doc1,
                              cb_kwargs={"context": context}, errback=self.failed)

    def buy_from_menu(self, context) -> bool:
        # An opinion with attachments answers its attachment menu, which shows page counts and no
        # receipt: whether the main document is free cannot be read, so it is not fetched.
        self.crawler.stats.inc_value("pacer/skipped/attachment_menu")
        logger.warning("%s document %s has attachments: no receipt to show it free; not fetched",
                       context["court_id"], context.get("document_number") or context["pacer_doc_id"])
        return False

    # An opinion is free: one whose receipt shows a cost is left alone, and the crawl goes on.
    def within_cap(self, cost: float) -> bool:
        return cost <= 0 and super().within_cap(cost)

    def stop_for_cost(self, cost: float, what: str) -> None:
        if cost > 0:
            self.crawler.stats.inc_value("pacer/skipped/not_free")
            logger.warning("%s: its receipt says $%.2f, not free; not buying it", what, cost)
            return
        super().stop_for_cost(cost, what)

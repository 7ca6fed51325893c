"""``scrapy crawl attachment_page -a court=… -a pacer_doc_id=…``: a document's attachment menu (free).

``pacer_doc_id`` may list several ids, comma-separated.  A document without attachments has no
menu (PACER shows its purchase page instead): that is logged and counted, nothing is bought.
"""

from __future__ import annotations

import logging

import scrapy

from pacer_spiders.courts import check_pacer_doc_id, normalize_pacer_doc_id

from .appellate import AppellateMixin
from .base import ArgumentError, PacerSpider
from .doc1 import read_doc1

logger = logging.getLogger(__name__)


def attachment_page_items(spider: PacerSpider, response, context: dict):
    """The items of a doc1 answer that should be an attachment menu (shared with ``docket``)."""
    doc1 = read_doc1(spider, response, context)
    stats = spider.crawler.stats
    if doc1.kind == "menu":
        assert doc1.page is not None  # a menu comes with its page
        yield from doc1.page.items
    elif doc1.kind == "confirmation":
        stats.inc_value("pacer/skipped/no_attachments")
        logger.info("%s document %s has no attachment menu (PACER offers the document itself)",
                    context.get("court_id"), context.get("pacer_doc_id"))
    elif doc1.problem is not None:
        stats.inc_value(f"pacer/skipped/{doc1.problem.kind}")
        logger.warning("%s document %s: %s", context.get("court_id"), context.get("pacer_doc_id"), doc1.problem.reason)
    else:
        spider.refuse("unexpected_page", f"{response.url}: not an attachment menu ({doc1.kind})")


class AttachmentPageSpider(AppellateMixin, PacerSpider):
    name = "attachment_page"

    def __init__(self, court=None, pacer_doc_id=None, pacer_case_id=None, **kwargs):
        super().__init__(court=court, **kwargs)
        self.pacer_doc_ids = [d.strip() for d in str(pacer_doc_id or "").split(",") if d.strip()]
        self.pacer_case_id = pacer_case_id

    def start_requests_checked(self):
        court = self.court()
        if not self.pacer_doc_ids:
            raise ArgumentError("pass -a pacer_doc_id=<document id> (several: comma-separated)")
        if self.is_appellate(court):  # a filing's documents: ShowDoc, or ACMS's list of an entry (its GUID)
            for raw_id in self.pacer_doc_ids:
                context = {"court_id": court.court_id, "pacer_doc_id": raw_id, "pacer_case_id": self.pacer_case_id,
                           "acms": True if self.is_acms(court) else None}
                yield self.filing_documents_request(court, {k: v for k, v in context.items() if v is not None},
                                                    self.parse_filing_documents)
            return
        for raw_id in self.pacer_doc_ids:
            check_pacer_doc_id(raw_id, court.court_id)  # BadValue: 8 to 13 digits of the court's prefix
            doc_id = normalize_pacer_doc_id(raw_id, court.court_id)
            context = {"court_id": court.court_id, "pacer_doc_id": doc_id, "pacer_case_id": self.pacer_case_id}
            yield scrapy.Request(self.doc1_url(court, doc_id), callback=self.parse_page, cb_kwargs={"context": context},
                                 errback=self.failed)

    def parse_page(self, response, context):
        yield from attachment_page_items(self, response, context)

"""``scrapy crawl free_looks``: fetch each NEF/NDA free-look document once, inside its window.

    pacer-spiders ingest notice.eml --type nef      (or pacer-spiders mail --maildir DIR)
    scrapy crawl free_looks [-a court=cand]

A notice's document link carries a magic number: its recipient may read the document once,
without charge, within 15 days (``free_looks``, filled when a notice is ingested).  Each unused
free look still inside its window is asked for once: a PDF is stored with the document at $0.00
and the look recorded ``used``; any other answer (PACER's purchase page of a spent link, an
error) is recorded ``used`` or ``failed`` with its reason and never bought nor asked again.  Free
looks past their window are recorded ``expired`` without a request.
"""

from __future__ import annotations

import datetime as dt
import logging

import scrapy

from pacer_spiders.db import make_engine
from pacer_spiders.db.free_looks import FreeLookRow, due_free_looks, mark_free_look
from pacer_spiders.reports.pdf import PDF_MAGIC

from .base import ArgumentError, PacerSpider

logger = logging.getLogger(__name__)


class FreeLooksSpider(PacerSpider):
    name = "free_looks"

    def start_requests_checked(self):
        if not self.database_url:
            raise ArgumentError("free looks come from the archive: set DATABASE_URL")
        court_id = self.court(self.court_arg).court_id if self.court_arg else None
        engine = make_engine(self.database_url)
        today = dt.date.today()
        self.expire(engine, court_id, today)
        for look in due_free_looks(engine, court_id, today):
            if look.get("filepath"):  # the archive holds the document already: the look is not spent on it
                continue
            context = {"court_id": look["court_id"], "pacer_case_id": look.get("pacer_case_id"),
                       "pacer_doc_id": look.get("pacer_doc_id"), "document_number": look.get("document_number"),
                       "free_look_id": look["id"]}
            # Marked before the answer comes: a free look is tried once, whatever happens to it.
            mark_free_look(engine, look["id"], "failed", "asked; no answer recorded")
            yield scrapy.Request(look["url"], callback=self.parse_free_look, errback=self.free_look_failed,
                                 cb_kwargs={"context": context}, dont_filter=True)

    def expire(self, engine, court_id, today) -> None:
        table = FreeLookRow.__table__
        query = table.select().where(table.c.status == "unused", table.c.expires_on < today.isoformat())
        if court_id:
            query = query.where(table.c.court_id == court_id)
        with engine.connect() as conn:
            stale = [row.id for row in conn.execute(query)]
        for look_id in stale:
            mark_free_look(engine, look_id, "expired", "past its 15-day window: not asked")
        self.crawler.stats.inc_value("pacer/free_looks/expired", len(stale))

    def parse_free_look(self, response, context):
        engine = make_engine(self.database_url)
        look_id = context.pop("free_look_id")
        if response.body[:5] == PDF_MAGIC:
            mark_free_look(engine, look_id, "used")
            self.crawler.stats.inc_value("pacer/free_looks/used")
            logger.info("free look: %s document %s fetched at $0.00", context["court_id"],
                        context.get("document_number") or context["pacer_doc_id"])
            yield from self.read_page(response, "pdf", context).items
            return
        # Any page but the PDF (a spent link answers PACER's purchase page): never bought.
        mark_free_look(engine, look_id, "used", "the link was spent: PACER answered a page, not the document")
        self.crawler.stats.inc_value("pacer/free_looks/spent")
        logger.warning("free look: %s document %s: the link was spent (no PDF); not bought", context["court_id"],
                       context.get("document_number") or context["pacer_doc_id"])

    def free_look_failed(self, failure):
        self.failed(failure)
        context = failure.request.cb_kwargs["context"]
        mark_free_look(make_engine(self.database_url), context["free_look_id"], "failed",
                       f"no answer: {failure.type.__name__}")

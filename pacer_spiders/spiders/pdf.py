"""``scrapy crawl pdf``: buy documents, never one we already hold, never past PACER_MAX_COST.

    scrapy crawl pdf -a court=okwd -a pacer_doc_id=14712345678
    scrapy crawl pdf -a docket=12 -a documents=1-5,7        (12: our docket id in the archive)
    scrapy crawl pdf -a court=ca9 -a pacer_doc_id=<document GUID>   (ACMS)

Each document: the archive is asked first; then ``/doc1/<id>`` shows the purchase page whose
receipt says the cost (or the attachment menu, whose page count gives it); the crawl stops
before the cost would pass PACER_MAX_COST; the purchase answers a page whose iframe leads to
the PDF, which is yielded for the files pipeline.  Sealed and unavailable documents are
recorded (log and stats, by reason) and nothing of them is stored.
"""

from __future__ import annotations

import logging

import scrapy

from pacer_spiders.db.reader import ArchiveReader
from pacer_spiders.courts import check_pacer_doc_id, normalize_pacer_doc_id

from pacer_spiders.reports.pdf import PDF_MAGIC

from .appellate import GUID, AppellateDocumentMixin
from .base import (
    MAX_CHARGE, PRICE_PER_PAGE, PURCHASE_META, ArgumentError, PacerSpider, flag, multipart_request, purchase_key,
    receipt_cost, receipt_of,
)
from .doc1 import read_doc1

logger = logging.getLogger(__name__)


def parse_ranges(text: str) -> set[int]:
    """``1-5,7`` -> {1, 2, 3, 4, 5, 7}."""
    numbers: set[int] = set()
    for part in str(text or "").split(","):
        part = part.strip()
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            low_n, high_n = int(low), int(high or low)
        except ValueError:
            raise ArgumentError(f"documents: {part!r} is not a number or a range like 1-5") from None
        if high_n < low_n or high_n - low_n > 100000:
            raise ArgumentError(f"documents: bad range {part!r}")
        numbers.update(range(low_n, high_n + 1))
    return numbers


def document_name(context: dict) -> str:
    """A document's id for the log: PACER's, or ACMS's GUID."""
    return context.get("pacer_doc_id") or context.get("acms_document_guid") or "?"


class PdfSpider(AppellateDocumentMixin, PacerSpider):
    name = "pdf"

    def __init__(self, court=None, pacer_doc_id=None, pacer_case_id=None, docket=None, documents=None, uncapped=None,
                 **kwargs):
        super().__init__(court=court, **kwargs)
        self.buy_uncapped = flag(uncapped)
        self.pacer_doc_ids = [d.strip() for d in str(pacer_doc_id or "").split(",") if d.strip()]
        self.pacer_case_id = pacer_case_id
        self.docket_id = docket
        self.documents = documents
        self._asked: set[tuple[str, str]] = set()

    def wanted(self):
        """(court, context) of every document asked for."""
        if self.docket_id:
            if not str(self.docket_id).isdigit():
                raise ArgumentError(f"docket must be our docket id (a number), not {self.docket_id!r}")
            row = ArchiveReader.open(self.database_url).docket_by_id(int(self.docket_id))
            if row is None:
                raise ArgumentError(f"no docket {self.docket_id} in the archive ({self.database_url})")
            court = self.court(row["court_id"])
            numbers = parse_ranges(self.documents) if self.documents else None
            found = ArchiveReader.open(self.database_url).docket_documents(row["id"], numbers)
            missing = sorted((numbers or set()) - {d["document_number"] for d in found})
            if missing:
                self.crawler.stats.inc_value("pacer/skipped/no_document_link", len(missing))
                logger.warning("docket %s lists no document link for numbers %s", row["id"],
                               ", ".join(map(str, missing[:20])))
            for doc in found:
                yield court, {"court_id": court.court_id, "pacer_case_id": row["pacer_case_id"],
                              "docket_number": row["docket_number"], "pacer_doc_id": doc["pacer_doc_id"],
                              "document_number": doc["document_number"], "pacer_seq_no": doc.get("pacer_seq_no")}
            return
        court = self.court()
        if not self.pacer_doc_ids:
            raise ArgumentError("pass -a pacer_doc_id=<document id> or -a docket=<our docket id> -a documents=1-5,7")
        for raw_id in self.pacer_doc_ids:
            if self.is_acms(court):  # ACMS keys documents by GUID
                if not GUID.match(raw_id):
                    raise ArgumentError(f"{court.court_id} runs ACMS: pass a document's GUID, not {raw_id!r}")
                yield court, {"court_id": court.court_id, "pacer_case_id": self.pacer_case_id,
                              "acms_document_guid": raw_id.lower()}
                continue
            check_pacer_doc_id(raw_id, court.court_id)  # BadValue: 8 to 13 digits of the court's prefix
            yield court, {"court_id": court.court_id, "pacer_case_id": self.pacer_case_id, "pacer_doc_id": raw_id}

    def start_requests_checked(self):
        for court, context in list(self.wanted()):
            if context.get("acms_document_guid"):
                key = (court.court_id, context["acms_document_guid"])
                if key not in self._asked and not self.held(context):
                    self._asked.add(key)
                    yield self.appellate_document_request(court, context)
                continue
            doc_id = normalize_pacer_doc_id(context["pacer_doc_id"], court.court_id)
            context["pacer_doc_id"] = doc_id
            if (court.court_id, doc_id) in self._asked:
                continue
            self._asked.add((court.court_id, doc_id))
            held = ArchiveReader.open(self.database_url).held_document(court.court_id, doc_id) if self.database_url else None
            if held:
                self.crawler.stats.inc_value("pacer/skipped/already_held")
                logger.info("%s document %s is in the archive already (%s): not buying it", court.court_id, doc_id,
                            held.get("filepath") or held.get("sha1"))
                continue
            if self.is_appellate(court):  # appellate CM/ECF or ACMS: spiders/appellate.py
                yield self.appellate_document_request(court, context)
                continue
            yield scrapy.Request(self.doc1_url(court, doc_id), callback=self.parse_doc1,
                                 cb_kwargs={"context": context}, errback=self.failed)

    def parse_doc1(self, response, context):
        doc1 = read_doc1(self, response, context)
        if doc1.kind == "pdf":  # a free document comes straight away
            yield from self.pdf_items(response, context, receipt=None)
            return
        if doc1.problem is not None:
            yield from self.skip(context, doc1.problem)
            return
        if doc1.kind == "menu":
            assert doc1.page is not None  # a menu comes with its page
            yield from doc1.page.items  # free and worth keeping
            if not self.buy_from_menu(context):
                return
            pages = doc1.page.parsed.get("page_count")
            cost = min(MAX_CHARGE, round(PRICE_PER_PAGE * pages, 2)) if pages else MAX_CHARGE
            receipt = {"cost": f"{cost:.2f}", "billable_pages": pages, "estimated_from": "attachment_page"}
            fields = {**doc1.fields, "got_receipt": "1"}
            url = self.doc1_url(self.court(context["court_id"]), context["pacer_doc_id"])
        elif doc1.kind == "confirmation":
            assert doc1.page is not None  # so does a confirmation
            if doc1.page.parsed is None:
                self.refuse("no_receipt", f"{response.url}: the purchase page shows no receipt; not buying")
                return
            yield from doc1.page.items
            receipt = doc1.page.parsed
            cost, fields, url = receipt_cost(receipt), doc1.fields, doc1.url
        elif doc1.kind == "iframe":
            yield self.follow_iframe(response, doc1.url, context, receipt_of(response.body))
            return
        else:
            self.refuse("unexpected_page", f"{response.url}: neither a purchase page nor a document")
            return
        what = f"{context['court_id']} document {context.get('document_number') or context['pacer_doc_id']}"
        if cost > MAX_CHARGE + 1e-9 and not self.buy_uncapped:
            # Past PACER's 30-page cap: a transcript or another document billed for every page.
            self.crawler.stats.inc_value("pacer/skipped/uncapped")
            logger.warning("%s costs $%.2f, past PACER's $%.2f cap (a transcript or other uncapped document): "
                           "not bought without -a uncapped=1", what, cost, MAX_CHARGE)
            return
        if not self.within_cap(cost):
            self.stop_for_cost(cost, what)
            return
        self.reserved += cost
        logger.info("Buying %s for $%.2f", what, cost)
        # The purchase and its temporary PDF belong to the session that saw the receipt.
        meta = {**self.same_account(response),
                PURCHASE_META: purchase_key("document", context["court_id"], context["pacer_doc_id"])}
        yield multipart_request(url, fields, callback=self.parse_purchase, errback=self.failed, dont_filter=True,
                                cb_kwargs={"context": context, "reserved": cost}, meta=meta)

    def buy_from_menu(self, context) -> bool:
        """Whether a document answering its attachment menu is bought (its cost from the page counts)."""
        return True

    def parse_purchase(self, response, context, reserved):
        doc1 = read_doc1(self, response, context)
        if doc1.kind == "pdf":
            self.reserved -= reserved
            yield from self.pdf_items(response, context, receipt={"cost": f"{reserved:.2f}"})
        elif doc1.kind == "iframe":
            receipt = receipt_of(response.body)
            yield self.follow_iframe(response, doc1.url, context, receipt or {"cost": f"{reserved:.2f}"}, reserved)
        elif doc1.kind == "problem":
            self.reserved -= reserved
            yield from self.skip(context, doc1.problem)
        else:
            self.reserved -= reserved
            self.refuse("unexpected_page", f"{response.url}: the purchase answered no document ({doc1.kind})")

    def take_over(self, request):
        """A purchase (or its temporary PDF link) whose session died with its worker: the document
        is asked for anew from its ``doc1`` page (free; the purchase after it is counted as bought
        again, see pacer_spiders/distributed/purchases.py)."""
        context = request.cb_kwargs.get("context")
        if not isinstance(context, dict) or not context.get("pacer_doc_id"):
            return None
        return scrapy.Request(self.doc1_url(self.court(context["court_id"]), context["pacer_doc_id"]),
                              callback=self.parse_doc1, errback=self.failed, cb_kwargs={"context": context},
                              dont_filter=True, meta=self.carried_meta(request))

    def follow_iframe(self, response, url, context, receipt, reserved=0.0):
        return scrapy.Request(url, callback=self.parse_pdf, errback=self.failed, dont_filter=True,
                              cb_kwargs={"context": context, "receipt": receipt, "reserved": reserved},
                              meta=self.same_account(response))

    def parse_pdf(self, response, context, receipt, reserved=0.0):
        self.reserved -= reserved
        if response.body[:5] != PDF_MAGIC:
            doc1 = read_doc1(self, response, context)
            if doc1.kind == "problem":
                yield from self.skip(context, doc1.problem)
            else:
                self.refuse("not_a_pdf", f"{response.url}: the document link answered no PDF")
            return
        yield from self.pdf_items(response, context, receipt)

    def pdf_items(self, response, context, receipt):
        self.crawler.stats.inc_value("pacer/purchases")
        page = self.read_page(response, "pdf", context, billed=bool(receipt), receipt=receipt)
        logger.info("Got %s document %s (%d bytes, $%.2f)", context["court_id"], document_name(context),
                    len(response.body), receipt_cost(receipt) if receipt else 0.0)
        return page.items

    def skip(self, context, problem):
        """A document that cannot be had: nothing is stored; the reason is logged and counted."""
        self.crawler.stats.inc_value(f"pacer/skipped/{problem.kind}")
        logger.warning("%s document %s not fetched: %s (%s)", context["court_id"], document_name(context),
                       problem.kind, problem.reason)
        return iter(())

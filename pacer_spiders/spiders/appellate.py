"""The courts of appeals in the ``docket``, ``attachment_page`` and ``pdf`` spiders.

A court of appeals runs appellate CM/ECF or ACMS (``pacer_spiders.courts.court_system``: the
registry, then the ``PACER_APPELLATE_SYSTEMS`` setting).

Appellate CM/ECF (behind PACER's NextGenCSO cookie, like district CM/ECF):
- docket: ``TransportRoom?servlet=CaseSummary.jsp`` by ``caseNum`` (docket number) or ``caseId``,
  with ``incOrigDkt``/``incDktEntries``, ``incPtyAty`` (parties and counsel), ``fullDocketReport``
  or ``dateFrom``/``dateTo`` (the form fields of the courts' docket report, as RECAP and
  CourtListener send them); billed, its receipt at its foot;
- a filing's documents: ``TransportRoom?servlet=ShowDoc&dls_id=<id>`` (free);
- a document: ``/docs1/<id>`` answers the PDF (a document the court offers free) or the download
  confirmation form ``AccCharge`` with its receipt; posting the form buys the PDF.
ACMS (its own session: ``pacer_spiders.acms_session``):
- docket: ``/Home/IndexContent?caseIdentifier=<docket number>`` (JSON);
- an entry's documents: ``/api/DocketEntries/<entry GUID>/Documents`` (JSON, free), each document
  keyed by its GUID (``acms_document_guid``) with its cost (0: free);
- a document: ``/Home/Receipt?documentId=<document GUID>``: the PDF (free) or the same kind of
  confirmation form and receipt, posted to buy.

Every page is read once by its report unit (``read_page``); only what it found is followed.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlencode

import scrapy

from pacer_spiders.acms_session import acms_base_url
from pacer_spiders.courts import court_system
from pacer_spiders.db.reader import ArchiveReader
from pacer_spiders.reports.pdf import PDF_MAGIC

from .base import MAX_CHARGE, ArgumentError, flag, multipart_request, pacer_date, receipt_cost
from .doc1 import document_problem

APPELLATE_NUMBER = re.compile(r"^\d{2}-\d{1,6}$")
# Courts whose appellate CM/ECF lives under /cmecf/ instead of /n/beam/ (CourtListener's docket URLs).
CMECF_PATH_COURTS = ("ca5", "ca7", "ca11")
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

if TYPE_CHECKING:  # the mixins are mixed into PacerSpider subclasses
    from .base import PacerSpider as SpiderBase
else:
    SpiderBase = object


class AppellateMixin(SpiderBase):
    """URLs and requests of the courts of appeals, shared by the three spiders."""

    def is_appellate(self, court) -> bool:
        return court.kind == "appellate"

    def appellate_system(self, court) -> str | None:
        return court_system(court, self.settings.get("PACER_APPELLATE_SYSTEMS"))

    def is_acms(self, court) -> bool:
        return self.is_appellate(court) and self.appellate_system(court) == "acms"

    def acms_url(self, court) -> str:
        return acms_base_url(self.settings.get("PACER_ACMS_URL_TEMPLATE"), court.court_id, court.pacer_subdomain)

    def transport_room(self, court) -> str:
        folder = "cmecf" if court.court_id in CMECF_PATH_COURTS else "n/beam"
        return f"{self.base_url(court)}/{folder}/servlet/TransportRoom"

    def acms_request(self, court, url: str, callback, context: dict, **kwargs) -> scrapy.Request:
        meta = {**kwargs.pop("meta", {}), "acms_court": court.court_id, "acms_base": self.acms_url(court)}
        return scrapy.Request(url, callback=callback, cb_kwargs={"context": context}, errback=self.failed,
                              meta=meta, **kwargs)

    # -- a filing's documents (free) ------------------------------------------------------------
    def filing_documents_request(self, court, context: dict, callback) -> scrapy.Request:
        doc_id = context["pacer_doc_id"]
        if self.is_acms(court):
            return self.acms_request(court, f"{self.acms_url(court)}/api/DocketEntries/{doc_id}/Documents",
                                     callback, context)
        url = f"{self.transport_room(court)}?servlet=ShowDoc&dls_id={doc_id}"
        return scrapy.Request(url, callback=callback, cb_kwargs={"context": context}, errback=self.failed)

    def parse_filing_documents(self, response, context):
        yield from self.read_filing_documents(response, context).items

    def read_filing_documents(self, response, context: dict):
        report = "acms_attachment_page" if context.get("acms") else "appellate_attachment_page"
        page = self.read_page(response, report, context)
        if page.problem is not None:
            self.crawler.stats.inc_value(f"pacer/skipped/{page.problem.kind}")
        return page


class AppellateDocketMixin(AppellateMixin):
    """``scrapy crawl docket`` at a court of appeals."""

    def appellate_docket_requests(self, court, case: dict):
        number = (case.get("docket_number") or "").strip()
        case_id = str(case.get("pacer_case_id") or "").strip()
        if number and not APPELLATE_NUMBER.match(number):
            raise ArgumentError(f"{court.court_id} docket numbers look like 24-1234, not {number!r}")
        date_from, date_to = pacer_date(case.get("date_start")), pacer_date(case.get("date_end"))
        parties = flag(case.get("show_parties_and_counsel"), True)
        context = {"court_id": court.court_id, "docket_number": number or None, "pacer_case_id": case_id or None}
        if self.is_acms(court):
            if not number:
                raise ArgumentError(f"{court.court_id} runs ACMS, which finds cases by docket number: "
                                    "pass -a docket_number=24-1234")
            context["acms"] = True
            yield self.acms_request(court, f"{self.acms_url(court)}/Home/IndexContent?"
                                    + urlencode({"caseIdentifier": number}), self.parse_acms_docket, context)
            return
        if not self.within_cap(MAX_CHARGE):
            self.stop_for_cost(MAX_CHARGE, f"the docket of {court.court_id} {number or case_id} (at most)")
            return
        fields = {"servlet": "CaseSummary.jsp", **({"caseNum": number} if number else {"caseId": case_id}),
                  "incOrigDkt": "Y", "incDktEntries": "Y", "incPtyAty": "Y" if parties else "N"}
        if date_from or date_to:
            fields.update({"dateFrom": date_from, "dateTo": date_to})
        else:
            fields["fullDocketReport"] = "Y"
        fields["actionType"] = "Run Docket Report"
        context["options"] = {k: v for k, v in fields.items() if k not in ("servlet", "caseNum", "caseId")}
        self.reserved += MAX_CHARGE
        yield scrapy.Request(f"{self.transport_room(court)}?{urlencode(fields)}", callback=self.parse_appellate_docket,
                             cb_kwargs={"context": context}, errback=self.failed, dont_filter=True)

    async def parse_appellate_docket(self, response, context):
        page = await self.read_page_off_reactor(response, "appellate_docket", context, billed=True)
        self.reserved -= MAX_CHARGE  # with the page's cost counted (see parse_docket)
        for item in page.items:
            yield item
        for request in self.follow_filings(page, context):
            yield request

    async def parse_acms_docket(self, response, context):
        page = await self.read_page_off_reactor(response, "acms_docket", context)
        if page.parsed is not None:
            context = {**context, "pacer_case_id": page.parsed.get("pacer_case_id")}
        for item in page.items:
            yield item
        for request in self.follow_filings(page, context):
            yield request

    def follow_filings(self, page, context):
        if not self.follow_attachments or page.parsed is None:
            return
        court = self.court(context["court_id"])
        for entry in page.parsed.get("docket_entries") or []:
            doc_id = entry.get("pacer_doc_id")
            if not doc_id or doc_id in self._seen_doc_ids:
                continue
            self._seen_doc_ids.add(doc_id)
            filing = {"court_id": court.court_id, "pacer_case_id": context.get("pacer_case_id"),
                      "docket_number": context.get("docket_number"), "pacer_doc_id": doc_id,
                      "document_number": entry.get("document_number"), "acms": context.get("acms")}
            yield self.filing_documents_request(court, {k: v for k, v in filing.items() if v is not None},
                                                self.parse_filing_documents)


class AppellateDocumentMixin(AppellateMixin):
    """``scrapy crawl pdf`` at a court of appeals: free documents never billed, receipts read,
    ``PACER_MAX_COST`` respected."""

    def appellate_document_request(self, court, context: dict):
        if self.is_acms(court):
            context = {**context, "acms": True}
            if context.get("acms_document_guid"):
                return self.acms_document_request(court, context)
            # An entry (from the archive): its documents list names the main document's GUID and cost.
            return self.filing_documents_request(court, context, self.parse_acms_documents_for_pdf)
        return scrapy.Request(f"{self.base_url(court)}/docs1/{context['pacer_doc_id']}",
                              callback=self.parse_appellate_document, cb_kwargs={"context": context},
                              errback=self.failed)

    def acms_document_request(self, court, context: dict):
        url = f"{self.acms_url(court)}/Home/Receipt?" + urlencode({"documentId": context["acms_document_guid"]})
        return self.acms_request(court, url, self.parse_appellate_document, context)

    def parse_acms_documents_for_pdf(self, response, context):
        page = self.read_filing_documents(response, context)
        yield from page.items
        documents = (page.parsed or {}).get("attachments") or []
        main = next((d for d in documents if d.get("attachment_number") == 1), None)
        if main is None or not main.get("acms_document_guid"):
            self.refuse("no_document", f"{context['court_id']} entry {context['pacer_doc_id']}: ACMS lists no document")
            return
        context = {**context, "acms_document_guid": main["acms_document_guid"], "attachment_number": 1,
                   "pacer_case_id": context.get("pacer_case_id") or page.parsed.get("pacer_case_id")}
        if self.held(context):
            return
        yield self.acms_document_request(self.court(context["court_id"]), context)

    def held(self, context: dict) -> bool:
        guid = context.get("acms_document_guid")
        if not guid or not self.database_url:
            return False
        held = ArchiveReader.open(self.database_url).held_acms_document(context["court_id"], guid)
        if held:
            self.crawler.stats.inc_value("pacer/skipped/already_held")
        return bool(held)

    def parse_appellate_document(self, response, context):
        what = f"{context['court_id']} document {context.get('document_number') or context.get('acms_document_guid') or context['pacer_doc_id']}"
        if response.body[:5] == PDF_MAGIC:  # offered free by the court: nothing was billed
            self.crawler.stats.inc_value("pacer/free_documents")
            yield from self.pdf_items(response, context, receipt=None)
            return
        selector = self.selector(response)
        form = selector.xpath("//form[@name='AccCharge']")
        if not form:
            problem = document_problem(context.get("court_id"), response.body.decode("utf-8", "replace"))
            if problem is not None:
                yield from self.skip(context, problem)
            else:
                self.refuse("unexpected_page", f"{response.url}: neither a document nor its download confirmation")
            return
        page = self.read_page(response, "receipt", context)
        if page.parsed is None:
            self.refuse("no_receipt", f"{response.url}: the download confirmation shows no receipt; not buying")
            return
        yield from page.items
        receipt = {k: page.parsed.get(k) for k in ("cost", "billable_pages") if page.parsed.get(k) is not None}
        cost = receipt_cost(page.parsed)
        if not self.within_cap(cost):
            self.stop_for_cost(cost, what)
            return
        self.reserved += cost
        fields = {node.attrib["name"]: node.attrib.get("value", "")
                  for node in form.xpath(".//input[@type='hidden' and @name]")}
        yield multipart_request(response.urljoin(form.attrib.get("action") or response.url), fields,
                                callback=self.parse_appellate_purchase, errback=self.failed, dont_filter=True,
                                cb_kwargs={"context": context, "receipt": receipt, "reserved": cost},
                                meta={**self.same_account(response), **{k: response.meta[k] for k in
                                      ("acms_court", "acms_base") if k in response.meta}})

    def parse_appellate_purchase(self, response, context, receipt, reserved):
        self.reserved -= reserved
        if response.body[:5] == PDF_MAGIC:
            yield from self.pdf_items(response, context, receipt=receipt)
            return
        problem = document_problem(context.get("court_id"), response.body.decode("utf-8", "replace"))
        if problem is not None:
            yield from self.skip(context, problem)
        else:
            self.refuse("not_a_pdf", f"{response.url}: the purchase answered no PDF")

"""A document's PDF, as PACER serves it after a purchase (or free): not a report page, but a unit
all the same, so that a bought document travels, is validated and merges like every page.

Its item names the document (from what was asked: court, case, document id and number,
attachment number) and carries its page count; the files pipeline stores the bytes and adds
``filepath``.  An answer that is not a PDF is PACER's message (sealed, unavailable ...) or an error.
"""

from __future__ import annotations


from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.items import fields, item_class
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.reports.base import ReportUnit, classify

PDF_MAGIC = b"%PDF-"
_PAGE = lazy_compile(rb"/Type\s*/Page(?![a-zA-Z])")

Document = item_class("Document", "A document's PDF: which document it is, its page count and, once stored, "
                      "its ``filepath``.", fields(
                          "pacer_case_id", "pacer_doc_id", "pacer_seq_no", "document_number", "filepath",
                          attachment_number="int", page_count="int", file_size_bytes="int"))


def pdf_page_count(body: bytes) -> int | None:
    """Pages of a PDF by counting its ``/Type /Page`` objects (not ``/Pages``); None if none found."""
    count = len(_PAGE.findall(body))
    return count or None


def parse(body: bytes, context: dict) -> dict:
    if not body.startswith(PDF_MAGIC):
        problem = classify(context.get("court_id"), "pdf", body)
        raise NotTheReport(problem or PageProblem("not_pdf", "a PDF was asked for and the answer is not a PDF"))
    document = {key: context.get(key) for key in ("pacer_case_id", "pacer_doc_id", "pacer_seq_no",
                                                  "document_number", "attachment_number")}
    return {**document, "page_count": pdf_page_count(body), "file_size_bytes": len(body)}


def merge_document(archive, item):
    """The document row the PDF is for (made when its entry is known); None while it is not."""
    result = archive.document_for_pdf(item["court_id"], dict(item.get("context") or {}))
    if result is not None:
        item["document"], item["document_id"] = result.document, result.document["id"]
    return result


class PdfUnit(ReportUnit):
    def check(self, item):
        return None  # the bytes are a PDF: parse refused anything else


UNIT = PdfUnit(parse, None, merge_document, name="pdf", ingest_type="pdf", item_class=Document, joins_docket=True, checks_court=False,
                source_extension=".pdf")

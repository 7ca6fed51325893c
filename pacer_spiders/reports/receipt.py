"""PACER transaction receipts: the "PACER Service Center / Transaction Receipt" table.

It appears at the foot of every billed report page and on the download confirmation page shown
before a PDF is bought (district and bankruptcy "View Document", appellate "Accept Charges and
Retrieve").  The fields are the same everywhere: date, description, case, billable pages, cost.
"""

from __future__ import annotations

from datetime import datetime

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import clean, decode, label_values, selector
from pacer_spiders.reports.base import refuse_problem_page

LABELS = {
    "description": "document_description",
    "case number": "case_number",
    "search criteria": "search_criteria",
    "billable pages": "billable_pages",
    "cost": "cost",
}
# Appellate receipts name the case and document in the search criteria.
_APPELLATE_CRITERIA = lazy_compile(r"Case:\s*([^,]+?)\s*,\s*Document:\s*(\S+)")
_NUMERIC_DATE = lazy_compile(r"(\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}:\d{2})")
_WORDY_DATE = lazy_compile(r"([A-Z][a-z]{2}\s+[A-Z][a-z]{2}\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s+\d{4})")


def parse(body: bytes, context: dict) -> dict:
    text = decode(body)
    refuse_problem_page(text, "receipt", (context or {}).get("court_id"))
    sel = selector(text)
    tables = sel.xpath("//table[.//*[contains(normalize-space(.), 'Transaction Receipt')]]")
    if not tables:
        raise NotTheReport(PageProblem("no_receipt", _why_no_receipt(sel)))
    receipt = tables[-1]  # the innermost table holding the receipt
    values = label_values(receipt, LABELS)
    if "cost" not in values and "billable_pages" not in values:
        raise NotTheReport(PageProblem("no_receipt", "a 'Transaction Receipt' heading without billing lines"))

    docket_number = values.get("case_number")
    document_number = None
    criteria = _APPELLATE_CRITERIA.search(values.get("search_criteria", ""))
    if criteria:
        docket_number, document_number = criteria.groups()
    elif docket_number is None and values.get("search_criteria"):
        # A report's criteria start with the case: "3:08-cv-00284-TMB Starting with document: 4 ..."
        docket_number = values["search_criteria"].split()[0]
    return {
        "billable_pages": values.get("billable_pages"),
        "cost": values.get("cost"),
        "docket_number": docket_number,
        "document_description": values.get("document_description"),
        "document_number": document_number,
        "transaction_date": _transaction_date(receipt, appellate=bool(criteria)),
    }


def _transaction_date(receipt, appellate: bool) -> str | None:
    text = clean(" ".join(receipt.xpath(".//text()").getall()))
    match = _WORDY_DATE.search(text)  # district and bankruptcy: "Thu Mar  2 13:53:33 2023"
    if match:
        stamp = datetime.strptime(" ".join(match.group(1).split()), "%a %b %d %H:%M:%S %Y")
        return stamp.isoformat()
    match = _NUMERIC_DATE.search(text)  # report receipts and appellate ones: "09/15/2022 16:09:20"
    if match:
        stamp = datetime.strptime(" ".join(match.group(1).split()), "%m/%d/%Y %H:%M:%S")
        # The reference writes appellate receipt times with a space between date and time.
        return stamp.isoformat(sep=" " if appellate else "T")
    return None


def _why_no_receipt(sel) -> str:
    body = " ".join(" ".join(sel.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall()).split())
    for phrase in ("You do not have permission", "sealed", "not available", "Document Selection Menu", "attached to this filing"):
        index = body.lower().find(phrase.lower())
        if index >= 0:
            return f"no transaction receipt; the page says: {body[index:index + 90].strip()}"
    return "no 'Transaction Receipt' table on the page"


# PACER's fee rules (the PACER fee schedule): $0.10 a page; a document or a case report is capped
# at 30 billable pages ($3.00); an HTML report is billed 4,320 bytes a page.
PRICE_PER_PAGE = 0.10
MAX_CHARGE = 3.00
# The receipt table is the last thing on a billed page, its heading a few rows into it: reading
# from a little before its last heading spares a second parse of a long docket (lxml mends the
# cut-off start); the whole page is read when that part holds no receipt.
_BEFORE_HEADING = 4096


def receipt_of(body: bytes) -> dict | None:
    """The transaction receipt at the foot of a billed page (or a purchase confirmation), or None."""
    if b"Receipt" not in body and b"receipt" not in body:
        return None
    heading = max(body.rfind(b"Transaction Receipt"), body.rfind(b"Transaction receipt"))
    start = heading - _BEFORE_HEADING
    for part in ((body[start:], body) if start > _BEFORE_HEADING else (body,)):
        try:
            receipt = parse(part, {})
        except NotTheReport:
            continue
        if receipt.get("cost") not in (None, ""):
            return receipt
    return None


BYTES_PER_PAGE = 4320
# The receipt table PACER appends to a report is not billed; what a broken answer meant to send
# is counted without it.
RECEIPT_BYTES = 1200


def expected_length(response) -> int | None:
    """The bytes the server meant to send (its Content-Length), or None."""
    value = response.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def estimated_receipt(response) -> dict:
    """What PACER billed for a report answer that broke off before its receipt arrived, estimated
    from the bytes it meant to send (4,320 a page, at most 30 pages); marked as an estimate."""
    size = expected_length(response) or len(response.body)
    pages = min(30, max(1, -(-max(0, size - RECEIPT_BYTES) // BYTES_PER_PAGE)))
    return {"billable_pages": str(pages), "cost": f"{min(MAX_CHARGE, pages * PRICE_PER_PAGE):.2f}",
            "estimated_from": "content_length"}


def receipt_cost(receipt: dict | None) -> float:
    """The dollars a parsed receipt says were billed (0.0 without one)."""
    if not receipt:
        return 0.0
    try:
        return round(float(str(receipt.get("cost") or 0).replace("$", "").strip() or 0), 2)
    except ValueError:
        return 0.0


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit  # noqa: E402

Receipt = item_class("Receipt", "A transaction receipt or a document's purchase confirmation page; the "
                     "receipt it shows is its ``receipt`` field.", {})
_RECEIPT = lazy_compile(r"transaction\s+receipt")


class ReceiptUnit(ReportUnit):
    def make_items(self, parsed, provenance):
        return [Receipt(**{**provenance, "receipt": parsed})]

    def check(self, item):
        return None  # a receipt that parsed has its billing lines


UNIT = ReceiptUnit(
    parse, lambda lowered: "transaction" in lowered and bool(_RECEIPT.search(lowered)),
    name="receipt", item_class=Receipt, detect_rank=60,
    corpus_folders=("confirmation_pages",),
)

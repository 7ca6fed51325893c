"""Attachment pages: the doc1 "Document Selection Menu" listing a filing's main document and attachments.

Two layouts exist.  District courts list the main document ("Document Number: 12", or "12  Main
Document") above numbered attachments; each row may carry a checkbox named
``document_<doc>_<attachment>`` whose value is ``<dlsid>-<bytes>-<pages>``.  Bankruptcy courts
number *parts*: the main document is part 1 and attachment *n* is part *n + 1*, so those numbers
are shifted down by one.  Some district courts numbered parts too until a changeover document
(``Court.attachments_part_numbered_through`` in the court registry): a menu keeps the numbers each
document got when it was filed, so the shift is decided row by row from the row's document id.
"""

from __future__ import annotations

from typing import Any

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.courts import Court, UnknownCourtError, court_ids_for_pacer_doc_id, get_court
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.reports.base import refuse_other_report, refuse_problem_page
from pacer_spiders.parsers.common import (
    clean,
    decode,
    doc_id_from_url,
    first,
    go_dls_args,
    is_bankruptcy_court,
    query_param,
    selector,
)

_CHECKBOX_NAME = lazy_compile(r"^document_(\d*)_(\d+)$")
_FIRST_INT = lazy_compile(r"\d+")


def strip_all(values: list) -> list:
    return [value.strip() for value in values]


def parse(body: bytes, context: dict) -> dict:
    text = decode(body)
    refuse_problem_page(text, "attachment_page", (context or {}).get("court_id"))
    refuse_other_report(text, "attachment_page")
    if not is_attachment_menu(text):
        raise NotTheReport(PageProblem("not_attachment_page", "no 'Document Selection Menu' nor document checkboxes"))
    sel = selector(text)
    rows = [row for row in sel.xpath("//tr[.//a]") if row.xpath(".//a[contains(@href, 'doc1/')]")]
    if not rows:
        raise NotTheReport(PageProblem("not_attachment_page", "no document links: not a document selection menu"))

    court_id = (context or {}).get("court_id")
    court = _court(court_id, _doc_id(rows[0]))
    bankruptcy = court.kind == "bankruptcy" if court else is_bankruptcy_court(court_id)
    changeover = None if bankruptcy or court is None else court.attachments_part_numbered_through

    main_row = None
    first_number = _checkbox_numbers(rows[0])
    if first_number is None or first_number[1] == 0:
        main_row = rows.pop(0)

    result: dict[str, Any] = {
        "document_number": _document_number(sel, bankruptcy),
        "pacer_doc_id": _doc_id(main_row if main_row is not None else rows[0]),
        "pacer_case_id": _case_id(sel),
        "pacer_seq_no": _seq_no(sel, main_row if main_row is not None else rows[0]),
        "attachments": [],
    }
    if main_row is None:
        result["page_count"] = None
        result["file_size_str"] = ""
    else:
        result["page_count"] = _page_count(main_row)
        size = _file_size_bytes(main_row)
        if size is not None:
            result["file_size_bytes"] = size
        result["file_size_str"] = _file_size_str(main_row)

    for row in rows:
        number = _shown_number(row)
        if number is not None and _numbers_parts(_doc_id(row), bankruptcy, changeover):
            number -= 1
        attachment = {
            "attachment_number": number,
            "description": _description(row),
            "page_count": _page_count(row),
            "file_size_str": _file_size_str(row),
            "pacer_doc_id": _doc_id(row),
            "pacer_seq_no": _seq_no(sel, row),
        }
        size = _file_size_bytes(row)
        if size is not None:
            attachment["file_size_bytes"] = size
        result["attachments"].append(attachment)
    return result


def _checkbox_numbers(row) -> tuple[str, int] | None:
    name = first(row.xpath(".//input/@name").getall())
    match = _CHECKBOX_NAME.match(name or "")
    return (match.group(1), int(match.group(2))) if match else None


def _shown_number(row) -> int | None:
    numbers = _checkbox_numbers(row)
    if numbers is not None:
        return numbers[1]
    anchor_text = clean(first(strip_all(row.xpath(".//a[contains(@href, 'doc1/')]//text()").getall())))
    return int(anchor_text) if anchor_text.isdigit() else None


def _document_number(sel, bankruptcy: bool) -> int | None:
    for name in sel.xpath("//input/@name").getall():
        match = _CHECKBOX_NAME.match(name)
        if match:
            if not match.group(1):
                return None
            if int(match.group(1)) != 0:
                return int(match.group(1))
    if bankruptcy:
        return None  # bankruptcy menus do not show the document number
    for label in ("Document Number", "Main Document"):
        texts = sel.xpath(f"//tr[contains(., '{label}')]//a/text()").getall()
        if texts:
            value = texts[0].strip()
            return int(value) if value.isdigit() else None
    return None


def _doc_id(row) -> str | None:
    return doc_id_from_url(first(row.xpath(".//a/@href").getall()))


def _input_onclick_param(sel, name: str) -> str | None:
    """A numeric argument of the menu's button handlers (``onclick="...?caseid=638&..."``)."""
    for onclick in sel.xpath("//input/@onclick").getall():
        value = query_param(onclick, name)
        if value:
            return value
    return None


def _case_id(sel) -> str | None:
    for onclick in sel.xpath("//a/@onclick").getall():
        args = go_dls_args(onclick)
        if args:
            return args["caseid"]
    return _input_onclick_param(sel, "caseid")


def _seq_no(sel, row) -> str | None:
    args = go_dls_args(first(row.xpath(".//a/@onclick").getall()))
    if args:
        return args["de_seq_num"]
    return _input_onclick_param(sel, "arr_de_seq_nums")


def _file_size_bytes(row) -> int | None:
    return dc.checkbox_value_part(row.root, 1)


def _page_count(row) -> int | None:
    return dc.attachment_page_count(row.root)


def _file_size_str(row) -> str:
    return dc.attachment_size_str(row.root.xpath("./td"))


def _description(row) -> str:
    cells = row.root.xpath("./td")
    anchor_cell = next((i for i, cell in enumerate(cells) if cell.xpath(".//a")), 0)
    return dc.attachment_description(cells, anchor_cell)


def _court(court_id: str | None, doc_id: str | None) -> Court | None:
    """The page's court in the registry (whose facts a court plugin may change), else the court
    its document ids belong to; None when neither is known."""
    candidates = [court_id] if court_id else court_ids_for_pacer_doc_id(doc_id or "")
    for candidate in candidates:
        try:
            return get_court(candidate)
        except UnknownCourtError:
            continue
    return None


def _numbers_parts(doc_id: str | None, bankruptcy: bool, changeover: int | None) -> bool:
    """Whether a row's number counts the main document as part 1 (and so is one above the
    attachment number): always in bankruptcy courts; in a district court, for documents up to the
    court's changeover."""
    if bankruptcy:
        return True
    if changeover is None or not doc_id or not doc_id[3:].isdigit():
        return False
    return int(doc_id[3:]) <= changeover


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_into_entry  # noqa: E402

AttachmentPage = item_class("AttachmentPage", "A document's attachment menu (doc1): the main document and "
                            "its attachments.", fields(
                                "court_id", "pacer_case_id", "pacer_doc_id", "pacer_seq_no", "document_number",
                                "file_size_str", page_count="int", file_size_bytes="int", attachments="list"))
_ATTACHMENT_MENU = lazy_compile(
    r"document selection menu|name=[\"']?document_\d*_\d+|documents? (?:are|is) attached to this filing"
)


def is_attachment_menu(text: str) -> bool:
    """Whether the page carries the marks of a doc1 document selection menu."""
    low = text.lower()
    return "document" in low and bool(_ATTACHMENT_MENU.search(low))


UNIT = ReportUnit(
    parse, is_attachment_menu, merge_into_entry,
    name="attachment_page", ingest_type="attachment_page", item_class=AttachmentPage, joins_docket=True,
    detect_rank=50, path="/doc1/{pacer_doc_id}",
    corpus_folders=("attachment_pages",),
    whole_page=True,
)

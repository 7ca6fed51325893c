"""Attachment pages: the doc1 "Document Selection Menu" listing a filing's main document and attachments.

Two layouts exist.  District courts list the main document ("Document Number: 12", or "12  Main
Document") above numbered attachments; each row may carry a checkbox named
``document_<doc>_<attachment>`` whose value is ``<dlsid>-<bytes>-<pages>``.  Bankruptcy courts (and
older district menus) number *parts*: the main document is part 1 and attachment *n* is part
*n + 1*, so those numbers are shifted down by one.
"""

from __future__ import annotations

import re

from itemloaders.processors import MapCompose, TakeFirst

from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.reports.base import refuse_other_report, refuse_problem_page
from pacer_spiders.parsers.common import (
    clean,
    decode,
    doc_id_from_url,
    go_dls_args,
    is_bankruptcy_court,
    query_param,
    selector,
)

_CHECKBOX_NAME = re.compile(r"^document_(\d*)_(\d+)$")
_SIZE_UNIT = re.compile(r"\b[kKmM][bB]\b")
_FIRST_INT = re.compile(r"\d+")
first = TakeFirst()
strip_all = MapCompose(str.strip)


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

    part_numbered = is_bankruptcy_court((context or {}).get("court_id")) or bool(sel.xpath("//th[normalize-space()='Part']"))
    description_column = _header_column(sel, "Description") if part_numbered else None

    main_row = None
    first_number = _checkbox_numbers(rows[0])
    if first_number is None or first_number[1] == 0:
        main_row = rows.pop(0)

    result = {
        "document_number": _document_number(sel, part_numbered),
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

    shown = [_shown_number(row) for row in rows]
    # Part numbering counts the main document as 1; a menu whose numbers start at 2 does too.
    numbered = [n for n in shown if n is not None]
    shift = 1 if part_numbered or (numbered and min(numbered) >= 2) else 0
    for row, number in zip(rows, shown):
        attachment = {
            "attachment_number": number - shift if number is not None else None,
            "description": _description(row, description_column),
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


def _document_number(sel, part_numbered: bool) -> int | None:
    for name in sel.xpath("//input/@name").getall():
        match = _CHECKBOX_NAME.match(name)
        if match:
            if not match.group(1):
                return None
            if int(match.group(1)) != 0:
                return int(match.group(1))
    if part_numbered:
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


def _checkbox_value(row, index: int) -> int | None:
    """A part of the checkbox value ``<dlsid>-<bytes>-<pages>``; None when absent or zero."""
    value = first(row.xpath(".//input/@value").getall())
    parts = (value or "").split("-")
    if len(parts) != 3 or not parts[index].isdigit():
        return None
    return int(parts[index]) or None


def _file_size_bytes(row) -> int | None:
    return _checkbox_value(row, 1)


def _page_count(row) -> int | None:
    pages = _checkbox_value(row, 2)
    if pages:
        return pages
    for cell in row.xpath("./td[contains(., 'page')]/text()").getall():
        words = cell.split()
        if words and words[0].isdigit():
            return int(words[0])
    return None


def _file_size_str(row) -> str:
    cells = row.xpath("./td")
    if not cells:
        return ""
    last = clean("".join(cells[-1].xpath(".//text()").getall()))
    return last if _SIZE_UNIT.search(last) else ""


def _header_column(sel, label: str) -> int | None:
    headers = [clean(" ".join(th.xpath(".//text()").getall())) for th in sel.xpath("//tr[th][1]/th")]
    return headers.index(label) if label in headers else None


def _description(row, column: int | None) -> str:
    cells = row.xpath("./td")
    if column is None:
        anchor_cell = next((i for i, cell in enumerate(cells) if cell.xpath(".//a")), 0)
        column = anchor_cell + 1
    if column >= len(cells):
        return ""
    # The description is the cell's first text node; inner spacing is the filer's and is kept.
    return (first(cells[column].xpath(".//text()").getall()) or "").strip()


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_into_entry  # noqa: E402

AttachmentPage = item_class("AttachmentPage", "A document's attachment menu (doc1): the main document and "
                            "its attachments.", fields(
                                "court_id", "pacer_case_id", "pacer_doc_id", "pacer_seq_no", "document_number",
                                "file_size_str", page_count="int", file_size_bytes="int", attachments="list"))
_ATTACHMENT_MENU = re.compile(
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

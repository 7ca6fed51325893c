"""Written Opinions Report (WrtOpRpt.pl): the opinions a court filed in a period, free to view.

The report form (GET WrtOpRpt.pl) posts ``filed_from`` / ``filed_to`` (MM/DD/YYYY) and a sort key;
PACER answers with a page headed "Written Opinions Report" and one table, a header row of labels
("Case Number & Name:", "Date Filed:", "Doc. #", "Description:", and at some courts "Notes:"),
then one row per opinion: the case (a ``DktRpt.pl?<pacer_case_id>`` link around the docket
number, the caption after it or in a ``<b>`` below), the date filed, the document (a ``/doc1/``
link, with ``goDLS(...)`` giving its sequence number where the court adds it), the docket text,
and notes as ``<i>Label:</i> value`` lines (Office, Case Flags, NOS, Cause).  Neither the report
nor the opinions it links are billed.  The result is a list of opinions; each merges as its case
(a partial docket) with one entry and its document.
"""

from __future__ import annotations

import re
from datetime import date

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import (
    decode, doc_id_from_url, harmonize_case_name, parse_date, parse_docket_number,
)
from pacer_spiders.parsers.docket_common import br_split, html_root, seq_no_from_anchor, squash, text_content
from pacer_spiders.parsers.result_tables import cells_by_label, column, header_row, rows_after
from pacer_spiders.reports.base import refuse_problem_page

NAME = "free_opinions"
# The report's columns by the start of their labels ("Case Number & Name:", "Date Filed:", "Doc. #",
# "Description:", "Notes:").
COLUMNS = {"case": "case num", "date": "date filed", "document": "doc", "description": "desc", "notes": "note"}
_CASE_ID = lazy_compile(r"DktRpt\.pl\?(\d+)")
_NOTE_LABELS = {"nos": "nature_of_suit", "cause": "cause"}


def parse(body: bytes, context: dict) -> list:
    text = decode(body)
    court_id = (context or {}).get("court_id")
    refuse_problem_page(text, NAME, court_id)
    root = html_root(text)
    header, columns = header_row(root, COLUMNS["case"]) if root is not None else (None, {})
    if header is None or not _HEADING.search(text.lower()):
        raise NotTheReport(PageProblem("not_free_opinions", "no 'Written Opinions Report' table "
                                                            "(a header 'Case Number & Name:')"))
    labels = {name: column(columns, prefix) for name, prefix in COLUMNS.items()}
    anchor = labels["case"]
    assert anchor is not None  # header_row found the header by it
    opinions, case = [], None
    for row in rows_after(header):
        by_label = cells_by_label(row, columns, anchor, 0)
        cells = {name: by_label[label] for name, label in labels.items() if label in by_label}
        case_cell = cells.get("case")
        case_link = next((a for a in case_cell.iter("a") if _CASE_ID.search(a.get("href") or "")), None) \
            if case_cell is not None else None
        if case_link is not None:
            case = (case_cell, case_link)
        elif case is None or "document" not in cells or not cells["document"].xpath(".//a[contains(@href, '/doc1/')]"):
            continue
        # A further opinion of the same case leaves the case cell blank.
        opinions.append(_opinion(*case, cells, court_id))
    if not opinions and not _NONE_FOUND.search(text):
        raise NotTheReport(PageProblem("empty", "the written opinions report lists no opinion"))
    return opinions


def _opinion(case_cell, case_link, cells: dict, court_id) -> dict:
    link_text = squash(text_content(case_link))
    docket_number, parts = parse_docket_number(link_text)
    caption = squash(" ".join(text_content(b) for b in case_cell.iter("b")))
    if not caption:  # the caption follows the number inside the link
        caption = link_text.split(" ", 1)[1] if " " in link_text else ""
    document = next((a for a in cells["document"].iter("a") if "/doc1/" in (a.get("href") or "")), None) \
        if "document" in cells else None
    notes = {}
    for line in br_split(cells["notes"]) if "notes" in cells else []:
        label, _, value = line.partition(":")
        key = _NOTE_LABELS.get(label.strip().lower())
        if key:
            notes[key] = value.strip()
    case_id = _CASE_ID.search(case_link.get("href"))
    assert case_id is not None  # the case link was picked by it
    return {
        "case_name": harmonize_case_name(caption),
        "cause": notes.get("cause", ""),
        "court_id": court_id,
        "date_filed": parse_date(text_content(cells["date"])) if "date" in cells else None,
        # The docket text as PACER prints it (the reference keeps its spacing).
        "description": text_content(cells["description"]) if "description" in cells else "",
        "docket_number": docket_number,
        "document_number": squash(text_content(document)) or None if document is not None else None,
        **parts,
        "nature_of_suit": notes.get("nature_of_suit", ""),
        "pacer_case_id": case_id.group(1),
        "pacer_doc_id": doc_id_from_url(document.get("href"), court_id) if document is not None else None,
        "pacer_seq_no": seq_no_from_anchor(document) if document is not None else None,
    }


def form_fields(date_start: date, date_end: date) -> dict:
    """The fields WrtOpRpt.pl's form posts for the opinions filed from ``date_start`` to ``date_end``."""
    return {"filed_from": f"{date_start:%m/%d/%Y}", "filed_to": f"{date_end:%m/%d/%Y}", "ShowFull": "1",
            "Key1": "cs_sort_case_numb", "all_case_ids": "0"}


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.parsers.common import DOCKET_NUMBER_FIELDS  # noqa: E402
from pacer_spiders.reports.base import ReportUnit  # noqa: E402

FreeOpinionReport = item_class(
    "FreeOpinionReport", "A written opinions report (WrtOpRpt.pl): each opinion in ``opinions`` (dicts of the "
    "``FreeOpinion`` fields).", fields(opinions="list"))
FreeOpinion = item_class("FreeOpinion", "One opinion of a written opinions report: its case and document.", {
    **fields("case_name", "cause", "court_id", "description", "docket_number", "document_number",
             "nature_of_suit", "pacer_case_id", "pacer_doc_id", "pacer_seq_no", *DOCKET_NUMBER_FIELDS,
             date_filed="date")}, page=False)
_ENTRY_FIELDS = ("date_filed", "description", "document_number", "pacer_doc_id", "pacer_seq_no")


class FreeOpinionsUnit(ReportUnit):
    def make_items(self, parsed, provenance):
        return [FreeOpinionReport(**provenance, opinions=[dict(FreeOpinion(**o)) for o in parsed])]

    def check(self, item):
        return None  # a period without opinions is an answer, not an empty page


def merge(archive, item):
    """Each opinion's case is a partial docket holding the opinion's entry and its document."""
    from pacer_spiders.reports.rss import merge_cases

    cases = []
    for opinion in item.get("opinions") or []:
        case = {k: v for k, v in opinion.items() if k not in _ENTRY_FIELDS and k != "court_id"}
        case["docket_entries"] = [{k: opinion.get(k) for k in _ENTRY_FIELDS}]
        cases.append(case)
    return merge_cases(archive, {**item, "cases": cases})


_HEADING = lazy_compile(r"written opinions? report")
# PACER's answer for a period without opinions.
_NONE_FOUND = lazy_compile(r"No (?:written )?opinions? (?:were )?found|Total number of opinions reported:\s*(?:</b>)?\s*0\b",
                         re.I)

UNIT = FreeOpinionsUnit(
    parse, lambda lowered: "case number &amp; name" in lowered and bool(_HEADING.search(lowered)), merge,
    name=NAME, ingest_type=NAME, item_class=FreeOpinionReport, detect_rank=25, path="/cgi-bin/WrtOpRpt.pl",
    corpus_folders=("free_opinion_report",),
)

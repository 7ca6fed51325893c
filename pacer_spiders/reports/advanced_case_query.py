"""Advanced case query (iquery.pl searched by name, dates or case type): the "Select a Case" list.

PACER answers a search that matches more than one case with a table headed "Select a Case": one
row per matching case, columns labelled Case No. (a link ``iquery.pl?<number>-L_..-<pacer_case_id>``
around the docket number), Case Title, Chapter / Lead BK case (an adversary proceeding names its
lead case there), Date Filed and Date Closed ("N / A" while open), and, when the search was by
person, Name and Party Role.  A search for a person prints the person once for several cases, so
rows are read by column label, aligned on the case number cell.  The search is billed: a receipt
closes the page.  The result is a list of cases, each a partial docket.
"""

from __future__ import annotations


from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import decode, harmonize_case_name, parse_date, parse_docket_number
from pacer_spiders.parsers.docket_common import html_root, squash, text_content
from pacer_spiders.parsers.result_tables import cells_by_label, column, header_row, rows_after
from pacer_spiders.reports.base import refuse_problem_page

NAME = "advanced_case_query"
# The list's columns by the start of their labels.
COLUMNS = {"number": "case no", "title": "case title", "chapter": "chapter", "filed": "date filed",
           "closed": "date closed"}
_CASE_LINK = lazy_compile(r"iquery\.pl\?[^\"'>]*?-(\d+)$")


def parse(body: bytes, context: dict) -> list:
    text = decode(body)
    refuse_problem_page(text, NAME, (context or {}).get("court_id"))
    root = html_root(text)
    header, columns = header_row(root, COLUMNS["number"]) if root is not None else (None, {})
    if header is None:
        raise NotTheReport(PageProblem("not_advanced_case_query", "no case list (a table headed 'Case No.')"))
    labels = {name: column(columns, prefix) for name, prefix in COLUMNS.items()}
    anchor = labels["number"]
    assert anchor is not None  # header_row found the header by it
    cases = []
    for row in rows_after(header):
        anchors = [a for a in row.iter("a") if "iquery.pl?" in (a.get("href") or "")]
        if not anchors:
            continue
        cell = anchors[0].getparent()
        while cell is not None and cell.tag not in ("td", "th"):
            cell = cell.getparent()
        cells = [c for c in row if c.tag in ("td", "th")]
        if cell is None or cell not in cells:
            continue
        by_label = cells_by_label(row, columns, anchor, cells.index(cell))
        cases.append(_case(anchors[0], {name: by_label[label] for name, label in labels.items() if label in by_label}))
    if not cases:
        raise NotTheReport(PageProblem("empty", "the case list names no case"))
    return cases


def _case(anchor, cells: dict) -> dict:
    def value(name: str) -> str:
        return squash(text_content(cells[name])) if name in cells else ""

    docket_number, parts = parse_docket_number(squash(text_content(anchor)))
    case_id = _CASE_LINK.search((anchor.get("href") or "").strip())
    return {
        "case_name": harmonize_case_name(value("title")),
        "chapter": value("chapter") or None,
        "date_closed": parse_date(value("closed")),
        "date_filed": parse_date(value("filed")),
        "docket_number": docket_number,
        **parts,
        "pacer_case_id": case_id.group(1) if case_id else None,
    }


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.parsers.common import DOCKET_NUMBER_FIELDS  # noqa: E402
from pacer_spiders.reports.base import ReportUnit  # noqa: E402

AdvancedCaseQuery = item_class(
    "AdvancedCaseQuery", "An advanced case query's list of matching cases (iquery.pl): each case in ``cases`` "
    "(dicts of the ``AdvancedQueryCase`` fields).", fields(cases="list"))
AdvancedQueryCase = item_class("AdvancedQueryCase", "One case an advanced case query lists.", {
    **fields("case_name", "chapter", "docket_number", "pacer_case_id", *DOCKET_NUMBER_FIELDS,
             date_filed="date", date_closed="date")}, page=False)


class AdvancedCaseQueryUnit(ReportUnit):
    def make_items(self, parsed, provenance):
        return [AdvancedCaseQuery(**provenance, cases=[dict(AdvancedQueryCase(**case)) for case in parsed])]


def merge(archive, item):
    """Each listed case is a partial docket: its number, case id, title and dates (closed is the
    docket's date terminated)."""
    from pacer_spiders.reports.rss import merge_cases

    cases = [{**{k: v for k, v in case.items() if k not in ("date_closed", "chapter")},
              "date_terminated": case.get("date_closed")} for case in item.get("cases") or []]
    return merge_cases(archive, {**item, "cases": cases})


# "Select a Case" above a table with a "Case No." column of iquery.pl links.
_MARKS = lazy_compile(r"select a case")
_LINKS = lazy_compile(r"iquery\.pl\?\d+-l_\w+-\d+-\d+")

UNIT = AdvancedCaseQueryUnit(
    parse, lambda lowered: bool("case no." in lowered and _MARKS.search(lowered) and _LINKS.search(lowered)), merge,
    name=NAME, ingest_type=NAME, item_class=AdvancedCaseQuery, billed=True, detect_rank=35,
    path="/cgi-bin/iquery.pl", corpus_folders=("case_queries_advanced",),
)

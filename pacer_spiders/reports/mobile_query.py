"""Mobile case query (mobile_query.pl?search=caseinfo): a case's summary and its number of entries.

CM/ECF Mobile shows one case as a jQuery Mobile list: a heading (``data-role="list-divider"``) with
the docket number, "Filed: MM/DD/YYYY" and the caption, then links to the case's attorneys,
parties and deadlines, and "Docket Entries" (``id="entriesLink"``, ``search=dktEntry&caseid=N``)
with the count of the docket's entries in a ``ui-li-count`` bubble.  PACER does not bill it when
asked by docket number; a receipt, when there is one, gives ``cost``.  The entry count tells
whether a docket we hold has moved without buying it (issue "Free sources first").
"""

from __future__ import annotations

import re

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import (
    decode, harmonize_case_name, parse_date, parse_docket_number, query_param,
)
from pacer_spiders.parsers.docket_common import html_root, squash, text_content
from pacer_spiders.reports.base import refuse_problem_page

NAME = "mobile_query"
REFERENCE_KEYS = ("cost", "court_id", "entry_count")
_COUNT = lazy_compile(r"^\d+$")


def parse(body: bytes, context: dict) -> dict:
    from pacer_spiders.reports.receipt import receipt_of

    text = decode(body)
    court_id = (context or {}).get("court_id")
    refuse_problem_page(text, NAME, court_id)
    root = html_root(text)
    entries = _entries_link(root) if root is not None else None
    if entries is None:
        raise NotTheReport(PageProblem("not_mobile_query", "no 'Docket Entries' link with an entry count "
                                                           "(a mobile query of one case)"))
    link, count = entries
    heading = next(iter(root.xpath("//li[@data-role='list-divider']")), None)
    number_text = _text_of(heading, ".//*[contains(@class, 'ui-block-a')]")
    filed = _text_of(heading, ".//*[contains(@class, 'ui-block-b')]")
    # The caption is the <div> after the number's grid.
    caption = _text_of(heading, ".//*[contains(@class, 'ui-grid-a')]/following-sibling::div[1]")
    docket_number, parts = parse_docket_number(number_text or query_param_text(link, "caseNum"))
    receipt = receipt_of(body)
    return {
        "cost": receipt["cost"] if receipt else "",
        "court_id": court_id,
        "entry_count": count,
        "docket_number": docket_number,
        **parts,
        "pacer_case_id": query_param(link, "caseid"),
        "case_name": harmonize_case_name(caption),
        "case_name_raw": caption,
        "date_filed": parse_date(filed),
    }


def _text_of(node, path: str) -> str:
    """The squashed text of the first element at ``path`` under ``node`` ("" when none)."""
    found = node.xpath(path) if node is not None else []
    return squash(text_content(found[0])) if found else ""


def _entries_link(root) -> tuple[str, int] | None:
    """(the href of the "Docket Entries" link, the entry count beside it), or None."""
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        if "search=dktentry" not in href.lower():
            continue
        for span in anchor.iter("span"):
            number = squash(text_content(span))
            if "ui-li-count" in (span.get("class") or "") and _COUNT.match(number):
                return href, int(number)
    return None


def query_param_text(url: str, name: str) -> str:
    match = re.search(rf"[?&]{name}=([^&#]+)", url or "")
    return match.group(1) if match else ""


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import PROVENANCE_FIELDS, fields, item_class  # noqa: E402
from pacer_spiders.parsers.common import DOCKET_NUMBER_FIELDS  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, report_fields  # noqa: E402

MobileQuery = item_class(
    "MobileQuery", "A mobile case query (mobile_query.pl): the case's number, case id, caption, date filed and "
    "``entry_count``, the number of entries its docket has at PACER.  ``cost`` is what PACER billed.",
    fields("docket_number", "pacer_case_id", "case_name", "case_name_raw", *DOCKET_NUMBER_FIELDS,
           date_filed="date", entry_count="int"))


class MobileQueryUnit(ReportUnit):
    def make_items(self, parsed, provenance):
        # ``cost`` is a provenance field (the dollars the crawl was billed): the page's own (a
        # receipt's cost string, "" when free) stands in only where the crawl recorded none.
        from pacer_spiders.reports.receipt import receipt_cost

        own = {k: v for k, v in parsed.items() if k not in PROVENANCE_FIELDS}
        cost = provenance.get("cost")
        return [MobileQuery(**{**provenance, **own, "cost": receipt_cost(parsed) if cost is None else cost})]


def merge(archive, item):
    """The case as a partial docket (number, case id, caption, date filed); the result's ``changes``
    carry ``entry_count`` (PACER's) and ``entries_held`` (ours), so a caller sees whether the
    docket moved without buying it."""
    case = {k: v for k, v in report_fields(item).items() if k not in ("entry_count", "case_name_raw")}
    result = archive.merge_docket(item["court_id"], case, {"pacer_case_id": item.get("pacer_case_id")})
    held = archive.reader.docket_by_id(result.docket_id) if result.docket_id else None
    held = archive.reader.find_docket(item["court_id"], held["pacer_case_id"], held["docket_number"]) if held else None
    result.changes = {**result.changes, "entry_count": item.get("entry_count"),
                      "entries_held": held["entry_count"] if held else 0}
    return result


_MARKS = lazy_compile(r"mobile_query\.pl\?search=dktentry")

UNIT = MobileQueryUnit(
    parse, lambda lowered: "ui-li-count" in lowered and bool(_MARKS.search(lowered)), merge,
    name=NAME, ingest_type=NAME, item_class=MobileQuery, names_case=True, detect_rank=26,
    path="/cgi-bin/mobile_query.pl?search=caseinfo&caseid={pacer_case_id}", reference_keys=REFERENCE_KEYS,
    corpus_folders=("mobile_queries",),
)

"""Lists of creditors (CM/ECF bankruptcy "Creditor Mailing Matrix", raw data format).

After the transaction receipt, the page is a form posting the creditor matrix to the BNC's label
service: a hidden input named ``data`` holds the matrix, one creditor a line, fields separated by
``|`` (number, name, up to five address lines).  The first line is the matrix's own label ("Label
Matrix for local noticing", the case number as "Case 2:10-bk-10642-VZ", court, office, date); the
last ends it ("End of Label Matrix", the count).  A case without creditors says so instead
("Your requested case 22-12474 does not have creditors."): its ``data`` is None.

The reference field set is the court and the raw ``data``; ``docket_number`` and ``creditors``
(number, name, address lines) are read from them for the archive.
"""

from __future__ import annotations

import re
from typing import Any

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.parsers.common import clean, decode
from pacer_spiders.reports.base import refuse_problem_page
from pacer_spiders.reports.claims_register import bankruptcy_number

REPORT = "list_of_creditors"
_NO_CREDITORS = lazy_compile(r"your requested case\s+(\S+)\s+does not have creditors", re.I)
_MATRIX_CASE = lazy_compile(r"^Case\s+(\S+)", re.I)


def parse(body: bytes, context: dict) -> dict:
    text = decode(body)
    refuse_problem_page(text, REPORT, (context or {}).get("court_id"))
    result: dict[str, Any] = {"court_id": (context or {}).get("court_id"), "data": None, "docket_number": None, "creditors": []}
    empty = _NO_CREDITORS.search(text)
    if empty:
        result["docket_number"] = bankruptcy_number(empty.group(1))[0]
        return result
    root = dc.html_root(body)
    values = root.xpath("//input[translate(@name, 'DATA', 'data')='data']/@value") if root is not None else []
    if not values:
        raise NotTheReport(PageProblem("not_list_of_creditors", "no creditor matrix (the form's 'data' field)"))
    result["data"] = values[0]
    result["docket_number"], result["creditors"] = read_matrix(values[0])
    return result


def read_matrix(data: str) -> tuple[str | None, list[dict]]:
    """The case number and the creditors of a raw creditor matrix."""
    docket_number, creditors = None, []
    for line in data.splitlines():
        cells = [clean(cell) for cell in line.split("|")]
        if len(cells) < 2 or not cells[0].isdigit():
            continue
        name = cells[1]
        if name.lower().startswith("label matrix"):
            case = next((m for m in (_MATRIX_CASE.match(c) for c in cells[2:]) if m), None)
            docket_number = bankruptcy_number(case.group(1))[0] if case else None
            continue
        if name.lower().startswith("end of label matrix"):
            continue
        creditors.append({"number": int(cells[0]), "name": name, "address": "\n".join(c for c in cells[2:] if c)})
    return docket_number, creditors


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit  # noqa: E402

ListOfCreditors = item_class("ListOfCreditors", "A bankruptcy case's list of creditors (the raw creditor matrix), "
                             "and the creditors read from it.", fields("court_id", "data", "docket_number",
                                                                       creditors="list"))
Creditor = item_class("Creditor", "One creditor of a list of creditors.", fields(
    "name", "address", number="int"), page=False)
_CREDITORS = lazy_compile(r"name=\"?data\"?[^>]*value=\"?\d+\|label matrix|does not have creditors"
                        r"|>\s*list of creditors\s*</font>")


def merge(archive, item):
    """The case into its docket (made when unknown), then its creditors under it."""
    from pacer_spiders.db.claims import add_counts

    pacer_case_id = (item.get("context") or {}).get("pacer_case_id")
    if not (item.get("docket_number") or pacer_case_id):
        return None
    result = archive.merge_docket(item["court_id"], {"docket_number": item.get("docket_number")},
                                  {"pacer_case_id": pacer_case_id} if pacer_case_id else {})
    return add_counts(result, archive.merge_creditors(result.docket_id, item.get("creditors") or []))


UNIT = ReportUnit(
    parse, lambda lowered: ("creditors" in lowered or "label matrix" in lowered) and bool(_CREDITORS.search(lowered)),
    merge,
    name=REPORT, ingest_type=REPORT, item_class=ListOfCreditors, billed=True, names_case=True, detect_rank=57,
    path="/cgi-bin/CreditorQry.pl?{pacer_case_id}",
    reference_keys=("court_id", "data"),
    corpus_folders=("list_of_creditors",),
)

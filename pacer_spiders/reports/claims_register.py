"""Claims registers (SearchClaims.pl): every proof of claim filed in one bankruptcy case.

The page opens with the case (``<h2>court<br>Claims Register</h2>``, the docket number and caption
linked to the docket, a ``<span class='label'>Closed</span> date`` status) and a table of
``<b>Label:</b> value`` cells (judge, chapter, office, trustee, claims bar dates).  Each claim is a
``complexReport`` table: the creditor (id in brackets, then its address lines), the claim number and
its dates, its status and filers, a table of ``<kind> claimed: $amount`` rows, the claim's history
(``show_doc.pl`` links to the claim's versions, ``claim_num=<claim>-<version>``, or to docket
entries, ``de_seq_num``/``dm_id``/``doc_num``), its description and remarks.  A "Claims Register
Summary" of ``<b>Label:</b> value`` lines (case name, date filed, number of claims) and the
transaction receipt close the page.
"""

from __future__ import annotations

import copy
import html
import re
from urllib.parse import parse_qs, urlsplit

from lxml import etree

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.parsers.common import clean, decode, parse_date, parse_docket_number
from pacer_spiders.reports.base import refuse_problem_page

REPORT = "claims_register"
_NO_CLAIMS = lazy_compile(r"no claims found for this case[^<]*", re.I)
_SUMMARY = lazy_compile(r"claims\s+register\s+summary(.*?)(?:<table|<hr|$)", re.I | re.S)
_SUMMARY_PAIR = lazy_compile(r"<b>\s*([^<:]+?)\s*:\s*</b>([^<]*)", re.I)
_AMOUNT_ROW = lazy_compile(r"^(\w+)\s+(claimed|allowed)\s*:\s*(\S*)$", re.I)
_STATUS_LABEL = lazy_compile(r"^(closed|converted|dismissed|discharged|terminated|reopened)$", re.I)
_CREDITOR_ID = lazy_compile(r"\((\d+)\)")
_JUDGE_AND_CHAPTER = lazy_compile(r"^\S*?\d{2}-\d{3,10}-([A-Za-z]{2,5})\d{1,2}\b")
HEADER_FIELDS = {
    "judge": "assigned_to_str", "chapter": "chapter", "office": "office", "trustee": "trustee_str",
    "last date to file claims": "date_last_to_file_claims", "last date to file (govt)": "date_last_to_file_govt",
}
SUMMARY_FIELDS = {"case name": "case_name", "case number": "case_number", "chapter": "chapter",
                  "date filed": "date_filed", "total number of claims": "total_number_of_claims"}


# -- helpers the claims reports share -------------------------------------------------------------
def bankruptcy_number(text: str | None) -> tuple[str | None, dict]:
    """A bankruptcy docket number and its parts.  A trailing number of a bankruptcy case is its
    chapter (``23-00332-JJG-13``, or run into the judge's initials: ``22-61518-thp13``), never a
    defendant's: bankruptcy cases have none."""
    number, parts = parse_docket_number(text)
    if number is not None and parts["federal_dn_case_type"] in (None, "bk"):
        parts["federal_defendant_number"] = None
        joined = _JUDGE_AND_CHAPTER.search(text or "")
        if parts["federal_dn_judge_initials_assigned"] is None and joined:
            parts["federal_dn_judge_initials_assigned"] = joined.group(1)
    return number, parts


def link_params(href: str | None) -> dict:
    """The query parameters of a link (first value each)."""
    return {k: v[0] for k, v in parse_qs(urlsplit(html.unescape(href or "")).query).items()}


def cell_lines(cell) -> list[str]:
    """The lines of a cell (``<br>``-separated), text nodes joined as written, ends stripped.  Links
    are left out: in these cells they lead elsewhere ("Claimant History", "See Doc 30")."""
    if cell is None:
        return []
    cell = copy.deepcopy(cell)
    for anchor in cell.xpath(".//a"):
        _drop(anchor)
    return [line.strip() for line in dc.br_split(cell, joiner="")]


def _drop(element) -> None:
    """Remove an element, keeping the text that follows it."""
    parent, tail = element.getparent(), element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def label_value(line: str) -> tuple[str, str] | None:
    """``Label: value`` -> (lower-cased label, value); None for a line without a label."""
    label, colon, value = line.partition(":")
    label = " ".join(label.split()).lower()
    if not colon or not label or len(label) > 40:
        return None
    return label, value.strip()


def no_claims_refusal(text: str, report: str) -> None:
    match = _NO_CLAIMS.search(text)
    if match:
        raise NotTheReport(PageProblem("no_claims", f"the {report} says: {clean(match.group(0))}"))


# -- the register ---------------------------------------------------------------------------------
def parse(body: bytes, context: dict) -> dict:
    root = dc.html_root(body)
    text = decode(body)
    refuse_problem_page(text, REPORT, (context or {}).get("court_id"))
    no_claims_refusal(text, "claims register")
    if root is None or not root.xpath("//h2[contains(translate(., 'CLAIMSREGT', 'claimsregt'), 'claims register')]"):
        raise NotTheReport(PageProblem("not_claims_register", "no 'Claims Register' heading"))
    data: dict = {"court_id": (context or {}).get("court_id")}
    caption = root.xpath("(//h2/following::font[@size='+1'])[1]")
    number_text = ""
    if caption:
        anchor = caption[0].find(".//a")
        number_text = dc.text_content(anchor if anchor is not None else caption[0]).strip()
        for span in caption[0].xpath(".//span[@class='label']"):
            status = dc.text_content(span).strip()
            if _STATUS_LABEL.match(status):
                data[f"date_{status.lower()}"] = parse_date(span.tail)
    _header(root, data)
    summary = _summary(text)
    docket_number, parts = bankruptcy_number(number_text.split(" ", 1)[0] if number_text else summary.get("case_number"))
    if docket_number is None:
        docket_number, parts = bankruptcy_number(summary.get("case_number"))
    if docket_number is None:
        raise NotTheReport(PageProblem("not_claims_register", "the claims register names no case number"))
    data["docket_number"] = docket_number
    data.update(parts)
    data["case_name"] = clean(summary.get("case_name") or (number_text.split(" ", 1) + [""])[1])
    data.setdefault("chapter", summary.get("chapter"))
    data["date_filed"] = parse_date(summary.get("date_filed"))
    data["total_number_of_claims"] = summary.get("total_number_of_claims")
    data["claims"] = [_claim(table) for table in root.xpath("//table[contains(@class, 'complexReport')]")]
    return data


def _header(root, data: dict) -> None:
    for cell in root.xpath("//table[not(contains(@class, 'complexReport'))]//td[b]"):
        pair = label_value(dc.text_content(cell).strip())
        if pair is None:
            continue
        label, value = pair
        label = "judge" if label.endswith("judge") else label
        key = HEADER_FIELDS.get(label)
        if key and key not in data:
            data[key] = parse_date(value) if key.startswith("date_") else clean(value)


def _summary(text: str) -> dict:
    match = _SUMMARY.search(text)
    if not match:
        return {}
    found = {}
    for label, value in _SUMMARY_PAIR.findall(match.group(1)):
        key = SUMMARY_FIELDS.get(" ".join(label.split()).lower())
        if key and key not in found:
            found[key] = clean(html.unescape(value))
    return found


def _labelled_cell(table, label: str):
    cells = _LABELLED_CELLS(table, label=label)
    return cells[0] if cells else None


# The innermost cell whose italic label starts with $label (compiled once, not per claim and label).
_LABELLED_CELLS = etree.XPath(".//td[not(.//td)][.//i[starts-with(normalize-space(.), $label)]]")


def _claim(table) -> dict:
    claim: dict = {}
    creditor = cell_lines(_labelled_cell(table, "Creditor:"))
    creditor_id = _CREDITOR_ID.search(creditor[0]) if creditor else None
    claim["creditor_id"] = creditor_id.group(1) if creditor_id else None
    claim["creditor_details"] = "\n".join(line for line in creditor[1:] if line)
    number_cell = table.xpath(".//td[not(.//td)][.//b[starts-with(normalize-space(.), 'Claim No')]]")
    for line in cell_lines(number_cell[0]) if number_cell else []:
        pair = label_value(line)
        if pair is None:
            continue
        label, value = pair
        if label == "claim no":
            claim["claim_number"] = int(value) if value.isdigit() else value
        else:  # "Original Filed Date", "Last Amendment Entered" ...
            words = [w for w in label.split() if w != "date"]
            claim["date_" + "_".join(words)] = parse_date(value)
    for line in cell_lines(_labelled_cell(table, "Status:")):
        pair = label_value(line)
        if pair is None:
            continue
        label, value = pair
        if label == "modified":
            claim["date_modified"] = parse_date(value)
        else:
            claim[label.replace(" ", "_")] = value
    for row in table.xpath(".//tr[not(.//tr)]"):
        match = _AMOUNT_ROW.match(" ".join(dc.text_content(row).split()))
        if match:
            claim[f"{match.group(1).lower()}_{match.group(2).lower()}"] = match.group(3)
    claim["history"] = [entry for row in table.xpath(".//tr[not(.//tr)][.//a[contains(@href, 'show_doc.pl')]]")
                        if (entry := _history_entry(row))]
    for label in ("Description", "Remarks"):
        lines = cell_lines(_labelled_cell(table, f"{label}:"))
        if lines:
            lines[0] = lines[0].partition(":")[2].strip()
        claim[label.lower()] = "\n".join(line for line in lines if line)
    return claim


def _history_entry(row) -> dict | None:
    link = row.xpath(".//a[contains(@href, 'show_doc.pl')]")[0]
    params = link_params(link.get("href"))
    cells = row.xpath("./td")
    date = next((d for d in (parse_date(dc.text_content(c)) for c in cells) if d), None)
    description = dc.text_content(cells[-1]).strip() if cells else ""
    entry = {"date_filed": date, "description": description, "pacer_case_id": params.get("caseid")}
    if "claim_id" in params:
        claim, _, version = params.get("claim_num", "").partition("-")
        entry.update(type="claim", id=params["claim_id"], document_number=_int(claim), attachment_number=_int(version))
    elif "dm_id" in params:
        entry.update(type="docket_entry", document_number=_int(params.get("doc_num")), pacer_dm_id=params["dm_id"],
                     pacer_seq_no=params.get("de_seq_num"))
    else:
        return None
    return entry


def _int(value: str | None):
    return int(value) if value and value.isdigit() else value


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.parsers.common import DOCKET_NUMBER_FIELDS  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, report_fields  # noqa: E402

ClaimsRegister = item_class("ClaimsRegister", "A bankruptcy case's claims register (SearchClaims.pl): the case "
                            "and every claim with its history.", fields(
                                "court_id", "docket_number", "case_name", "assigned_to_str", "chapter", "office",
                                "trustee_str", "total_number_of_claims", *DOCKET_NUMBER_FIELDS,
                                date_filed="date", date_closed="date", date_converted="date", date_dismissed="date",
                                date_discharged="date", date_terminated="date", date_reopened="date",
                                date_last_to_file_claims="date", date_last_to_file_govt="date", claims="list"))
_REGISTER = lazy_compile(r"claims\s+register\s*</h2>|>\s*claims\s+register\s*</font>")


def amounts_of(claim: dict) -> dict:
    """A claim's amounts by kind (``amount_claimed``, ``secured_claimed`` ...), the stated ones."""
    return {k: v for k, v in claim.items() if k.endswith(("_claimed", "_allowed")) and v}


def merge_case_claims(archive, court_id: str, case: dict, pacer_case_id, claims: list[dict]):
    """The case into its docket (made when unknown), then its claims under it."""
    from pacer_spiders.db.claims import add_counts
    from pacer_spiders.db.merge_policy import DOCKET_FIELDS

    docket = {key: case[key] for key in DOCKET_FIELDS if key in case}
    result = archive.merge_docket(court_id, docket, {"pacer_case_id": pacer_case_id} if pacer_case_id else {})
    return add_counts(result, archive.merge_claims(result.docket_id, court_id, claims))


def merge(archive, item):
    fields = report_fields(item)
    claims = fields.get("claims") or []
    history = [line for claim in claims for line in claim.get("history") or []]
    pacer_case_id = (item.get("context") or {}).get("pacer_case_id") or next(
        (line["pacer_case_id"] for line in history if line.get("pacer_case_id")), None)
    case = dict(fields, date_terminated=fields.get("date_closed") or fields.get("date_terminated"))
    stored = [{**claim, "amounts": amounts_of(claim), "history": [
        {**line, "pacer_claim_id": line.get("id"),
         "history_key": f"claim:{line.get('id')}" if line["type"] == "claim" else f"entry:{line.get('pacer_dm_id')}"}
        for line in claim.get("history") or []]} for claim in claims]
    return merge_case_claims(archive, item["court_id"], case, pacer_case_id, stored)


UNIT = ReportUnit(
    parse, lambda lowered: "claims" in lowered and bool(_REGISTER.search(lowered)), merge,
    name=REPORT, ingest_type=REPORT, item_class=ClaimsRegister, billed=True, names_case=True, detect_rank=56,
    path="/cgi-bin/SearchClaims.pl?{pacer_case_id}",
    corpus_folders=("claims_registers",),
)

"""The docket history report (``HistDocQry.pl``) -> case metadata and entries with short descriptions.

Page structure: a ``<center>`` block of lines (docket number in ``<font size="+1">``, the case
title on the line after it, "Judge, presiding", "Date filed:", "Date of last filing:"), then a
table headed "Description" whose rows are ``number | Filed: date / Entered: date | short
description``, each optionally followed by a one- or two-cell row with the long "Docket Text".
"""

from __future__ import annotations

import re

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.parsers.common import decode, is_bankruptcy_court
from pacer_spiders.reports.docket import CASE_NAME_PATTERNS, DATE_DISCHARGED, DATE_TERMINATED
from pacer_spiders.parsers.problems import page_problem

REPORT = "history"

DATE_FILED = dc.labelled_date(r"[fF]iled:")
DATE_LAST_FILING = dc.labelled_date(r"last\s+filing:", re.I)
DATE_FILED_AND_ENTERED = dc.labelled_date(r"& Entered:")
DATE_ENTERED = dc.labelled_date(r"[eE]ntered:")
ASSIGNED_TO = lazy_compile(r"(.*),\s+presiding", re.S | re.I)
REFERRED_TO = lazy_compile(r"(.*),\s+referral", re.S | re.I)
DOCKET_TEXT_LABEL = "Docket Text: "


def parse(body: bytes | str, context: dict | None = None) -> dict:
    """A docket history page -> the reference dict; NotTheReport for any other page."""
    context = context or {}
    text = decode(body)
    problem = page_problem(text, REPORT, context.get("court_id"))
    if problem is not None:
        raise NotTheReport(problem)
    root = dc.html_root(text)
    court_id = context.get("court_id") or ""
    bankruptcy = is_bankruptcy_court(court_id)
    values = [v for v in (dc.clean_string(t) for t in root.xpath("//center[not(.//table)]//text()")) if v]
    values.append(" ".join(values))
    patterns = [dc.DISTRICT_NUMBER, dc.BANKRUPTCY_NUMBER] if bankruptcy else [dc.DISTRICT_NUMBER]
    strings = [dc.text_content(n) for n in root.xpath('//center//font[@size="+1"]')]
    docket_number, parts = dc.find_docket_number(strings, patterns)
    data = {
        "court_id": court_id,
        "docket_number": docket_number,
        "case_name": _case_name(values, patterns, bankruptcy),
        "date_filed": dc.first_match(DATE_FILED, values, as_date=True),
        "date_last_filing": dc.first_match(DATE_LAST_FILING, values, as_date=True),
        "date_terminated": dc.first_match(DATE_TERMINATED, values, as_date=True),
        "date_discharged": dc.first_match(DATE_DISCHARGED, values, as_date=True),
        "assigned_to_str": _assigned_judge(values, root, bankruptcy),
        "referred_to_str": dc.find_judge(REFERRED_TO, values, root),
    }
    data.update(parts)
    data = dc.clean_value(data)
    data["docket_entries"] = _entries(root, court_id)
    return data


def _case_name(values: list[str], patterns, bankruptcy: bool) -> str:
    """The line after the docket number line is the case title."""
    found = set()
    lines = values[:-1]
    for previous, line in zip(lines, lines[1:]):
        if not any(p.search(previous) for p in patterns):
            continue
        if bankruptcy:
            return dc.harmonize(line)
        for pattern in CASE_NAME_PATTERNS:
            match = pattern.match(line)
            if match:
                found.add(match.group(1))
    return dc.harmonize(found.pop() if len(found) == 1 else "Unknown Case Title")


def _assigned_judge(values: list[str], root, bankruptcy: bool) -> str:
    if bankruptcy:
        lines = values[:-1]
        for previous, line in zip(lines, lines[1:]):
            if re.search("Judge:", previous, re.I):
                return dc.judge_name(line)
        return ""
    return dc.find_judge(ASSIGNED_TO, values, root)


def _dated(cell_text: str, first: re.Pattern) -> str | None:
    for pattern in (first, DATE_FILED_AND_ENTERED):
        match = pattern.search(cell_text)
        if match:
            return dc.to_date(match.group(1))
    return None


def _entries(root, court_id: str) -> list[dict]:
    entries: list[dict] = []
    rows = []
    for table in root.xpath('//table[.//th/text()[contains(., "Description")]]'):
        rows.extend(table.xpath("./tr | ./tbody/tr")[1:])
    for row in rows:
        cells = row.xpath("./td")
        if len(cells) == 3:
            number = dc.clean_string(dc.text_content(cells[0])) or None
            anchors = cells[0].xpath(".//a")
            doc_id = seq_no = None
            if len(anchors) == 1:
                doc_id = dc.doc_id_from_href(anchors[0].get("href") or "", court_id)
                seq_no = dc.seq_no_from_anchor(anchors[0])
            dates = dc.clean_string(dc.text_content(cells[1]))
            entries.append({
                "document_number": number,
                "pacer_doc_id": doc_id,
                "pacer_seq_no": seq_no,
                "date_filed": _dated(dates, DATE_FILED),
                "date_entered": _dated(dates, DATE_ENTERED),
                "short_description": dc.text_content(cells[2]),
                "description": "",
            })
        elif len(cells) in (1, 2) and entries:
            description = dc.text_content(cells[-1])
            entries[-1]["description"] = description.removeprefix(DOCKET_TEXT_LABEL)
    # Rows numbered "doc" are not on the docket itself.
    entries = [e for e in entries if e["document_number"] is None or e["document_number"].isdigit()]
    return dc.clean_value(entries)


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import CASE_FIELDS, fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_docket_item  # noqa: E402

DocketHistory = item_class("DocketHistory", "A docket history report (HistDocQry.pl): the case and its "
                           "entries with their short descriptions.", {**CASE_FIELDS, **fields("court_id")})
_HISTORY = lazy_compile(
    r"<title>[^<]*history/documents|>\s*history\s*</h2>|<font size=\"?5\"?>\s*(?:history|documents)\s*</font>"
    r"|description:\s*</font>\s*</th>\s*<td[^>]*>\s*<font[^>]*>\s*history/documents"
)


def recognise(lowered: str) -> bool:
    return "history" in lowered and bool(_HISTORY.search(lowered))


UNIT = ReportUnit(
    parse, recognise, merge_docket_item,
    name=REPORT, ingest_type="history", item_class=DocketHistory, billed=True, names_case=True, detect_rank=30,
    path="/cgi-bin/HistDocQry.pl?{pacer_case_id}",
    corpus_folders=("docket_history_reports",),
    whole_page=True,
)

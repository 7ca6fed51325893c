"""Case query (iquery.pl) results: the centred summary above the Query menu of one case.

The summary is a handful of ``<br>``-separated lines: the docket number in a big ``<font>`` and the
caption after it; district courts then name the judges ("X, presiding", "Y, referral") and list
``<b>Label:</b> value`` pairs (dates filed, terminated, of last filing); bankruptcy courts add case
type, chapter, asset, volume, judge, plan confirmation and discharges.
"""

from __future__ import annotations

import re

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.reports.base import refuse_other_report, refuse_problem_page
from pacer_spiders.parsers.common import (
    decode, harmonize_case_name, is_bankruptcy_court, parse_date, parse_docket_number, selector, strip_controls,
)

_LINE_BREAK = lazy_compile(r"<br\s*/?>|<p\b[^>]*>", re.I)
_PRESIDING = lazy_compile(r"^(.*), (presiding|panel 1)$")
_REFERRAL = lazy_compile(r"^(.*), referral$")
_RELATED = lazy_compile(r"Related case: (.*)")
_SKIPPED_JUDGE_LINE = lazy_compile(r"panel [2-3]$|Probation")

# PACER's notes on administrative cases that hold no litigation (the caption is a clerk's note).
_ADMINISTRATIVE = (
    "DO NOT POST IN THIS CASE",
    "Control F",
    "Only applications for admission to practice",
    "Only requests for a Certificate of Good Standing",
)
LABEL_FIELDS = {
    "date_of_last_filing": "date_last_filing",
    "judge": "assigned_to_str",
    "chief_judge": "assigned_to_str",
    "plan_confirmed": "date_plan_confirmed",
    "debtor_discharged": "date_debtor_dismissed",
    "joint_debtor_discharged": "date_joint_debtor_dismissed",
}


def parse(body: bytes, context: dict) -> dict:
    text = decode(body)
    if re.search(r"Case not found\.", text):
        raise NotTheReport(PageProblem("not_found", "the case query says: Case not found."))
    for note in _ADMINISTRATIVE:
        if note in text:
            raise NotTheReport(PageProblem("administrative_case", f"an administrative case ({note!r}), not a litigated one"))
    refuse_problem_page(text, "case_query", (context or {}).get("court_id"))
    refuse_other_report(text, "case_query")
    sel = selector(text)
    centers = sel.xpath("//div[@id='cmecfMainContent']//center")
    if not centers:
        raise NotTheReport(PageProblem("not_case_query", "no case summary (the centred block of a case query)"))
    inner = centers[0].get()
    inner = inner[inner.index(">") + 1 : inner.rindex("<")]
    from parsel import Selector  # imported by the one report that reads through selectors

    lines = [Selector(text=f"<div>{piece}</div>") for piece in _LINE_BREAK.split(inner)]

    header = lines[0]
    # The docket number is the first line's big type: <b><font size="+1">2:17-cv-04442-SMM</font></b>
    number_text = " ".join(header.xpath("//font[@size='+1']//text()").getall()).strip()
    docket_number, number_parts = parse_docket_number(number_text, is_bankruptcy_court((context or {}).get("court_id")) or None)
    if docket_number is None or not number_text.startswith(docket_number.split(":")[0]):
        raise NotTheReport(PageProblem("not_case_query", "no docket number in the case summary"))
    caption = header.xpath("(//b)[last()]/following-sibling::node()[1][self::text()]").get() or ""
    if not caption.strip():
        caption = header.xpath("(//b)[last()]/following-sibling::font[1]/text()").get() or ""
    caption = " ".join(strip_controls(caption).split())

    data: dict = {}
    for index, line in enumerate(lines[1:], start=1):
        bolds = line.xpath("//b")
        if not bolds:
            _judge_line(" ".join(" ".join(line.xpath("//text()").getall()).split()), index, data)
            continue
        for bold in bolds:
            label = " ".join(" ".join(bold.xpath(".//text()").getall()).split())
            if not label.endswith(":"):
                continue  # bold free text ("Case created for the electronic disclosure of the PSR."), not a label
            label = label.rstrip(":").strip()
            if not label:
                continue
            value = " ".join(" ".join(bold.xpath("following-sibling::node()[1][self::text()]").getall()).split())
            key = re.sub(r"\W+", "_", label.lower()).strip("_")
            key = LABEL_FIELDS.get(key, key)
            data[key] = (parse_date(value) if key.startswith("date_") else value) or None

    data.update(
        {
            "court_id": (context or {}).get("court_id"),
            "docket_number": docket_number,
            "case_name": harmonize_case_name(caption),
            "case_name_raw": caption,
        }
    )
    data.update(number_parts)
    return data


def _judge_line(line: str, index: int, data: dict) -> None:
    # Only the lines right after the caption name judges; skip further panelists and probation.
    if not line or index > 3 or _SKIPPED_JUDGE_LINE.search(line):
        return
    if match := _PRESIDING.match(line):
        data["assigned_to_str"] = match.group(1)
    elif match := _REFERRAL.match(line):
        data["referred_to_str"] = match.group(1)
    elif match := _RELATED.search(line):
        data["related_cases_str"] = match.group(1)


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import CASE_FIELDS, fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_docket_item  # noqa: E402

CaseQuery = item_class("CaseQuery", "A case query (iquery.pl): the case's header and its last filing.", {
    **CASE_FIELDS, **fields("court_id", "case_name_raw", "case_type", "chapter", "asset", "vol", "related_bankruptcy",
                            "related_cases_str", date_debtor_dismissed="date", date_joint_debtor_dismissed="date",
                            date_plan_confirmed="date")})
# The case query page links the case's other reports.
_CASE_QUERY = lazy_compile(r"mobile_query\.pl\?search=caseinfo|qryparties\.pl\?\d+|qryalias\.pl\?\d+")

UNIT = ReportUnit(
    parse, lambda lowered: ".pl?" in lowered and bool(_CASE_QUERY.search(lowered)), merge_docket_item,
    name="case_query", ingest_type="case_query", item_class=CaseQuery, names_case=True, detect_rank=70,
    path="/cgi-bin/iquery.pl?{pacer_case_id}",
    corpus_folders=("case_queries",),
)

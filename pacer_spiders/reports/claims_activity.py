"""Claims activity reports (ClaimsActivity.pl): the claims filed at a court in a period, any case.

Under ``<h2>Claims Activity Report</h2>`` and the report period, each claim is a ``complexReport``
table whose cells are ``<br>``-separated ``Label: value`` lines: the case ("Case: 22-10107", or a
link to its docket whose text is the number), title, office, the claim number linked to the claim
(``show_doc.pl`` or ``doc1`` with ``caseid``, ``claim_id``, ``claim_num``), its attachments (the
same links with ``claim_doc_seq``), dates and amendment; the amounts; the chapter, judge, trustee,
filers, status and bar dates; then rows for the creditor's name and address (and id), description
and remarks.  One item per page; ``cases`` holds one case per claim, each with its ``claim``.
"""

from __future__ import annotations


from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.parsers.common import clean, decode, harmonize_case_name, parse_date
from pacer_spiders.reports.base import refuse_problem_page
from pacer_spiders.reports.claims_register import (
    amounts_of, bankruptcy_number, cell_lines, label_value, link_params, merge_case_claims, no_claims_refusal,
)

REPORT = "claims_activity"
CASE_LABELS = {
    "case": "docket_number", "title": "case_name", "office": "office", "chapter": "chapter",
    "judge": "assigned_to_str", "trustee": "trustee_str",
    "last date to file claims": "last_date_to_file_claims", "last date to file (govt)": "last_date_to_file_govt",
}
CLAIM_LABELS = {
    "filed": "date_filed", "entered": "date_entered", "amends no": "amends_no", "amount claimed": "amount_claimed",
    "amount allowed": "amount_allowed", "priority claimed": "priority_claimed", "secured claimed": "secured_claimed",
    "filed by": "filed_by", "entered by": "entered_by", "status": "status",
    "creditor name/address": "creditor_name_address", "creditor id": "creditor_id",
    "description": "description", "remarks": "remarks",
}
# Every claim carries these (empty when the page leaves them out); a case, its text fields.
CLAIM_TEXT = tuple(k for k in CLAIM_LABELS.values() if not k.startswith("date_"))
CASE_TEXT = ("case_name", "office", "chapter", "assigned_to_str", "trustee_str")
# What the archive keeps of a listed claim on the line of its version (``claim_history.details``).
ACTIVITY_DETAILS = ("creditor_name_address", "description", "remarks", "filed_by", "entered_by", "amends_no")


def parse(body: bytes, context: dict) -> list:
    text = decode(body)
    no_claims_refusal(text, "claims activity report")
    root = dc.html_root(body)
    if root is None or not root.xpath("//h2[contains(translate(., 'CLAIMSACTIVY', 'claimsactivy'), 'claims activity')]"):
        # The report's own form (its claims register buttons) is not a problem page: asked only here.
        refuse_problem_page(text, REPORT, (context or {}).get("court_id"))
        raise NotTheReport(PageProblem("not_claims_activity", "no 'Claims Activity Report' heading"))
    court_id = (context or {}).get("court_id")
    cases = [case for table in root.xpath("//table[contains(@class, 'complexReport')]")
             if (case := _case(table, court_id))]
    if not cases:
        raise NotTheReport(PageProblem("no_claims", "the claims activity report lists no claims"))
    return cases


def _case(table, court_id) -> dict | None:
    case: dict = dict.fromkeys(CASE_TEXT, "")
    case.update(court_id=court_id, last_date_to_file_claims=None, last_date_to_file_govt=None)
    claim: dict = dict.fromkeys(CLAIM_TEXT, "")
    claim.update(date_filed=None, date_entered=None)
    number_text = None
    key = None
    for cell in table.xpath(".//td"):
        for line in cell_lines(cell):
            label, value = label_value(line) or (None, line)
            if label == "case" or label == "claim no":
                number_text = value if label == "case" else number_text
                key = None
                continue
            if label not in CASE_LABELS and label not in CLAIM_LABELS:
                if key in ("description", "remarks", "creditor_name_address") and line:
                    claim[key] = f"{claim[key]}\n{line}".strip()  # a text running over several lines
                continue
            key = CASE_LABELS.get(label) or CLAIM_LABELS[label]
            target = case if label in CASE_LABELS else claim
            target[key] = parse_date(value) if key.startswith(("date_", "last_date_")) else value
    docket_link = table.xpath(".//a[contains(@href, 'DktRpt.pl')]")
    if number_text is None and docket_link:
        number_text = dc.text_content(docket_link[0]).strip()  # the case as a link to its docket
    docket_number, parts = bankruptcy_number(number_text)
    case["case_name"] = harmonize_case_name(case["case_name"])
    claim["creditor_name_address"] = clean(claim["creditor_name_address"])
    links = table.xpath(".//a[contains(@href, 'claim_id=')]")
    if docket_number is None or not links:
        return None
    main = [link_params(a.get("href")) for a in links]
    first = next((p for p in main if "claim_doc_seq" not in p), main[0])
    claim.update(claim_id=first.get("claim_id"), claim_number=first.get("claim_num"), pacer_case_id=first.get("caseid"))
    claim["attachments"] = [
        {"claim_doc_seq": p["claim_doc_seq"], "claim_id": p.get("claim_id"), "claim_number": p.get("claim_num"),
         "pacer_case_id": p.get("caseid"), "short_description": clean(dc.text_content(a))}
        for a, p in zip(links, main) if "claim_doc_seq" in p]
    case.update(parts, docket_number=docket_number, claim=claim)
    return case


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.parsers.common import DOCKET_NUMBER_FIELDS  # noqa: E402
from pacer_spiders.reports.base import ReportUnit  # noqa: E402

ClaimsActivity = item_class("ClaimsActivity", "A claims activity report (ClaimsActivity.pl): ``cases`` holds one "
                            "case per claim listed (dicts of the ``ClaimsActivityCase`` fields).", fields(cases="list"))
ClaimsActivityCase = item_class("ClaimsActivityCase", "One claim of a claims activity report, with its case.", fields(
    "court_id", "docket_number", *CASE_TEXT, *DOCKET_NUMBER_FIELDS, last_date_to_file_claims="date",
    last_date_to_file_govt="date", claim="dict"), page=False)
_ACTIVITY = lazy_compile(r"claims\s+activity\s+report\s*<|>\s*claims\s+activity(?:\s+report)?\s*</font>")


class ClaimsActivityUnit(ReportUnit):
    def make_items(self, parsed, provenance):
        return [ClaimsActivity(**provenance, cases=[dict(ClaimsActivityCase(**case)) for case in parsed])]


def merge(archive, item):
    """Each claim into its case's docket (made when unknown): the claim, and the version listed as
    a line of its history."""
    from pacer_spiders.db.claims import add_counts, claim_parts

    total, docket_ids = None, []
    for case in item.get("cases") or []:
        claim = case["claim"]
        number, version = claim_parts(claim.get("claim_number"))
        dates = "original" if version in (None, "1") else "last_amendment"
        # The claim's identity, amounts, dates and status are those a claims register shows; the
        # report's other values are in forms of its own and stay with the version it lists.
        details = {k: claim[k] for k in ACTIVITY_DETAILS if claim.get(k)}
        stored = {"claim_number": number, "creditor_id": claim.get("creditor_id"), "status": claim.get("status"),
                  "amounts": amounts_of(claim), f"date_{dates}_filed": claim.get("date_filed"),
                  f"date_{dates}_entered": claim.get("date_entered"),
                  "history": [{"type": "claim", "history_key": f"claim:{claim.get('claim_id')}",
                               "pacer_claim_id": claim.get("claim_id"), "document_number": number,
                               "attachment_number": version, "date_filed": claim.get("date_filed"),
                               "attachments": claim.get("attachments"), "details": details}]}
        case_fields = {k: case.get(k) for k in ("docket_number", "case_name", *DOCKET_NUMBER_FIELDS)}
        result = merge_case_claims(archive, item["court_id"], case_fields, claim.get("pacer_case_id"), [stored])
        total = result if total is None else add_counts(total, result)
        docket_ids.append(result.docket_id)
    if total is not None:
        total.docket_ids = docket_ids  # every case the report names (as an RSS feed's merge does)
    return total


UNIT = ClaimsActivityUnit(
    parse, lambda lowered: "claims activity" in lowered and bool(_ACTIVITY.search(lowered)), merge,
    name=REPORT, ingest_type=REPORT, item_class=ClaimsActivity, billed=True, detect_rank=55,
    path="/cgi-bin/ClaimsActivity.pl",
    corpus_folders=("claims_activity",),
)

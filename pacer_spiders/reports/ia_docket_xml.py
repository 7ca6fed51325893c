"""Internet Archive docket XML: the docket format of the RECAP archive (``gov.uscourts.<court>.<case
id>.docket.xml``), kept so that archives saved in it can be ingested.

``<gov_uscourts_docket>`` holds ``<case_details>`` (court, docket number, caption, case id, dates,
judge, cause, nature of suit, jury demand, jurisdiction), ``<party_list>`` (each party's name, type,
extra information and attorneys with their contact and roles, one a line) and ``<document_list>``:
one ``<document doc_num attachment_num>`` per document, attachment 0 being the entry's main
document (with its dates and descriptions), the others its attachments.
"""

from __future__ import annotations

import re

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import clean, decode, harmonize_case_name, parse_date, parse_docket_number, selector
from pacer_spiders.parsers.docket_common import judge_name
from pacer_spiders.reports.base import refuse_problem_page

ROOT = "gov_uscourts_docket"
_HONORIFIC = lazy_compile(r"^\s*(?:Hon\.|Honorable|Judge)\s+", re.I)
_SPACES = lazy_compile(r"\s+")
_SPACE_BEFORE_COMMA = lazy_compile(r"\s+,")
_TERMINATED = lazy_compile(r"TERMINATED:\s*(\d{1,2}/\d{1,2}/\d{2,4})", re.I)
_SEE_ABOVE = lazy_compile(r"^\(?see above for address\)?$", re.I)
_CASE_FIELDS = {  # reference key -> element of <case_details>
    "cause": "case_cause", "nature_of_suit": "nature_of_suit", "jury_demand": "jury_demand",
    "jurisdiction": "jurisdiction", "demand": "demand",
}


def parse(body: bytes, context: dict) -> dict:
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", decode(body).lstrip("\ufeff"))
    text = re.sub(r"<!DOCTYPE[^>]*>", "", text, count=1)
    from pacer_spiders.reports import xml_root

    if xml_root(text) != ROOT:
        refuse_problem_page(text, "ia_docket_xml", (context or {}).get("court_id"))  # a login page...
        raise NotTheReport(PageProblem("not_ia_docket", f"not an Internet Archive docket (no <{ROOT}> root)"))
    try:
        sel = selector(text, type="xml")
    except ValueError as exc:
        raise NotTheReport(PageProblem("not_ia_docket", f"unreadable docket XML: {exc}")) from None
    case = sel.xpath(f"/{ROOT}/case_details")

    def detail(name: str) -> str:
        return clean(case.xpath(f"{name}/text()").get() or "")

    docket_number, _parts = parse_docket_number(detail("docket_num"))
    dated: list[dict] = []
    undated: list[dict] = []
    for entry in _entries(sel.xpath(f"/{ROOT}/document_list/document")):
        (dated if entry.pop("dated") else undated).append(entry)
    result = {
        "court_id": detail("court") or (context or {}).get("court_id"),
        "docket_number": docket_number or detail("docket_num") or None,
        "case_name": harmonize_case_name(detail("case_name")),
        "date_filed": _date(detail("date_case_filed")),
        "date_terminated": _date(detail("date_case_terminated")),
        "date_converted": None,
        "date_discharged": None,
        "assigned_to_str": judge_name(_HONORIFIC.sub("", detail("assigned_to"))),
        "referred_to_str": judge_name(_HONORIFIC.sub("", detail("referred_to"))),
        **{key: detail(element) for key, element in _CASE_FIELDS.items()},
        "parties": _parties(sel.xpath(f"/{ROOT}/party_list/party")),
        # The reference lists the entries the archive dated; the others (a document bought
        # without its docket line) are kept beside them, and merged too.
        "docket_entries": dated,
        "undated_entries": undated,
        # Beyond the reference field set: what the archive keys the docket by.
        "pacer_case_id": detail("pacer_case_num") or None,
        "date_last_filing": detail("date_last_filing") or None,
    }
    return result


def _parties(parties) -> list[dict]:
    def value(node, name):
        return (node.xpath(f"{name}/text()").get() or "").strip()

    contacts: dict[str, str] = {}
    result = []
    for party in parties:
        party_name = value(party, "name")
        if not party_name:
            continue
        attorneys = []
        for attorney in party.xpath("attorney_list/attorney"):
            name, contact = value(attorney, "attorney_name"), value(attorney, "contact")
            if _SEE_ABOVE.match(contact):  # the attorney's address was given with an earlier party
                contact = contacts.get(name, "")
            else:
                contacts.setdefault(name, contact)
            attorneys.append({"name": name, "contact": contact, "roles": [
                line.strip() for line in value(attorney, "attorney_role").splitlines() if line.strip()]})
        extra_info = value(party, "extra_info")
        terminated = _TERMINATED.search(extra_info)
        found = {"name": party_name, "type": value(party, "type"), "extra_info": extra_info,
                 "date_terminated": parse_date(terminated.group(1)) if terminated else None, "attorneys": attorneys}
        if found not in result:  # the archive repeats a party listed again with the same attorneys
            result.append(found)
    return result


def _date(text: str | None) -> str | None:
    """An ISO date; the archive's "0000-00-00" (no date) is None."""
    text = (text or "").strip()
    return text if text and not text.startswith("0000") else None


def _entries(documents) -> list[dict]:
    """One entry per document number (its attachment 0), its other documents as attachments; an
    entry is ``dated`` when its main document carries a filing date (even the archive's empty one)."""
    entries: dict[str, dict] = {}
    for document in documents:
        number = (document.xpath("@doc_num").get() or "").strip()
        attachment = (document.xpath("@attachment_num").get() or "0").strip()

        def value(name, document=document):
            found = document.xpath(f"{name}/text()").get()
            return _SPACE_BEFORE_COMMA.sub(",", _SPACES.sub(" ", found)).strip() if found else None

        entry = entries.setdefault(number, {
            "date_filed": None, "description": "", "document_number": number or None, "pacer_doc_id": None,
            "pacer_seq_no": None, "short_description": "", "attachments": []})
        if attachment in ("", "0"):
            entry.update({
                "date_filed": _date(value("date_filed")), "description": value("long_desc") or "",
                "pacer_doc_id": value("pacer_doc_id"), "short_description": value("short_desc") or "",
                "pacer_seq_no": value("pacer_de_seq_num")})
            entry["dated"] = bool(document.xpath("date_filed"))
        else:
            attached = {"attachment_number": attachment, "description": value("short_desc") or "",
                        "pacer_doc_id": value("pacer_doc_id"), "pacer_seq_no": value("pacer_de_seq_num")}
            if document.xpath("date_filed"):
                attached["date_filed"] = _date(value("date_filed"))
            entry["attachments"].append(attached)
    for entry in entries.values():
        entry.setdefault("dated", False)
        if not entry["attachments"]:
            del entry["attachments"]
    return list(entries.values())


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import CASE_FIELDS, fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, report_fields  # noqa: E402

REFERENCE_KEYS = ("assigned_to_str", "case_name", "cause", "court_id", "date_converted", "date_discharged",
                  "date_filed", "date_terminated", "demand", "docket_entries", "docket_number", "jurisdiction",
                  "jury_demand", "nature_of_suit", "parties", "referred_to_str")
IaDocket = item_class("IaDocket", "A docket in the Internet Archive's RECAP XML format: the case, its parties "
                      "with their attorneys, and its entries with their documents.", {
                          **CASE_FIELDS, **fields("court_id", undated_entries="list")})


def merge_ia_docket(archive, item):
    """The docket, its parties and every entry (dated or not) into the archive."""
    parsed = report_fields(item)
    entries = [*(parsed.get("docket_entries") or []), *(parsed.pop("undated_entries", None) or [])]
    return archive.merge_docket(item["court_id"], {**parsed, "docket_entries": entries},
                                dict(item.get("context") or {}))


def is_ia_docket(lowered: str) -> bool:
    from pacer_spiders.reports import xml_root

    return xml_root(re.sub(r"<!doctype[^>]*>", "", lowered[:4096], count=1)) == ROOT


UNIT = ReportUnit(
    parse, is_ia_docket, merge_ia_docket,
    name="ia_docket_xml", ingest_type="ia_docket_xml", item_class=IaDocket, names_case=True, detect_rank=12,
    reference_keys=REFERENCE_KEYS, corpus_folders=("dockets_internet_archive",),
)

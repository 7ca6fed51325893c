"""What a parser should read from a synthetic page: the generator's data in the reference JSON shape.

Round-trip tests compare a parser's output with these dicts (``testing.corpus.compare``); the
field names and value conventions are the corpus JSON's (juriscraper / CourtListener).
"""

from __future__ import annotations

import re
from datetime import datetime

from .synthetic import Case, Entry


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def case_name(case: Case) -> str:
    """Reference parsers drop a trailing "et al" and write "United States" for "USA"; an adversary
    proceeding is named after its bankruptcy case ("<lead title> - Adversary Proceeding")."""
    if case.kind == "adversary" and case.lead_case is not None:
        return f"{case.lead_case.case_name} - Adversary Proceeding"
    name = re.sub(r",? et al\.?$", "", case.case_name)
    return re.sub(r"^USA v\.", "United States v.", name)


def _docket_fields(case: Case) -> dict:
    fields = {
        "court_id": case.court_id,
        "case_name": case_name(case),
        "date_filed": _iso(case.date_filed),
        "date_terminated": _iso(case.date_terminated),
        "assigned_to_str": case.assigned_to[0],
    }
    if case.kind == "bankruptcy":
        fields["docket_number"] = case.short_number
    else:
        fields.update({
            "docket_number": case.docket_number,
            "referred_to_str": case.referred_to[0] if case.referred_to else "",
            "federal_dn_case_type": case.case_type,
            "federal_dn_office_code": str(case.office),
            "federal_dn_judge_initials_assigned": case.assigned_to[1],
            "federal_dn_judge_initials_referred": case.referred_to[1] if case.referred_to else None,
        })
    return fields


def docket(case: Case, entries: list[Entry], parties: bool = True, terminated: bool = True) -> dict:
    data = _docket_fields(case)
    if case.kind == "civil":
        data.update({"cause": case.cause, "nature_of_suit": case.nature_of_suit, "jury_demand": case.jury_demand,
                     "jurisdiction": case.jurisdiction, "demand": case.demand})
    data["docket_entries"] = [docket_entry(e) for e in entries]
    if parties:
        data["parties"] = [
            {"name": p.name, "type": p.type, "date_terminated": _iso(p.date_terminated),
             **({"attorneys": [{"name": a.name, "contact": a.contact, "roles": list(a.roles)} for a in p.attorneys]}
                if p.attorneys else {})}
            for p in case.parties if terminated or not p.date_terminated
        ]
    return data


def docket_entry(entry: Entry) -> dict:
    return {
        "date_filed": _iso(entry.date_filed),
        "document_number": str(entry.document_number) if entry.document_number is not None else None,
        "pacer_doc_id": entry.pacer_doc_id if entry.pacer_doc_id and not entry.sealed else None,
        "pacer_seq_no": str(entry.pacer_seq_no) if entry.pacer_doc_id and not entry.sealed else None,
        "description": entry.description,
    }


def history(case: Case) -> dict:
    data = _docket_fields(case)
    data["docket_entries"] = [
        {"date_filed": _iso(e.date_filed), "date_entered": _iso(e.date_entered),
         "document_number": str(e.document_number) if e.document_number is not None else None,
         "pacer_doc_id": e.pacer_doc_id if e.pacer_doc_id and not e.sealed else None,
         "short_description": e.short_description}
        for e in case.entries
    ]
    return data


def attachment_page(case: Case, entry: Entry) -> dict:
    return {
        "pacer_case_id": case.pacer_case_id,
        "pacer_doc_id": entry.pacer_doc_id,
        "pacer_seq_no": str(entry.pacer_seq_no),
        "document_number": entry.document_number,
        "page_count": entry.page_count,
        "attachments": [
            {"attachment_number": a.attachment_number, "description": a.description, "pacer_doc_id": a.pacer_doc_id,
             "page_count": a.page_count, "file_size_str": a.file_size_str}
            for a in entry.attachments
        ],
    }


def receipt(charge_description: str, docket_number: str, pages: int, when: datetime | None = None) -> dict:
    data = {"billable_pages": str(pages), "cost": f"{pages * 0.10:.2f}", "docket_number": docket_number,
            "document_description": charge_description}
    if when:
        data["transaction_date"] = when.isoformat()
    return data


def case_query(case: Case) -> dict:
    data = _docket_fields(case)
    data.pop("referred_to_str", None)
    data.pop("federal_dn_judge_initials_referred", None)
    data.pop("assigned_to_str", None)
    if data["date_terminated"] is None:
        del data["date_terminated"]  # the page has no such line
    return data


def possible_case_number(case: Case) -> dict:
    return {"pacer_case_id": case.pacer_case_id}

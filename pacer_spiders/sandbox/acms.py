"""ACMS's API for synthetic cases: a case's docket and an entry's attachment list, as JSON.

ACMS identifies cases, entries and documents by GUIDs; here they are derived from the synthetic
case (uuid5), so the same seed gives the same GUIDs.  The case is shown as an appeal: its number
in the courts of appeals' ``YY-NNNN`` form, the court it came from named as the one appealed
from.  Routing whole ACMS courts through the sandbox server is left to a later change.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from html import escape

from pacer_spiders.sandbox.synthetic import Case, Entry

_NAMESPACE = uuid.UUID("6f1c2d0e-5a0b-4c8e-9d3a-acf5acf5acf5")


def case_guid(case: Case) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"case:{case.court_id}:{case.pacer_case_id}"))


def entry_guid(case: Case, entry: Entry) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"entry:{case.court_id}:{case.pacer_case_id}:{entry.pacer_seq_no}"))


def document_guid(case: Case, entry: Entry, number: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"document:{case.court_id}:{case.pacer_case_id}:{entry.pacer_seq_no}:{number}"))


def case_number(case: Case) -> str:
    return f"{case.year % 100:02d}-{case.serial}"


def acms_entries(case: Case) -> list[Entry]:
    """The entries ACMS lists: numbered ones (ACMS numbers every entry), sealed ones left out."""
    return [entry for entry in case.entries if entry.document_number is not None and not entry.sealed]


def entry_documents(entry: Entry) -> list[tuple[int, str, int]]:
    """(number, description, pages) of every document of an entry: the main one first."""
    main = [(1, entry.short_description or "Document", entry.page_count or 1)]
    return main + [(a.attachment_number + 1, a.description, a.page_count) for a in entry.attachments]


def _created(entry: Entry, minutes: int = 0) -> datetime:
    # Entered at 10:15 court time; the API writes UTC (eight hours later, as for the Ninth Circuit).
    return datetime(entry.date_entered.year, entry.date_entered.month, entry.date_entered.day, 10, 15) + \
        timedelta(minutes=minutes)


def _entry_json(case: Case, entry: Entry) -> dict:
    created = _created(entry)
    documents = entry_documents(entry)
    first, _, rest = entry.text.partition(" ")
    return {
        "endDate": entry.date_filed.isoformat(),
        "endDateFormatted": f"{entry.date_filed:%m/%d/%Y}",
        "entryNumber": entry.document_number,
        "docketEntryText": f"<p><strong>{escape(first)}</strong> {escape(rest)} "
                           f"[Entered: {created:%m/%d/%Y %I:%M %p}]</p>",
        "docketEntryId": entry_guid(case, entry),
        "createdOn": f"{created + timedelta(hours=8):%Y-%m-%dT%H:%M:%SZ}",
        "documentCount": len(documents),
        "pageCount": sum(pages for _n, _d, pages in documents),
        "fileSize": sum(pages for _n, _d, pages in documents) * 17,
        "restrictedPartyFilingDocketEntry": entry.restricted,
        "restrictedDocsAvailable": False,
        "selected": False,
    }


def _party_table(case: Case) -> str:
    rows = []
    for party in case.parties:
        lines = [f" {escape(party.name.upper())}"]
        if party.extra_info:
            lines.append("&nbsp;&nbsp;&nbsp;&nbsp;" + escape(party.extra_info.splitlines()[0]) + ", ")
        lines.append(f"&nbsp;&nbsp;&nbsp;&nbsp;{escape(party.type)}, ")
        attorneys = "".join(
            "<div style='margin-bottom: 10px'>" + "<br>".join(
                [escape(a.name), *[f"[{escape(role)}]" for role in a.roles],
                 *[escape(line) for line in a.contact.splitlines() if line.strip()]]) + "</div>"
            for a in party.attorneys)
        rows.append(f"<tr><td width='30%' style='padding-bottom: 20px;'>{'<br>'.join(lines)}</td>"
                    f"<td style='padding-bottom: 20px;'>{attorneys}</td></tr>")
    return f"<table width='100%'>{''.join(rows)}</table>"


def _case_details(case: Case) -> dict:
    court = f"{case.court.name}"
    return {
        "caseId": case_guid(case),
        "caseNumber": case_number(case),
        "name": case.case_name,
        "caseOpened": case.date_filed.isoformat(),
        "aNumber": None,
        "receivedDate": f"{case.date_filed.isoformat()}T17:00:00Z",
        "partyAttorneyList": _party_table(case),
        "court": {"name": court, "identifier": case.court_id.upper()},
        "caseType": "Civil",
        "caseSubType": "Private",
        "caseSubSubType": case.nature_of_suit or None,
        "districtCourtName": None,
        "feeStatus": "Paid",
    }


def docket_json(case: Case) -> bytes:
    """ACMS's docket of a synthetic case (``caseDetails`` and ``docketInfo``), as the API sends it."""
    return json.dumps({
        "caseDetails": _case_details(case),
        "docketInfo": {"isCaseSealed": case.sealed, "isUserCaseParticipant": False,
                       "docketEntries": [_entry_json(case, entry) for entry in acms_entries(case)]},
    }).encode("utf-8")


def attachment_list_json(case: Case, entry: Entry) -> bytes:
    """ACMS's list of an entry's documents (``caseDetails``, ``docketEntry``, ``docketEntryDocuments``)."""
    number = case_number(case)
    documents = []
    for index, description, pages in entry_documents(entry):
        name = f"{number} {entry.document_number:03d}-{index:02d} - {entry.short_description} - {description}.pdf"
        documents.append({
            "docketDocumentDetailsId": document_guid(case, entry, index),
            "name": name,
            "documentNumber": f"{entry.document_number}.{index}",
            "documentPermission": "Public",
            "pageCount": pages,
            "billablePages": min(pages, 30),
            "cost": round(min(pages, 30) * 0.1, 2),
            "fileSize": pages * 17,
            "createdOn": f"{_created(entry, -2) + timedelta(hours=8):%Y-%m-%dT%H:%M:%SZ}",
        })
    return json.dumps({"caseDetails": _case_details(case), "docketEntry": _entry_json(case, entry),
                       "docketEntryDocuments": documents}).encode("utf-8")

"""The reference (CourtListener) field set -> the SCALES-OKN docket schema.

SCALES (PACER-tools) describes a case by ``ucid`` (``<court>;;<docket number>``), ``case_id``,
header fields (court, case name and type, filing/terminating dates, status, judge, referred judges,
nature of suit, jury demand, cause, jurisdiction, monetary demand), ``parties`` (role, party type,
extra info, ``is_pro_se``, ``entity_info`` and ``counsel`` with ``is_lead_attorney``,
``is_pro_hac_vice``, ``is_notice_attorney`` and the counsel's own ``entity_info``), the ``docket``
(entries with ``ind``, ``date_filed``, ``docket_text`` and ``documents`` keyed by attachment number,
each with ``url`` and the ``span`` of its mention in the text) and the receipt of the download
(``billable_pages``, ``cost``, ``download_timestamp``).  Dates stay ISO 8601, as everywhere here.

``to_scales(report, data, court_id, receipt=None)`` is the one conversion; ``pacer-spiders parse
--format scales`` and the exports use it.
"""

from __future__ import annotations

import re
from typing import Any

_PHONE = re.compile(r"^\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}(\s*(x|ext\.?)\s*\d+)?$", re.I)
_LABELLED = re.compile(r"^(Fax|Email|Designation|Bar Status|Trial Bar Status|TERMINATED)\s*:\s*(.*)$", re.I)
_ATTACHMENT_MENTION = r"#\s*{number}(?!\d)"
PLAINTIFF_ROLES = ("plaintiff", "petitioner", "appellant", "claimant", "counter claimant", "movant")
DEFENDANT_ROLES = ("defendant", "respondent", "appellee", "counter defendant")
BANKRUPTCY_ROLES = ("debtor", "creditor", "trustee", "u.s. trustee", "interested party")


def ucid(court_id: str | None, docket_number: str | None) -> str | None:
    """SCALES's unique case id: ``<court>;;<docket number>``."""
    if not court_id or not docket_number:
        return None
    return f"{court_id};;{docket_number}"


def to_scales(report: str, data, court_id: str | None, receipt: dict | None = None, base_url: str | None = None):
    """The SCALES form of one parsed page (``data`` is the reference field set of ``report``)."""
    if report == "rss":
        return [to_scales("docket", case, court_id, None, base_url) for case in data]
    data = dict(data or {})
    court_id = data.get("court_id") or court_id
    if base_url is None and court_id:
        base_url = _base_url(court_id)
    if report in ("docket", "history", "case_query"):
        result = _header(data, court_id)
        result["parties"] = [_party(party) for party in data.get("parties") or []]
        result["docket"] = [_entry(entry, base_url) for entry in data.get("docket_entries") or []]
    elif report == "attachment_page":
        result = {
            "court": court_id,
            "case_pacer_id": data.get("pacer_case_id"),
            "ind": _text(data.get("document_number")),
            "documents": _attachment_documents(data, base_url),
        }
    elif report == "possible_case_numbers":
        result = {
            "ucid": ucid(court_id, data.get("docket_number")),
            "case_id": data.get("docket_number"),
            "court": court_id,
            "case_pacer_id": data.get("pacer_case_id"),
            "case_name": data.get("title"),
        }
    elif report == "receipt":
        result = {
            "court": court_id,
            "case_id": data.get("docket_number"),
            "document_description": data.get("document_description"),
        }
        receipt = data
    else:
        raise ValueError(f"no SCALES form for report {report!r}")
    result.update(receipt_fields(receipt))
    return result


def receipt_fields(receipt: dict | None) -> dict:
    """``billable_pages`` (int), ``cost`` (float) and ``download_timestamp`` of a parsed receipt."""
    receipt = receipt or {}
    pages = receipt.get("billable_pages") or ""
    return {
        "billable_pages": int(pages) if str(pages).isdigit() else None,
        "cost": _as_float(receipt.get("cost")),
        "download_timestamp": receipt.get("transaction_date"),
    }


def _header(data: dict, court_id: str | None) -> dict:
    docket_number = data.get("docket_number")
    terminated = data.get("date_terminated")
    referred = data.get("referred_to_str")
    return {
        "ucid": ucid(court_id, docket_number),
        "case_id": docket_number,
        "court": court_id,
        "case_pacer_id": data.get("pacer_case_id"),
        "case_name": data.get("case_name"),
        "case_type": data.get("federal_dn_case_type"),
        "filing_date": data.get("date_filed"),
        "terminating_date": terminated,
        "case_status": "closed" if terminated else "open",
        "judge": data.get("assigned_to_str") or None,
        "referred_judges": [referred] if referred else [],
        "nature_suit": data.get("nature_of_suit") or None,
        "jury_demand": data.get("jury_demand") or None,
        "cause": data.get("cause") or None,
        "jurisdiction": data.get("jurisdiction") or None,
        "monetary_demand": data.get("demand") or None,
        "is_mdl": bool(data.get("mdl_status")),
    }


def _party(party: dict) -> dict:
    role = party.get("type") or ""
    counsel = [_counsel(attorney) for attorney in party.get("attorneys") or []]
    pro_se = any("PRO SE" in " ".join(a.get("roles") or []).upper() for a in party.get("attorneys") or [])
    pro_se = pro_se or any(c["name"] and c["name"].lower() == (party.get("name") or "").lower() for c in counsel)
    return {
        "name": party.get("name"),
        "role": role,
        "party_type": _party_type(role),
        "extra_info": party.get("extra_info") or None,
        "terminating_date": party.get("date_terminated"),
        "is_pro_se": pro_se,
        "entity_info": {"raw_info": party.get("extra_info") or ""},
        "counsel": [c for c in counsel if not (pro_se and c["name"].lower() == (party.get("name") or "").lower())],
    }


def _party_type(role: str) -> str:
    role = role.lower()
    if role.startswith(("counter", "cross")):
        return "misc"
    if any(role.startswith(r) for r in BANKRUPTCY_ROLES):
        return "bk_party"
    if any(role.startswith(r) for r in PLAINTIFF_ROLES):
        return "plaintiff"
    if any(role.startswith(r) for r in DEFENDANT_ROLES):
        return "defendant"
    return "other_party" if role else "misc"


def _counsel(attorney: dict) -> dict:
    roles = " | ".join(attorney.get("roles") or []).upper()
    contact = attorney.get("contact") or ""
    info = {"office_name": None, "address": None, "phone": None, "fax": None, "email": None,
            "designation": None, "bar_status": None, "raw_info": contact}
    address, terminated = [], None
    lines = [line.strip() for line in contact.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        labelled = _LABELLED.match(line)
        if labelled:
            label, value = labelled.group(1).lower(), labelled.group(2).strip()
            if label == "terminated":
                terminated = value
            else:
                info[label.replace(" ", "_")] = value
        elif _PHONE.match(line):
            info["phone"] = line
        elif index == 0 and not line[:1].isdigit() and len(lines) > 1:
            info["office_name"] = line
        else:
            address.append(line)
    info["address"] = "\n".join(address) or None
    for role in attorney.get("roles") or []:
        if role.upper().startswith("TERMINATED"):
            terminated = role.split(":", 1)[-1].strip() or terminated
        elif role.upper().startswith("DESIGNATION"):
            info["designation"] = role.split(":", 1)[-1].strip()
    return {
        "name": attorney.get("name") or "",
        "entity_info": info,
        "is_lead_attorney": "LEAD ATTORNEY" in roles,
        "is_pro_hac_vice": "PRO HAC VICE" in roles,
        "is_notice_attorney": "ATTORNEY TO BE NOTICED" in roles,
        "see_above_for_address": "see above" in contact.lower(),
        "counsel_terminating_date": terminated,
    }


def _entry(entry: dict, base_url: str | None) -> dict:
    text = entry.get("description") or entry.get("short_description") or ""
    documents: dict[str, dict[str, Any]] = {}
    if entry.get("pacer_doc_id"):
        documents["0"] = {"url": _doc_url(base_url, entry["pacer_doc_id"]), "span": None}
    for attachment in entry.get("attachments") or []:
        number = attachment.get("attachment_number")
        if number is None:
            continue
        mention = re.search(_ATTACHMENT_MENTION.format(number=number), text)
        documents[str(number)] = {
            "url": _doc_url(base_url, attachment.get("pacer_doc_id")),
            "span": {"start": mention.start(), "end": mention.end()} if mention else None,
        }
    return {
        "ind": _text(entry.get("document_number")) or "",
        "date_filed": entry.get("date_filed"),
        "docket_text": text,
        "documents": documents,
        "edges": [],
    }


def _attachment_documents(data: dict, base_url: str | None) -> dict:
    documents = {}
    if data.get("pacer_doc_id"):
        documents["0"] = {"url": _doc_url(base_url, data["pacer_doc_id"]), "span": None}
    for attachment in data.get("attachments") or []:
        if attachment.get("attachment_number") is not None:
            documents[str(attachment["attachment_number"])] = {
                "url": _doc_url(base_url, attachment.get("pacer_doc_id")),
                "span": None,
                "description": attachment.get("description"),
                "page_count": attachment.get("page_count"),
            }
    return documents


def _doc_url(base_url: str | None, pacer_doc_id: str | None) -> str | None:
    if not pacer_doc_id:
        return None
    return f"{base_url or ''}/doc1/{pacer_doc_id}"


def _base_url(court_id: str) -> str | None:
    from pacer_spiders.courts import UnknownCourtError, court_base_url

    try:
        return court_base_url(court_id)
    except UnknownCourtError:
        return None


def _text(value) -> str | None:
    return None if value is None else str(value)


def _as_float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None

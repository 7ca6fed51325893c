"""Rows as the API shows them: CourtListener's field names where it has them."""

from __future__ import annotations

from pacer_spiders.db.work_requests import STATUS_NAMES


def iso(value):
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


REQUEST_TYPES = {1: "docket", 2: "pdf", 3: "attachment_page"}
KIND_TO_TYPE = {kind: number for number, kind in REQUEST_TYPES.items()}


def fetch_json(row, fetch) -> dict:
    """A work request made through the API, as CourtListener's recap-fetch object."""
    params = row.params or {}
    fields = (fetch.fields if fetch else {}) or {}
    result = (row.result or [{}])[0] if row.result else {}
    return {
        "id": row.id,
        "status": row.status,
        "status_name": STATUS_NAMES.get(row.status),
        "request_type": fetch.request_type if fetch else KIND_TO_TYPE.get(row.kind),
        "court": row.court_id,
        "docket": result.get("docket") or fields.get("docket"),
        "recap_document": result.get("recap_document") or fields.get("recap_document"),
        "pacer_case_id": params.get("pacer_case_id"),
        "docket_number": params.get("docket_number"),
        "pacer_doc_id": params.get("pacer_doc_id"),
        "de_date_start": params.get("date_from"),
        "de_date_end": params.get("date_to"),
        "de_number_start": params.get("documents_numbered_from"),
        "de_number_end": params.get("documents_numbered_to"),
        "show_parties_and_counsel": params.get("show_parties_and_counsel"),
        "show_terminated_parties": params.get("show_terminated_parties"),
        "show_list_of_member_cases": params.get("show_list_of_member_cases"),
        "client_code": fields.get("client_code"),
        "webhook_url": row.webhook_url,
        "message": row.error_message or "",
        "error_message": row.error_message or "",
        "cost": fetch.cost if fetch else None,
        "date_created": iso(row.created_at),
        "date_modified": iso(row.updated_at),
        "date_completed": iso(row.finished_at),
    }


def docket_json(row) -> dict:
    return {
        "id": row.id, "court": row.court_id, "court_id": row.court_id, "pacer_case_id": row.pacer_case_id,
        "docket_number": row.docket_number, "case_name": row.case_name, "date_filed": row.date_filed,
        "date_terminated": row.date_terminated, "date_last_filing": row.date_last_filing or row.last_entry_date,
        "assigned_to_str": row.assigned_to_str, "referred_to_str": row.referred_to_str, "cause": row.cause,
        "nature_of_suit": row.nature_of_suit, "jury_demand": row.jury_demand, "jurisdiction_type": row.jurisdiction,
        "date_created": iso(row.created_at), "date_modified": iso(row.updated_at),
    }


def entry_json(row) -> dict:
    return {
        "id": row.id, "docket": row.docket_id, "entry_number": row.document_number, "date_filed": row.date_filed,
        "date_entered": row.date_entered, "pacer_doc_id": row.pacer_doc_id,
        "pacer_sequence_number": row.pacer_seq_no, "description": row.description,
        "short_description": row.short_description, "date_created": iso(row.created_at),
        "date_modified": iso(row.updated_at),
    }


def document_json(row, docket_id=None, file_url=None) -> dict:
    return {
        "id": row.id, "docket_entry": row.docket_entry_id, "docket": docket_id, "court": row.court_id,
        "document_number": row.document_number, "attachment_number": row.attachment_number,
        "document_type": 1 if row.attachment_number is None else 2, "pacer_doc_id": row.pacer_doc_id,
        "description": row.description, "page_count": row.page_count, "file_size": row.file_size_bytes,
        "is_available": bool(row.filepath), "is_sealed": bool(row.is_sealed), "sha1": row.sha1,
        "filepath_local": file_url, "date_created": iso(row.created_at), "date_modified": iso(row.updated_at),
    }


def party_json(row, attorneys: list) -> dict:
    return {"id": row.id, "docket": row.docket_id, "name": row.name, "party_types": [{"name": row.type}],
            "extra_info": row.extra_info, "date_terminated": row.date_terminated, "attorneys": attorneys}


def attorney_json(row) -> dict:
    return {"id": row.id, "docket": row.docket_id, "name": row.name, "contact_raw": row.contact}


def upload_json(row) -> dict:
    return {
        "id": row.id, "upload_type": row.upload_type, "court": row.court_id, "pacer_case_id": row.pacer_case_id,
        "pacer_doc_id": row.pacer_doc_id, "document_number": row.document_number,
        "attachment_number": row.attachment_number, "debug": row.debug, "status": row.status,
        "status_name": STATUS_NAMES.get(row.status), "error_message": row.error_message or "",
        "docket": row.docket_id, "recap_document": row.document_id, "orphan": row.orphan_id,
        "result": row.result, "date_created": iso(row.created_at), "date_modified": iso(row.updated_at),
    }


PRAYER_STATUS = {1: "waiting", 2: "granted", 3: "unavailable"}


def prayer_json(row, document=None) -> dict:
    return {"id": row.id, "recap_document": row.document_id, "status": row.status,
            "status_name": PRAYER_STATUS.get(row.status), "webhook_url": row.webhook_url,
            "is_available": bool(document and document.filepath), "date_created": iso(row.created_at),
            "date_granted": iso(row.granted_at)}

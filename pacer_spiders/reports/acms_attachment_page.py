"""ACMS attachment lists: the JSON ACMS's API returns for the documents of one docket entry.

One object with ``caseDetails`` (the case, as on the docket), ``docketEntry`` (the entry: its GUID
``docketEntryId``, ``entryNumber``, ``endDate``, ``createdOn``, ``docketEntryText``) and
``docketEntryDocuments``: one document each, with its own GUID (``docketDocumentDetailsId``, kept
as ``acms_document_guid``), its number within the entry (``"2"``, or ``"4.2"`` on newer lists: the
part after the dot), file name, page count, cost, permission and size.  Every document of the
entry is an attachment, numbered from 1; the list's ``pacer_doc_id`` is the entry's GUID.
"""

from __future__ import annotations

import re

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.reports.acms_docket import as_int, entered_at, html_text, iso_day, read_acms

REPORT = "acms_attachment_page"
# ACMS names a document file "<case> <entry>-<document> - <entry type> - <document type>.pdf".
_FILE_NAME = lazy_compile(r"^\S+ \d+-\d+ - (?P<types>.+?)\.pdf$", re.I)


def parse(body: bytes, context: dict) -> dict:
    """An ACMS attachment list (JSON) -> the reference dict; NotTheReport for anything else."""
    data = read_acms(body, REPORT)
    lowered = {str(key).lower(): value for key, value in data.items()}
    case, entry = lowered["casedetails"], lowered.get("docketentry") or {}
    html = entry.get("docketEntryText") or ""
    entered = entered_at(html)
    filed = entered[:10] if entered else iso_day(entry.get("createdOn"))
    entry_guid = entry.get("docketEntryId")
    return {
        "pacer_case_id": case.get("caseId"),
        "pacer_doc_id": entry_guid,
        "entry_number": as_int(entry.get("entryNumber")),
        "description": html_text(html).replace("\xa0", " "),
        "date_filed": filed,
        "date_end": iso_day(entry.get("endDate")),
        "attachments": [attachment(document, index, entry_guid, filed)
                        for index, document in enumerate(lowered["docketentrydocuments"], 1)
                        if isinstance(document, dict)],
    }


def attachment(document: dict, index: int, entry_guid: str | None, filed: str | None) -> dict:
    number = str(document.get("documentNumber") or "").rsplit(".", 1)[-1]
    return {
        "attachment_number": as_int(number) if number.isdigit() else index,
        "acms_document_guid": document.get("docketDocumentDetailsId"),
        "pacer_doc_id": entry_guid,
        "description": document_description(document.get("name")),
        "page_count": as_int(document.get("pageCount")),
        "file_size": document.get("fileSize"),
        "cost": document.get("cost"),
        "permission": document.get("documentPermission"),
        "date_filed": filed,
    }


def document_description(name: str | None) -> str | None:
    """The document type a file name ends with, when the name splits into exactly an entry type and
    a document type; otherwise (a type itself holding " - ") the whole name, since which part names
    the document is then ambiguous."""
    if not name:
        return name
    match = _FILE_NAME.match(name.strip())
    if not match:
        return name
    parts = match.group("types").split(" - ")
    return parts[1].strip() if len(parts) == 2 else name


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.acms_docket import recognise as _recognise_acms  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, report_fields  # noqa: E402

AcmsAttachmentPage = item_class("AcmsAttachmentPage", "An ACMS attachment list (the JSON of ACMS's API): the "
                                "documents of one docket entry, each with its GUID.", fields(
                                    "pacer_case_id", "pacer_doc_id", "description", entry_number="int",
                                    date_filed="date", date_end="date", attachments="list"))


def merge(archive, item):
    """The documents merge into their entry (found by its GUID, or the case GUID and entry number);
    None while that entry is unknown (the list then waits as an orphan)."""
    parsed = report_fields(item)
    menu = {
        "pacer_case_id": parsed.get("pacer_case_id"),
        "pacer_doc_id": parsed.get("pacer_doc_id"),
        "document_number": parsed.get("entry_number"),
        "attachments": [{"attachment_number": a.get("attachment_number"), "description": a.get("description"),
                         "page_count": a.get("page_count"), "pacer_doc_id": a.get("pacer_doc_id"),
                         "acms_document_guid": a.get("acms_document_guid")}
                        for a in parsed.get("attachments") or []],
    }
    return archive.merge_attachment_page(item["court_id"], menu, dict(item.get("context") or {}))


UNIT = ReportUnit(
    parse, lambda lowered: _recognise_acms(lowered, REPORT), merge,
    name=REPORT, ingest_type=REPORT, item_class=AcmsAttachmentPage, joins_docket=True, detect_rank=6,
    json_pages=True, checks_court=False, source_extension=".json",
    corpus_folders=("appellate_attachment_pages/acms",),
)

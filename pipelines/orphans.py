"""Stage 4: a PDF or attachment page whose docket or entry we do not hold waits in the orphan table.

It is joined automatically when its docket arrives (court plus normalized ``pacer_doc_id``, or
the case id and document number), and ``pacer-spiders orphans sweep`` retries the due ones with
backoff.  The orphan keeps its file: the page or PDF bytes in the source store.
"""

from __future__ import annotations

from pacer_spiders import source_store
from pacer_spiders.db.archive import Archive
from pacer_spiders.pipelines.base import ArchiveStage, keep_source, logger

def join_orphan(archive: Archive, orphan: dict, pdf_writer) -> bool:
    """Try to join one orphan to its docket; True when joined."""
    context = dict(orphan.get("context") or {})
    for key in ("pacer_doc_id", "pacer_case_id", "document_number", "attachment_number", "acms_document_guid"):
        if orphan.get(key) is not None:
            context.setdefault(key, orphan[key])
    if orphan["report_type"] != "pdf":  # a page joins through its report unit's merge
        from pacer_spiders.reports import unit_for

        unit = unit_for(orphan["report_type"], orphan["court_id"])
        result = unit.merge(archive, {**(orphan.get("parsed") or {}), "court_id": orphan["court_id"], "context": context})
        if result is None:
            archive.mark_orphan(orphan["id"], joined=False)
            return False
        archive.mark_orphan(orphan["id"], joined=True)
        return True
    result = archive.document_for_pdf(orphan["court_id"], context)
    if result is None:
        archive.mark_orphan(orphan["id"], joined=False)
        return False
    assert result.document is not None  # a PDF's merge names its document
    pdf_writer.write(result.document, source_store.read(pdf_writer.settings or {}, orphan["source_path"]))
    archive.mark_orphan(orphan["id"], joined=True, document_id=result.document["id"])
    return True


def join_orphans_for_docket(archive: Archive, docket_id: int, pdf_writer, stats) -> int:
    joined = 0
    waiting = archive.pending_orphans(docket_id=docket_id)
    # Pages first, then PDFs asked for again: an ACMS attachment list brings the document GUIDs
    # its PDFs wait for.  (Nothing waiting at first: joining nothing brings nothing.)
    for pdfs in (False, True):
        if pdfs and waiting:
            waiting = archive.pending_orphans(docket_id=docket_id)
        for orphan in waiting:
            if (orphan["report_type"] == "pdf") != pdfs:
                continue
            if join_orphan(archive, orphan, pdf_writer):
                joined += 1
                logger.info("orphan %s (%s %s) joined its docket", orphan["id"], orphan["report_type"],
                            orphan["pacer_doc_id"] or orphan.get("acms_document_guid"))
    if joined:
        stats.inc_value("archive/orphans_joined", joined)
    return joined


def sweep(archive: Archive, pdf_writer, stats, court_id: str | None = None, due_only: bool = True) -> dict:
    """One pass over the waiting orphans: joined ones leave the table's waiting list."""
    tried = joined = 0
    for orphan in archive.pending_orphans(court_id=court_id, due_only=due_only):
        tried += 1
        if join_orphan(archive, orphan, pdf_writer):
            joined += 1
    if joined:
        stats.inc_value("archive/orphans_joined", joined)
    return {"tried": tried, "joined": joined, "waiting": tried - joined}


def wait_as_orphan(stage: ArchiveStage, item) -> bool:
    """Keep a PDF or attachment page whose entry we do not hold in the orphan table (with its file
    in the source store); True when it waits.  The database stage asks this in the order it merges
    pages, so a page is never judged an orphan while its docket's merge is still being written."""
    from pacer_spiders.reports.base import report_fields

    report, court = item.get("report_type"), item.get("court_id")
    context, parsed = dict(item.get("context") or {}), report_fields(item)
    if stage.archive.locate(court, context, parsed) is not None:
        return False
    if report == "pdf" and not item.get("source_path"):
        item["sha1"], item["source_path"] = keep_source(stage.settings, item["body"], "pdf", stage.dry_run)
    doc_id = context.get("pacer_doc_id") or parsed.get("pacer_doc_id")
    reason = f"no docket entry known for document {doc_id or '?'} of case {context.get('pacer_case_id') or '?'}"
    result = stage.archive.add_orphan(court, report, context, item["sha1"], item.get("source_path"), parsed, reason)
    stage.count(result.counts)
    item["orphan_id"] = True
    logger.info("orphan %s %s: %s", report, court, reason)
    return True

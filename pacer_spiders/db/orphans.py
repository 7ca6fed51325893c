"""Orphans: PDFs and attachment pages whose docket entry is not in the archive yet.  They wait,
retried with a growing backoff, until a docket merge brings their entry (found by document id,
case id, or an ACMS document's GUID)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from pacer_spiders.db.merge_policy import as_doc_id, as_int, as_text
from pacer_spiders.db.models import DocketEntryRow, DocketRow, DocumentRow, OrphanDocumentRow
from pacer_spiders.db.writes import MergeResult, Store, insert, utcnow, write

# Orphans are retried after 1, 2, 4 ... minutes, at most a day apart.
ORPHAN_BACKOFF_START = timedelta(minutes=1)
ORPHAN_BACKOFF_MAX = timedelta(days=1)


_ANY_WAITING = select(OrphanDocumentRow.id).where(OrphanDocumentRow.joined_at.is_(None)).limit(1)


class Orphans:
    def __init__(self, store: Store):
        self.store = store

    def add_orphan(self, court_id, report_type, context: dict, sha1: str, source_path: str | None,
                   parsed: dict | None, reason: str) -> MergeResult:
        result = MergeResult()
        now = utcnow()
        parsed_values = parsed or {}
        with self.store.transaction() as conn:
            stmt = insert(conn, OrphanDocumentRow.__table__).values(
                court_id=court_id, report_type=report_type,
                pacer_doc_id=as_doc_id(context.get("pacer_doc_id") or parsed_values.get("pacer_doc_id"), court_id),
                pacer_case_id=as_text(context.get("pacer_case_id") or parsed_values.get("pacer_case_id")),
                acms_document_guid=as_text(context.get("acms_document_guid")
                                           or parsed_values.get("acms_document_guid")),
                document_number=as_text(context.get("document_number") or parsed_values.get("document_number")),
                attachment_number=as_int(context.get("attachment_number")), sha1=sha1, source_path=source_path,
                parsed=parsed or None, context=_json_safe(context), reason=reason, attempts=0,
                next_attempt_at=now + ORPHAN_BACKOFF_START, created_at=now)
            stmt = stmt.on_conflict_do_nothing(index_elements=["court_id", "report_type", "sha1"])
            if write(conn, stmt, result, count=False):
                result.counts["orphans_added"] += 1
            else:
                result.counts["orphans_unchanged"] += 1
        return result

    def pending_orphans(self, court_id: str | None = None, docket_id: int | None = None, due_only: bool = False,
                        include_joined: bool = False) -> list[dict]:
        """Orphans that wait; with ``docket_id``, only those whose document ids or case id it holds."""
        ot = OrphanDocumentRow.__table__
        query = select(ot).order_by(ot.c.id)
        if not include_joined:
            query = query.where(ot.c.joined_at.is_(None))
        if court_id:
            query = query.where(ot.c.court_id == court_id)
        if due_only:
            query = query.where(ot.c.next_attempt_at <= utcnow())
        with self.store.engine.connect() as conn:
            if docket_id is not None:
                # Asked after every docket merge, and mostly nothing waits: one small query first.
                if not include_joined and conn.execute(_ANY_WAITING).first() is None:
                    return []
                docket = conn.execute(select(DocketRow.court_id, DocketRow.pacer_case_id).where(
                    DocketRow.id == docket_id)).one()
                doc_ids = select(DocumentRow.pacer_doc_id).join(
                    DocketEntryRow, DocketEntryRow.id == DocumentRow.docket_entry_id).where(
                    DocketEntryRow.docket_id == docket_id, DocumentRow.pacer_doc_id.isnot(None))
                entry_doc_ids = select(DocketEntryRow.pacer_doc_id).where(
                    DocketEntryRow.docket_id == docket_id, DocketEntryRow.pacer_doc_id.isnot(None))
                guids = select(DocumentRow.acms_document_guid).join(
                    DocketEntryRow, DocketEntryRow.id == DocumentRow.docket_entry_id).where(
                    DocketEntryRow.docket_id == docket_id, DocumentRow.acms_document_guid.isnot(None))
                match = (ot.c.pacer_doc_id.in_(doc_ids) | ot.c.pacer_doc_id.in_(entry_doc_ids)
                         | ot.c.acms_document_guid.in_(guids))
                if docket.pacer_case_id:
                    match = match | (ot.c.pacer_case_id == docket.pacer_case_id)
                query = query.where(ot.c.court_id == docket.court_id, match)
            return [dict(r) for r in conn.execute(query).mappings()]

    def mark_orphan(self, orphan_id: int, joined: bool, document_id: int | None = None, reason: str | None = None):
        with self.store.transaction() as conn:
            row = conn.execute(select(OrphanDocumentRow.attempts).where(OrphanDocumentRow.id == orphan_id)).one()
            now = utcnow()
            values: dict[str, Any]
            if joined:
                values = {"joined_at": now, "document_id": document_id}
            else:
                delay = min(ORPHAN_BACKOFF_START * (2 ** (row.attempts + 1)), ORPHAN_BACKOFF_MAX)
                values = {"attempts": row.attempts + 1, "next_attempt_at": now + delay}
                if reason:
                    values["reason"] = reason
            conn.execute(update(OrphanDocumentRow).where(OrphanDocumentRow.id == orphan_id).values(**values))


def _json_safe(context: dict | None) -> dict | None:
    if not context:
        return None
    return {k: v for k, v in context.items() if isinstance(v, (str, int, float, bool, type(None), list, dict))}

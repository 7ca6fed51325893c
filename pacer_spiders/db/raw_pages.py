"""Raw pages (every page fetched, by sha1, in SOURCE_STORE) and rejected pages (why a page did not
become data)."""

from __future__ import annotations

from sqlalchemy import update

from pacer_spiders.db.models import RawPageRow, RejectedPageRow
from pacer_spiders.db.writes import MergeResult, Store, insert, statement, utcnow, write


class RawPages:
    def __init__(self, store: Store):
        self.store = store

    def record_raw_page(self, page: dict, docket_id: int | None = None) -> MergeResult:
        """A page's row (once per sha1, court and report); a docket it lacked is filled in."""
        result = MergeResult()
        if self.store.dry_run:
            docket_id = None  # the docket of a dry run was rolled back
        with self.store.transaction() as conn:
            stmt = statement(conn, ("raw_page",), lambda: insert(conn, RawPageRow.__table__).on_conflict_do_nothing(
                index_elements=["sha1", "court_id", "report_type"]))
            row = {"sha1": page["sha1"], "court_id": page.get("court_id"), "report_type": page.get("report_type") or "",
                   "url": page.get("url"), "status": page.get("status"), "content_type": page.get("content_type"),
                   "context": page.get("context") or None, "path": page.get("source_path"), "size": page.get("size"),
                   "cost": page.get("cost") or 0.0, "fetched_at": page.get("fetched_at"), "docket_id": docket_id,
                   "created_at": utcnow()}
            if write(conn, stmt, result, count=False, params=row):
                result.counts["raw_pages_added"] += 1
            elif docket_id is not None:
                write(conn, update(RawPageRow).where(
                    RawPageRow.sha1 == page["sha1"], RawPageRow.court_id == page.get("court_id"),
                    RawPageRow.report_type == (page.get("report_type") or ""), RawPageRow.docket_id.is_(None)
                ).values(docket_id=docket_id), result, count=False)
        return result

    def record_rejected(self, page: dict, kind: str, reason: str) -> MergeResult:
        """A page that did not become data, and why (once per sha1, court, report and kind)."""
        result = MergeResult()
        with self.store.transaction() as conn:
            stmt = insert(conn, RejectedPageRow.__table__).values(
                sha1=page.get("sha1") or "", court_id=page.get("court_id"), report_type=page.get("report_type") or "",
                url=page.get("url"), kind=kind, reason=reason, source_path=page.get("source_path"),
                created_at=utcnow())
            stmt = stmt.on_conflict_do_nothing(index_elements=["sha1", "court_id", "report_type", "kind"])
            if write(conn, stmt, result, count=False):
                result.counts["rejected_added"] += 1
        return result

"""The archive: merge parsed PACER pages into the database with idempotent, concurrent-safe upserts.

One facade over the parts, split by concern:

============================  ==================================================================
``merge_policy.py``           per table and field: how a value is read, which value wins
``dockets.py``                dockets, entries, parties, attorneys, roles, ``docket_updates``
``documents.py``              documents from attachment menus and PDFs, stored files
``raw_pages.py``              raw and rejected pages
``runs.py``                   crawl runs
``orphans.py``                PDFs and attachment pages waiting for their entry
``claims.py``                 bankruptcy claims (and their history) and creditors of a docket
``reader.py``                 read-only questions (what the spiders ask)
``writes.py``                 transactions, locks, counted writes, the row merge
============================  ==================================================================
"""

from __future__ import annotations

import threading

from sqlalchemy.engine import Connection, Engine

from pacer_spiders.db import is_current, make_engine, upgrade_database
from pacer_spiders.db.claims import Claims
from pacer_spiders.db.dockets import Dockets, entry_key, entry_keys
from pacer_spiders.db.documents import Documents, find_entry
from pacer_spiders.db.merge_policy import DOCKET_FIELDS, ENTRIES, TablePolicy, is_empty, name_key, normalized_text
from pacer_spiders.db.orphans import ORPHAN_BACKOFF_MAX, ORPHAN_BACKOFF_START, Orphans
from pacer_spiders.db.raw_pages import RawPages
from pacer_spiders.db.reader import ArchiveReader
from pacer_spiders.db.runs import Runs
from pacer_spiders.db.writes import MergeResult, Store, utcnow

__all__ = ["Archive", "MergeResult", "entry_key", "entry_keys", "name_key", "normalized_text", "is_empty", "utcnow",
           "DOCKET_FIELDS", "ORPHAN_BACKOFF_START", "ORPHAN_BACKOFF_MAX"]


class Archive:
    """The archive at ``DATABASE_URL``; opens (and upgrades) the schema once per process and URL."""

    _opened: dict[str, "Archive"] = {}
    _lock = threading.Lock()

    def __init__(self, url_or_engine, upgrade: bool = True, dry_run: bool = False):
        self.engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)
        store = Store(self.engine, dry_run)
        if upgrade and not is_current(self.engine):
            upgrade_database(self.engine)
        self.dry_run = dry_run
        self.dockets, self.documents = Dockets(store), Documents(store)
        self.raw_pages, self.runs, self.orphans = RawPages(store), Runs(store), Orphans(store)
        self.claims = Claims(store)
        self.reader = ArchiveReader(self.engine)

    @classmethod
    def open(cls, url: str, dry_run: bool = False, upgrade: bool = True) -> "Archive":
        """The process-wide archive of ``url`` (schema upgraded on first open, unless ``upgrade`` is
        false: a process started by one that upgraded it)."""
        key = f"{url}|{dry_run}"
        with cls._lock:
            if key not in cls._opened:
                cls._opened[key] = cls(url, upgrade=upgrade, dry_run=dry_run)
            return cls._opened[key]

    def batch(self):
        """``with archive.batch():`` the merges and records inside are one transaction, one commit."""
        return self.dockets.store.transaction()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # --- dockets and documents ------------------------------------------------------------
    def merge_docket(self, court_id: str, parsed: dict, context: dict | None = None,
                     entry_policy: TablePolicy = ENTRIES) -> MergeResult:
        """Merge a parsed docket (or history, case query, possible case numbers) page; its entries
        by ``entry_policy`` (``merge_policy.FEED_ENTRIES`` for an RSS feed's)."""
        return self.dockets.merge_docket(court_id, parsed, context, entry_policy)

    def merge_attachment_page(self, court_id, parsed: dict, context: dict | None = None) -> MergeResult | None:
        """Merge an attachment menu into its entry; None when the entry is unknown (an orphan)."""
        return self.documents.merge_attachment_page(court_id, parsed, context)

    def document_for_pdf(self, court_id, context: dict) -> MergeResult | None:
        """The document row a PDF is for (made when its entry is known); None when unknown."""
        return self.documents.document_for_pdf(court_id, context)

    def record_file(self, document_id: int, sha1: str, filepath: str, page_count: int | None) -> MergeResult:
        """Record a stored PDF on its document row (nothing written when already recorded)."""
        return self.documents.record_file(document_id, sha1, filepath, page_count)

    def file_with_sha1(self, sha1: str) -> str | None:
        """The stored path of a PDF with these bytes, if we hold one already."""
        return self.documents.file_with_sha1(sha1)

    def find_entry(self, conn: Connection, court_id, pacer_doc_id=None, pacer_case_id=None, document_number=None,
                   acms_document_guid=None):
        """(docket row, entry id) of the entry an ACMS document GUID, a document id or (case id,
        number) names, or None."""
        return find_entry(conn, court_id, pacer_doc_id, pacer_case_id, document_number, acms_document_guid)

    def locate(self, court_id, context: dict, parsed: dict | None = None):
        """Where a PDF or attachment page belongs, or None while its docket or entry is unknown."""
        return self.documents.locate(court_id, context, parsed)

    def merge_claims(self, docket_id: int, court_id: str, claims: list[dict]) -> MergeResult:
        """Merge a docket's claims and their history (claims registers, claims activity)."""
        return self.claims.merge_claims(docket_id, court_id, claims)

    def merge_creditors(self, docket_id: int, creditors: list[dict]) -> MergeResult:
        """Merge a docket's creditors (lists of creditors)."""
        return self.claims.merge_creditors(docket_id, creditors)

    # --- raw pages, rejected pages, runs ----------------------------------------------------
    def record_raw_page(self, page: dict, docket_id: int | None = None) -> MergeResult:
        return self.raw_pages.record_raw_page(page, docket_id)

    def record_rejected(self, page: dict, kind: str, reason: str) -> MergeResult:
        return self.raw_pages.record_rejected(page, kind, reason)

    def start_run(self, spider: str) -> int | None:
        return self.runs.start_run(spider)

    def finish_run(self, run_id: int | None, *, cost: float, pages: int, rejected: int, errors: int,
                   counts: dict, finish_reason: str | None) -> None:
        self.runs.finish_run(run_id, cost=cost, pages=pages, rejected=rejected, errors=errors, counts=counts,
                             finish_reason=finish_reason)

    # --- orphans ----------------------------------------------------------------------------
    def add_orphan(self, court_id, report_type, context: dict, sha1: str, source_path: str | None,
                   parsed: dict | None, reason: str) -> MergeResult:
        return self.orphans.add_orphan(court_id, report_type, context, sha1, source_path, parsed, reason)

    def pending_orphans(self, court_id: str | None = None, docket_id: int | None = None, due_only: bool = False,
                        include_joined: bool = False) -> list[dict]:
        """Orphans that wait; with ``docket_id``, only those whose document ids or case id it holds."""
        return self.orphans.pending_orphans(court_id, docket_id, due_only, include_joined)

    def mark_orphan(self, orphan_id: int, joined: bool, document_id: int | None = None, reason: str | None = None):
        return self.orphans.mark_orphan(orphan_id, joined, document_id, reason)

    # --- reading ----------------------------------------------------------------------------
    def counts_of(self, *tables) -> dict:
        return self.reader.counts_of(*tables)

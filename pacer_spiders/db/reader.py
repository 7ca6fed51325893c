"""What the spiders (and commands) ask the archive before spending money: read only.

``since=last`` needs the newest entry we hold, the PDF spider whether we already hold a document
and which documents a docket of ours lists.  A fresh database (no tables yet) holds nothing; the
reader never creates or upgrades the schema.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine

from pacer_spiders.db import make_engine
from pacer_spiders.db.merge_policy import as_int, as_text
from pacer_spiders.db.models import DocketEntryRow, DocketRow, DocumentRow


class ArchiveReader:
    """Read-only questions to the archive at ``DATABASE_URL`` (one reader per process and URL)."""

    _opened: dict[str, "ArchiveReader"] = {}
    _lock = threading.Lock()

    def __init__(self, url_or_engine):
        self.engine = url_or_engine if isinstance(url_or_engine, Engine) else make_engine(url_or_engine)

    @classmethod
    def open(cls, url: str) -> "ArchiveReader":
        with cls._lock:
            if url not in cls._opened:
                cls._opened[url] = cls(url)
            return cls._opened[url]

    def _has_tables(self, *names: str) -> bool:
        existing = set(inspect(self.engine).get_table_names())
        return all(name in existing for name in names)

    def find_docket(self, court_id: str, pacer_case_id: str | None = None,
                    docket_number: str | None = None) -> dict | None:
        """Our docket of a case (by case id, else docket number) with its newest entry date
        (``last_entry_date``) and its number of entries (``entry_count``)."""
        dt, et = DocketRow.__table__, DocketEntryRow.__table__
        if pacer_case_id:
            where = dt.c.pacer_case_id == str(pacer_case_id)
        elif docket_number:
            where = dt.c.docket_number == docket_number
        else:
            return None
        if not self._has_tables("dockets", "docket_entries"):
            return None
        with self.engine.connect() as conn:
            row = conn.execute(select(dt.c.id, dt.c.court_id, dt.c.pacer_case_id, dt.c.docket_number)
                               .where(dt.c.court_id == court_id, where).order_by(dt.c.id).limit(1)).mappings().first()
            if row is None:
                return None
            last, count = conn.execute(select(func.max(et.c.date_filed), func.count())
                                       .where(et.c.docket_id == row["id"])).one()
        return {**dict(row), "last_entry_date": (last or "")[:10] or None, "entry_count": count}

    def held_dockets(self, court_id: str | None = None, filed_since: str | None = None) -> list[dict]:
        """Our dockets pulled from a report that names their filing date and PACER case id (of one court, filed on or after ``filed_since``
        when given), each with ``last_entry_date``, ``entry_count`` and ``last_document_number``:
        what a refresh compares PACER's free sources with."""
        if not self._has_tables("dockets", "docket_entries"):
            return []
        dt, et = DocketRow.__table__, DocketEntryRow.__table__
        # A docket with no filing date came from an RSS feed only: nobody asked for that case.
        query = select(dt.c.id, dt.c.court_id, dt.c.pacer_case_id, dt.c.docket_number, dt.c.date_filed).where(
            dt.c.pacer_case_id.isnot(None), dt.c.date_filed.isnot(None))
        if court_id:
            query = query.where(dt.c.court_id == court_id)
        if filed_since:
            query = query.where(dt.c.date_filed >= filed_since)
        with self.engine.connect() as conn:
            dockets = {row["id"]: {**dict(row), "last_entry_date": None, "entry_count": 0, "last_document_number": None}
                       for row in conn.execute(query.order_by(dt.c.court_id, dt.c.id)).mappings()}
            entries: Iterable[Any] = conn.execute(select(et.c.docket_id, et.c.date_filed, et.c.document_number)
                                   .where(et.c.docket_id.in_(list(dockets)))) if dockets else []
            for docket_id, filed, number in entries:
                held = dockets[docket_id]
                held["entry_count"] += 1
                day = (filed or "")[:10] or None
                if day and (held["last_entry_date"] is None or day > held["last_entry_date"]):
                    held["last_entry_date"] = day
                number = as_int(number)
                if number is not None and (held["last_document_number"] is None or number > held["last_document_number"]):
                    held["last_document_number"] = number
        return list(dockets.values())

    def docket_by_id(self, docket_id: int) -> dict | None:
        """Our docket row ``docket_id`` (court, case id, docket number), or None."""
        if not self._has_tables("dockets"):
            return None
        dt = DocketRow.__table__
        with self.engine.connect() as conn:
            row = conn.execute(select(dt.c.id, dt.c.court_id, dt.c.pacer_case_id, dt.c.docket_number)
                               .where(dt.c.id == int(docket_id))).mappings().first()
        return dict(row) if row else None

    def docket_documents(self, docket_id: int, numbers: set[int] | None = None) -> list[dict]:
        """The numbered entries of one of our dockets that link a document (``pacer_doc_id``),
        by document number (only ``numbers`` when given)."""
        if not self._has_tables("docket_entries"):
            return []
        et = DocketEntryRow.__table__
        with self.engine.connect() as conn:
            rows = conn.execute(select(et.c.document_number, et.c.pacer_doc_id, et.c.pacer_seq_no)
                                .where(et.c.docket_id == int(docket_id), et.c.pacer_doc_id.isnot(None))).mappings()
            found = []
            for row in rows:
                number = as_int(row["document_number"])
                if number is not None and (numbers is None or number in numbers):
                    found.append({**dict(row), "document_number": number})
        return sorted(found, key=lambda r: r["document_number"])

    def held_document(self, court_id: str, pacer_doc_id: str) -> dict | None:
        """Our stored copy of a document (a row with a file), or None when we do not hold it."""
        return self._held(court_id, DocumentRow.__table__.c.pacer_doc_id, pacer_doc_id)

    def held_acms_document(self, court_id: str, guid: str) -> dict | None:
        """Our stored copy of an ACMS document (by its GUID), or None."""
        return self._held(court_id, DocumentRow.__table__.c.acms_document_guid, guid)

    def _held(self, court_id: str, column, value) -> dict | None:
        if not self._has_tables("documents"):
            return None
        doc = DocumentRow.__table__
        with self.engine.connect() as conn:
            row = conn.execute(select(doc.c.id, doc.c.filepath, doc.c.sha1).where(
                doc.c.court_id == court_id, column == as_text(value),
                doc.c.filepath.isnot(None) | doc.c.sha1.isnot(None)).limit(1)).mappings().first()
        return dict(row) if row else None

    def counts_of(self, *tables) -> dict:
        """Rows per table (model classes), by table name."""
        with self.engine.connect() as conn:
            return {t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar() for t in tables}

"""What the spiders ask the archive before spending money (read only).

``since=last`` needs the newest entry we hold, the PDF spider whether we already hold a document
and which documents a docket of ours lists.  A fresh database (no tables yet) holds nothing.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import inspect, text

from pacer_spiders.db import make_engine


@lru_cache(maxsize=4)
def _engine(database_url: str):
    return make_engine(database_url)


def _has_tables(engine, *names) -> bool:
    existing = set(inspect(engine).get_table_names())
    return all(name in existing for name in names)


def find_docket(database_url: str, court_id: str, pacer_case_id: str | None = None,
                docket_number: str | None = None) -> dict | None:
    """Our docket row for a case (by case id, else docket number), with its newest entry date."""
    engine = _engine(database_url)
    if not _has_tables(engine, "dockets", "docket_entries"):
        return None
    if pacer_case_id:
        where, params = "court_id = :court AND pacer_case_id = :case", {"court": court_id, "case": str(pacer_case_id)}
    elif docket_number:
        where, params = "court_id = :court AND docket_number = :number", {"court": court_id, "number": docket_number}
    else:
        return None
    with engine.connect() as conn:
        row = conn.execute(text(f"SELECT id, court_id, pacer_case_id, docket_number FROM dockets WHERE {where} "
                                "ORDER BY id LIMIT 1"), params).mappings().first()
        if row is None:
            return None
        last = conn.execute(text("SELECT MAX(date_filed) FROM docket_entries WHERE docket_id = :id"),
                            {"id": row["id"]}).scalar()
        count = conn.execute(text("SELECT COUNT(*) FROM docket_entries WHERE docket_id = :id"),
                             {"id": row["id"]}).scalar()
    return {**dict(row), "last_entry_date": (last or "")[:10] or None, "entry_count": count}


def docket_by_id(database_url: str, docket_id: int) -> dict | None:
    engine = _engine(database_url)
    if not _has_tables(engine, "dockets"):
        return None
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, court_id, pacer_case_id, docket_number FROM dockets WHERE id = :id"),
                           {"id": int(docket_id)}).mappings().first()
    return dict(row) if row else None


def docket_documents(database_url: str, docket_id: int, numbers: set[int] | None = None) -> list[dict]:
    """The numbered entries of one of our dockets that link a document (``pacer_doc_id``)."""
    engine = _engine(database_url)
    if not _has_tables(engine, "docket_entries"):
        return []
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT document_number, pacer_doc_id, pacer_seq_no FROM docket_entries "
                                 "WHERE docket_id = :id AND pacer_doc_id IS NOT NULL"),
                            {"id": int(docket_id)}).mappings().all()
    found = []
    for row in rows:
        try:
            number = int(str(row["document_number"]).strip())
        except (TypeError, ValueError):
            continue
        if numbers is None or number in numbers:
            found.append({**dict(row), "document_number": number})
    return sorted(found, key=lambda r: r["document_number"])


def held_document(database_url: str, court_id: str, pacer_doc_id: str) -> dict | None:
    """Our stored copy of a document (a row with a file), or None when we do not hold it."""
    engine = _engine(database_url)
    if not _has_tables(engine, "documents"):
        return None
    with engine.connect() as conn:
        row = conn.execute(text("SELECT id, filepath, sha1 FROM documents WHERE court_id = :court AND "
                                "pacer_doc_id = :doc AND (filepath IS NOT NULL OR sha1 IS NOT NULL) LIMIT 1"),
                           {"court": court_id, "doc": pacer_doc_id}).mappings().first()
    return dict(row) if row else None

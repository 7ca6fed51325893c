"""How the archive's parts write: a transaction per merge, counted writes, and the one row merge.

Writes are ``INSERT ... ON CONFLICT`` on both dialects.  On SQLite a writing transaction takes the
write lock at ``BEGIN IMMEDIATE``; on PostgreSQL the docket parts lock what they merge (see
``dockets.lock_docket``).  A dry run rolls every transaction back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable

import hashlib
import threading
import weakref

from sqlalchemy import bindparam, event, literal_column, select, text, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert

from pacer_spiders.db.merge_policy import TablePolicy
from pacer_spiders.db.models import DocketRow


def utcnow() -> datetime:
    # Naive UTC: the same value on both dialects (SQLite keeps no time zone).
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass
class MergeResult:
    """What one merge did: counts per kind (``entries_added``...) and the docket it touched."""

    counts: Counter = field(default_factory=Counter)
    docket_id: int | None = None
    changes: dict = field(default_factory=dict)
    document: dict | None = None  # the document a PDF belongs to

    @property
    def rows_written(self) -> int:
        return self.counts["rows_written"]


class Store:
    """The engine the parts share, and whether this is a dry run."""

    def __init__(self, engine: Engine, dry_run: bool = False):
        self.engine, self.dry_run = engine, dry_run
        self.current = threading.local()  # the transaction this thread has open, if any
        if engine.dialect.name == "sqlite":
            _serialise_sqlite_writers(engine)

    def transaction(self) -> "Transaction":
        """A transaction; inside another of this thread's, that one (one commit for both)."""
        return Transaction(self)


_STATEMENTS: dict[tuple, Any] = {}


def statement(conn: Connection, key: tuple, build: Callable[[], Any]):
    """The statement ``build()`` makes, built once per dialect and ``key``: a merge runs the same
    few statements for every page, and building one (and its cache key) costs more than running it."""
    cache_key = (conn.dialect.name, *key)
    stmt = _STATEMENTS.get(cache_key)
    if stmt is None:
        stmt = _STATEMENTS[cache_key] = build()
    return stmt


def insert(conn: Connection, table):
    """The dialect's INSERT (with ``on_conflict_do_nothing`` / ``on_conflict_do_update``)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def write(conn: Connection, stmt, result: MergeResult, count: bool = True, params=None) -> int:
    """Execute a write; its rows go to ``rows_written`` unless ``count`` is false.  A dict of
    ``params`` is one row (counted as an INSERT of ``values()``), a list of them many."""
    if (params is None or isinstance(params, dict)) and isinstance(stmt, Insert):
        # An INSERT ... ON CONFLICT DO NOTHING says what it wrote through RETURNING (the
        # drivers' rowcount differs: psycopg reports 0 when SQLAlchemy adds its own RETURNING).
        written = len(conn.execute(_returning_one(stmt), params).all())
    else:
        cursor = conn.execute(stmt, params) if params is not None else conn.execute(stmt)
        written = max(cursor.rowcount or 0, 0)
    if count:
        result.counts["rows_written"] += written
    return written


_RETURNING_ONE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _returning_one(stmt: Insert) -> Insert:
    """``stmt`` with ``RETURNING 1``, made once for a statement kept (``statement``) and reused."""
    made = _RETURNING_ONE.get(stmt)
    if made is None:
        made = _RETURNING_ONE[stmt] = stmt.returning(literal_column("1"))
    return made


def merge_rows(conn: Connection, table, policy: TablePolicy, kind: str, held: dict, incoming: dict,
               identity: Callable[[Any], dict], conflict: tuple[list[str], object], result: MergeResult,
               stamped: bool = True, new_ids: dict | None = None, key_of: Callable[[Any], Any] | None = None) -> int:
    """Merge ``incoming`` (key -> values read by ``policy``) with the ``held`` rows (key -> row).

    A held row gets only what ``policy.changes`` lets through; new keys are inserted (with
    ``identity(key)``), all at once, doing nothing on a conflict of ``conflict`` (index columns and
    partial-index condition): new keys are made under the docket's lock, so there is none.
    Counts ``<kind>_added|changed|unchanged`` and ``rows_written``; returns how many were added.
    With ``new_ids`` and ``key_of`` (a returned row's key), the ids of the rows inserted go into
    ``new_ids`` by key (RETURNING: no second read of the rows)."""
    now = utcnow()
    stamp = {"updated_at": now} if stamped else {}
    new_rows = []
    for key, values in incoming.items():
        old = held.get(key)
        if old is None:
            new_rows.append({**values, **identity(key), **stamp, **({"created_at": now} if stamped else {})})
            continue
        changes = policy.changes(old, values)
        if changes:
            write(conn, update_by_id(conn, table), result, params={"row_id": old["id"], **changes, **stamp})
            result.counts[f"{kind}_changed"] += 1
        else:
            result.counts[f"{kind}_unchanged"] += 1
    if new_rows:
        elements, where = conflict
        stmt = statement(conn, ("merge_rows", table.name, *elements), lambda: insert(conn, table).on_conflict_do_nothing(
            index_elements=elements, index_where=where))
        if new_ids is not None and key_of is not None:
            returned = [table.c.id, *(table.c[name] for name in identity(next(iter(incoming))))]
            rows = conn.execute(statement(conn, ("merge_rows_returning", table.name, *elements),
                                          lambda: stmt.returning(*returned)), new_rows).mappings()
            new_ids.update((key_of(row), row["id"]) for row in rows)
        else:
            # Each row is one write (executemany rowcounts vary by driver).
            write(conn, stmt, result, count=False, params=new_rows)
        result.counts["rows_written"] += len(new_rows)
        result.counts[f"{kind}_added"] += len(new_rows)
    return len(new_rows)


def update_by_id(conn: Connection, table):
    """UPDATE of the row of ``table`` whose id is the parameter ``row_id``; the columns set are
    the other parameters given."""
    return statement(conn, ("update_by_id", table.name), lambda: update(table).where(table.c.id == bindparam("row_id")))


def lock_docket(conn: Connection, court_id: str, pacer_case_id=None, docket_number=None) -> None:
    """Before finding or creating a docket: a lock per identifier the page knows (PostgreSQL)."""
    # A page known by both case id and docket number waits for one known by either (the
    # number-to-case-id adoption cannot meet a concurrent insert of the case id).  They are
    # taken at once, in one global order, and no transaction takes another afterwards: no
    # deadlock.
    if conn.dialect.name != "postgresql":
        return
    keys = sorted({_advisory_key(court_id, kind, value)
                   for kind, value in (("case", pacer_case_id), ("number", docket_number)) if value})
    for key in keys:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def lock_docket_row(conn: Connection, docket_id: int) -> None:
    """Hold a docket's row for every change under it."""
    # A page known only by case id and one known only by number reach the same row through
    # different identifiers (and different advisory locks), and still merge one after the other.
    # Taken after the advisory locks and never before one, so the two kinds of lock cannot wait
    # on each other in a cycle.
    conn.execute(select(DocketRow.id).where(DocketRow.id == docket_id).with_for_update())


def _advisory_key(court_id: str, kind: str, value: str) -> int:
    """The PostgreSQL advisory lock (a signed 64-bit key) of one identifier of a docket."""
    digest = hashlib.sha256(f"pacer-docket|{court_id}|{kind}|{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class Transaction:
    """``with`` a connection in a transaction: committed, or rolled back on error and in dry runs.
    Nested in another of the same store and thread, it is that one: the outer one commits."""

    def __init__(self, store: Store):
        self.store, self.engine, self.dry_run = store, store.engine, store.dry_run
        self.outer = None

    def __enter__(self) -> Connection:
        self.outer = getattr(self.store.current, "conn", None)
        if self.outer is not None:
            return self.outer
        self.conn = self.engine.connect().execution_options(pacer_write=True)
        self.trans = self.conn.begin()
        self.store.current.conn = self.conn
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        if self.outer is not None:
            return False
        self.store.current.conn = None
        try:
            if exc_type is None and not self.dry_run:
                self.trans.commit()
            else:
                self.trans.rollback()
        finally:
            self.conn.close()
        return False


def _serialise_sqlite_writers(engine: Engine) -> None:
    # SQLite allows one writer: take the write lock at BEGIN (IMMEDIATE) rather than on the first
    # write, so that two processes never both read and then both wait to upgrade (SQLITE_BUSY).
    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_conn, _record):
        dbapi_conn.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("pacer_write") else "BEGIN")

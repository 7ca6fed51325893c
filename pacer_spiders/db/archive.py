"""The archive: merge parsed PACER pages into the database with idempotent, concurrent-safe upserts.

Merge rules (README "Archive"): a new non-empty value wins; a partial page never erases what we
know; changed entry text updates in place; terminated parties stay; attorneys are de-duplicated by
name within a docket; a docket first known by number adopts its case id; the same docket in two
courts stays two dockets.  Every merge reads the docket's rows, works out the difference and writes
only that, so a page merged twice writes zero rows the second time.  Writes are ``INSERT ... ON
CONFLICT`` on both dialects, under a per-docket lock (on PostgreSQL, transaction advisory locks on
the identifiers a page knows, then the docket's row; on SQLite, ``BEGIN IMMEDIATE``), so concurrent
processes neither duplicate nor deadlock.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, event, func, literal_column, select, text, update
from sqlalchemy.sql.dml import Insert
from sqlalchemy.engine import Connection, Engine

from pacer_spiders.courts import is_pacer_doc_id, normalize_pacer_doc_id
from pacer_spiders.db import make_engine, upgrade_database
from pacer_spiders.db.models import (
    AttorneyRow,
    CrawlRunRow,
    DocketEntryRow,
    DocketRow,
    DocketUpdateRow,
    DocumentRow,
    OrphanDocumentRow,
    PartyAttorneyRow,
    PartyRow,
    RawPageRow,
    RejectedPageRow,
)

DOCKET_FIELDS = (
    "docket_number", "case_name", "date_filed", "date_terminated", "date_converted", "date_discharged",
    "date_last_filing", "assigned_to_str", "referred_to_str", "cause", "nature_of_suit", "jury_demand",
    "demand", "jurisdiction", "mdl_status", "federal_dn_case_type", "federal_dn_office_code",
    "federal_dn_judge_initials_assigned", "federal_dn_judge_initials_referred", "federal_defendant_number",
)
ENTRY_FIELDS = ("document_number", "date_filed", "date_entered", "pacer_doc_id", "pacer_seq_no",
                "description", "short_description")
DOCUMENT_FIELDS = ("document_number", "pacer_doc_id", "pacer_seq_no", "description", "page_count",
                   "file_size_bytes", "file_size_str", "is_sealed")
# Orphans are retried after 1, 2, 4 ... minutes, at most a day apart.
ORPHAN_BACKOFF_START = timedelta(minutes=1)
ORPHAN_BACKOFF_MAX = timedelta(days=1)

_SPACES = re.compile(r"\s+")


def utcnow() -> datetime:
    # Naive UTC: the same value on both dialects (SQLite keeps no time zone).
    return datetime.now(timezone.utc).replace(tzinfo=None)


def is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def name_key(name: str | None) -> str:
    """How names are compared: case and runs of spaces and punctuation do not matter."""
    return _SPACES.sub(" ", re.sub(r"[.,]", " ", name or "")).strip().lower()[:300]


def normalized_text(value: str | None) -> str:
    return _SPACES.sub(" ", value or "").strip().lower()


def _text(value) -> str | None:
    if is_empty(value):
        return None
    return str(value).strip() or None


def _int(value) -> int | None:
    if is_empty(value):
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def _date10(value) -> str | None:
    value = _text(value)
    return value[:10] if value else None


def entry_key(entry: dict) -> str:
    """The database key of an entry within its docket (see DocketEntryRow)."""
    number = _text(entry.get("document_number"))
    if number:
        return f"n:{number}"
    day = _date10(entry.get("date_filed")) or _date10(entry.get("date_entered")) or ""
    seq = _text(entry.get("pacer_seq_no"))
    if seq:
        return f"s:{day}:{seq}"
    digest = hashlib.sha1(normalized_text(entry.get("description")).encode()).hexdigest()[:20]
    return f"t:{day}:{digest}"


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


class Archive:
    """The archive at ``DATABASE_URL``; opens (and upgrades) the schema once per process and URL."""

    _opened: dict[str, "Archive"] = {}
    _lock = threading.Lock()

    def __init__(self, url_or_engine, upgrade: bool = True, dry_run: bool = False):
        if isinstance(url_or_engine, Engine):
            self.engine = url_or_engine
        else:
            self.engine = make_engine(url_or_engine)
        if self.engine.dialect.name == "sqlite":
            _serialise_sqlite_writers(self.engine)
        if upgrade:
            upgrade_database(self.engine)
        self.dry_run = dry_run

    @classmethod
    def open(cls, url: str, dry_run: bool = False) -> "Archive":
        """The process-wide archive of ``url`` (schema upgraded on first open)."""
        key = f"{url}|{dry_run}"
        with cls._lock:
            if key not in cls._opened:
                cls._opened[key] = cls(url, dry_run=dry_run)
            return cls._opened[key]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # --- transactions ---------------------------------------------------------------------
    def _transaction(self):
        return _Transaction(self.engine, self.dry_run)

    def _lock_docket(self, conn: Connection, court_id: str, pacer_case_id=None, docket_number=None) -> None:
        # Before finding or creating a docket: a lock per identifier the page knows (case id and
        # docket number), so that a page known by both waits for one known by either (the
        # number-to-case-id adoption cannot meet a concurrent insert of the case id).  They are
        # taken at once, in one global order, and no transaction takes another afterwards: no
        # deadlock.
        if conn.dialect.name != "postgresql":
            return
        keys = sorted({_advisory_key(court_id, kind, value)
                       for kind, value in (("case", pacer_case_id), ("number", docket_number)) if value})
        for key in keys:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def _lock_docket_row(self, conn: Connection, docket_id: int) -> None:
        # Every change under a docket holds its row: a page known only by case id and one known
        # only by number reach the same row through different identifiers (and different
        # advisory locks), and still merge one after the other.  Taken after the advisory locks
        # and never before one, so the two kinds of lock cannot wait on each other in a cycle.
        conn.execute(select(DocketRow.id).where(DocketRow.id == docket_id).with_for_update())

    def _insert(self, conn: Connection, table):
        if conn.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert(table)

    # --- dockets -------------------------------------------------------------------------
    def merge_docket(self, court_id: str, parsed: dict, context: dict | None = None) -> MergeResult:
        """Merge a parsed docket (or history, case query, possible case numbers) page."""
        context = context or {}
        result = MergeResult()
        pacer_case_id = _text(context.get("pacer_case_id")) or _text(parsed.get("pacer_case_id"))
        docket_number = _text(parsed.get("docket_number")) or _text(context.get("docket_number"))
        if not (pacer_case_id or docket_number):
            raise ValueError("a docket needs a pacer_case_id or a docket_number")
        with self._transaction() as conn:
            self._lock_docket(conn, court_id, pacer_case_id, docket_number)
            docket = self._find_or_create_docket(conn, court_id, pacer_case_id, docket_number, result)
            result.docket_id = docket_id = docket["id"]
            changed_fields = list(result.changes.get("fields", []))
            values = {f: _text(parsed.get(f)) for f in DOCKET_FIELDS if f in parsed}
            for name in ("date_filed", "date_terminated", "date_converted", "date_discharged", "date_last_filing"):
                if values.get(name):
                    values[name] = values[name][:10]
            entries = [e for e in (parsed.get("docket_entries") or []) if isinstance(e, dict)]
            self._merge_entries(conn, court_id, docket_id, entries, result)
            self._merge_parties(conn, docket_id, parsed.get("parties") or [], result)
            page_last = max((d for d in (_date10(e.get("date_filed")) for e in entries) if d), default=None)
            if page_last and (not docket["last_entry_date"] or page_last > docket["last_entry_date"]):
                values["last_entry_date"] = page_last
            updates = {k: v for k, v in values.items() if v is not None and v != docket[k]}
            changed_fields += [k for k in updates if k != "last_entry_date"]
            if result.counts["dockets_added"]:
                changed_fields = []
            touched = bool(updates) or any(
                result.counts[f"{kind}_{what}"]
                for kind in ("entries", "documents", "parties", "attorneys", "roles")
                for what in ("added", "changed")
            ) or result.counts["dockets_added"] or result.changes.get("adopted_case_id")
            if updates:
                self._write(conn, update(DocketRow).where(DocketRow.id == docket_id).values(**updates), result)
            if touched:
                now = utcnow()
                self._write(conn, update(DocketRow).where(DocketRow.id == docket_id).values(updated_at=now), result,
                            count=not updates)
                if not result.counts["dockets_added"]:
                    result.counts["dockets_changed"] += 1
                summary = {k: v for k, v in result.counts.items() if v and not k.endswith("unchanged")
                           and k != "rows_written"}
                if changed_fields:
                    summary["fields"] = sorted(set(changed_fields))
                result.changes = summary
                self._write(conn, self._insert(conn, DocketUpdateRow.__table__).values(
                    docket_id=docket_id, changed_at=now, summary=summary), result)
            else:
                result.counts["dockets_unchanged"] += 1
        return result

    def _find_or_create_docket(self, conn, court_id, pacer_case_id, docket_number, result) -> dict:
        # Each select holds the row it finds (FOR UPDATE; see _lock_docket_row) and so reads it as
        # the last transaction to hold it left it.
        table = DocketRow.__table__
        cols = [table.c.id, table.c.pacer_case_id, table.c.last_entry_date, *[table.c[f] for f in DOCKET_FIELDS]]
        row = None
        if pacer_case_id:
            row = conn.execute(select(*cols).where(table.c.court_id == court_id,
                                                   table.c.pacer_case_id == pacer_case_id)
                               .with_for_update()).mappings().first()
            if row is None and docket_number:
                # A docket first known by its number adopts its case id now that we learn it.
                row = conn.execute(select(*cols).where(
                    table.c.court_id == court_id, table.c.docket_number == docket_number,
                    table.c.pacer_case_id.is_(None)).with_for_update()).mappings().first()
                if row is not None:
                    self._write(conn, update(DocketRow).where(DocketRow.id == row["id"]).values(
                        pacer_case_id=pacer_case_id), result)
                    result.changes["adopted_case_id"] = pacer_case_id
                    result.changes["fields"] = ["pacer_case_id"]
                    row = dict(row, pacer_case_id=pacer_case_id)
        else:
            row = conn.execute(select(*cols).where(table.c.court_id == court_id,
                                                   table.c.docket_number == docket_number)
                               .order_by(table.c.pacer_case_id.is_(None), table.c.id).limit(1)
                               .with_for_update()).mappings().first()
        if row is not None:
            return dict(row)
        now = utcnow()
        stmt = self._insert(conn, table).values(court_id=court_id, pacer_case_id=pacer_case_id,
                                                docket_number=docket_number, created_at=now, updated_at=now)
        if pacer_case_id:
            stmt = stmt.on_conflict_do_nothing(index_elements=["court_id", "pacer_case_id"],
                                               index_where=table.c.pacer_case_id.isnot(None))
        else:
            stmt = stmt.on_conflict_do_nothing(index_elements=["court_id", "docket_number"],
                                               index_where=table.c.pacer_case_id.is_(None))
        written = self._write(conn, stmt, result)
        result.counts["dockets_added"] += 1 if written else 0
        where = (table.c.pacer_case_id == pacer_case_id) if pacer_case_id else and_(
            table.c.docket_number == docket_number, table.c.pacer_case_id.is_(None))
        row = conn.execute(select(*cols).where(table.c.court_id == court_id, where).with_for_update()).mappings().one()
        return dict(row)

    def _write(self, conn, stmt, result: MergeResult, count: bool = True, params=None) -> int:
        if params is None and isinstance(stmt, Insert):
            # An INSERT ... ON CONFLICT DO NOTHING says what it wrote through RETURNING (the
            # drivers' rowcount differs: psycopg reports 0 when SQLAlchemy adds its own RETURNING).
            written = len(conn.execute(stmt.returning(literal_column("1"))).all())
        else:
            cursor = conn.execute(stmt, params) if params is not None else conn.execute(stmt)
            written = max(cursor.rowcount or 0, 0)
        if count:
            result.counts["rows_written"] += written
        return written

    # --- entries and their documents ------------------------------------------------------
    def _merge_entries(self, conn, court_id, docket_id, entries, result: MergeResult) -> None:
        if not entries:
            return
        table = DocketEntryRow.__table__
        incoming: dict[str, dict] = {}
        for entry in entries:
            values = {f: _text(entry.get(f)) for f in ENTRY_FIELDS}
            doc_id = values["pacer_doc_id"]
            values["pacer_doc_id"] = normalize_pacer_doc_id(doc_id, court_id) if is_pacer_doc_id(doc_id) else None
            key = entry_key(entry)
            if key in incoming:  # the same entry twice on a page: fill what the first lacked
                for f, v in values.items():
                    if incoming[key].get(f) is None and v is not None:
                        incoming[key][f] = v
            else:
                incoming[key] = values
                values["_attachments"] = entry.get("attachments") or []
        existing = {r["entry_key"]: r for r in conn.execute(
            select(table).where(table.c.docket_id == docket_id)).mappings()}
        now = utcnow()
        new_rows = []
        for key, values in incoming.items():
            old = existing.get(key)
            plain = {f: values[f] for f in ENTRY_FIELDS}
            if old is None:
                new_rows.append(dict(plain, docket_id=docket_id, entry_key=key, created_at=now, updated_at=now))
                continue
            changes = {f: v for f, v in plain.items() if v is not None and v != old[f]}
            if changes:
                self._write(conn, update(DocketEntryRow).where(DocketEntryRow.id == old["id"]).values(
                    **changes, updated_at=now), result)
                result.counts["entries_changed"] += 1
            else:
                result.counts["entries_unchanged"] += 1
        if new_rows:
            stmt = self._insert(conn, table)
            stmt = stmt.on_conflict_do_nothing(index_elements=["docket_id", "entry_key"])
            self._write(conn, stmt, result, count=False, params=new_rows)
            result.counts["rows_written"] += len(new_rows)
            result.counts["entries_added"] += len(new_rows)
            ids = {r.entry_key: r.id for r in conn.execute(
                select(table.c.id, table.c.entry_key).where(table.c.docket_id == docket_id))}
        else:
            ids = {k: r["id"] for k, r in existing.items()}
        # The main document of each entry that has one, and attachments a parser listed in the entry.
        docs = []
        for key, values in incoming.items():
            if values["pacer_doc_id"] or values["document_number"]:
                docs.append((ids[key], {"document_number": values["document_number"],
                                        "pacer_doc_id": values["pacer_doc_id"],
                                        "pacer_seq_no": values["pacer_seq_no"]}, None))
            for att in values["_attachments"]:
                number = _int(att.get("attachment_number"))
                if number is not None:
                    docs.append((ids[key], dict(att, document_number=values["document_number"]), number))
        self._merge_documents(conn, court_id, docs, result)

    def _merge_documents(self, conn, court_id, docs, result: MergeResult) -> None:
        """Upsert documents given as (entry id, values, attachment number)."""
        if not docs:
            return
        table = DocumentRow.__table__
        entry_ids = sorted({d[0] for d in docs})
        existing = {}
        for chunk in range(0, len(entry_ids), 500):
            for r in conn.execute(select(table).where(table.c.docket_entry_id.in_(entry_ids[chunk:chunk + 500]))).mappings():
                existing[(r["docket_entry_id"], r["attachment_number"])] = r
        now = utcnow()
        new_main, new_att = [], []
        for entry_id, raw, attachment_number in docs:
            values = {f: raw.get(f) for f in DOCUMENT_FIELDS if f in raw}
            for f in ("document_number", "pacer_doc_id", "pacer_seq_no", "description", "file_size_str"):
                if f in values:
                    values[f] = _text(values[f])
            for f in ("page_count", "file_size_bytes"):
                if f in values:
                    values[f] = _int(values[f])
            if values.get("pacer_doc_id"):
                values["pacer_doc_id"] = normalize_pacer_doc_id(values["pacer_doc_id"], court_id)
            old = existing.get((entry_id, attachment_number))
            if old is None:
                row = dict(values, docket_entry_id=entry_id, court_id=court_id,
                           attachment_number=attachment_number, created_at=now, updated_at=now)
                (new_att if attachment_number is not None else new_main).append(row)
                existing[(entry_id, attachment_number)] = row
                continue
            changes = {f: v for f, v in values.items() if not is_empty(v) and v != old.get(f)}
            if changes and "id" in old:
                self._write(conn, update(DocumentRow).where(DocumentRow.id == old["id"]).values(
                    **changes, updated_at=now), result)
                result.counts["documents_changed"] += 1
            elif "id" in old:
                result.counts["documents_unchanged"] += 1
        for rows, where, elements in (
            (new_main, table.c.attachment_number.is_(None), ["docket_entry_id"]),
            (new_att, table.c.attachment_number.isnot(None), ["docket_entry_id", "attachment_number"]),
        ):
            if not rows:
                continue
            columns = set().union(*rows)
            rows = [{c: r.get(c) for c in columns} for r in rows]
            stmt = self._insert(conn, table).on_conflict_do_nothing(index_elements=elements, index_where=where)
            # New keys under the docket's lock: each row is one write (executemany rowcounts vary by driver).
            self._write(conn, stmt, result, count=False, params=rows)
            result.counts["rows_written"] += len(rows)
            result.counts["documents_added"] += len(rows)

    # --- parties and attorneys --------------------------------------------------------------
    def _merge_parties(self, conn, docket_id, parties, result: MergeResult) -> None:
        parties = [p for p in parties if isinstance(p, dict) and _text(p.get("name"))]
        if not parties:  # a docket fetched without parties keeps the ones we hold
            return
        pt, at, pat = PartyRow.__table__, AttorneyRow.__table__, PartyAttorneyRow.__table__
        known_parties = {(r["name_key"], r["type"]): r for r in conn.execute(
            select(pt).where(pt.c.docket_id == docket_id)).mappings()}
        known_attorneys = {r["name_key"]: r for r in conn.execute(
            select(at).where(at.c.docket_id == docket_id)).mappings()}
        known_roles = {(r["party_id"], r["attorney_id"]): r["roles"] for r in conn.execute(
            select(pat).join(pt, pt.c.id == pat.c.party_id).where(pt.c.docket_id == docket_id)).mappings()}
        # One page may list a party or an attorney twice (an attorney for several parties, with
        # contact text that differs): fold each into one set of values first, the first non-empty
        # value winning, so that merging the same page again changes nothing.
        page_parties: dict[tuple, dict] = {}
        page_attorneys: dict[str, dict] = {}
        page_roles: dict[tuple, list] = {}
        for party in parties:
            key = (name_key(party["name"]), _text(party.get("type")) or "")
            values = {"name": _text(party.get("name")), "extra_info": _text(party.get("extra_info")),
                      "date_terminated": _date10(party.get("date_terminated")),
                      "criminal_data": party.get("criminal_data") or None}
            _fold(page_parties, key, values)
            for attorney in party.get("attorneys") or []:
                if not _text(attorney.get("name")):
                    continue
                akey = name_key(attorney["name"])
                _fold(page_attorneys, akey, {"name": _text(attorney["name"]), "contact": _text(attorney.get("contact"))})
                roles = page_roles.setdefault((key, akey), [])
                roles.extend(r for r in (attorney.get("roles") or []) if r and r not in roles)
        party_ids = {key: self._upsert_named(conn, pt, known_parties, key, values,
                                             {"docket_id": docket_id, "name_key": key[0], "type": key[1]},
                                             ["docket_id", "name_key", "type"], "parties", result)
                     for key, values in page_parties.items()}
        attorney_ids = {akey: self._upsert_named(conn, at, known_attorneys, akey, values,
                                                 {"docket_id": docket_id, "name_key": akey},
                                                 ["docket_id", "name_key"], "attorneys", result)
                        for akey, values in page_attorneys.items()}
        for (key, akey), roles in page_roles.items():
            party_id, attorney_id = party_ids[key], attorney_ids[akey]
            roles = roles or None
            pair = (party_id, attorney_id)
            if pair not in known_roles:
                stmt = self._insert(conn, pat).values(party_id=party_id, attorney_id=attorney_id, roles=roles)
                self._write(conn, stmt.on_conflict_do_nothing(index_elements=["party_id", "attorney_id"]), result)
                known_roles[pair] = roles
                result.counts["roles_added"] += 1
            elif roles and roles != known_roles[pair]:
                self._write(conn, update(PartyAttorneyRow).where(
                    PartyAttorneyRow.party_id == party_id, PartyAttorneyRow.attorney_id == attorney_id
                ).values(roles=roles), result)
                known_roles[pair] = roles
                result.counts["roles_changed"] += 1
            else:
                result.counts["roles_unchanged"] += 1

    def _upsert_named(self, conn, table, known, key, values, identity, elements, kind, result) -> int:
        old = known.get(key)
        if old is None:
            stmt = self._insert(conn, table).values(**identity, **values)
            stmt = stmt.on_conflict_do_update(index_elements=elements, set_={
                k: stmt.excluded[k] for k in values if values[k] is not None} or {elements[-1]: stmt.excluded[elements[-1]]})
            self._write(conn, stmt, result)
            row = conn.execute(select(table).where(*[table.c[k] == v for k, v in identity.items()])).mappings().one()
            known[key] = dict(row)
            result.counts[f"{kind}_added"] += 1
            return row["id"]
        changes = {k: v for k, v in values.items() if not is_empty(v) and v != old[k]}
        if changes:
            self._write(conn, update(table).where(table.c.id == old["id"]).values(**changes), result)
            known[key] = dict(old, **changes)
            result.counts[f"{kind}_changed"] += 1
        else:
            result.counts[f"{kind}_unchanged"] += 1
        return old["id"]

    # --- attachment pages and PDFs --------------------------------------------------------
    def find_entry(self, conn, court_id, pacer_doc_id=None, pacer_case_id=None, document_number=None):
        """(docket row, entry id) of the entry a document id or (case id, number) names, or None."""
        dt, et, doc = DocketRow.__table__, DocketEntryRow.__table__, DocumentRow.__table__
        pacer_doc_id = normalize_pacer_doc_id(_text(pacer_doc_id), court_id)
        if pacer_doc_id:
            row = conn.execute(
                select(doc.c.docket_entry_id, doc.c.attachment_number, dt.c.id, dt.c.docket_number,
                       dt.c.pacer_case_id)
                .join(et, et.c.id == doc.c.docket_entry_id).join(dt, dt.c.id == et.c.docket_id)
                .where(doc.c.court_id == court_id, doc.c.pacer_doc_id == pacer_doc_id)
                .order_by(doc.c.attachment_number.isnot(None))).mappings().first()
            if row is not None:
                return dict(row)
            row = conn.execute(
                select(et.c.id.label("docket_entry_id"), dt.c.id, dt.c.docket_number, dt.c.pacer_case_id)
                .join(dt, dt.c.id == et.c.docket_id)
                .where(dt.c.court_id == court_id, et.c.pacer_doc_id == pacer_doc_id)).mappings().first()
            if row is not None:
                return dict(row, attachment_number=None)
        number = _text(document_number)
        if pacer_case_id and number:
            row = conn.execute(
                select(et.c.id.label("docket_entry_id"), dt.c.id, dt.c.docket_number, dt.c.pacer_case_id)
                .join(dt, dt.c.id == et.c.docket_id)
                .where(dt.c.court_id == court_id, dt.c.pacer_case_id == _text(pacer_case_id),
                       et.c.entry_key == f"n:{number}")).mappings().first()
            if row is not None:
                return dict(row, attachment_number=None)
        return None

    def locate(self, court_id, context: dict, parsed: dict | None = None):
        """Where a PDF or attachment page belongs, or None while its docket or entry is unknown."""
        parsed = parsed or {}
        with self.engine.connect() as conn:
            return self.find_entry(conn, court_id,
                                   pacer_doc_id=context.get("pacer_doc_id") or parsed.get("pacer_doc_id"),
                                   pacer_case_id=context.get("pacer_case_id") or parsed.get("pacer_case_id"),
                                   document_number=context.get("document_number") or parsed.get("document_number"))

    def merge_attachment_page(self, court_id, parsed: dict, context: dict | None = None) -> MergeResult | None:
        """Merge an attachment menu into its entry; None when the entry is unknown (an orphan)."""
        context = context or {}
        result = MergeResult()
        located = self.locate(court_id, context, parsed)
        if located is None:
            return None
        with self._transaction() as conn:
            self._lock_docket_row(conn, located["id"])
            entry_id = located["docket_entry_id"]
            result.docket_id = located["id"]
            number = _text(parsed.get("document_number")) or _text(context.get("document_number"))
            main = {f: parsed.get(f) for f in DOCUMENT_FIELDS if f in parsed and f != "description"}
            main["document_number"] = number
            docs = [(entry_id, main, None)]
            for att in parsed.get("attachments") or []:
                att_number = _int(att.get("attachment_number"))
                if att_number is not None:
                    docs.append((entry_id, dict(att, document_number=number), att_number))
            self._merge_documents(conn, court_id, docs, result)
            if result.counts["documents_added"] or result.counts["documents_changed"]:
                now = utcnow()
                self._write(conn, update(DocketRow).where(DocketRow.id == located["id"]).values(updated_at=now),
                            result, count=False)
                result.changes = {k: v for k, v in result.counts.items() if v and k.startswith("documents_")
                                  and not k.endswith("unchanged")}
                self._write(conn, self._insert(conn, DocketUpdateRow.__table__).values(
                    docket_id=located["id"], changed_at=now, summary=result.changes), result)
        return result

    def document_for_pdf(self, court_id, context: dict) -> MergeResult | None:
        """The document row a PDF is for (made when its entry is known); None when unknown."""
        located = self.locate(court_id, context)
        if located is None:
            return None
        result = MergeResult(docket_id=located["id"])
        attachment_number = _int(context.get("attachment_number"))
        if located.get("attachment_number") is not None and attachment_number is None:
            attachment_number = located["attachment_number"]
        with self._transaction() as conn:
            self._lock_docket_row(conn, located["id"])
            doc = DocumentRow.__table__
            entry = conn.execute(select(DocketEntryRow.__table__).where(
                DocketEntryRow.__table__.c.id == located["docket_entry_id"])).mappings().one()
            values = {"document_number": entry["document_number"]}
            if context.get("pacer_doc_id"):
                values["pacer_doc_id"] = context["pacer_doc_id"]
            self._merge_documents(conn, court_id, [(entry["id"], values, attachment_number)], result)
            cond = (doc.c.attachment_number == attachment_number) if attachment_number is not None \
                else doc.c.attachment_number.is_(None)
            row = conn.execute(select(doc).where(doc.c.docket_entry_id == entry["id"], cond)).mappings().one()
            result.document = dict(row, pacer_case_id=located["pacer_case_id"])
        return result

    def record_file(self, document_id: int, sha1: str, filepath: str, page_count: int | None) -> MergeResult:
        """Record a stored PDF on its document row (nothing written when already recorded)."""
        result = MergeResult()
        with self._transaction() as conn:
            values = {"sha1": sha1, "filepath": filepath}
            if page_count:
                values["page_count"] = page_count
            row = conn.execute(select(DocumentRow.__table__).where(DocumentRow.id == document_id)).mappings().one()
            changes = {k: v for k, v in values.items() if v != row[k]}
            if changes:
                self._write(conn, update(DocumentRow).where(DocumentRow.id == document_id).values(
                    **changes, updated_at=utcnow()), result)
                result.counts["files_added"] += 1
            else:
                result.counts["files_unchanged"] += 1
        return result

    def file_with_sha1(self, sha1: str) -> str | None:
        """The stored path of a PDF with these bytes, if we hold one already."""
        with self.engine.connect() as conn:
            return conn.execute(select(DocumentRow.filepath).where(
                DocumentRow.sha1 == sha1, DocumentRow.filepath.isnot(None)).limit(1)).scalar()

    # --- raw pages, rejected pages, runs ----------------------------------------------------
    def record_raw_page(self, page: dict, docket_id: int | None = None) -> MergeResult:
        result = MergeResult()
        if self.dry_run:
            docket_id = None  # the docket of a dry run was rolled back
        with self._transaction() as conn:
            table = RawPageRow.__table__
            stmt = self._insert(conn, table).values(
                sha1=page["sha1"], court_id=page.get("court_id"), report_type=page.get("report_type") or "",
                url=page.get("url"), status=page.get("status"), content_type=page.get("content_type"),
                context=page.get("context") or None, path=page.get("source_path"), size=page.get("size"),
                cost=page.get("cost") or 0.0, fetched_at=page.get("fetched_at"), docket_id=docket_id,
                created_at=utcnow())
            stmt = stmt.on_conflict_do_nothing(index_elements=["sha1", "court_id", "report_type"])
            if self._write(conn, stmt, result, count=False):
                result.counts["raw_pages_added"] += 1
            elif docket_id is not None:
                self._write(conn, update(RawPageRow).where(
                    RawPageRow.sha1 == page["sha1"], RawPageRow.court_id == page.get("court_id"),
                    RawPageRow.report_type == (page.get("report_type") or ""), RawPageRow.docket_id.is_(None)
                ).values(docket_id=docket_id), result, count=False)
        return result

    def record_rejected(self, page: dict, kind: str, reason: str) -> MergeResult:
        result = MergeResult()
        with self._transaction() as conn:
            stmt = self._insert(conn, RejectedPageRow.__table__).values(
                sha1=page.get("sha1") or "", court_id=page.get("court_id"), report_type=page.get("report_type") or "",
                url=page.get("url"), kind=kind, reason=reason, source_path=page.get("source_path"),
                created_at=utcnow())
            stmt = stmt.on_conflict_do_nothing(index_elements=["sha1", "court_id", "report_type", "kind"])
            if self._write(conn, stmt, result, count=False):
                result.counts["rejected_added"] += 1
        return result

    def start_run(self, spider: str) -> int | None:
        if self.dry_run:
            return None
        with self.engine.begin() as conn:
            return conn.execute(self._insert(conn, CrawlRunRow.__table__).values(
                spider=spider, started_at=utcnow(), cost=0.0, pages=0, rejected=0, errors=0
            ).returning(CrawlRunRow.id)).scalar()

    def finish_run(self, run_id: int | None, *, cost: float, pages: int, rejected: int, errors: int,
                   counts: dict, finish_reason: str | None) -> None:
        if run_id is None or self.dry_run:
            return
        with self.engine.begin() as conn:
            conn.execute(update(CrawlRunRow).where(CrawlRunRow.id == run_id).values(
                finished_at=utcnow(), cost=cost, pages=pages, rejected=rejected, errors=errors,
                counts=counts, finish_reason=finish_reason))

    # --- orphans ----------------------------------------------------------------------------
    def add_orphan(self, court_id, report_type, context: dict, sha1: str, source_path: str | None,
                   parsed: dict | None, reason: str) -> MergeResult:
        result = MergeResult()
        now = utcnow()
        with self._transaction() as conn:
            stmt = self._insert(conn, OrphanDocumentRow.__table__).values(
                court_id=court_id, report_type=report_type,
                pacer_doc_id=normalize_pacer_doc_id(_text(context.get("pacer_doc_id") or (parsed or {}).get("pacer_doc_id")), court_id),
                pacer_case_id=_text(context.get("pacer_case_id") or (parsed or {}).get("pacer_case_id")),
                document_number=_text(context.get("document_number") or (parsed or {}).get("document_number")),
                attachment_number=_int(context.get("attachment_number")), sha1=sha1, source_path=source_path,
                parsed=parsed or None, context=_json_safe(context), reason=reason, attempts=0,
                next_attempt_at=now + ORPHAN_BACKOFF_START, created_at=now)
            stmt = stmt.on_conflict_do_nothing(index_elements=["court_id", "report_type", "sha1"])
            if self._write(conn, stmt, result, count=False):
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
        with self.engine.connect() as conn:
            if docket_id is not None:
                docket = conn.execute(select(DocketRow.court_id, DocketRow.pacer_case_id).where(
                    DocketRow.id == docket_id)).one()
                doc_ids = select(DocumentRow.pacer_doc_id).join(
                    DocketEntryRow, DocketEntryRow.id == DocumentRow.docket_entry_id).where(
                    DocketEntryRow.docket_id == docket_id, DocumentRow.pacer_doc_id.isnot(None))
                entry_doc_ids = select(DocketEntryRow.pacer_doc_id).where(
                    DocketEntryRow.docket_id == docket_id, DocketEntryRow.pacer_doc_id.isnot(None))
                match = ot.c.pacer_doc_id.in_(doc_ids) | ot.c.pacer_doc_id.in_(entry_doc_ids)
                if docket.pacer_case_id:
                    match = match | (ot.c.pacer_case_id == docket.pacer_case_id)
                query = query.where(ot.c.court_id == docket.court_id, match)
            return [dict(r) for r in conn.execute(query).mappings()]

    def mark_orphan(self, orphan_id: int, joined: bool, document_id: int | None = None, reason: str | None = None):
        with self._transaction() as conn:
            row = conn.execute(select(OrphanDocumentRow.attempts).where(OrphanDocumentRow.id == orphan_id)).one()
            now = utcnow()
            if joined:
                values = {"joined_at": now, "document_id": document_id}
            else:
                delay = min(ORPHAN_BACKOFF_START * (2 ** (row.attempts + 1)), ORPHAN_BACKOFF_MAX)
                values = {"attempts": row.attempts + 1, "next_attempt_at": now + delay}
                if reason:
                    values["reason"] = reason
            conn.execute(update(OrphanDocumentRow).where(OrphanDocumentRow.id == orphan_id).values(**values))

    # --- reading ----------------------------------------------------------------------------
    def counts_of(self, *tables) -> dict:
        with self.engine.connect() as conn:
            return {t.__tablename__: conn.execute(select(func.count()).select_from(t)).scalar() for t in tables}


def _advisory_key(court_id: str, kind: str, value: str) -> int:
    """The PostgreSQL advisory lock (a signed 64-bit key) of one identifier of a docket."""
    digest = hashlib.sha256(f"pacer-docket|{court_id}|{kind}|{value}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _fold(seen: dict, key, values: dict) -> None:
    """Keep ``values`` under ``key``, or fill the empty fields of what is already there."""
    if key not in seen:
        seen[key] = dict(values)
        return
    for name, value in values.items():
        if is_empty(seen[key].get(name)) and not is_empty(value):
            seen[key][name] = value


def _json_safe(context: dict | None) -> dict | None:
    if not context:
        return None
    return {k: v for k, v in context.items() if isinstance(v, (str, int, float, bool, type(None), list, dict))}


class _Transaction:
    """``with`` a connection in a transaction: committed, or rolled back on error and in dry runs."""

    def __init__(self, engine: Engine, dry_run: bool):
        self.engine, self.dry_run = engine, dry_run

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect().execution_options(pacer_write=True)
        self.trans = self.conn.begin()
        return self.conn

    def __exit__(self, exc_type, exc, tb):
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

"""Dockets and their children (entries, documents listed in entries, parties, attorneys, roles) and
the ``docket_updates`` log.

A docket first known by number adopts its case id; the same docket in two courts stays two
dockets.  Every merge reads the docket's rows, works out the difference by the merge policy
(``merge_policy.py``) and writes only that, so a page merged twice writes zero rows the second
time.  Concurrent processes neither duplicate nor deadlock: see ``writes.lock_docket``.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import bindparam, select, update

from pacer_spiders.db.documents import DocumentSource, merge_documents
from pacer_spiders.db.merge_policy import (
    ATTORNEYS, DOCKET_FIELDS, DOCKETS, ENTRIES, PARTIES, ROLES, TablePolicy, as_date, as_int, as_text, entry_text,
    name_key, normalized_text,
)
from pacer_spiders.db.models import (
    AttorneyRow, DocketEntryRow, DocketRow, DocketUpdateRow, PartyAttorneyRow, PartyRow,
)
from pacer_spiders.db.writes import (
    MergeResult, Store, insert, lock_docket, merge_rows, statement, update_by_id, utcnow, write,
)

# The children whose changes make a docket changed.
CHILD_KINDS = ("entries", "documents", "parties", "attorneys", "roles")


def entry_key(entry: dict, ordinal: int = 1) -> str:
    """The database key of an entry within its docket (see DocketEntryRow).

    ``ordinal`` counts the unnumbered entries of one day with the same text and no
    ``pacer_seq_no`` (two identical minute entries stay two rows); ``entry_keys`` works it out."""
    number = as_text(entry.get("document_number"))
    if number:
        return f"n:{number}"
    seq = as_text(entry.get("pacer_seq_no"))
    if seq:
        # PACER's de_seq_num names the line within its case.  No day: an RSS item gives the day
        # entered, the docket report the day filed, and they differ.
        return f"s:{seq}"
    day = as_date(entry.get("date_filed")) or as_date(entry.get("date_entered")) or ""
    return text_key(day, entry.get("description"), ordinal)


def text_key(day: str, description: str | None, ordinal: int = 1) -> str:
    """The key of an unnumbered entry without ``pacer_seq_no``: its day and a digest of its text
    as every page showing it reads it (``merge_policy.entry_text``)."""
    digest = hashlib.sha1(entry_text(description).encode()).hexdigest()[:20]
    # The first has no ordinal (the form archives held before ordinals); the later ones say which they are.
    return f"t:{day}:{digest}" if ordinal == 1 else f"t:{day}:{digest}:{ordinal}"


def entry_keys(entries: list[dict]) -> list[str]:
    """The keys of a page's entries, in page order.

    Identical unnumbered entries of one day are told apart by their position among themselves,
    which a refresh or a date-range report (whole days) sees the same way."""
    seen: dict[str, int] = {}
    keys = []
    for entry in entries:
        key = entry_key(entry)
        if key.startswith("t:"):
            seen[key] = ordinal = seen.get(key, 0) + 1
            if ordinal > 1:
                key = entry_key(entry, ordinal)
        keys.append(key)
    return keys


_MAIN_DOCUMENT_SIZES = ("page_count", "file_size_str", "file_size_bytes")
_ENTRY_IDENTITY = ("document_number", "pacer_seq_no", "pacer_doc_id")


class Dockets:
    """Merges docket-like pages (docket, history, case query, possible case numbers, RSS cases)."""

    def __init__(self, store: Store):
        self.store = store

    def merge_docket(self, court_id: str, parsed: dict, context: dict | None = None,
                     entry_policy: TablePolicy = ENTRIES) -> MergeResult:
        """Merge a parsed docket (or history, case query, possible case numbers) page; its entries
        by ``entry_policy`` (an RSS feed's, ``FEED_ENTRIES``, knows their dates less well)."""
        context = context or {}
        result = MergeResult()
        pacer_case_id = as_text(context.get("pacer_case_id")) or as_text(parsed.get("pacer_case_id"))
        docket_number = as_text(parsed.get("docket_number")) or as_text(context.get("docket_number"))
        if not (pacer_case_id or docket_number):
            raise ValueError("a docket needs a pacer_case_id or a docket_number")
        with self.store.transaction() as conn:
            lock_docket(conn, court_id, pacer_case_id, docket_number)
            docket = self._find_or_create(conn, court_id, pacer_case_id, docket_number, result)
            result.docket_id = docket_id = docket["id"]
            changed_fields = list(result.changes.get("fields", []))
            entries = [e for e in (parsed.get("docket_entries") or []) if isinstance(e, dict)]
            # A docket made by this transaction (under its lock) holds no rows yet: none to read.
            new = bool(result.counts["dockets_added"])
            self._merge_entries(conn, court_id, docket_id, entries, entry_policy, result, new)
            self._merge_parties(conn, docket_id, parsed.get("parties") or [], result, new)
            values = DOCKETS.read(parsed, court_id)
            values["last_entry_date"] = max((d for d in (as_date(e.get("date_filed")) for e in entries) if d),
                                            default=None)
            updates = DOCKETS.changes(docket, values)
            changed_fields += [k for k in updates if k != "last_entry_date"]
            added = result.counts["dockets_added"]
            if added:
                changed_fields = []
            touched = bool(updates) or added or result.changes.get("adopted_case_id") or any(
                result.counts[f"{kind}_{what}"] for kind in CHILD_KINDS for what in ("added", "changed"))
            if not touched:
                result.counts["dockets_unchanged"] += 1
                return result
            now = utcnow()
            write(conn, update_by_id(conn, DocketRow.__table__), result,
                  params={"row_id": docket_id, **updates, "updated_at": now})
            if not added:
                result.counts["dockets_changed"] += 1
            summary: dict[str, Any] = {k: v for k, v in result.counts.items() if v and not k.endswith("unchanged")
                       and k != "rows_written"}
            if changed_fields:
                summary["fields"] = sorted(set(changed_fields))
            result.changes = summary
            write(conn, statement(conn, ("docket_update",), lambda: insert(conn, DocketUpdateRow.__table__)), result,
                  params={"docket_id": docket_id, "changed_at": now, "summary": summary})
        return result

    def _find_or_create(self, conn, court_id, pacer_case_id, docket_number, result) -> dict:
        # Each select holds the row it finds (FOR UPDATE; see writes.lock_docket_row) and so reads
        # it as the last transaction to hold it left it.
        table = DocketRow.__table__
        cols = [table.c.id, table.c.pacer_case_id, table.c.last_entry_date, *[table.c[f] for f in DOCKET_FIELDS]]
        row = None
        by_case_id = statement(conn, ("docket_by_case_id",), lambda: select(*cols).where(
            table.c.court_id == bindparam("court_id"), table.c.pacer_case_id == bindparam("pacer_case_id")
        ).with_for_update())
        if pacer_case_id:
            row = conn.execute(by_case_id, {"court_id": court_id, "pacer_case_id": pacer_case_id}).mappings().first()
            if row is None and docket_number:
                # A docket first known by its number adopts its case id now that we learn it.
                row = conn.execute(select(*cols).where(
                    table.c.court_id == court_id, table.c.docket_number == docket_number,
                    table.c.pacer_case_id.is_(None)).with_for_update()).mappings().first()
                if row is not None:
                    write(conn, update(DocketRow).where(DocketRow.id == row["id"]).values(
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
        if pacer_case_id:
            stmt = statement(conn, ("new_docket_by_case_id",), lambda: insert(conn, table).on_conflict_do_nothing(
                index_elements=["court_id", "pacer_case_id"], index_where=table.c.pacer_case_id.isnot(None)
            ).returning(*cols))
        else:
            stmt = statement(conn, ("new_docket_by_number",), lambda: insert(conn, table).on_conflict_do_nothing(
                index_elements=["court_id", "docket_number"], index_where=table.c.pacer_case_id.is_(None)
            ).returning(*cols))
        inserted = conn.execute(stmt, {"court_id": court_id, "pacer_case_id": pacer_case_id,
                                       "docket_number": docket_number, "created_at": now, "updated_at": now}
                                ).mappings().first()
        if inserted is not None:  # the new row as RETURNING gives it: no second read
            result.counts["rows_written"] += 1
            result.counts["dockets_added"] += 1
            return dict(inserted)
        if pacer_case_id:
            row = conn.execute(by_case_id, {"court_id": court_id, "pacer_case_id": pacer_case_id}).mappings().one()
        else:
            row = conn.execute(select(*cols).where(table.c.court_id == court_id, table.c.docket_number == docket_number,
                                                   table.c.pacer_case_id.is_(None)).with_for_update()).mappings().one()
        return dict(row)

    # --- entries and the documents they list --------------------------------------------------
    def _merge_entries(self, conn, court_id, docket_id, entries, policy: TablePolicy, result: MergeResult,
                       new: bool = False) -> None:
        # An entry with no number, sequence number, document or text (an RSS item of a minute entry
        # gives only its kind) names no line of the docket: kept, it would stay beside the line the
        # docket report brings.  Its page is kept (raw_pages) and the docket report holds the entry.
        named = [e for e in entries if any(as_text(e.get(f)) for f in _ENTRY_IDENTITY)
                 or normalized_text(e.get("description"))]
        if len(named) < len(entries):
            result.counts["entries_unidentified"] += len(entries) - len(named)
        entries = named
        if not entries:
            return
        table = DocketEntryRow.__table__
        incoming: dict[str, dict] = {}
        attachments: dict[str, list] = {}
        main_sizes: dict[str, dict] = {}  # pages and size of an entry's own document ("view multiple documents")
        for entry, key in zip(entries, entry_keys(entries)):
            policy.fold(incoming, key, policy.read(entry, court_id))
            attachments.setdefault(key, entry.get("attachments") or [])
            main_sizes.setdefault(key, {f: entry[f] for f in _MAIN_DOCUMENT_SIZES if entry.get(f) not in (None, "")})
        held = {} if new else {r["entry_key"]: r for r in conn.execute(_rows_of_docket(conn, table),
                                                                            {"docket_id": docket_id}).mappings()}
        ids = {k: r["id"] for k, r in held.items()}
        merge_rows(conn, table, policy, "entries", held, incoming, lambda key: {"docket_id": docket_id, "entry_key": key},
                   (["docket_id", "entry_key"], None), result, new_ids=ids, key_of=lambda r: r["entry_key"])
        if any(key not in ids for key in incoming):  # a row met a conflict (cannot under the docket's lock)
            ids = {r.entry_key: r.id for r in conn.execute(statement(conn, ("entry_ids",), lambda: select(
                table.c.id, table.c.entry_key).where(table.c.docket_id == bindparam("docket_id"))),
                {"docket_id": docket_id})}
        # The main document of each entry that has one, and attachments a parser listed in the entry.
        docs: list[DocumentSource] = []
        for key, values in incoming.items():
            if values["pacer_doc_id"] or values["document_number"]:
                docs.append((ids[key], {**{f: values[f] for f in ("document_number", "pacer_doc_id", "pacer_seq_no")},
                                        **main_sizes[key]}, None))
            for att in attachments[key]:
                number = as_int(att.get("attachment_number"))
                if number is not None:
                    docs.append((ids[key], dict(att, document_number=values["document_number"]), number))
        merge_documents(conn, court_id, docs, result, new)

    # --- parties, attorneys and their roles ---------------------------------------------------
    def _merge_parties(self, conn, docket_id, parties, result: MergeResult, new: bool = False) -> None:
        parties = [p for p in parties if isinstance(p, dict) and as_text(p.get("name"))]
        if not parties:  # a docket fetched without parties keeps the ones we hold
            return
        pt, at, pat = PartyRow.__table__, AttorneyRow.__table__, PartyAttorneyRow.__table__
        # One page may list a party or an attorney twice (an attorney for several parties, with
        # contact text that differs): each is folded into one set of values first.
        page_parties: dict[tuple, dict] = {}
        page_attorneys: dict[str, dict] = {}
        page_roles: dict[tuple, list] = {}
        for party in parties:
            key = (name_key(party["name"]), as_text(party.get("type")) or "")
            PARTIES.fold(page_parties, key, PARTIES.read(party))
            for attorney in party.get("attorneys") or []:
                if not as_text(attorney.get("name")):
                    continue
                akey = name_key(attorney["name"])
                ATTORNEYS.fold(page_attorneys, akey, ATTORNEYS.read(attorney))
                roles = page_roles.setdefault((key, akey), [])
                roles.extend(r for r in (attorney.get("roles") or []) if r and r not in roles)
        party_ids = self._merge_named(conn, pt, PARTIES, "parties", docket_id, page_parties,
                                      lambda key: {"name_key": key[0], "type": key[1]},
                                      lambda r: (r["name_key"], r["type"]), result, new)
        attorney_ids = self._merge_named(conn, at, ATTORNEYS, "attorneys", docket_id, page_attorneys,
                                         lambda key: {"name_key": key}, lambda r: r["name_key"], result, new)
        known_roles = {} if new else {(r["party_id"], r["attorney_id"]): r for r in conn.execute(
            statement(conn, ("roles_of_docket",), lambda: select(pat).join(pt, pt.c.id == pat.c.party_id).where(
                pt.c.docket_id == bindparam("docket_id"))), {"docket_id": docket_id}).mappings()}
        new_roles: dict[tuple[int, int], dict] = {}
        for (key, akey), roles in page_roles.items():
            party_id, attorney_id = party_ids[key], attorney_ids[akey]
            values = ROLES.read({"roles": roles})
            held = known_roles.get((party_id, attorney_id))
            if held is None:
                new_roles.setdefault((party_id, attorney_id), {"party_id": party_id, "attorney_id": attorney_id,
                                                               **values})
            elif changes := ROLES.changes(held, values):
                write(conn, update(pat).where(pat.c.party_id == party_id, pat.c.attorney_id == attorney_id)
                      .values(**changes), result)
                known_roles[(party_id, attorney_id)] = changes
                result.counts["roles_changed"] += 1
            else:
                result.counts["roles_unchanged"] += 1
        if new_roles:  # one statement for them all; new links are made under the docket's lock
            stmt = statement(conn, ("new_roles",), lambda: insert(conn, pat).on_conflict_do_nothing(
                index_elements=["party_id", "attorney_id"]))
            write(conn, stmt, result, count=False, params=list(new_roles.values()))
            result.counts["rows_written"] += len(new_roles)
            result.counts["roles_added"] += len(new_roles)

    def _merge_named(self, conn, table, policy, kind, docket_id, incoming, identity, key_of, result,
                     new: bool = False) -> dict:
        """Merge parties or attorneys (key -> values) of a docket; their ids by key."""
        def held_rows():
            return {key_of(r): r for r in conn.execute(_rows_of_docket(conn, table), {"docket_id": docket_id}).mappings()}

        held = {} if new else held_rows()
        elements = ["docket_id", *identity(next(iter(incoming))).keys()] if incoming else []
        ids = {key: row["id"] for key, row in held.items()}
        merge_rows(conn, table, policy, kind, held, incoming, lambda key: {"docket_id": docket_id, **identity(key)},
                   (elements, None), result, stamped=False, new_ids=ids, key_of=key_of)
        if any(key not in ids for key in incoming):  # a row met a conflict (cannot under the docket's lock)
            ids = {key: row["id"] for key, row in held_rows().items()}
        return {key: ids[key] for key in incoming}


def _rows_of_docket(conn, table):
    """SELECT the rows of ``table`` whose ``docket_id`` is the parameter ``docket_id``."""
    return statement(conn, ("rows_of_docket", table.name), lambda: select(table).where(
        table.c.docket_id == bindparam("docket_id")))

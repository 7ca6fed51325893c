"""Bankruptcy claims (with their history) and creditors, under their docket.

A claims register, a claims activity report or a list of creditors first merges the case it names
into ``dockets`` (created when unknown, like any docket-level report), then its claims or creditors
under that docket, each table by its merge policy (``merge_policy.CLAIMS``, ``CLAIM_HISTORY``,
``CREDITORS``) through ``writes.merge_rows``: a page merged twice writes nothing.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select, update

from pacer_spiders.db.merge_policy import CLAIM_HISTORY, CLAIMS, CREDITORS, as_text, name_key, normalized_text
from pacer_spiders.db.models import ClaimHistoryRow, ClaimRow, CreditorRow, DocketRow, DocketUpdateRow
from pacer_spiders.db.writes import MergeResult, Store, insert, lock_docket_row, merge_rows, utcnow, write

CLAIM_KINDS = ("claims", "claim_history", "creditors")


def claim_parts(claim_num: str | None) -> tuple[str | None, str | None]:
    """``7-2`` -> (claim ``7``, version ``2``)."""
    text = as_text(claim_num)
    number, _, version = text.partition("-") if text else ("", "", "")
    return number or None, version or None


def creditor_key(name: str | None, address: str | None) -> str:
    """A creditor's identity within its case: its name and address, spacing and case aside."""
    return hashlib.sha1(f"{name_key(name)}|{normalized_text(address)}".encode()).hexdigest()


class Claims:
    """Claims, their history and creditors of the dockets."""

    def __init__(self, store: Store):
        self.store = store

    def merge_claims(self, docket_id: int, court_id: str, claims: list[dict]) -> MergeResult:
        """Merge claims given as dicts of the ``CLAIMS`` fields plus ``claim_number`` and
        ``history`` (dicts of the ``CLAIM_HISTORY`` fields plus ``history_key``)."""
        result = MergeResult(docket_id=docket_id)
        table, history_table = ClaimRow.__table__, ClaimHistoryRow.__table__
        incoming: dict[str, dict] = {}
        histories: dict[str, dict] = {}
        for claim in claims:
            number = as_text(claim.get("claim_number"))
            if number is None:
                continue
            CLAIMS.fold(incoming, number, CLAIMS.read(claim, court_id))
            for line in claim.get("history") or []:
                CLAIM_HISTORY.fold(histories.setdefault(number, {}), line["history_key"], CLAIM_HISTORY.read(line, court_id))
        with self.store.transaction() as conn:
            lock_docket_row(conn, docket_id)

            def held_claims():
                return {r["claim_number"]: r for r in conn.execute(
                    select(table).where(table.c.docket_id == docket_id)).mappings()}

            held = held_claims()
            if merge_rows(conn, table, CLAIMS, "claims", held, incoming,
                          lambda key: {"docket_id": docket_id, "claim_number": key},
                          (["docket_id", "claim_number"], None), result):
                held = held_claims()
            ids = [held[number]["id"] for number in histories]
            held_history = {(r["claim_id"], r["history_key"]): r for r in conn.execute(
                select(history_table).where(history_table.c.claim_id.in_(ids))).mappings()} if ids else {}
            lines = {(held[number]["id"], key): values for number, found in histories.items()
                     for key, values in found.items()}
            merge_rows(conn, history_table, CLAIM_HISTORY, "claim_history", held_history, lines,
                       lambda key: {"claim_id": key[0], "history_key": key[1]},
                       (["claim_id", "history_key"], None), result)
            self._log(conn, docket_id, result)
        return result

    def merge_creditors(self, docket_id: int, creditors: list[dict]) -> MergeResult:
        """Merge a case's creditors (dicts of ``name``, ``address``, ``number``)."""
        result = MergeResult(docket_id=docket_id)
        table = CreditorRow.__table__
        incoming: dict[str, dict] = {}
        for creditor in creditors:
            if as_text(creditor.get("name")):
                CREDITORS.fold(incoming, creditor_key(creditor["name"], creditor.get("address")),
                               CREDITORS.read(creditor))
        with self.store.transaction() as conn:
            lock_docket_row(conn, docket_id)
            held = {r["creditor_key"]: r for r in conn.execute(
                select(table).where(table.c.docket_id == docket_id)).mappings()}
            merge_rows(conn, table, CREDITORS, "creditors", held, incoming,
                       lambda key: {"docket_id": docket_id, "creditor_key": key},
                       (["docket_id", "creditor_key"], None), result)
            self._log(conn, docket_id, result)
        return result

    @staticmethod
    def _log(conn, docket_id: int, result: MergeResult) -> None:
        """What changed under the docket goes to its ``docket_updates`` (``export updated``)."""
        summary = {k: v for k, v in result.counts.items() if v and k.split("_")[-1] in ("added", "changed")}
        if not summary:
            return
        now = utcnow()
        write(conn, update(DocketRow).where(DocketRow.id == docket_id).values(updated_at=now), result, count=False)
        write(conn, insert(conn, DocketUpdateRow.__table__).values(docket_id=docket_id, changed_at=now,
                                                                    summary=summary), result)
        result.changes = summary


def add_counts(total: MergeResult, part: MergeResult) -> MergeResult:
    total.counts.update(part.counts)
    total.docket_id = part.docket_id or total.docket_id
    for key, value in part.changes.items():
        total.changes[key] = value
    return total


"""What an appellate docket says beyond the columns every docket has: where the appeal comes from,
its fee status and case type, the originating court's case, the panel.

One ``appellate_cases`` row per docket (its case, entries and parties merge into ``dockets``,
``docket_entries``, ``parties`` like any docket's).  The same merge rules as everywhere: a value
never erases one held, a new one replaces it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column

from pacer_spiders.db.merge_policy import AS_IS, NEW_WINS, TablePolicy
from pacer_spiders.db.models import Base, DocketRow, DocketUpdateRow
from pacer_spiders.db.writes import MergeResult, Store, insert, lock_docket_row, merge_rows, utcnow, write


class AppellateCaseRow(Base):
    """The appellate fields of one docket."""

    __tablename__ = "appellate_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_id: Mapped[int] = mapped_column(ForeignKey("dockets.id", ondelete="CASCADE"), unique=True)
    appeal_from: Mapped[str | None] = mapped_column(Text)
    fee_status: Mapped[str | None] = mapped_column(Text)
    case_type_information: Mapped[str | None] = mapped_column(Text)
    # The originating court's case: court, docket number, judges, dates (the reference's keys).
    originating_court_information: Mapped[dict | None] = mapped_column(JSON)
    panel: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


APPELLATE_CASES = TablePolicy("appellate_cases", {
    "appeal_from": NEW_WINS, "fee_status": NEW_WINS, "case_type_information": NEW_WINS,
    "originating_court_information": AS_IS, "panel": AS_IS,
})
APPELLATE_FIELDS = tuple(APPELLATE_CASES.fields)


class AppellateCases:
    def __init__(self, store: Store):
        self.store = store

    def merge(self, docket_id: int, parsed: dict, result: MergeResult) -> None:
        """Merge a page's appellate fields into its docket's row (counts ``appellate_cases_*``)."""
        table = AppellateCaseRow.__table__
        values = APPELLATE_CASES.read(parsed)
        with self.store.transaction() as conn:
            lock_docket_row(conn, docket_id)
            held = conn.execute(select(table.c.id, *[table.c[f] for f in APPELLATE_FIELDS])
                                .where(table.c.docket_id == docket_id)).mappings().first()
            merge_rows(conn, table, APPELLATE_CASES, "appellate_cases", {docket_id: held} if held else {},
                       {docket_id: values}, lambda key: {"docket_id": key}, (["docket_id"], None), result)
            if result.counts["appellate_cases_changed"]:
                # A docket whose appeal changed (a panel assigned...) is an updated docket.
                now = utcnow()
                write(conn, update(DocketRow).where(DocketRow.id == docket_id).values(updated_at=now), result,
                      count=False)
                write(conn, insert(conn, DocketUpdateRow.__table__).values(
                    docket_id=docket_id, changed_at=now, summary={"appellate_cases_changed": 1}), result)


def appellate_case_of(conn, docket_id: int) -> dict | None:
    """The appellate fields held for a docket (None when it is no appeal)."""
    table = AppellateCaseRow.__table__
    row = conn.execute(select(*[table.c[f] for f in APPELLATE_FIELDS])
                       .where(table.c.docket_id == docket_id)).mappings().first()
    return dict(row) if row else None

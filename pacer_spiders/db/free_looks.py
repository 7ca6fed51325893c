"""The free looks of Notices of Electronic Filing and of Docket Activity.

A notice links each document it announces with a URL carrying a "magic number": whoever holds the
notice may read that document once, without charge, within 15 days of the notice (then the link is
spent, or expired, and the document costs what any other does).  Each link is kept here with the
document row it opens, so that a later step fetches it once, inside its window, and records the
outcome (``used``, ``expired``, ``failed``) rather than trying again.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column

from pacer_spiders.db.models import Base, DocumentRow
from pacer_spiders.db.writes import MergeResult, insert, utcnow, write

#: days a free look stays open after its notice (PACER: the first viewing or 15 days, whichever first)
FREE_LOOK_DAYS = 15
#: the states of a free look; only ``unused`` ones are fetched
STATUSES = ("unused", "used", "expired", "failed")


class FreeLookRow(Base):
    """One free-look link of a notice, with the document it opens (once)."""

    __tablename__ = "free_looks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    court_id: Mapped[str] = mapped_column(String(32))
    url_sha1: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)
    magic_num: Mapped[str | None] = mapped_column(String(64))
    pacer_doc_id: Mapped[str | None] = mapped_column(String(32))
    pacer_case_id: Mapped[str | None] = mapped_column(String(32))
    pacer_seq_no: Mapped[str | None] = mapped_column(String(32))
    document_number: Mapped[str | None] = mapped_column(String(32))
    notice: Mapped[str] = mapped_column(String(8))  # nef or nda
    notice_date: Mapped[str | None] = mapped_column(String(10))
    expires_on: Mapped[str | None] = mapped_column(String(10), index=True)
    docket_entry_id: Mapped[int | None] = mapped_column(ForeignKey("docket_entries.id", ondelete="SET NULL"))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="unused")
    status_reason: Mapped[str | None] = mapped_column(Text)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        UniqueConstraint("court_id", "url_sha1", name="uq_free_looks_url"),
        Index("ix_free_looks_status_expires", "status", "expires_on"),
    )


def expiry(notice_date: str | None) -> str | None:
    """The last day a free look of a notice dated ``notice_date`` (ISO) may be used."""
    if not notice_date:
        return None
    return (date.fromisoformat(notice_date[:10]) + timedelta(days=FREE_LOOK_DAYS)).isoformat()


def record_free_look(conn, court_id: str, look: dict, result: MergeResult) -> None:
    """Keep one free-look link (``url``, ``magic_num``, ids, ``notice``, ``notice_date``,
    ``docket_entry_id``, ``document_id``); a link held already only gains the rows it opens."""
    table = FreeLookRow.__table__
    url_sha1 = hashlib.sha1(look["url"].encode()).hexdigest()
    held = conn.execute(select(table.c.id, table.c.document_id, table.c.docket_entry_id).where(
        table.c.court_id == court_id, table.c.url_sha1 == url_sha1)).mappings().first()
    if held is None:
        now = utcnow()
        values = {k: look.get(k) for k in ("url", "magic_num", "pacer_doc_id", "pacer_case_id", "pacer_seq_no",
                                           "document_number", "notice", "notice_date", "docket_entry_id",
                                           "document_id")}
        stmt = insert(conn, table).values(court_id=court_id, url_sha1=url_sha1, status="unused",
                                          expires_on=expiry(look.get("notice_date")), created_at=now,
                                          updated_at=now, **values)
        written = write(conn, stmt.on_conflict_do_nothing(index_elements=["court_id", "url_sha1"]), result)
        result.counts["free_looks_added" if written else "free_looks_unchanged"] += 1
        return
    changes = {k: look[k] for k in ("document_id", "docket_entry_id") if look.get(k) and not held[k]}
    if changes:
        write(conn, update(table).where(table.c.id == held["id"]).values(**changes, updated_at=utcnow()), result)
        result.counts["free_looks_changed"] += 1
    else:
        result.counts["free_looks_unchanged"] += 1


def due_free_looks(engine, court_id: str | None = None, today: date | None = None) -> list[dict]:
    """The unused free looks still inside their window, oldest first (with their document row)."""
    table = FreeLookRow.__table__
    day = (today or datetime.utcnow().date()).isoformat()
    query = select(table, DocumentRow.filepath).outerjoin(DocumentRow, DocumentRow.id == table.c.document_id).where(
        table.c.status == "unused", or_(table.c.expires_on.is_(None), table.c.expires_on >= day))
    if court_id:
        query = query.where(table.c.court_id == court_id)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query.order_by(table.c.expires_on, table.c.id)).mappings()]


def mark_free_look(engine, free_look_id: int, status: str, reason: str | None = None) -> None:
    """Record what became of a free look (``used``, ``expired``, ``failed``): it is not tried again."""
    if status not in STATUSES:
        raise ValueError(f"unknown free-look status {status!r} (one of {', '.join(STATUSES)})")
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(update(FreeLookRow.__table__).where(FreeLookRow.id == free_look_id).values(
            status=status, status_reason=reason, used_at=now if status == "used" else None, updated_at=now))

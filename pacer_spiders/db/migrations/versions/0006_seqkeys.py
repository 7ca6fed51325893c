"""unnumbered entries with PACER's sequence number keyed by it alone

Revision ID: 0006_seqkeys
Revises: 0005_defects
Create Date: 2026-12-01 15:00:00

An unnumbered entry with ``pacer_seq_no`` was keyed ``s:<day>:<seq>``, the day its date filed, else
entered.  An RSS item gives the day entered and the docket report the day filed: when they differed
one docket line was held twice.  The key is now ``s:<seq>`` (de_seq_num names an entry within its
case).  Rows of one docket that get the same key are one line: the row with the entry's text (else
the fuller) stays, the others' values fill its empty columns, its date filed is the earliest held
(an RSS item's day is the day entered), and their documents, free looks, orphans and prayers move to it.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0006_seqkeys'
down_revision = '0005_defects'
branch_labels = None
depends_on = None


def _filled(row, skip=()) -> int:
    return sum(1 for name, value in row._mapping.items() if name not in skip and value not in (None, ''))


def _fill(conn, table, kept, others, skip) -> None:
    """Write into ``kept`` the values it lacks that one of ``others`` holds."""
    values = {}
    for name, value in kept._mapping.items():
        if name in skip or value not in (None, ''):
            continue
        for other in others:
            if other._mapping[name] not in (None, ''):
                values[name] = other._mapping[name]
                break
    if values:
        conn.execute(table.update().where(table.c.id == kept.id).values(**values))


def upgrade() -> None:
    conn = op.get_bind()
    meta = sa.MetaData()
    entries = sa.Table('docket_entries', meta, autoload_with=conn)
    documents = sa.Table('documents', meta, autoload_with=conn)
    free_looks = sa.Table('free_looks', meta, autoload_with=conn)
    orphans = sa.Table('orphan_documents', meta, autoload_with=conn)
    prayers = sa.Table('service_prayers', meta, autoload_with=conn)
    rows = conn.execute(sa.select(entries).where(entries.c.entry_key.like('s:%'))
                        .order_by(entries.c.docket_id, entries.c.id)).all()
    lines: dict[tuple, list] = {}
    for row in rows:
        lines.setdefault((row.docket_id, 's:' + row.entry_key.rsplit(':', 1)[1]), []).append(row)
    entry_skip = ('id', 'docket_id', 'entry_key', 'created_at', 'updated_at')
    doc_skip = ('id', 'docket_entry_id', 'attachment_number', 'created_at', 'updated_at')
    for (_, key), held in lines.items():
        # The row with the entry's text (a docket report's or a notice's; an RSS item has none).
        kept = max(held, key=lambda r: (r.description not in (None, ''), _filled(r, entry_skip), -r.id))
        others = [r for r in held if r.id != kept.id]
        if others:
            _fill(conn, entries, kept, others, entry_skip)
            # An RSS item's day is the day entered, never before the day filed: the earliest is the filing day.
            filed = min((r.date_filed for r in held if r.date_filed), key=lambda day: str(day)[:10], default=None)
            if filed is not None and kept.date_filed != filed:
                conn.execute(entries.update().where(entries.c.id == kept.id).values(date_filed=filed))
            _merge_documents(conn, documents, (free_looks, orphans, prayers), kept.id, [r.id for r in others], doc_skip)
            conn.execute(free_looks.update().where(free_looks.c.docket_entry_id.in_([r.id for r in others]))
                         .values(docket_entry_id=kept.id))
            conn.execute(entries.delete().where(entries.c.id.in_([r.id for r in others])))
        if kept.entry_key != key:
            conn.execute(entries.update().where(entries.c.id == kept.id).values(entry_key=key))


def _merge_documents(conn, documents, referrers, kept_entry: int, other_entries: list[int], skip) -> None:
    """Move the documents of ``other_entries`` to ``kept_entry``; one of an attachment number both
    hold is kept (the one with a stored file, else the fuller), filled from the other."""
    held = conn.execute(sa.select(documents).where(documents.c.docket_entry_id.in_([kept_entry, *other_entries]))
                        .order_by(documents.c.id)).all()
    by_number: dict = {}
    for doc in held:
        by_number.setdefault(doc.attachment_number, []).append(doc)
    for same in by_number.values():
        kept = max(same, key=lambda d: (d.sha1 not in (None, ''), _filled(d, skip), d.docket_entry_id == kept_entry, -d.id))
        others = [d for d in same if d.id != kept.id]
        if others:
            _fill(conn, documents, kept, others, skip)
            _repoint(conn, referrers, kept.id, [d.id for d in others])
            conn.execute(documents.delete().where(documents.c.id.in_([d.id for d in others])))
        if kept.docket_entry_id != kept_entry:
            conn.execute(documents.update().where(documents.c.id == kept.id).values(docket_entry_id=kept_entry))


def _repoint(conn, referrers, kept: int, others: list[int]) -> None:
    """Free looks, orphans and prayers of the ``others`` documents name ``kept``; a user's prayer
    for both stays one (the kept document's)."""
    free_looks, orphans, prayers = referrers
    for table in (free_looks, orphans):
        conn.execute(table.update().where(table.c.document_id.in_(others)).values(document_id=kept))
    praying = sa.select(prayers.c.user_id).where(prayers.c.document_id == kept).scalar_subquery()
    for other in others:
        conn.execute(prayers.update().where(prayers.c.document_id == other, prayers.c.user_id.not_in(praying))
                     .values(document_id=kept))
    conn.execute(prayers.delete().where(prayers.c.document_id.in_(others)))


def downgrade() -> None:
    pass  # the keys stay: a merged line's day was one of two

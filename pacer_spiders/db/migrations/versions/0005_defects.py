"""unnumbered entries keyed by their text without the docket's "(Entered: date)"

Revision ID: 0005_defects
Revises: 0004_freesources
Create Date: 2026-12-01 14:10:00

The key of an unnumbered entry without ``pacer_seq_no`` digested its whole text, so the same minute
entry had one key on a district docket (text ending "(Entered: 01/21/2016)") and another in its NEF:
a docket bought after the notice added the entry again.  The held keys are worked out again from the
stored text (``dockets.text_key``); identical ones of a docket's day are numbered in the order they
were stored, as a page's would be.
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0005_defects'
down_revision = '0004_freesources'
branch_labels = None
depends_on = None


def upgrade() -> None:
    from pacer_spiders.db.dockets import text_key

    conn = op.get_bind()
    entries = sa.table('docket_entries', sa.column('id', sa.Integer), sa.column('docket_id', sa.Integer),
                       sa.column('entry_key', sa.String), sa.column('description', sa.Text))
    rows = conn.execute(sa.select(entries.c.id, entries.c.docket_id, entries.c.entry_key, entries.c.description)
                        .where(entries.c.entry_key.like('t:%')).order_by(entries.c.docket_id, entries.c.id)).all()
    seen: dict[tuple, int] = {}
    renamed = []
    for row in rows:
        day = row.entry_key.split(':')[1]
        plain = text_key(day, row.description)
        seen[(row.docket_id, plain)] = ordinal = seen.get((row.docket_id, plain), 0) + 1
        key = text_key(day, row.description, ordinal)
        if key != row.entry_key:
            renamed.append((row.id, key))
    if not renamed:
        return
    rename = entries.update().where(entries.c.id == sa.bindparam('row_id')).values(entry_key=sa.bindparam('key'))
    # Through a free key first: a new key may be the old key of another row of the docket.
    conn.execute(rename, [{'row_id': row_id, 'key': f'm:{row_id}'} for row_id, _ in renamed])
    conn.execute(rename, [{'row_id': row_id, 'key': key} for row_id, key in renamed])


def downgrade() -> None:
    pass  # the keys stay: the old ones digested texts that the rows may no longer hold

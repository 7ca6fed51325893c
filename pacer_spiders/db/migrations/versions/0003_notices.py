"""free looks of NEF/NDA notices

Revision ID: 0003_notices
Revises: 0002
Create Date: 2026-12-01 11:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0003_notices'
down_revision = '0003_acms'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Generated from pacer_spiders.db.free_looks, then reviewed.
    op.create_table('free_looks',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('court_id', sa.String(length=32), nullable=False),
    sa.Column('url_sha1', sa.String(length=40), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('magic_num', sa.String(length=64), nullable=True),
    sa.Column('pacer_doc_id', sa.String(length=32), nullable=True),
    sa.Column('pacer_case_id', sa.String(length=32), nullable=True),
    sa.Column('pacer_seq_no', sa.String(length=32), nullable=True),
    sa.Column('document_number', sa.String(length=32), nullable=True),
    sa.Column('notice', sa.String(length=8), nullable=False),
    sa.Column('notice_date', sa.String(length=10), nullable=True),
    sa.Column('expires_on', sa.String(length=10), nullable=True),
    sa.Column('docket_entry_id', sa.Integer(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=True),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['docket_entry_id'], ['docket_entries.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('court_id', 'url_sha1', name='uq_free_looks_url')
    )
    with op.batch_alter_table('free_looks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_free_looks_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_free_looks_expires_on'), ['expires_on'], unique=False)
        batch_op.create_index('ix_free_looks_status_expires', ['status', 'expires_on'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('free_looks', schema=None) as batch_op:
        batch_op.drop_index('ix_free_looks_status_expires')
        batch_op.drop_index(batch_op.f('ix_free_looks_expires_on'))
        batch_op.drop_index(batch_op.f('ix_free_looks_document_id'))

    op.drop_table('free_looks')

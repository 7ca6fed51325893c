"""work requests of distributed crawls

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 19:08:45.486081
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Generated from pacer_spiders.db.work_requests, then reviewed.
    op.create_table('work_requests',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('court_id', sa.String(length=32), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('dedupe_key', sa.String(length=400), nullable=False),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('bulk', sa.Boolean(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('webhook_url', sa.String(length=2000), nullable=True),
    sa.Column('webhook_attempts', sa.Integer(), nullable=False),
    sa.Column('webhook_delivered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('webhook_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('work_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_requests_court_id'), ['court_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_requests_dedupe_key'), ['dedupe_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_requests_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_work_requests_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('work_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_requests_status'))
        batch_op.drop_index(batch_op.f('ix_work_requests_kind'))
        batch_op.drop_index(batch_op.f('ix_work_requests_dedupe_key'))
        batch_op.drop_index(batch_op.f('ix_work_requests_court_id'))

    op.drop_table('work_requests')

"""Free sources first: the entry counts a refresh last saw at PACER; receipts

Revision ID: 0004_freesources
Revises: 0003_notices
Create Date: 2026-12-01 12:00:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0004_freesources'
down_revision = '0003_notices'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'refresh_checks',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('court_id', sa.String(length=32), nullable=False),
        sa.Column('pacer_case_id', sa.String(length=64), nullable=False),
        sa.Column('pacer_entry_count', sa.Integer(), nullable=False),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
    )
    op.create_index('uq_refresh_checks_case', 'refresh_checks', ['court_id', 'pacer_case_id'], unique=True)
    op.create_table(
        'receipts',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('billed_at', sa.DateTime(), nullable=False),
        sa.Column('account', sa.String(length=100), nullable=True),
        sa.Column('court_id', sa.String(length=32), nullable=True),
        sa.Column('report_type', sa.String(length=32), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=True),
        sa.Column('cost', sa.Float(), nullable=False),
        sa.Column('url', sa.Text(), nullable=True),
    )
    op.create_index('ix_receipts_billed_at', 'receipts', ['billed_at'])
    op.create_index('ix_receipts_account', 'receipts', ['account'])


def downgrade() -> None:
    op.drop_index('ix_receipts_account', table_name='receipts')
    op.drop_index('ix_receipts_billed_at', table_name='receipts')
    op.drop_table('receipts')
    op.drop_index('uq_refresh_checks_case', table_name='refresh_checks')
    op.drop_table('refresh_checks')

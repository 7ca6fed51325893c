"""bankruptcy claims, their history, and creditors

Revision ID: 0003_claims
Revises: 0002
Create Date: 2026-12-01 11:20:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0003_claims'
# The head of main when written (0002); the lead re-chains the 0003 migrations when merging.
down_revision = '0002_service'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Written from pacer_spiders.db.models (ClaimRow, ClaimHistoryRow, CreditorRow).
    op.create_table('claims',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_id', sa.Integer(), nullable=False),
    sa.Column('claim_number', sa.String(length=32), nullable=False),
    sa.Column('creditor_id', sa.String(length=32), nullable=True),
    sa.Column('creditor_details', sa.Text(), nullable=True),
    sa.Column('amounts', sa.JSON(), nullable=True),
    sa.Column('status', sa.Text(), nullable=True),
    sa.Column('filed_by', sa.Text(), nullable=True),
    sa.Column('entered_by', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('date_original_filed', sa.String(length=10), nullable=True),
    sa.Column('date_original_entered', sa.String(length=10), nullable=True),
    sa.Column('date_last_amendment_filed', sa.String(length=10), nullable=True),
    sa.Column('date_last_amendment_entered', sa.String(length=10), nullable=True),
    sa.Column('date_modified', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('docket_id', 'claim_number', name='uq_claims_docket_number')
    )
    op.create_table('claim_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('history_key', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('pacer_claim_id', sa.String(length=32), nullable=True),
    sa.Column('pacer_dm_id', sa.String(length=32), nullable=True),
    sa.Column('pacer_seq_no', sa.String(length=32), nullable=True),
    sa.Column('document_number', sa.Integer(), nullable=True),
    sa.Column('attachment_number', sa.Integer(), nullable=True),
    sa.Column('date_filed', sa.String(length=10), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('attachments', sa.JSON(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claims.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('claim_id', 'history_key', name='uq_claim_history_key')
    )
    with op.batch_alter_table('claim_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_history_claim_id'), ['claim_id'], unique=False)
    op.create_table('creditors',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_id', sa.Integer(), nullable=False),
    sa.Column('creditor_key', sa.String(length=40), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('address', sa.Text(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('docket_id', 'creditor_key', name='uq_creditors_docket_key')
    )


def downgrade() -> None:
    op.drop_table('creditors')
    with op.batch_alter_table('claim_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_history_claim_id'))
    op.drop_table('claim_history')
    op.drop_table('claims')

"""appellate cases: what an appellate docket says beyond the columns every docket has

Revision ID: 0003_appellate
Revises: 0002
Create Date: 2026-12-01 11:30:00
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0003_appellate'
down_revision = '0003_claims'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Generated from pacer_spiders.db.appellate, then reviewed.
    op.create_table('appellate_cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_id', sa.Integer(), nullable=False),
    sa.Column('appeal_from', sa.Text(), nullable=True),
    sa.Column('fee_status', sa.Text(), nullable=True),
    sa.Column('case_type_information', sa.Text(), nullable=True),
    sa.Column('originating_court_information', sa.JSON(), nullable=True),
    sa.Column('panel', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('docket_id')
    )


def downgrade() -> None:
    op.drop_table('appellate_cases')

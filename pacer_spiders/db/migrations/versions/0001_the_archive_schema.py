"""the archive schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 18:35:52.066391
"""
from __future__ import annotations

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Generated from pacer_spiders.db.models, then reviewed.
    op.create_table('courts',
    sa.Column('court_id', sa.String(length=32), nullable=False),
    sa.Column('pacer_subdomain', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('doc_id_prefix', sa.String(length=3), nullable=True),
    sa.PrimaryKeyConstraint('court_id')
    )
    op.create_table('crawl_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('spider', sa.String(length=100), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.Column('cost', sa.Float(), nullable=False),
    sa.Column('pages', sa.Integer(), nullable=False),
    sa.Column('rejected', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.Column('finish_reason', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('dockets',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('court_id', sa.String(length=32), nullable=False),
    sa.Column('pacer_case_id', sa.String(length=32), nullable=True),
    sa.Column('docket_number', sa.String(length=100), nullable=True),
    sa.Column('case_name', sa.Text(), nullable=True),
    sa.Column('date_filed', sa.String(length=10), nullable=True),
    sa.Column('date_terminated', sa.String(length=10), nullable=True),
    sa.Column('date_converted', sa.String(length=10), nullable=True),
    sa.Column('date_discharged', sa.String(length=10), nullable=True),
    sa.Column('date_last_filing', sa.String(length=10), nullable=True),
    sa.Column('assigned_to_str', sa.Text(), nullable=True),
    sa.Column('referred_to_str', sa.Text(), nullable=True),
    sa.Column('cause', sa.Text(), nullable=True),
    sa.Column('nature_of_suit', sa.Text(), nullable=True),
    sa.Column('jury_demand', sa.Text(), nullable=True),
    sa.Column('demand', sa.Text(), nullable=True),
    sa.Column('jurisdiction', sa.Text(), nullable=True),
    sa.Column('mdl_status', sa.Text(), nullable=True),
    sa.Column('federal_dn_case_type', sa.String(length=16), nullable=True),
    sa.Column('federal_dn_office_code', sa.String(length=16), nullable=True),
    sa.Column('federal_dn_judge_initials_assigned', sa.String(length=16), nullable=True),
    sa.Column('federal_dn_judge_initials_referred', sa.String(length=16), nullable=True),
    sa.Column('federal_defendant_number', sa.String(length=16), nullable=True),
    sa.Column('last_entry_date', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dockets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dockets_court_id'), ['court_id'], unique=False)
        batch_op.create_index('ix_dockets_court_number', ['court_id', 'docket_number'], unique=False)
        batch_op.create_index(batch_op.f('ix_dockets_updated_at'), ['updated_at'], unique=False)
        batch_op.create_index('uq_dockets_court_case_id', ['court_id', 'pacer_case_id'], unique=True, sqlite_where=sa.text('pacer_case_id IS NOT NULL'), postgresql_where=sa.text('pacer_case_id IS NOT NULL'))
        batch_op.create_index('uq_dockets_court_number_without_case_id', ['court_id', 'docket_number'], unique=True, sqlite_where=sa.text('pacer_case_id IS NULL'), postgresql_where=sa.text('pacer_case_id IS NULL'))

    op.create_table('rejected_pages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('sha1', sa.String(length=40), nullable=False),
    sa.Column('court_id', sa.String(length=32), nullable=True),
    sa.Column('report_type', sa.String(length=32), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('source_path', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha1', 'court_id', 'report_type', 'kind', name='uq_rejected_pages')
    )
    op.create_table('attorneys',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_id', sa.Integer(), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('docket_id', 'name_key', name='uq_attorneys_docket_name')
    )
    op.create_table('docket_entries',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_id', sa.Integer(), nullable=False),
    sa.Column('entry_key', sa.String(length=120), nullable=False),
    sa.Column('document_number', sa.String(length=32), nullable=True),
    sa.Column('date_filed', sa.String(length=32), nullable=True),
    sa.Column('date_entered', sa.String(length=32), nullable=True),
    sa.Column('pacer_doc_id', sa.String(length=32), nullable=True),
    sa.Column('pacer_seq_no', sa.String(length=32), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('short_description', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('docket_id', 'entry_key', name='uq_entries_docket_key')
    )
    op.create_table('docket_updates',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('docket_updates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_docket_updates_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_docket_updates_docket_id'), ['docket_id'], unique=False)

    op.create_table('parties',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_id', sa.Integer(), nullable=False),
    sa.Column('name_key', sa.String(length=300), nullable=False),
    sa.Column('type', sa.String(length=200), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('extra_info', sa.Text(), nullable=True),
    sa.Column('date_terminated', sa.String(length=10), nullable=True),
    sa.Column('criminal_data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('docket_id', 'name_key', 'type', name='uq_parties_docket_name_type')
    )
    op.create_table('raw_pages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('sha1', sa.String(length=40), nullable=False),
    sa.Column('court_id', sa.String(length=32), nullable=True),
    sa.Column('report_type', sa.String(length=32), nullable=False),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('content_type', sa.String(length=100), nullable=True),
    sa.Column('context', sa.JSON(), nullable=True),
    sa.Column('path', sa.Text(), nullable=True),
    sa.Column('size', sa.Integer(), nullable=True),
    sa.Column('cost', sa.Float(), nullable=True),
    sa.Column('fetched_at', sa.String(length=40), nullable=True),
    sa.Column('docket_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['docket_id'], ['dockets.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sha1', 'court_id', 'report_type', name='uq_raw_pages_content')
    )
    with op.batch_alter_table('raw_pages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_raw_pages_docket_id'), ['docket_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('docket_entry_id', sa.Integer(), nullable=False),
    sa.Column('court_id', sa.String(length=32), nullable=False),
    sa.Column('document_number', sa.String(length=32), nullable=True),
    sa.Column('attachment_number', sa.Integer(), nullable=True),
    sa.Column('pacer_doc_id', sa.String(length=32), nullable=True),
    sa.Column('pacer_seq_no', sa.String(length=32), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('page_count', sa.Integer(), nullable=True),
    sa.Column('file_size_bytes', sa.Integer(), nullable=True),
    sa.Column('file_size_str', sa.String(length=32), nullable=True),
    sa.Column('is_sealed', sa.Boolean(), nullable=True),
    sa.Column('sha1', sa.String(length=40), nullable=True),
    sa.Column('filepath', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['docket_entry_id'], ['docket_entries.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index('ix_documents_court_doc_id', ['court_id', 'pacer_doc_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_sha1'), ['sha1'], unique=False)
        batch_op.create_index('uq_documents_attachment', ['docket_entry_id', 'attachment_number'], unique=True, sqlite_where=sa.text('attachment_number IS NOT NULL'), postgresql_where=sa.text('attachment_number IS NOT NULL'))
        batch_op.create_index('uq_documents_main', ['docket_entry_id'], unique=True, sqlite_where=sa.text('attachment_number IS NULL'), postgresql_where=sa.text('attachment_number IS NULL'))

    op.create_table('party_attorneys',
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('attorney_id', sa.Integer(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['attorney_id'], ['attorneys.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('party_id', 'attorney_id')
    )
    op.create_table('orphan_documents',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('court_id', sa.String(length=32), nullable=False),
    sa.Column('report_type', sa.String(length=32), nullable=False),
    sa.Column('pacer_doc_id', sa.String(length=32), nullable=True),
    sa.Column('pacer_case_id', sa.String(length=32), nullable=True),
    sa.Column('document_number', sa.String(length=32), nullable=True),
    sa.Column('attachment_number', sa.Integer(), nullable=True),
    sa.Column('sha1', sa.String(length=40), nullable=False),
    sa.Column('source_path', sa.Text(), nullable=True),
    sa.Column('parsed', sa.JSON(), nullable=True),
    sa.Column('context', sa.JSON(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('court_id', 'report_type', 'sha1', name='uq_orphans_content')
    )
    with op.batch_alter_table('orphan_documents', schema=None) as batch_op:
        batch_op.create_index('ix_orphans_court_doc_id', ['court_id', 'pacer_doc_id'], unique=False)



def downgrade() -> None:
    # Generated from pacer_spiders.db.models, then reviewed.
    with op.batch_alter_table('orphan_documents', schema=None) as batch_op:
        batch_op.drop_index('ix_orphans_court_doc_id')

    op.drop_table('orphan_documents')
    op.drop_table('party_attorneys')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('uq_documents_main', sqlite_where=sa.text('attachment_number IS NULL'), postgresql_where=sa.text('attachment_number IS NULL'))
        batch_op.drop_index('uq_documents_attachment', sqlite_where=sa.text('attachment_number IS NOT NULL'), postgresql_where=sa.text('attachment_number IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_documents_sha1'))
        batch_op.drop_index('ix_documents_court_doc_id')

    op.drop_table('documents')
    with op.batch_alter_table('raw_pages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_raw_pages_docket_id'))

    op.drop_table('raw_pages')
    op.drop_table('parties')
    with op.batch_alter_table('docket_updates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_docket_updates_docket_id'))
        batch_op.drop_index(batch_op.f('ix_docket_updates_changed_at'))

    op.drop_table('docket_updates')
    op.drop_table('docket_entries')
    op.drop_table('attorneys')
    op.drop_table('rejected_pages')
    with op.batch_alter_table('dockets', schema=None) as batch_op:
        batch_op.drop_index('uq_dockets_court_number_without_case_id', sqlite_where=sa.text('pacer_case_id IS NULL'), postgresql_where=sa.text('pacer_case_id IS NULL'))
        batch_op.drop_index('uq_dockets_court_case_id', sqlite_where=sa.text('pacer_case_id IS NOT NULL'), postgresql_where=sa.text('pacer_case_id IS NOT NULL'))
        batch_op.drop_index(batch_op.f('ix_dockets_updated_at'))
        batch_op.drop_index('ix_dockets_court_number')
        batch_op.drop_index(batch_op.f('ix_dockets_court_id'))

    op.drop_table('dockets')
    op.drop_table('crawl_runs')
    op.drop_table('courts')

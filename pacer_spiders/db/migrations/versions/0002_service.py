"""the HTTP service: users, tokens, fetch ownership, outbox, PACER sessions, uploads, prayers

Revision ID: 0002_service
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_service"
# After the work requests (its tables point at them).
down_revision = "0002"
branch_labels = None
depends_on = None


def _when(name, nullable=True):
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "service_users",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        _when("created_at", False),
    )
    op.create_table(
        "service_tokens",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("service_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(12), nullable=False),
        _when("created_at", False), _when("last_used_at"), _when("revoked_at"),
    )
    op.create_index("ix_service_tokens_user_id", "service_tokens", ["user_id"])
    op.create_table(
        "service_fetches",
        sa.Column("work_request_id", sa.Integer(), sa.ForeignKey("work_requests.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("service_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("request_type", sa.Integer(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=True),
        _when("settled_at"),
    )
    op.create_index("ix_service_fetches_user_id", "service_fetches", ["user_id"])
    op.create_table(
        "service_uploads",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("service_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("upload_type", sa.Integer(), nullable=False),
        sa.Column("court_id", sa.String(32), nullable=False),
        sa.Column("pacer_case_id", sa.String(32)),
        sa.Column("pacer_doc_id", sa.String(32)),
        sa.Column("document_number", sa.String(32)),
        sa.Column("attachment_number", sa.Integer()),
        sa.Column("debug", sa.Boolean(), nullable=False),
        sa.Column("spool_path", sa.Text()),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("error_message", sa.Text()),
        sa.Column("result", sa.JSON()),
        sa.Column("docket_id", sa.Integer()),
        sa.Column("document_id", sa.Integer()),
        sa.Column("orphan_id", sa.Integer()),
        _when("created_at", False), _when("updated_at", False),
    )
    op.create_index("ix_service_uploads_user_id", "service_uploads", ["user_id"])
    op.create_index("ix_service_uploads_status", "service_uploads", ["status"])
    op.create_index("ix_service_uploads_orphan_id", "service_uploads", ["orphan_id"])
    op.create_table(
        "service_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("work_request_id", sa.Integer(), sa.ForeignKey("work_requests.id", ondelete="CASCADE")),
        sa.Column("upload_id", sa.Integer(), sa.ForeignKey("service_uploads.id", ondelete="CASCADE")),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("taken_by", sa.String(100)),
        _when("taken_at"), _when("created_at", False),
    )
    op.create_index("ix_service_queue_state", "service_queue", ["state"])
    op.create_table(
        "service_sessions",
        sa.Column("work_request_id", sa.Integer(), sa.ForeignKey("work_requests.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("encrypted", sa.Text(), nullable=False),
        _when("expires_at", False),
    )
    op.create_index("ix_service_sessions_expires_at", "service_sessions", ["expires_at"])
    op.create_table(
        "service_prayers",
        sa.Column("id", sa.Integer(), autoincrement=True, primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("service_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("document_id", sa.Integer(), sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("webhook_url", sa.String(2000)),
        _when("webhook_delivered_at"), _when("created_at", False), _when("granted_at"),
        sa.UniqueConstraint("user_id", "document_id", name="uq_prayers_user_document"),
    )
    op.create_index("ix_service_prayers_user_id", "service_prayers", ["user_id"])
    op.create_index("ix_service_prayers_document_id", "service_prayers", ["document_id"])
    op.create_index("ix_service_prayers_status", "service_prayers", ["status"])
    op.create_index("ix_prayers_user_created", "service_prayers", ["user_id", "created_at"])


def downgrade() -> None:
    for table in ("service_prayers", "service_sessions", "service_queue", "service_uploads", "service_fetches",
                  "service_tokens", "service_users"):
        op.drop_table(table)

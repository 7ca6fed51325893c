"""The service's own tables: users and their tokens, fetch ownership, the outbox, uploads, prayers.

A token is stored as its SHA-256 (tokens are 32 random bytes: a fast hash is enough); a PACER
session token only encrypted, with its expiry; usernames and passwords never.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pacer_spiders.db.models import Base


def utcnow() -> dt.datetime:
    # not imported from work_requests: db.models imports this module while that one loads
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class ServiceUser(Base):
    __tablename__ = "service_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ServiceToken(Base):
    __tablename__ = "service_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("service_users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown by `tokens list`, enough to tell them apart
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ServiceFetch(Base):
    """Who asked for a work request through the API, and as which CourtListener request type."""

    __tablename__ = "service_fetches"

    work_request_id: Mapped[int] = mapped_column(ForeignKey("work_requests.id", ondelete="CASCADE"),
                                                 primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("service_users.id", ondelete="CASCADE"), index=True)
    request_type: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)  # what the client sent (no credentials)
    cost: Mapped[float | None] = mapped_column(Float)
    # after the final status: prayers granted and uploads joined (set once, by one process)
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ServiceQueueEntry(Base):
    """The outbox: written in the transaction of the request or upload it carries.

    ``pending`` until a runner (no Redis) or the relay to Redis takes it.
    """

    __tablename__ = "service_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))  # docket | attachment_page | pdf | upload
    work_request_id: Mapped[int | None] = mapped_column(ForeignKey("work_requests.id", ondelete="CASCADE"))
    upload_id: Mapped[int | None] = mapped_column(ForeignKey("service_uploads.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|taken|pushed|done
    taken_by: Mapped[str | None] = mapped_column(String(100))
    taken_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ServiceSession(Base):
    """A PACER session token a request's credentials logged in, encrypted, kept at most an hour."""

    __tablename__ = "service_sessions"

    work_request_id: Mapped[int] = mapped_column(ForeignKey("work_requests.id", ondelete="CASCADE"),
                                                 primary_key=True)
    encrypted: Mapped[str] = mapped_column(Text)  # Fernet of {"token", "client_code"}
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class ServiceUpload(Base):
    """One file sent to the upload API; processed asynchronously by the crawl's pipelines."""

    __tablename__ = "service_uploads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("service_users.id", ondelete="CASCADE"), index=True)
    upload_type: Mapped[int] = mapped_column(Integer)
    court_id: Mapped[str] = mapped_column(String(32))
    pacer_case_id: Mapped[str | None] = mapped_column(String(32))
    pacer_doc_id: Mapped[str | None] = mapped_column(String(32))
    document_number: Mapped[str | None] = mapped_column(String(32))
    attachment_number: Mapped[int | None] = mapped_column(Integer)
    debug: Mapped[bool] = mapped_column(Boolean, default=False)
    spool_path: Mapped[str | None] = mapped_column(Text)  # the file until it is processed
    status: Mapped[int] = mapped_column(Integer, default=1, index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    docket_id: Mapped[int | None] = mapped_column(Integer)
    document_id: Mapped[int | None] = mapped_column(Integer)
    orphan_id: Mapped[int | None] = mapped_column(Integer, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class ServicePrayer(Base):
    """A user's wish that a document be bought: 1 waiting, 2 granted."""

    __tablename__ = "service_prayers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("service_users.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    status: Mapped[int] = mapped_column(Integer, default=1, index=True)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    granted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("user_id", "document_id", name="uq_prayers_user_document"),
                      Index("ix_prayers_user_created", "user_id", "created_at"))

"""Work requests: what someone asked the workers to fetch, and how it ended.

Status codes are those of the seed's fetch API, so clients written against it read ours as-is.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pacer_spiders.db.models import Base

AWAITING = 1
SUCCESS = 2
ERROR = 3
IN_PROGRESS = 4
RETRYING = 5
INVALID = 6
INSUFFICIENT_METADATA = 7

STATUS_NAMES = {
    AWAITING: "awaiting processing",
    SUCCESS: "processed successfully",
    ERROR: "error",
    IN_PROGRESS: "being processed",
    RETRYING: "failed but will be retried",
    INVALID: "failed validity checks",
    INSUFFICIENT_METADATA: "insufficient metadata",
}
OPEN_STATUSES = (AWAITING, IN_PROGRESS, RETRYING)
FINAL_STATUSES = (SUCCESS, ERROR, INVALID, INSUFFICIENT_METADATA)

KINDS = ("docket", "attachment_page", "pdf")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


class WorkRequest(Base):
    """One enqueued fetch: a docket, an attachment page or a PDF of one court."""

    __tablename__ = "work_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)  # the spider that does it
    court_id: Mapped[str] = mapped_column(String(32), index=True)
    # pacer_case_id, docket_number, pacer_doc_id and fetch options (date_from, ...)
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    # kind + court + identity + options: an open request with the same key is not queued twice
    dedupe_key: Mapped[str] = mapped_column(String(400), index=True)
    status: Mapped[int] = mapped_column(Integer, default=AWAITING, index=True)
    error_message: Mapped[str | None] = mapped_column(Text)
    # what the crawl created or updated: [{court_id, pacer_case_id, ..., ids the pipelines assigned}]
    result: Mapped[list | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(64), default="cli")  # cli, file, schedule:daily, ...
    bulk: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    webhook_attempts: Mapped[int] = mapped_column(Integer, default=0)
    webhook_delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    webhook_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, str(self.status))

    def as_dict(self) -> dict:
        def iso(value):
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "kind": self.kind,
            "court_id": self.court_id,
            "params": self.params or {},
            "status": self.status,
            "status_name": self.status_name,
            "error_message": self.error_message,
            "result": self.result or [],
            "source": self.source,
            "bulk": self.bulk,
            "attempts": self.attempts,
            "webhook_url": self.webhook_url,
            "webhook_attempts": self.webhook_attempts,
            "webhook_delivered_at": iso(self.webhook_delivered_at),
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "finished_at": iso(self.finished_at),
        }

"""Work requests end to end: enqueue (row + Redis work item), states kept by workers, webhooks.

``enqueue_work`` records a ``WorkRequest`` (status 1) and queues its work item for the spider of
its kind.  Workers report through ``WorkTracker``: status 4 when its first request is taken, the
first error and every result gathered in Redis while it runs, and ``finish`` (called exactly once,
by the worker whose ack leaves nothing pending) writes the final status and POSTs the webhook.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import weakref
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from pacer_spiders.db import make_engine
from pacer_spiders.db.work_requests import (
    AWAITING,
    ERROR,
    IN_PROGRESS,
    INSUFFICIENT_METADATA,
    OPEN_STATUSES,
    RETRYING,
    STATUS_NAMES,
    SUCCESS,
    WorkRequest,
    utcnow,
)

logger = logging.getLogger(__name__)

# What each kind needs to be fetched at all (any one of the names in a group).
REQUIRED = {
    "docket": ("pacer_case_id", "docket_number"),
    "attachment_page": ("pacer_doc_id",),
    "pdf": ("pacer_doc_id",),
}
IDENTITY_FIELDS = ("pacer_case_id", "docket_number", "pacer_doc_id", "document_number", "attachment_number")


def dedupe_key(kind: str, court_id: str, params: dict) -> str:
    """Kind, court, identity and options: two open requests with one key would fetch the same thing."""
    text = json.dumps({"kind": kind, "court_id": court_id, "params": params}, sort_keys=True, default=str)
    return f"{kind}:{court_id}:" + hashlib.sha1(text.encode()).hexdigest()


def missing_metadata(kind: str, params: dict) -> str | None:
    needed = REQUIRED.get(kind, ())
    if needed and not any(params.get(name) not in (None, "") for name in needed):
        return f"insufficient metadata: a {kind} request needs {' or '.join(needed)}"
    return None


def session_factory(database_url: str) -> sessionmaker:
    from pacer_spiders.db import upgrade_database

    engine = make_engine(database_url)
    upgrade_database(engine)  # as the pipelines do: a fresh SQLite archive just works
    return sessionmaker(engine, expire_on_commit=False)


def check_webhook_url(url: str | None) -> str | None:
    if url and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"webhook URL must be http:// or https://, not {url!r}")
    return url


def enqueue_work(sessions: sessionmaker, store, kind: str, court_id: str, params: dict, *,
                 webhook_url: str | None = None, bulk: bool = False, source: str = "cli") -> tuple[WorkRequest, bool]:
    """Record and queue one work request; ``(row, False)`` when the same request is already open.

    A request that cannot be worked (missing identity) is recorded with status 7 and not queued.
    """
    from pacer_spiders.courts import check_identifiers, get_court

    court_id = get_court(court_id).court_id  # UnknownCourtError names the closest ids
    check_webhook_url(webhook_url)
    # Ids, docket numbers and dates of PACER's forms (BadValue names the field): never queued otherwise.
    params = check_identifiers(court_id, {k: v for k, v in sorted(params.items()) if v not in (None, "")})
    key = dedupe_key(kind, court_id, params)
    with sessions() as session:
        existing = session.scalars(
            select(WorkRequest).where(WorkRequest.dedupe_key == key, WorkRequest.status.in_(OPEN_STATUSES))
        ).first()
        if existing is not None:
            return existing, False
        row = WorkRequest(kind=kind, court_id=court_id, params=params, dedupe_key=key, status=AWAITING,
                          webhook_url=webhook_url, bulk=bulk, source=source)
        problem = missing_metadata(kind, params)
        if problem:
            row.status, row.error_message, row.finished_at = INSUFFICIENT_METADATA, problem, utcnow()
        session.add(row)
        session.commit()
        if not problem:
            store.push_work(kind, work_item(row), bulk=bulk)
    if problem and webhook_url:
        WebhookSender(sessions).deliver(row.id, wait=True)
    return row, True


def work_item(row: WorkRequest) -> dict:
    return {"work_request_id": row.id, "kind": row.kind, "court_id": row.court_id, "params": row.params or {},
            "attempt": row.attempts or 0}


_TRACKERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # crawler -> its WorkTracker


class WorkTracker:
    """A worker's view of the work requests it advances (one per crawler)."""

    def __init__(self, sessions: sessionmaker, store, max_attempts: int = 3, retry_delay: float = 30.0,
                 webhooks: "WebhookSender | None" = None):
        self.sessions = sessions
        self.store = store
        self.max_attempts = max_attempts
        self.retry_delay = retry_delay
        self.webhooks = webhooks or WebhookSender(sessions)
        self._started: set[str] = set()
        self._unsent: list = []  # (call, args) told while Redis was down

    @classmethod
    def for_crawler(cls, crawler) -> "WorkTracker":
        tracker = _TRACKERS.get(crawler)
        if tracker is None:
            from pacer_spiders.distributed.store import RedisStore

            settings = crawler.settings
            sessions = session_factory(settings.get("DATABASE_URL"))
            tracker = cls(
                sessions,
                RedisStore.from_settings(settings),
                max_attempts=settings.getint("PACER_WORK_ATTEMPTS", 3),
                retry_delay=settings.getfloat("PACER_WORK_RETRY_DELAY", 30.0),
                webhooks=webhook_sender(settings, sessions),
            )
            _TRACKERS[crawler] = tracker
        return tracker

    def started(self, work_request_id) -> None:
        work_request_id = str(work_request_id)
        if work_request_id in self._started:
            return
        self._started.add(work_request_id)
        with self.sessions() as session:
            session.execute(
                update(WorkRequest)
                .where(WorkRequest.id == int(work_request_id), WorkRequest.status.in_((AWAITING, RETRYING)))
                .values(status=IN_PROGRESS, updated_at=utcnow())
            )
            session.commit()

    def error(self, work_request_id, status: int, message: str) -> None:
        if work_request_id:
            self._to_redis(self.store.record_error, str(work_request_id), status, message)

    def result(self, work_request_id, result: dict) -> None:
        if work_request_id:
            self._to_redis(self.store.add_result, str(work_request_id), result)

    def _to_redis(self, call, *args) -> None:
        """Facts reach Redis in order; those told while Redis is down wait in memory for it."""
        from pacer_spiders.distributed.outage import REDIS_DOWN

        self._unsent.append((call, args))
        try:
            self.flush()
        except REDIS_DOWN:
            pass

    def flush(self) -> None:
        """Send what waited for Redis (raises REDIS_DOWN while it is still down)."""
        while self._unsent:
            call, args = self._unsent[0]
            call(*args)
            self._unsent.pop(0)

    def finish(self, spider: str, work_request_id) -> WorkRequest | None:
        """The last request of a work request is done: final status (or a retry), then the webhook.

        Called once by the worker whose ack left nothing pending, or again by another worker if
        that one died before writing; a row already past ``being processed`` is left as it is.
        """
        self._started.discard(str(work_request_id))
        self.flush()  # its error or results may have waited for Redis
        with self.sessions() as session:
            row = session.get(WorkRequest, int(work_request_id))
            if row is None or row.status not in (AWAITING, IN_PROGRESS):
                if row is None:
                    logger.warning("work request %s finished but is not in the database", work_request_id)
                self.store.finished(spider, work_request_id)
                return None
            error, results = self.store.take_outcome(str(work_request_id))
            row.attempts = (row.attempts or 0) + 1
            merged = list(row.result or [])
            merged += [r for r in results if r not in merged]
            row.result = merged
            # No error and no page can be right (a document without an attachment menu): the
            # spider decided there was nothing to fetch.
            if error is None:
                row.status, row.error_message = SUCCESS, None
            else:
                status = int(error.get("status", ERROR))
                row.error_message = error.get("message")
                if status == RETRYING and row.attempts < self.max_attempts:
                    row.status = RETRYING
                    delay = self.retry_delay * 2 ** (row.attempts - 1)
                    self.store.push_work(row.kind, work_item(row), bulk=row.bulk, delay=delay)
                else:
                    row.status = ERROR if status == RETRYING else status
            if row.status != RETRYING:
                row.finished_at = utcnow()
            session.commit()
        self.store.finished(spider, work_request_id)
        logger.info("work request %s: %s%s", row.id, STATUS_NAMES[row.status],
                    f" ({row.error_message})" if row.error_message else "")
        if row.status != RETRYING and row.webhook_url:
            self.webhooks.deliver(row.id)
        return row

    def close(self, timeout: float | None = None) -> None:
        self.webhooks.wait(timeout)


class WebhookSender:
    """POSTs a finished work request as JSON, with an idempotency key, retried with backoff.

    The receiver sees the same ``Idempotency-Key`` on every attempt for one outcome, so a delivery
    it answered too slowly is recognised when it comes again.  Delivery is recorded on the row.
    """

    def __init__(self, sessions: sessionmaker, attempts: int = 6, backoff: float = 1.0, timeout: float = 10.0,
                 allow_private: bool = True):
        self.sessions = sessions
        self.attempts = attempts
        self.backoff = backoff
        self.timeout = timeout
        # False: loopback, private and link-local receivers are refused at each delivery
        self.allow_private = allow_private
        self._threads: list[threading.Thread] = []

    def deliver(self, work_request_id: int, wait: bool = False) -> None:
        thread = threading.Thread(target=self._deliver, args=(work_request_id,), daemon=True,
                                  name=f"webhook-{work_request_id}")
        thread.start()
        self._threads.append(thread)
        if wait:
            thread.join()

    def wait(self, timeout: float | None = None) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        for thread in self._threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))

    def payload(self, row: WorkRequest) -> dict:
        data = row.as_dict()
        data["idempotency_key"] = f"work-request-{row.id}-{row.attempts}-{row.status}"
        return data

    def _deliver(self, work_request_id: int) -> bool:
        with self.sessions() as session:
            row = session.get(WorkRequest, work_request_id)
            if row is None or not row.webhook_url or row.webhook_delivered_at is not None:
                return False
            url, payload = row.webhook_url, self.payload(row)
        body = json.dumps(payload).encode()
        from pacer_spiders.service.webhooks import destination_problem

        problem = destination_problem(url, self.allow_private)
        if problem:
            self._record(work_request_id, 0, problem)
            logger.warning("webhook of work request %s not sent: %s", work_request_id, problem)
            return False
        last_error = None
        for attempt in range(1, self.attempts + 1):
            headers = {
                "Content-Type": "application/json",
                "Idempotency-Key": payload["idempotency_key"],
                "User-Agent": "pacer_spiders webhook",
            }
            headers.update(self.signature(work_request_id, body))
            request = urllib.request.Request(url, data=body, method="POST", headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    response.read()
                last_error = None
            except urllib.error.HTTPError as exc:
                last_error = f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:
                last_error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            self._record(work_request_id, attempt, last_error)
            if last_error is None:
                return True
            if attempt < self.attempts:
                time.sleep(self.backoff * 2 ** (attempt - 1))
        logger.warning("webhook of work request %s not delivered after %d attempts: %s",
                       work_request_id, self.attempts, last_error)
        return False

    def signature(self, work_request_id: int, body: bytes) -> dict:
        """Headers that sign ``body`` (none here; the service's sender signs)."""
        return {}

    def _record(self, work_request_id: int, attempt: int, error: str | None) -> None:
        with self.sessions() as session:
            values: dict[str, Any] = {"webhook_attempts": WorkRequest.webhook_attempts + (1 if attempt else 0), "webhook_error": error}
            if error is None:
                values["webhook_delivered_at"] = utcnow()
            session.execute(update(WorkRequest).where(WorkRequest.id == work_request_id).values(**values))
            session.commit()


def webhook_sender(settings, sessions) -> WebhookSender:
    """The service's sender (CourtListener's shape, signed) when PACER_SERVICE_SECRET is set, else a plain one."""
    options = {"attempts": settings.getint("PACER_WEBHOOK_ATTEMPTS", 6),
               "backoff": settings.getfloat("PACER_WEBHOOK_BACKOFF", 1.0),
               "allow_private": settings.getbool("PACER_WEBHOOK_ALLOW_PRIVATE", False)}
    secret = settings.get("PACER_SERVICE_SECRET")
    if secret:
        from pacer_spiders.service.app_support import ServiceWebhookSender

        return ServiceWebhookSender(sessions, secret, **options)
    return WebhookSender(sessions, **options)


def list_requests(session: Session, status: int | None = None, kind: str | None = None, limit: int = 50):
    query = select(WorkRequest).order_by(WorkRequest.id.desc()).limit(limit)
    if status is not None:
        query = query.where(WorkRequest.status == status)
    if kind:
        query = query.where(WorkRequest.kind == kind)
    return list(session.scalars(query))

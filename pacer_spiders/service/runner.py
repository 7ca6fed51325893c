"""Taking the queued work: crawls and uploads run here when there is no Redis, else a relay.

The queue is the ``service_queue`` outbox.  An entry is claimed with one conditional UPDATE, so
several service processes (``--workers N``) never take the same one.  Without Redis a crawl is a
``scrapy crawl`` process (started by pacer_spiders.processes) of the spider for the kind, with the request's arguments
and, for per-request credentials, the decrypted PACER session in its environment only.  With
Redis the relay pushes each entry to the workers' queue and marks it pushed (a failed push leaves
it pending, tried again).  After every final status: prayers granted, uploads of orphans joined.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import select, update

from pacer_spiders.db.models import DocketRow, DocumentRow, DocketEntryRow, OrphanDocumentRow
from pacer_spiders.db.work_requests import (
    ERROR,
    FINAL_STATUSES,
    IN_PROGRESS,
    INVALID,
    RETRYING,
    SUCCESS,
    WorkRequest,
    utcnow,
)
from pacer_spiders.processes import ChildProcess, start_python_module
from pacer_spiders.service import prayers, security
from pacer_spiders.service.models import ServiceFetch, ServiceQueueEntry, ServiceSession, ServiceUpload

logger = logging.getLogger(__name__)

SPIDER_CLASSES = {
    "docket": "pacer_spiders.spiders.docket:DocketSpider",
    "attachment_page": "pacer_spiders.spiders.attachment_page:AttachmentPageSpider",
    "pdf": "pacer_spiders.spiders.pdf:PdfSpider",
}
# upload_type of CourtListener -> the ingest type of our pipelines
UPLOAD_TYPES = {1: "docket", 2: "attachment_page", 3: "pdf", 4: "history", 10: "zip"}


def spider_class(kind: str):
    import importlib

    module, _, name = SPIDER_CLASSES[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def crawl_arguments(kind: str, court_id: str, params: dict) -> dict:
    """The ``-a`` arguments of ``scrapy crawl <kind>``, named as the spider names them."""
    from pacer_spiders.distributed.spider import spider_arguments

    return spider_arguments(spider_class(kind), {"court_id": court_id, **params})


def claim(sessions, worker: str, kinds=None) -> ServiceQueueEntry | None:
    """Take the oldest pending entry (one conditional UPDATE: two processes never take one)."""
    with sessions() as session:
        query = select(ServiceQueueEntry.id).where(ServiceQueueEntry.state == "pending").order_by(
            ServiceQueueEntry.id).limit(5)
        for entry_id in session.scalars(query).all():
            done = session.execute(update(ServiceQueueEntry).where(
                ServiceQueueEntry.id == entry_id, ServiceQueueEntry.state == "pending").values(
                state="taken", taken_by=worker, taken_at=utcnow()))
            session.commit()
            if done.rowcount == 1:
                return session.get(ServiceQueueEntry, entry_id)
    return None


class Runner:
    """Threads of one service process that take the queue (crawls, uploads) and settle outcomes."""

    def __init__(self, config, sessions):
        self.config = config
        self.sessions = sessions
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.name = f"service:{os.getpid()}"
        self.procs: set[ChildProcess] = set()

    def start(self) -> "Runner":
        count = max(1, self.config.runner_threads) if self.config.run_crawls else 0
        target = self._relay_loop if self.config.redis_url else self._work_loop
        for number in range(count):
            thread = threading.Thread(target=target, name=f"service-runner-{number}", daemon=True)
            thread.start()
            self.threads.append(thread)
        settle = threading.Thread(target=self._settle_loop, name="service-settle", daemon=True)
        settle.start()
        self.threads.append(settle)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        for proc in list(self.procs):
            proc.terminate()
        for thread in self.threads:
            thread.join(timeout)

    # -- loops ---------------------------------------------------------------------------------
    def _work_loop(self) -> None:
        self._loop(self.run_entry)

    def _relay_loop(self) -> None:
        from pacer_spiders.distributed.store import RedisStore

        store = RedisStore.from_url(self.config.redis_url)
        self._loop(lambda entry: self.run_entry(entry) if entry.kind == "upload" else self.relay_entry(store, entry))

    def _loop(self, handle) -> None:
        while not self.stopping.is_set():
            try:
                entry = claim(self.sessions, self.name)
                if entry is None:
                    self.stopping.wait(0.2)
                    continue
                handle(entry)
            except Exception:  # one bad entry must not stop the runner
                logger.exception("service runner: an entry failed")
                self.stopping.wait(1.0)

    def relay_entry(self, store, entry: ServiceQueueEntry) -> None:
        """Push a fetch to the workers' Redis queue; a failed push leaves it pending in the outbox."""
        from pacer_spiders.distributed.work import work_item

        from pacer_spiders.service.request_sessions import move_to_redis

        with self.sessions() as session:
            row = session.get(WorkRequest, entry.work_request_id)
            try:
                # the request's own PACER session goes first, so the worker that takes it finds it
                move_to_redis(session, store.server, store.prefix, row.id)
                store.push_work(row.kind, work_item(row), bulk=row.bulk)
                state = "pushed"
            except Exception as exc:  # Redis down: the entry (and its session) wait in the outbox
                logger.warning("work request %s not pushed to Redis yet: %s", row.id, type(exc).__name__)
                session.rollback()
                state = "pending"
            session.execute(update(ServiceQueueEntry).where(ServiceQueueEntry.id == entry.id).values(state=state))
            session.commit()
        if state == "pending":
            self.stopping.wait(1.0)

    def _settle_loop(self) -> None:
        while not self.stopping.is_set():
            try:
                self.release_abandoned()
                self.settle()
                with self.sessions() as session:
                    security.drop_expired_sessions(session)
            except Exception:
                logger.exception("service: settling finished work failed")
            self.stopping.wait(0.5)

    def release_abandoned(self) -> int:
        """Entries taken by a process that died mid-crawl go back to the queue (past the crawl timeout)."""
        limit = utcnow() - dt.timedelta(seconds=self.config.crawl_timeout + 120)
        with self.sessions() as session:
            done = session.execute(update(ServiceQueueEntry).where(
                ServiceQueueEntry.state == "taken", ServiceQueueEntry.taken_at < limit).values(state="pending"))
            session.commit()
            return done.rowcount

    # -- one entry -----------------------------------------------------------------------------
    def run_entry(self, entry: ServiceQueueEntry) -> None:
        if entry.kind == "upload":
            assert entry.upload_id is not None  # an upload entry names its upload
            self.run_upload(entry.upload_id)
        else:
            assert entry.work_request_id is not None  # and a fetch its work request
            self.run_fetch(entry.work_request_id)
        with self.sessions() as session:
            session.execute(update(ServiceQueueEntry).where(ServiceQueueEntry.id == entry.id).values(state="done"))
            session.commit()
        self.settle()

    def run_fetch(self, work_request_id: int) -> None:
        with self.sessions() as session:
            row = session.get(WorkRequest, work_request_id)
            fetch = session.get(ServiceFetch, work_request_id)
            row.status, row.updated_at = IN_PROGRESS, utcnow()
            session.commit()
            pacer_session = None
            if fetch is not None and fetch.fields.get("credentials"):
                pacer_session = security.open_session(session, self.config, work_request_id)
                if pacer_session is None:
                    self._finish(work_request_id, ERROR, "the PACER session of this request has expired "
                                 "(sessions are kept one hour): send the credentials again", [], None)
                    return
            kind, court_id, params = row.kind, row.court_id, dict(row.params or {})
        env = {}
        if pacer_session:
            env["PACER_SESSION_TOKEN"] = pacer_session["token"]
            if pacer_session.get("client_code"):
                env["PACER_CLIENT_CODE"] = pacer_session["client_code"]
        status, message, cost, skipped = self._crawl(kind, court_id, params, env)
        del pacer_session, env
        result = self._what_was_fetched(kind, court_id, params)
        refusal = next((k for k in prayers.UNSELLABLE if skipped.get(k)), None) if kind == "pdf" else None
        if status == SUCCESS and not result and refusal:
            status, message = ERROR, (f"PACER will not sell this document ({refusal}): nothing was bought "
                                      f"or stored")
            prayers.mark_unavailable(self.sessions, self.config, self._documents_of(court_id, params), refusal)
        elif status == SUCCESS and not result:
            status, message = ERROR, f"the {kind.replace('_', ' ')} was not found or not stored"
        self._finish(work_request_id, status, message, result, cost)

    def _crawl(self, kind: str, court_id: str, params: dict,
               secrets_env: dict) -> tuple[int, str | None, float, dict[str, int]]:
        """Run the crawl; its status, message, what PACER billed and what it skipped, by kind."""
        arguments = crawl_arguments(kind, court_id, params)
        with tempfile.TemporaryDirectory(prefix="pacer-service-crawl-") as workdir:
            stats_file, log_file = Path(workdir) / "stats.json", Path(workdir) / "crawl.log"
            if self.config.log_dir:  # kept for the operator: one log a crawl
                Path(self.config.log_dir).mkdir(parents=True, exist_ok=True)
                log_file = Path(self.config.log_dir) / f"{kind}-{court_id}-{int(time.time() * 1000)}.log"
            settings = {"DATABASE_URL": self.config.database_url, "FILES_STORE": self.config.files_store,
                        "PACER_STATS_FILE": str(stats_file), "LOG_FILE": str(log_file), "LOG_LEVEL": "INFO",
                        **self.config.pacer_settings}
            command = ["crawl", kind]
            for name, value in arguments.items():
                command += ["-a", f"{name}={value}"]
            for name, value in settings.items():
                command += ["-s", f"{name}={value}"]
            # the crawl writes the archive itself; it needs neither Redis nor the service's secret
            env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "PACER_SERVICE_SECRET")}
            env.update({"SCRAPY_SETTINGS_MODULE": "pacer_spiders.settings", **secrets_env})
            if secrets_env:  # this request's session, not the deployment's accounts
                for name in [k for k in env if k.startswith(("PACER_USERNAME", "PACER_PASSWORD", "PACER_TOTP",
                                                             "PACER_ACCOUNTS"))]:
                    env.pop(name)
            proc = start_python_module("scrapy", command, cwd=workdir, env=env, stdout=os.devnull, stderr=os.devnull)
            self.procs.add(proc)
            try:
                proc.wait(timeout=self.config.crawl_timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            finally:
                self.procs.discard(proc)
                del env
            stats = json.loads(stats_file.read_text()) if stats_file.exists() else {}
        cost = float(stats.get("pacer/spent") or 0.0)
        errors = sorted(k.split("/", 2)[2] for k, v in stats.items() if k.startswith("pacer/errors/") and v)
        skipped = {k.split("/", 2)[2]: v for k, v in stats.items() if k.startswith("pacer/skipped/") and v}
        reason = stats.get("finish_reason")
        if proc.returncode == 0 and reason == "finished" and not errors:
            return SUCCESS, None, cost, skipped
        if self.stopping.is_set():
            return RETRYING, "the service stopped during the crawl", cost, skipped
        if "bad_argument" in errors or "unknown_court" in errors:
            return INVALID, f"the crawl refused its arguments ({', '.join(errors)})", cost, skipped
        detail = ", ".join(errors) or str(reason or f"exit code {proc.returncode}")
        return ERROR, f"the crawl failed: {detail}", cost, skipped

    def _what_was_fetched(self, kind: str, court_id: str, params: dict) -> list[dict]:
        with self.sessions() as session:
            if kind == "docket":
                query = select(DocketRow).where(DocketRow.court_id == court_id)
                if params.get("pacer_case_id"):
                    query = query.where(DocketRow.pacer_case_id == str(params["pacer_case_id"]))
                else:  # a number may come with or without the judge's initials
                    number = str(params.get("docket_number"))
                    query = query.where((DocketRow.docket_number == number)
                                        | DocketRow.docket_number.startswith(number + "-")
                                        | sa.literal(number).startswith(DocketRow.docket_number + "-"))
                    query = query.order_by(DocketRow.updated_at.desc())
                docket = session.scalars(query).first()
                return [{"docket": docket.id, "court_id": court_id, "pacer_case_id": docket.pacer_case_id}] if docket else []
            found = []
            for document, docket_id in session.execute(self._document_rows(court_id, params)):
                if kind == "pdf" and not document.filepath:
                    continue
                found.append({"recap_document": document.id, "docket": docket_id,
                              "pacer_doc_id": document.pacer_doc_id})
            return found

    @staticmethod
    def _document_rows(court_id: str, params: dict):
        """The archive's rows of the document a request names (held or not), with their dockets."""
        from pacer_spiders.courts import normalize_pacer_doc_id

        doc_id = normalize_pacer_doc_id(params.get("pacer_doc_id"), court_id)
        return select(DocumentRow, DocketEntryRow.docket_id).join(DocketEntryRow).where(
            DocumentRow.court_id == court_id, DocumentRow.pacer_doc_id == doc_id)

    def _documents_of(self, court_id: str, params: dict) -> list[int]:
        with self.sessions() as session:
            return [document.id for document, _ in session.execute(self._document_rows(court_id, params))]

    def _finish(self, work_request_id: int, status: int, message: str | None, result: list, cost) -> None:
        with self.sessions() as session:
            row = session.get(WorkRequest, work_request_id)
            row.status, row.error_message, row.result = status, message, result
            row.attempts = (row.attempts or 0) + 1
            row.finished_at = utcnow() if status in FINAL_STATUSES else None
            fetch = session.get(ServiceFetch, work_request_id)
            if fetch is not None and cost is not None:
                fetch.cost = round(cost, 2)
            stale = session.get(ServiceSession, work_request_id)
            if stale is not None and status in FINAL_STATUSES:
                session.delete(stale)  # the request is over: its session is not kept longer
            if status == RETRYING:
                session.add(ServiceQueueEntry(kind=row.kind, work_request_id=row.id))
            session.commit()
            webhook = row.webhook_url if status in FINAL_STATUSES else None
        logger.info("fetch %s: status %s%s", work_request_id, status, f" ({message})" if message else "")
        if webhook:
            self.webhooks().deliver(work_request_id, wait=False)

    def webhooks(self):
        from pacer_spiders.service.app_support import service_webhook_sender

        return service_webhook_sender(self.config, self.sessions)

    def run_upload(self, upload_id: int) -> None:
        from pacer_spiders.commands.ingest import ingest

        with self.sessions() as session:
            upload = session.get(ServiceUpload, upload_id)
            upload.status = IN_PROGRESS
            session.commit()
            path = Path(upload.spool_path)
            context = {"court_id": upload.court_id, "pacer_case_id": upload.pacer_case_id,
                       "pacer_doc_id": upload.pacer_doc_id, "document_number": upload.document_number,
                       "attachment_number": upload.attachment_number}
            report_type, debug = UPLOAD_TYPES[upload.upload_type], upload.debug
        overrides = {"DATABASE_URL": self.config.database_url, "FILES_STORE": self.config.files_store,
                     "ARCHIVE_DRY_RUN": debug, **{k: v for k, v in self.config.pacer_settings.items()
                                                 if k == "SOURCE_STORE"}}
        try:
            report = ingest(path, report_type, context, overrides)
            status, message = SUCCESS, None
            if report["rejected"] and len(report["rejected"]) == report["pages"]:
                status, message = INVALID, "; ".join(report["rejected"])
        except Exception as exc:
            report, status, message = None, ERROR, f"{type(exc).__name__}: {exc}".splitlines()[0]
        with self.sessions() as session:
            upload = session.get(ServiceUpload, upload_id)
            upload.status, upload.error_message, upload.result = status, message, report
            if report and report.get("docket_ids"):
                upload.docket_id = report["docket_ids"][0]
            if report and report.get("orphans") and not debug:
                sha1 = hashlib.sha1(path.read_bytes()).hexdigest()
                orphan = session.scalars(select(OrphanDocumentRow).where(
                    OrphanDocumentRow.court_id == upload.court_id, OrphanDocumentRow.sha1 == sha1)).first()
                if orphan is not None:
                    upload.orphan_id = orphan.id
                    upload.status = RETRYING
                    upload.error_message = ("its docket is not in the archive yet: kept as an orphan and joined "
                                            "when the docket arrives")
            elif status == SUCCESS and report_type == "pdf" and not debug:
                upload.document_id = self._document_of(session, upload.court_id, upload.pacer_doc_id)
            if upload.status != RETRYING:
                path.unlink(missing_ok=True)
                upload.spool_path = None
            session.commit()

    @staticmethod
    def _document_of(session, court_id, pacer_doc_id):
        from pacer_spiders.courts import normalize_pacer_doc_id

        if not pacer_doc_id:
            return None
        return session.scalars(select(DocumentRow.id).where(
            DocumentRow.court_id == court_id,
            DocumentRow.pacer_doc_id == normalize_pacer_doc_id(pacer_doc_id, court_id),
            DocumentRow.filepath.is_not(None))).first()

    # -- after a final status ------------------------------------------------------------------
    def settle(self) -> None:
        """Orphan uploads whose docket came are done; waiting prayers whose document came are granted."""
        with self.sessions() as session:
            waiting = session.scalars(select(ServiceUpload).where(ServiceUpload.status == RETRYING,
                                                                  ServiceUpload.orphan_id.is_not(None))).all()
            for upload in waiting:
                orphan = session.get(OrphanDocumentRow, upload.orphan_id)
                if orphan is not None and orphan.joined_at is not None:
                    upload.status, upload.error_message = SUCCESS, None
                    upload.document_id = orphan.document_id
                    if upload.spool_path:
                        Path(upload.spool_path).unlink(missing_ok=True)
                        upload.spool_path = None
                    docket = session.scalars(select(DocketEntryRow.docket_id).join(
                        DocumentRow, DocumentRow.docket_entry_id == DocketEntryRow.id).where(
                        DocumentRow.id == orphan.document_id)).first()
                    upload.docket_id = docket
            # requests finished by the distributed workers: mark them settled
            session.execute(update(ServiceFetch).where(
                ServiceFetch.settled_at.is_(None),
                ServiceFetch.work_request_id.in_(select(WorkRequest.id).where(WorkRequest.status.in_(FINAL_STATUSES))),
            ).values(settled_at=utcnow()))
            session.commit()
        prayers.grant_ready(self.sessions, self.config)

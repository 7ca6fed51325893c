"""The fault harness: workers of the real spiders killed at chosen moments, Redis restarted.

Each test enqueues work, runs a worker that kills itself (``kill -9``) at a kill point
(``pacer_spiders.testing.killpoints``), then a replacement, and checks what PACER billed (the
sandbox's ledger) and what the archive holds: no extra charge, no paid page lost, no work
request in error, no duplicate row.
"""

from __future__ import annotations

import collections
import signal
import sqlite3

import pytest

from pacer_spiders import sandbox as sandbox_module
from pacer_spiders.db.reader import ArchiveReader
from pacer_spiders.db.work_requests import SUCCESS, WorkRequest
from pacer_spiders.distributed.purchases import PurchaseIntents
from pacer_spiders.distributed.store import RedisStore
from pacer_spiders.distributed.work import enqueue_work, session_factory
from pacer_spiders.testing.services import free_port, redis_server
from pacer_spiders.testing.workers import empty_redis_database, start_worker, wait_for

pytestmark = pytest.mark.service

COURT = "nysd"


@pytest.fixture(scope="module")
def sandbox():
    with sandbox_module.Sandbox(latency=20, cases_per_court=3) as sb:
        yield sb


def buyable(case):
    return [e for e in case.entries if e.pacer_doc_id and not e.sealed and not e.attachments
            and not getattr(e, "restricted", False) and not getattr(e, "unavailable", False)]


class Deployment:
    """Redis, an SQLite archive, the sandbox and worker processes of one spider."""

    def __init__(self, sandbox, redis_url, tmp_path, spider, **settings):
        self.sandbox, self.redis_url, self.tmp_path, self.spider = sandbox, redis_url, tmp_path, spider
        self.database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        self.sessions = session_factory(self.database_url)
        self.settings = {
            "REDIS_URL": redis_url, "DATABASE_URL": self.database_url, "FILES_STORE": str(tmp_path / "files"),
            "PACER_WORKER_IDLE_CLOSE": 1.5, "PACER_LEASE_SECONDS": 2, "PACER_COURT_INTERVAL": 0.02,
            "PACER_WORK_RETRY_DELAY": 0.5, "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO",
            "PACER_SERVICE_SECRET": "fault-harness-secret",
            "EXTENSIONS": '{"pacer_spiders.testing.killpoints.KillPoint": 0}',
            "SPIDER_MIDDLEWARES": '{"pacer_spiders.testing.killpoints.KillPoint": 1000}',
            "PACER_KILL_ONCE": str(tmp_path / "killed"),
            **sandbox.settings, **settings,
        }
        self.logs = []
        self.ledger_start = len(sandbox.ledger)
        self.sessions_before = {s.token for s in sandbox.auth.live_sessions()}

    def enqueue(self, params_list):
        store = RedisStore.from_url(self.redis_url)
        return [enqueue_work(self.sessions, store, self.spider, COURT, params)[0].id for params in params_list]

    def run(self, **settings):
        log = self.tmp_path / f"worker{len(self.logs)}.log"
        self.logs.append(log)
        return start_worker(self.spider, {**self.settings, **settings}, self.sandbox.account_env("good"), log)

    def log(self, n=-1) -> str:
        return self.logs[n].read_text(errors="replace")

    def charges(self, report):
        return collections.Counter((c.pacer_case_id if report == "docket" else c.pacer_doc_id)
                                   for c in self.sandbox.ledger.charges[self.ledger_start:] if c.report == report)

    def statuses(self, ids):
        with self.sessions() as session:
            rows = [session.get(WorkRequest, i) for i in ids]
            return [(r.status, r.error_message) for r in rows]

    def sessions_left(self) -> int:
        """PACER sessions this deployment logged in and never logged out."""
        return len({s.token for s in self.sandbox.auth.live_sessions()} - self.sessions_before)

    def bought_again(self):
        return PurchaseIntents(RedisStore.from_url(self.redis_url)).bought_again()

    def maybe_bought_again(self):
        return PurchaseIntents(RedisStore.from_url(self.redis_url)).maybe_bought_again()

    def assert_counted_as_billed(self, report):
        """What the workers counted agrees with what PACER billed: every sure second purchase is an
        extra charge on the ledger, and every extra charge was counted (sure or possible)."""
        extra = sum(n - 1 for n in self.charges(report).values())
        sure, possible = sum(self.bought_again().values()), sum(self.maybe_bought_again().values())
        assert sure <= extra <= sure + possible, (extra, self.bought_again(), self.maybe_bought_again())

    def stored_pdfs(self):
        """pacer_doc_id of each PDF row with its file (documents and orphans)."""
        rows = self.rows("orphan_documents", "pacer_doc_id", "sha1", "report_type")
        rows = [(d, s) for d, s, kind in rows if kind == "pdf"] + self.rows("documents", "pacer_doc_id", "sha1")
        return sorted(d for d, sha1 in rows if sha1)

    def rows(self, table, *columns):
        with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as db:
            return db.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()


def killed_then_replaced(deployment, point, match=""):
    """Two workers: whichever first reaches ``point`` is killed there, the other finishes the crawl
    (started together, so that the second's start-up overlaps the first's work)."""
    workers = [deployment.run(PACER_KILL_AT=point, PACER_KILL_MATCH=match) for _ in range(2)]
    codes = wait_for(workers, 120)
    assert sorted(codes) == [-signal.SIGKILL, 0], deployment.log(0)[-3000:] + deployment.log(1)[-3000:]
    survivor = codes.index(0)
    deployment.logs.append(deployment.logs.pop(survivor))  # log() is the survivor's


@pytest.mark.parametrize("point", ["purchase_answered", "receipt", "before_ack"])
def test_docket_worker_killed_buys_each_docket_once(sandbox, redis_url, tmp_path, point):
    # one docket: a second purchase in flight when a worker is killed is billed (and counted) anyway
    deployment = Deployment(sandbox, empty_redis_database(redis_url, 3), tmp_path, "docket")
    cases = sandbox.cases(COURT)[:1]
    ids = deployment.enqueue([{"pacer_case_id": c.pacer_case_id} for c in cases])
    killed_then_replaced(deployment, point, "DktRpt.pl")
    assert deployment.sessions_left() == 0  # the killed worker's session was logged out by the other
    assert deployment.charges("docket") == {c.pacer_case_id: 1 for c in cases}
    assert deployment.statuses(ids) == [(SUCCESS, None)]
    assert deployment.bought_again() == {}
    deployment.assert_counted_as_billed("docket")
    reader = ArchiveReader.open(deployment.database_url)
    for case in cases:  # the paid page is in the archive, once
        held = reader.find_docket(COURT, case.pacer_case_id)
        assert held and held["entry_count"] == len(case.entries)
    dockets = deployment.rows("dockets", "court_id", "pacer_case_id")
    assert sorted(dockets) == sorted({(COURT, c.pacer_case_id) for c in cases})


@pytest.mark.parametrize("point", ["purchase_answered", "billed_page", "receipt", "before_ack"])
def test_pdf_worker_killed_pays_once_and_stores_the_pdf(sandbox, redis_url, tmp_path, point):
    deployment = Deployment(sandbox, empty_redis_database(redis_url, 4), tmp_path, "pdf")
    case = next(c for c in sandbox.cases(COURT) if buyable(c))
    entry = buyable(case)[0]
    ids = deployment.enqueue([{"pacer_doc_id": entry.pacer_doc_id, "pacer_case_id": case.pacer_case_id}])
    killed_then_replaced(deployment, point)
    assert deployment.charges("document") == {entry.pacer_doc_id: 1}
    assert deployment.statuses(ids) == [(SUCCESS, None)]
    assert deployment.bought_again() == {}
    deployment.assert_counted_as_billed("document")
    # its docket is not in this archive: the PDF waits as an orphan, stored once
    assert deployment.stored_pdfs() == [entry.pacer_doc_id]
    borrowed = "with the PACER session of the worker that bought it" in deployment.log()
    if point == "purchase_answered":  # the buyer's session fetched the PDF, and was logged out after
        assert borrowed
    else:  # the killed worker could not log out: its replacement did it for it (after borrowing it,
        # when the PDF had not arrived before the kill)
        assert borrowed or "which stopped without logging out" in deployment.log()
    assert deployment.sessions_left() == 0  # PACER's session table: every session logged out


def test_pdf_purchase_paid_twice_without_a_sealed_session_is_counted_and_reported(sandbox, redis_url, tmp_path):
    """Without PACER_SERVICE_SECRET the buyer's session cannot be handed over: the document is
    bought again, and that second charge is counted and logged, never hidden."""
    deployment = Deployment(sandbox, empty_redis_database(redis_url, 5), tmp_path, "pdf", PACER_SERVICE_SECRET="")
    case = next(c for c in sandbox.cases(COURT) if buyable(c))
    entry = buyable(case)[-1]
    ids = deployment.enqueue([{"pacer_doc_id": entry.pacer_doc_id, "pacer_case_id": case.pacer_case_id}])
    killed_then_replaced(deployment, "purchase_answered")
    assert deployment.charges("document") == {entry.pacer_doc_id: 2}
    assert deployment.statuses(ids) == [(SUCCESS, None)]
    [(key, times)] = deployment.bought_again().items()
    assert key.startswith(f"document:{COURT}:{entry.pacer_doc_id}:") and times == 1
    assert deployment.maybe_bought_again() == {}  # its first buyer had PACER's answer: a sure charge
    assert f"buying {key} again" in deployment.log() and "PACER bills it twice" in deployment.log()
    assert "'pacer/bought_again': 1" in deployment.log()
    assert deployment.stored_pdfs() == [entry.pacer_doc_id]


def test_attachment_page_worker_killed_before_its_ack(sandbox, redis_url, tmp_path):
    deployment = Deployment(sandbox, empty_redis_database(redis_url, 6), tmp_path, "attachment_page")
    case = next(c for c in sandbox.cases(COURT) if any(e.attachments and not e.sealed for e in c.entries))
    entry = next(e for e in case.entries if e.attachments and not e.sealed)
    ids = deployment.enqueue([{"pacer_doc_id": entry.pacer_doc_id, "pacer_case_id": case.pacer_case_id}])
    killed_then_replaced(deployment, "before_ack")
    assert deployment.statuses(ids) == [(SUCCESS, None)]
    assert not deployment.charges("document") and not deployment.charges("docket")
    # the replacement replayed the page its predecessor had received: it asked PACER nothing
    assert "'downloader/request_count'" not in deployment.log()
    pages = [d for d, kind in deployment.rows("orphan_documents", "pacer_doc_id", "report_type")
             if kind == "attachment_page"]
    assert pages == [entry.pacer_doc_id]


def test_workers_ride_out_a_redis_restart(sandbox, tmp_path):
    port, workdir = free_port(), tmp_path / "redis"
    workdir.mkdir()
    persistence = ("--appendonly", "yes", "--appendfsync", "always")
    sandbox.latency_ms = 150
    try:
        with redis_server(*persistence, port=port, workdir=workdir) as url:
            deployment = Deployment(sandbox, url, tmp_path, "docket", PACER_LEASE_SECONDS=30, EXTENSIONS="{}")
            cases = sandbox.cases(COURT)[:3] + sandbox.cases("cand")[:3]
            store = RedisStore.from_url(url)
            ids = [enqueue_work(deployment.sessions, store, "docket", c.court_id, {"pacer_case_id": c.pacer_case_id})[0].id
                   for c in cases]
            workers = [deployment.run(), deployment.run()]
            deadline_charges = 2
            import time

            deadline = time.monotonic() + 60
            while sum(deployment.charges("docket").values()) < deadline_charges and time.monotonic() < deadline:
                time.sleep(0.05)
        # Redis is down here (its context ended) and comes back from its append-only file
        time.sleep(1.5)
        with redis_server(*persistence, port=port, workdir=workdir) as url:
            codes = wait_for(workers, 60)
            left = {k.decode(): v for k, v in ((k, RedisStore.from_url(url).server.type(k)) for k in
                                              RedisStore.from_url(url).server.keys("pacer:*"))}
            assert codes == [0, 0], (left, deployment.log(0)[-3000:] + deployment.log(1)[-3000:])
    finally:
        sandbox.latency_ms = 20
    ledger = collections.Counter((c.court_id, c.pacer_case_id) for c in sandbox.ledger.charges[deployment.ledger_start:]
                                 if c.report == "docket")
    assert ledger == {(c.court_id, c.pacer_case_id): 1 for c in cases}
    assert deployment.statuses(ids) == [(SUCCESS, None)] * len(cases)
    assert deployment.sessions_left() == 0  # both workers logged out at their end
    for n in (0, 1):
        log = deployment.log(n)
        assert "start_error" not in log and "Error while reading start items" not in log
        assert "could not be recorded" not in log  # receipts wait for Redis to add them to the totals
        assert log.count("Redis is unreachable") <= 1  # one line per outage
    assert any("Redis is unreachable" in deployment.log(n) for n in (0, 1))


def test_a_worker_whose_redis_goes_down_as_it_starts_waits_for_it(tmp_path, caplog):
    """The crawl command found Redis answering; it stopped before the scheduler was built: the
    scheduler waits for it (one line when it goes, one when it is back) instead of failing the start."""
    import threading
    import time

    from scrapy.utils.test import get_crawler

    from pacer_spiders.distributed.scheduler import DistributedScheduler

    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    from pacer_spiders.distributed import DUPEFILTER, SERIALIZER

    crawler = get_crawler(settings_dict={"REDIS_URL": url, "DUPEFILTER_CLASS": DUPEFILTER,
                                         "SCHEDULER_SERIALIZER": SERIALIZER, "SCHEDULER_PERSIST": True,
                                         "PACER_REDIS_RETRY_DELAY": 0.1, "PACER_REDIS_RETRY_MAX_DELAY": 0.2})
    launched, stop = threading.Event(), threading.Event()

    def redis_later():
        time.sleep(1.0)
        launched.set()  # set before: the scheduler may find the server before redis_server() returns
        with redis_server(port=port, workdir=tmp_path):
            stop.wait(30)

    thread = threading.Thread(target=redis_later, daemon=True)
    thread.start()
    try:
        with caplog.at_level("WARNING", logger="pacer_spiders.distributed.outage"):
            scheduler = DistributedScheduler.from_crawler(crawler)
        assert launched.is_set() and scheduler.server.ping()  # built only once there was a server
    finally:
        stop.set()
        thread.join(10)
    lines = [r.getMessage() for r in caplog.records if r.name == "pacer_spiders.distributed.outage"]
    assert len(lines) == 2 and "unreachable" in lines[0] and "answers again" in lines[1], lines

"""Several ``scrapy crawl`` worker processes sharing one real redis-server, against the sandbox.

Each test enqueues dockets of many courts, runs workers until the shared queues are empty, and
checks the sandbox's ledger: every docket bought exactly once, every work request finished.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import signal
import time

import pytest

from pacer_spiders import sandbox as sandbox_module
from pacer_spiders.db.work_requests import SUCCESS, WorkRequest
from pacer_spiders.distributed.purchases import PurchaseIntents
from pacer_spiders.distributed.store import RedisStore
from pacer_spiders.distributed.work import enqueue_work, session_factory
from pacer_spiders.testing.services import free_port, redis_server
from pacer_spiders.testing.workers import (
    PROBE_MODULE,
    count_inflight_per_court,
    dequeued,
    empty_redis_database,
    start_worker,
    wait_for,
)

pytestmark = pytest.mark.service

COURTS = ["nysd", "cand", "ilnd", "txsd", "flsd", "mad", "paed", "njd", "azd", "wawd", "cod", "gand",
          "nysb", "deb", "arb"]


@pytest.fixture
def sandbox():
    with sandbox_module.Sandbox(latency=40, cases_per_court=4) as sb:
        yield sb


class Crawl:
    """A shared deployment: Redis, an SQLite archive, the sandbox, and worker processes."""

    def __init__(self, sandbox, redis_url, tmp_path, **settings):
        self.sandbox, self.redis_url, self.tmp_path = sandbox, redis_url, tmp_path
        self.database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        self.sessions = session_factory(self.database_url)
        self.settings = {
            "REDIS_URL": redis_url, "DATABASE_URL": self.database_url, "SPIDER_MODULES": PROBE_MODULE,
            "PACER_WORKER_IDLE_CLOSE": 1.5, "PACER_COURT_CONCURRENCY": 1, "PACER_COURT_INTERVAL": 0.05,
            "CONCURRENT_REQUESTS": 4, "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": False,
            "FILES_STORE": str(tmp_path / "files"),
            "PACER_WEBHOOK_ALLOW_PRIVATE": True,  # the webhook receiver of these tests is on loopback
            # what is measured here is the sharing of work; the archive pipelines have tests of their own
            "ITEM_PIPELINES": "{}",
            **sandbox.settings, **settings,
        }
        self.workers = []
        self.logs = []

    @property
    def store(self):
        return RedisStore.from_url(self.redis_url)

    def enqueue(self, courts, cases_per_court, webhook_url=None):
        ids, store = [], self.store
        for court in courts:
            for case in self.sandbox.cases(court)[:cases_per_court]:
                row, _ = enqueue_work(self.sessions, store, "dist_probe", court,
                                      {"pacer_case_id": case.pacer_case_id}, webhook_url=webhook_url)
                ids.append(row.id)
        return ids

    def start(self, n=1, **settings):
        for _ in range(n):
            log = self.tmp_path / f"worker{len(self.workers)}.log"
            self.workers.append(start_worker("dist_probe", {**self.settings, **settings},
                                             self.sandbox.account_env("good"), log))
            self.logs.append(log)
        return self.workers[-n:]

    def wait(self, timeout=120):
        return wait_for(self.workers, timeout)

    def docket_charges(self):
        return collections.Counter((c.court_id, c.pacer_case_id) for c in self.sandbox.ledger.charges
                                   if c.report == "docket")

    def statuses(self, ids):
        with self.sessions() as session:
            return {i: session.get(WorkRequest, i).status for i in ids}

    def wait_for_charges(self, n, timeout=60):
        deadline = time.monotonic() + timeout
        while sum(self.docket_charges().values()) < n and time.monotonic() < deadline:
            time.sleep(0.05)


def test_many_courts_many_workers_every_docket_once_within_each_courts_limit(sandbox, redis_url, tmp_path):
    import test_work_requests as receivers

    peaks = count_inflight_per_court(sandbox)
    crawl = Crawl(sandbox, empty_redis_database(redis_url, 14), tmp_path)
    receiver = receivers.Receiver(fail_first=1)
    try:
        ids = crawl.enqueue(COURTS, 3, webhook_url=receiver.url)
        crawl.start(3)
        assert crawl.wait() == [0, 0, 0]
        time.sleep(0.2)
    finally:
        receiver.close()
    expected = {(court_id, case.pacer_case_id) for court_id in COURTS
                for case in sandbox.cases(court_id)[:3]}
    charges = crawl.docket_charges()
    assert set(charges) == {(sandbox_court, case) for sandbox_court, case in expected}
    assert set(charges.values()) == {1}, "a docket was bought twice"
    assert set(crawl.statuses(ids).values()) == {SUCCESS}
    with crawl.sessions() as session:
        row = session.get(WorkRequest, ids[0])
        assert row.result[0]["pacer_case_id"] == row.params["pacer_case_id"]
    # the work was shared, and no court ever served two of our requests at once
    assert all(dequeued(log) > 0 for log in crawl.logs)
    assert peaks and max(peaks.values()) == 1
    assert max(crawl.store.peak_inflight().values()) == 1
    # one webhook per finished request; the first delivery failed and was retried
    delivered = collections.Counter(body["id"] for status, _, body in receiver.calls if status == 200)
    assert delivered == {i: 1 for i in ids}
    assert [status for status, _, _ in receiver.calls].count(500) == 1


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
def test_a_worker_killed_mid_crawl_loses_nothing(sandbox, redis_url, tmp_path, how):
    sandbox.latency_ms = 150
    database = 13 if how == signal.SIGTERM else 12
    crawl = Crawl(sandbox, empty_redis_database(redis_url, database), tmp_path, PACER_LEASE_SECONDS=2,
                  CONCURRENT_REQUESTS=2)
    ids = crawl.enqueue(COURTS[:8], 3)
    victim, survivor = crawl.start(2)
    crawl.wait_for_charges(4)
    victim.send_signal(how)
    victim.wait(timeout=60)
    crawl.start(1)  # a replacement joins the crawl
    crawl.wait()
    charges = crawl.docket_charges()
    assert len(charges) == 24
    assert set(crawl.statuses(ids).values()) == {SUCCESS}, "a work request was lost"
    extra = sum(n - 1 for n in charges.values())
    bought_again = PurchaseIntents(crawl.store).bought_again()
    if how == signal.SIGTERM:
        # stopped the usual way, a worker finishes what it holds: nothing is bought twice
        assert extra == 0 and bought_again == {}
    else:
        # killed outright at a random moment: every page it had received is replayed; a purchase it
        # had asked for and not yet received is bought again, and counted: as sure when PACER had
        # answered it, else as possible (the kill may have come before the request left)
        maybe = PurchaseIntents(crawl.store).maybe_bought_again()
        sure, possible = sum(bought_again.values()), sum(maybe.values())
        assert sure <= extra <= sure + possible, (charges, bought_again, maybe)
        twice = {case for (_, case), n in charges.items() if n > 1}
        assert {key.split(":")[2] for key in bought_again} <= twice <= {key.split(":")[2] for key in {**bought_again, **maybe}}


def test_restarting_redis_with_persistence_resumes_the_crawl(sandbox, tmp_path):
    port, workdir = free_port(), tmp_path / "redis"
    workdir.mkdir()
    persistence = ("--appendonly", "yes", "--appendfsync", "always")
    sandbox.latency_ms = 100
    with redis_server(*persistence, port=port, workdir=workdir) as url:
        crawl = Crawl(sandbox, url, tmp_path, PACER_LEASE_SECONDS=2)
        ids = crawl.enqueue(COURTS[:6], 3)
        (worker,) = crawl.start(1)
        crawl.wait_for_charges(3)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    bought_before = sum(crawl.docket_charges().values())
    assert 3 <= bought_before < 18
    with redis_server(*persistence, port=port, workdir=workdir) as url:
        assert RedisStore.from_url(url).outstanding("dist_probe") > 0  # the queue came back from disk
        crawl.workers = []
        crawl.start(2)
        assert crawl.wait() == [0, 0]
    charges = crawl.docket_charges()
    assert len(charges) == 18 and set(charges.values()) == {1}
    assert set(crawl.statuses(ids).values()) == {SUCCESS}


def test_a_passing_failure_is_retried_and_a_lasting_one_ends_in_error(sandbox, redis_url, tmp_path):
    from pacer_spiders.db.work_requests import ERROR, RETRYING

    crawl = Crawl(sandbox, empty_redis_database(redis_url, 11), tmp_path, RETRY_TIMES=0,
                  PACER_WORK_RETRY_DELAY=0.5, PACER_WORK_ATTEMPTS=2, PACER_WORKER_IDLE_CLOSE=1)
    # PACER is down at nysd for now, and at cand for good
    sandbox.faults = sandbox_module.Faults.parse("503=1@/court/nysd/cgi-bin/DktRpt.pl,503=1@/court/cand/cgi-bin/DktRpt.pl")
    passing, lasting = crawl.enqueue(["nysd"], 1) + crawl.enqueue(["cand"], 1)
    crawl.start(1)
    deadline = time.monotonic() + 90
    while crawl.statuses([passing])[passing] != RETRYING and time.monotonic() < deadline:
        time.sleep(0.1)
    assert crawl.statuses([passing])[passing] == RETRYING
    sandbox.faults = sandbox_module.Faults.parse("503=1@/court/cand/cgi-bin/DktRpt.pl")  # nysd is back
    assert crawl.wait() == [0]
    with crawl.sessions() as session:
        done, failed = session.get(WorkRequest, passing), session.get(WorkRequest, lasting)
        assert (done.status, done.attempts, done.error_message) == (SUCCESS, 2, None)
        assert (failed.status, failed.attempts) == (ERROR, 2)
        assert failed.error_message == "PACER answered HTTP 503 at " + sandbox.court_url("cand") + "/cgi-bin/DktRpt.pl"
    assert crawl.docket_charges() == {("nysd", sandbox.cases("nysd")[0].pacer_case_id): 1}


def test_results_name_the_archive_rows_and_refresh_asks_from_the_last_entry_held(sandbox, redis_url, tmp_path, capsys):
    from pacer_spiders.cli import main

    redis_url = empty_redis_database(redis_url, 8)
    crawl = Crawl(sandbox, redis_url, tmp_path, PACER_WORKER_IDLE_CLOSE=1)
    crawl.settings.pop("ITEM_PIPELINES")  # the project's archive pipelines, this time
    ids = crawl.enqueue(["nysd"], 2)
    crawl.start(1)
    assert crawl.wait() == [0]
    with crawl.sessions() as session:
        rows = [session.get(WorkRequest, i) for i in ids]
        assert [r.status for r in rows] == [SUCCESS, SUCCESS], [r.error_message for r in rows]
        assert all(isinstance(r.result[0]["docket_id"], int) for r in rows)
    case = sandbox.cases("nysd")[0]
    last_entry = max(e.date_filed for e in case.entries)
    now = dt.datetime.combine(case.date_filed + dt.timedelta(days=30), dt.time(6), tzinfo=dt.timezone.utc)
    config = tmp_path / "schedules.json"
    config.write_text(json.dumps({"courts": ["nysd"]}))
    assert main(["schedule", "--config", str(config), "--redis-url", redis_url, "--database-url", crawl.database_url,
                 "once", "refresh", "--now", now.isoformat()]) == 0
    report = json.loads(capsys.readouterr().out)
    with crawl.sessions() as session:
        queued = [(row.kind, row.court_id, row.params) for row in (session.get(WorkRequest, i) for i in report["enqueued"])]
    # one refresh crawl for the court (the refresh spider asks the free sources, from the last entry held on)
    assert queued == [("refresh", "nysd", {"filed_within_days": 60, "as_of": now.date().isoformat()})]
    assert last_entry

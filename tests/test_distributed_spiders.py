"""The project's own spiders as workers of a distributed crawl: `scrapy crawl docket` (and pdf,
attachment_page) processes sharing one real redis-server, fed by `pacer-spiders enqueue`."""

from __future__ import annotations

import collections
import re

import pytest

from pacer_spiders import sandbox as sandbox_module
from pacer_spiders.cli import main
from pacer_spiders.db.work_requests import SUCCESS, WorkRequest
from pacer_spiders.distributed.work import session_factory
from pacer_spiders.testing.workers import dequeued, empty_redis_database, start_worker, wait_for

pytestmark = pytest.mark.service


def test_docket_workers_fetch_each_enqueued_case_once(redis_url, tmp_path, capsys):
    redis_url = empty_redis_database(redis_url, 10)
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    with sandbox_module.Sandbox(latency=40, cases_per_court=3) as sb:
        cases = tmp_path / "cases.csv"
        rows = ["court_id,pacer_case_id,docket_number"]
        for court in ("nysd", "cand", "nysb", "ilnd"):
            for case in sb.cases(court)[:2]:
                rows.append(f"{court},{case.pacer_case_id},")
        rows.append(f"txsd,,{sb.cases('txsd')[0].display_number}")  # by number: looked up first
        cases.write_text("\n".join(rows) + "\n")
        assert main(["enqueue", "docket", "--file", str(cases), "--redis-url", redis_url,
                     "--database-url", database_url]) == 0
        assert "9 queued" in capsys.readouterr().err
        settings = {"REDIS_URL": redis_url, "DATABASE_URL": database_url, "PACER_WORKER_IDLE_CLOSE": 1.5,
                    "FILES_STORE": str(tmp_path / "files"), "ITEM_PIPELINES": "{}", **sb.settings}
        workers = [start_worker("docket", settings, sb.account_env("good"), tmp_path / f"w{i}.log") for i in range(2)]
        assert wait_for(workers, 120) == [0, 0]
        charges = collections.Counter((c.court_id, c.pacer_case_id) for c in sb.ledger.charges if c.report == "docket")
        txsd_case = sb.cases("txsd")[0].pacer_case_id
    assert len(charges) == 9 and set(charges.values()) == {1}
    assert ("txsd", txsd_case) in charges
    with session_factory(database_url)() as session:
        rows = session.query(WorkRequest).all()
        assert {row.status for row in rows} == {SUCCESS}
        by_number = next(row for row in rows if row.court_id == "txsd")
        assert any(result.get("pacer_case_id") == txsd_case for result in by_number.result)
    for log in (tmp_path / "w0.log", tmp_path / "w1.log"):
        text = log.read_text()
        assert "kept in this worker only" not in text  # every request went through Redis, as JSON
        assert sb.account_env("good")["PACER_PASSWORD"] not in text
        # each request taken was acked once its page was handled, while the crawl ran, none left for the end
        assert stat(text, "scheduler/acked/redis") == dequeued(log)
        assert stat(text, "scheduler/acked/closing") == stat(text, "scheduler/given_back/redis") == 0


def stat(log_text: str, name: str) -> int:
    found = re.findall(rf"'{re.escape(name)}': (\d+)", log_text)
    return int(found[-1]) if found else 0


def test_pdf_and_attachment_page_workers_buy_each_document_once(redis_url, tmp_path, capsys):
    redis_url = empty_redis_database(redis_url, 9)
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    with sandbox_module.Sandbox(latency=20, cases_per_court=2) as sb:
        documents = []
        for court in ("nysd", "cand"):
            case = sb.cases(court)[0]
            documents += [(court, case.pacer_case_id, e.pacer_doc_id) for e in case.entries if e.pacer_doc_id][:3]
        for kind in ("pdf", "attachment_page"):
            for court, case_id, doc_id in documents:
                assert main(["enqueue", kind, "--court", court, "--pacer-case-id", case_id, "--pacer-doc-id", doc_id,
                             "--redis-url", redis_url, "--database-url", database_url]) == 0
        capsys.readouterr()
        settings = {"REDIS_URL": redis_url, "DATABASE_URL": database_url, "PACER_WORKER_IDLE_CLOSE": 1.5,
                    "FILES_STORE": str(tmp_path / "files"), "ITEM_PIPELINES": "{}", **sb.settings}
        workers = [start_worker(kind, settings, sb.account_env("good"), tmp_path / f"{kind}{i}.log")
                   for kind in ("pdf", "attachment_page") for i in range(2)]
        assert wait_for(workers, 120) == [0, 0, 0, 0]
        bought = collections.Counter(c.pacer_doc_id for c in sb.ledger.charges if c.report == "document")
    assert len(bought) == len(documents) and set(bought.values()) == {1}
    with session_factory(database_url)() as session:
        rows = session.query(WorkRequest).all()
        assert {row.status for row in rows} == {SUCCESS}
        pdf_rows = [row for row in rows if row.kind == "pdf"]
        assert all(any(r.get("report_type") == "pdf" for r in row.result) for row in pdf_rows)


def test_the_private_scrapy_names_the_scheduler_wakes_the_engine_by_still_exist():
    """``DistributedScheduler._wake_if_idle`` reaches Scrapy's private ``engine._slot.nextcall`` (no
    public call makes an idle engine look at once); without it a finished worker or discovery crawl
    waits for Scrapy's 5 s heartbeat to close.  This fails when a Scrapy release renames them."""
    import inspect

    from scrapy.core.engine import ExecutionEngine, _Slot
    from scrapy.utils.reactor import CallLaterOnce

    assert "nextcall" in inspect.signature(_Slot.__init__).parameters
    assert "self._slot" in inspect.getsource(ExecutionEngine.__init__)
    assert "self.nextcall" in inspect.getsource(_Slot.__init__)
    assert callable(CallLaterOnce.schedule)

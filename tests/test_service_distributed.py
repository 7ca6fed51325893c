"""The service with REDIS_URL, PostgreSQL and two ``scrapy crawl docket`` workers; its outbox."""

from __future__ import annotations

import contextlib
import json
import time

import pytest
import sqlalchemy as sa

from pacer_spiders.sandbox import Sandbox
from pacer_spiders.service.config import ServiceConfig
from pacer_spiders.service.server import ServiceThread
from pacer_spiders.service.webhooks import user_webhook_key, verify
from pacer_spiders.testing.service_support import ApiClient, WebhookReceiver, create_token
from pacer_spiders.testing.services import free_port, redis_server
from pacer_spiders.testing.workers import empty_redis_database, start_worker, wait_for

pytestmark = pytest.mark.service

API = "/api/rest/v3"
SECRET = "distributed-secret"


def queue_states(database_url) -> list[str]:
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        states = [row[0] for row in conn.execute(sa.text("SELECT state FROM service_queue ORDER BY id"))]
    engine.dispose()
    return states


def wait_until(check, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # conftest's fresh PostgreSQL database
def test_fetches_taken_by_two_redis_workers_on_postgresql(database_url, redis_url, tmp_path):
    postgres_database = database_url
    redis_url = empty_redis_database(redis_url, 7)
    token = create_token(postgres_database, "alice")
    with contextlib.ExitStack() as stack:
        sandbox = stack.enter_context(Sandbox(latency=20, cases_per_court=3))
        config = ServiceConfig(database_url=postgres_database, redis_url=redis_url, secret=SECRET,
                               files_store=str(tmp_path / "files"), allow_private_webhooks=True,
                               pacer_settings=dict(sandbox.settings))  # per-request logins go to the sandbox
        url, hook = stack.enter_context(ServiceThread(config)), stack.enter_context(WebhookReceiver())
        alice = ApiClient(url, token)
        cases = [("cand", sandbox.cases("cand")[0]), ("nysd", sandbox.cases("nysd")[0]),
                 ("nysd", sandbox.cases("nysd")[1])]
        ids = []
        for court, case in cases:
            answer = alice.post_json(f"{API}/recap-fetch/", {"request_type": 1, "court": court,
                                                             "pacer_case_id": case.pacer_case_id,
                                                             "webhook_url": hook.url})
            assert answer.status == 201, answer.text
            ids.append(answer.json()["id"])
        # one with its own PACER account: logged in by the service, its session moved to Redis encrypted
        own_case = sandbox.cases("cand")[1]
        other = sandbox.accounts["good2"]
        answer = alice.post_json(f"{API}/recap-fetch/", {"request_type": 1, "court": "cand",
                                                         "pacer_case_id": own_case.pacer_case_id,
                                                         "pacer_username": other.login, "pacer_password": other.password})
        assert answer.status == 201, answer.text
        ids.append(answer.json()["id"])
        assert wait_until(lambda: queue_states(postgres_database) == ["pushed"] * 4)
        import redis

        server = redis.Redis.from_url(redis_url)
        held = b"".join(server.get(key) or b"" for key in server.scan_iter("*service-session*"))
        session_tokens = list(sandbox.auth._sessions)
        assert held and not any(token.encode() in held for token in session_tokens)  # kept, encrypted
        settings = {"REDIS_URL": redis_url, "DATABASE_URL": postgres_database, "PACER_WORKER_IDLE_CLOSE": 2,
                    "FILES_STORE": str(tmp_path / "files"), "PACER_SERVICE_SECRET": SECRET,
                    "PACER_WEBHOOK_ALLOW_PRIVATE": True, "LOG_LEVEL": "INFO", **sandbox.settings}
        workers = [start_worker("docket", settings, sandbox.account_env("good"), tmp_path / f"w{i}.log")
                   for i in range(2)]
        assert wait_for(workers, 150) == [0, 0]
        for fetch_id in ids:
            assert alice.get(f"{API}/recap-fetch/{fetch_id}/").json()["status"] == 2
        assert alice.get(f"{API}/dockets/", court="nysd").json()["count"] == 2
        assert sorted(d["pacer_case_id"] for d in alice.get(f"{API}/dockets/", court="cand").json()["results"]) == \
            sorted([cases[0][1].pacer_case_id, own_case.pacer_case_id])
        assert wait_until(lambda: len(hook.calls) >= 3, 15)
        time.sleep(0.3)
        charges = [(c.court_id, c.pacer_case_id, c.login) for c in sandbox.ledger.charges if c.report == "docket"]
        logs = "".join((tmp_path / f"w{i}.log").read_text() for i in range(2))
    good = sandbox.accounts["good"].login
    assert sorted(charges) == sorted([(court, case.pacer_case_id, good) for court, case in cases]
                                     + [("cand", own_case.pacer_case_id, other.login)])  # each bought once, by whom
    assert other.password not in logs and not any(token in logs for token in session_tokens)
    assert len(hook.calls) == 3  # one webhook each (the fourth request asked for none), signed with alice's key by the worker that finished it
    key = user_webhook_key(SECRET, 1)
    for call in hook.calls:
        assert verify(key, call["body"], {k.title(): v for k, v in call["headers"].items()})
        assert json.loads(call["body"])["payload"]["status"] == 2  # CourtListener's shape, from the worker


def test_a_request_waits_in_the_outbox_while_redis_is_down(tmp_path):
    port = free_port()
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    token = create_token(database_url, "alice")
    config = ServiceConfig(database_url=database_url, redis_url=f"redis://127.0.0.1:{port}/0", secret=SECRET,
                           files_store=str(tmp_path / "files"))
    with ServiceThread(config) as url:
        alice = ApiClient(url, token)
        answer = alice.post_json(f"{API}/recap-fetch/", {"request_type": 1, "court": "cand", "pacer_case_id": "123"})
        assert answer.status == 201 and answer.json()["status"] == 1
        time.sleep(1.0)
        assert queue_states(database_url) == ["pending"]  # not lost, not "already open" forever
        with redis_server(port=port) as live:
            assert wait_until(lambda: queue_states(database_url) == ["pushed"], 20)
            import redis

            assert any(redis.Redis.from_url(live).scan_iter("*"))

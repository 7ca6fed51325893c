"""The HTTP service over real HTTP on loopback, with the sandbox PACER behind it.

One deployment per module (an SQLite archive, the service in a thread running its own crawls as
``scrapy crawl`` subprocesses); the tests run in order on it, as a user would use the service.
"""

from __future__ import annotations

import json
import logging
import subprocess
import time
from datetime import date

import pytest
import sqlalchemy as sa

from pacer_spiders.sandbox import Sandbox
from pacer_spiders.sandbox.pdf import make_pdf
from pacer_spiders.service import clock
from pacer_spiders.service.config import ServiceConfig
from pacer_spiders.service.server import ServiceThread
from pacer_spiders.service.webhooks import user_webhook_key, verify
from pacer_spiders.testing.sandbox_fixtures import SandboxClient
from pacer_spiders.testing.service_support import ApiClient, WebhookReceiver, create_token

API = "/api/rest/v3"
SECRET = "test-service-secret"


class Deployment:
    def __init__(self, tmp, sandbox):
        self.sandbox = sandbox
        self.database_url = f"sqlite:///{tmp / 'archive.sqlite3'}"
        self.db_file = tmp / "archive.sqlite3"
        self.config = ServiceConfig(database_url=self.database_url, secret=SECRET, files_store=str(tmp / "files"),
                                    spool_dir=str(tmp / "spool"), log_dir=str(tmp / "logs"), throttle="1000/minute", prayer_quota=3,
                                    allow_private_webhooks=True, webhook_backoff=0.1,
                                    pacer_settings=dict(sandbox.settings))
        self.tmp = tmp


class Everything(logging.Handler):
    """Every log record of the module's run, formatted with its traceback (searched for secrets)."""

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(logging.Formatter().format(record))


@pytest.fixture(scope="module")
def deployment(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("service")
    logs = Everything()
    root = logging.getLogger()
    root.addHandler(logs)
    previous = root.level
    root.setLevel(logging.DEBUG)
    with Sandbox(seed=0, cases_per_court=4) as sandbox:
        dep = Deployment(tmp, sandbox)
        dep.alice_token = create_token(dep.database_url, "alice")
        dep.bob_token = create_token(dep.database_url, "bob")
        with ServiceThread(dep.config) as url, WebhookReceiver() as hook:
            dep.url, dep.hook = url, hook
            dep.alice, dep.bob = ApiClient(url, dep.alice_token), ApiClient(url, dep.bob_token)
            dep.logs = logs
            try:
                yield dep
            finally:
                root.removeHandler(logs)
                root.setLevel(previous)
    clock.reset()


def file_bytes(path) -> bytes:
    # Through another process: closing a file descriptor of the SQLite file in this process would
    # drop the service's own POSIX locks on it (and corrupt the database).
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout


def wait_for_status(client, path, final=(2, 3, 6, 7), timeout=90):
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(path).json()
        if not seen or seen[-1] != body["status"]:
            seen.append(body["status"])
        if body["status"] in final:
            return body, seen
        time.sleep(0.05)
    raise AssertionError(f"{path} still {seen} after {timeout}s")


def test_a_missing_or_wrong_token_is_refused_and_tokens_are_kept_hashed(deployment, capsys):
    anonymous = ApiClient(deployment.url)
    assert anonymous.get(f"{API}/dockets/").status == 401
    assert ApiClient(deployment.url, "0" * 64).get(f"{API}/dockets/").status == 403
    assert anonymous.call("GET", f"{API}/dockets/", headers={"Authorization": "Bearer x"}).status == 403
    assert deployment.alice.get(f"{API}/dockets/").status == 200
    # revoked: refused from then on
    extra = create_token(deployment.database_url, "carol")
    assert ApiClient(deployment.url, extra).get(f"{API}/courts/").status == 200
    from pacer_spiders.cli import main

    assert main(["tokens", "--database-url", deployment.database_url, "revoke", extra[:8]]) == 0
    assert ApiClient(deployment.url, extra).get(f"{API}/courts/").status == 403
    assert main(["tokens", "--database-url", deployment.database_url, "list"]) == 0
    listing = capsys.readouterr().out
    assert f"carol\t{extra[:8]}..." in listing and "revoked" in listing and extra not in listing
    database = file_bytes(deployment.db_file)
    for token in (deployment.alice_token, deployment.bob_token, extra):
        assert token.encode() not in database


@pytest.mark.fresh_interpreters  # the service's crawl as users get it: `python -m scrapy crawl` anew
def test_docket_fetch_with_per_request_credentials(deployment):
    sandbox, alice, bob = deployment.sandbox, deployment.alice, deployment.bob
    case = sandbox.cases("cand")[0]
    account = sandbox.accounts["good"]
    answer = alice.post_json(f"{API}/recap-fetch/", {
        "request_type": 1, "court": "cand", "pacer_case_id": case.pacer_case_id,
        "show_parties_and_counsel": "true", "pacer_username": account.login, "pacer_password": account.password,
        "webhook_url": deployment.hook.url})
    assert answer.status == 201, answer.text
    created = answer.json()
    assert created["status"] == 1 and "pacer_password" not in answer.text and account.password not in answer.text
    fetched, seen = wait_for_status(alice, f"{API}/recap-fetch/{created['id']}/")
    assert fetched["status"] == 2, fetched
    assert 4 in seen and seen[-1] == 2
    assert fetched["docket"] and fetched["cost"] > 0
    # readable as a docket of cand, with its entries and parties
    dockets = alice.get(f"{API}/dockets/", court="cand").json()
    assert [d["pacer_case_id"] for d in dockets["results"]] == [case.pacer_case_id]
    assert dockets["results"][0]["docket_number"] == case.docket_number
    entries = alice.get(f"{API}/docket-entries/", docket=fetched["docket"], page_size=100).json()
    assert entries["count"] == len(case.entries)
    assert alice.get(f"{API}/parties/", docket=fetched["docket"]).json()["count"] == len(case.parties)
    assert alice.get(f"{API}/dockets/", court="nysd").json()["count"] == 0
    # the webhook: delivered once, signed with alice's key
    deadline = time.monotonic() + 20
    while not deployment.hook.calls and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    assert len(deployment.hook.calls) == 1
    call = deployment.hook.calls[0]
    headers = {k.title(): v for k, v in call["headers"].items()}
    key = user_webhook_key(SECRET, 1)
    assert verify(key, call["body"], headers) and not verify(user_webhook_key(SECRET, 2), call["body"], headers)
    assert headers["Idempotency-Key"]
    assert json.loads(call["body"])["payload"]["status"] == 2
    # another user sees none of it
    assert bob.get(f"{API}/recap-fetch/{created['id']}/").status == 404
    assert bob.get(f"{API}/recap-fetch/").json()["count"] == 0
    deployment.fetched_docket = fetched["docket"]


def test_pdf_fetched_grants_a_prayer(deployment):
    alice, bob, sandbox = deployment.alice, deployment.bob, deployment.sandbox
    documents = alice.get(f"{API}/recap-documents/", docket=deployment.fetched_docket, page_size=100).json()
    target = next(d for d in documents["results"] if d["pacer_doc_id"] and not d["is_sealed"]
                  and d["attachment_number"] is None)
    assert target["is_available"] is False and target["filepath_local"] is None
    with WebhookReceiver() as hook:
        prayer = bob.post_json(f"{API}/prayers/", {"recap_document": target["id"], "webhook_url": hook.url})
        assert prayer.status == 201, prayer.text
        assert prayer.json()["status"] == 1
        assert bob.post_json(f"{API}/prayers/", {"recap_document": target["id"]}).status == 400  # once each
        account = sandbox.accounts["good"]
        answer = alice.post_form(f"{API}/recap-fetch/", {
            "request_type": 2, "recap_document": target["id"], "pacer_username": account.login,
            "pacer_password": account.password})
        assert answer.status == 201, answer.text
        fetched, _ = wait_for_status(alice, f"{API}/recap-fetch/{answer.json()['id']}/")
        assert fetched["status"] == 2, fetched
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            prayers = bob.get(f"{API}/prayers/").json()["results"]
            if prayers[0]["status"] == 2 and hook.calls:
                break
            time.sleep(0.1)
        assert prayers[0]["status"] == 2 and prayers[0]["is_available"]
        assert len(hook.calls) == 1
        headers = {k.title(): v for k, v in hook.calls[0]["headers"].items()}
        assert verify(user_webhook_key(SECRET, 2), hook.calls[0]["body"], headers)
    # a granted prayer stays; alice cannot see bob's prayers
    assert bob.call("DELETE", f"{API}/prayers/{prayers[0]['id']}/").status == 400
    assert alice.get(f"{API}/prayers/").json()["count"] == 0
    assert alice.call("DELETE", f"{API}/prayers/{prayers[0]['id']}/").status == 404
    # a sealed document (PACER sells none): the prayer is refused, saying so
    other = next(d for d in documents["results"] if d["id"] != target["id"])
    engine = sa.create_engine(deployment.database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE documents SET is_sealed = 1 WHERE id = :id"), {"id": other["id"]})
    engine.dispose()
    sealed = bob.post_json(f"{API}/prayers/", {"recap_document": other["id"]})
    assert sealed.status == 400 and "sealed" in sealed.json()["recap_document"][0]
    deployment.pdf_doc_id = target["pacer_doc_id"]
    document = alice.get(f"{API}/recap-documents/", pacer_doc_id=target["pacer_doc_id"]).json()["results"][0]
    pdf = ApiClient(deployment.url).get(document["filepath_local"])  # a signed link: no token needed
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF-")


def test_a_document_pacer_will_not_sell_tells_its_waiting_prayers(deployment):
    alice, bob, sandbox = deployment.alice, deployment.bob, deployment.sandbox
    documents = alice.get(f"{API}/recap-documents/", docket=deployment.fetched_docket, page_size=100).json()
    target = next(d for d in documents["results"] if d["pacer_doc_id"] and not d["is_sealed"]
                  and not d["is_available"] and d["attachment_number"] is None)
    _, entry, _ = sandbox.data.find_document("cand", target["pacer_doc_id"])
    entry.restricted = True  # since the docket was read: PACER now shows it to the parties only
    with WebhookReceiver() as hook:
        prayer = bob.post_json(f"{API}/prayers/", {"recap_document": target["id"], "webhook_url": hook.url})
        assert prayer.status == 201 and prayer.json()["status"] == 1, prayer.text
        account = sandbox.accounts["good"]
        charges_before = len(sandbox.ledger)
        answer = alice.post_form(f"{API}/recap-fetch/", {
            "request_type": 2, "recap_document": target["id"], "pacer_username": account.login,
            "pacer_password": account.password})
        assert answer.status == 201, answer.text
        fetched, _ = wait_for_status(alice, f"{API}/recap-fetch/{answer.json()['id']}/")
        # one reason, nothing bought or stored
        assert fetched["status"] == 3 and "will not sell" in fetched["error_message"], fetched
        assert "sealed" in fetched["error_message"] and float(fetched["cost"] or 0) == 0.0
        assert len(sandbox.ledger) == charges_before
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not hook.calls:
            time.sleep(0.1)
        mine = next(p for p in bob.get(f"{API}/prayers/").json()["results"] if p["recap_document"] == target["id"])
        assert mine["status"] == 3 and mine["status_name"] == "unavailable" and not mine["is_available"]
        assert len(hook.calls) == 1
        body = json.loads(hook.calls[0]["body"])
        assert body["webhook"]["event_type"] == 3 and body["payload"]["id"] == mine["id"]
        headers = {k.title(): v for k, v in hook.calls[0]["headers"].items()}
        assert verify(user_webhook_key(SECRET, 2), hook.calls[0]["body"], headers)
    # the archive now knows: the document is marked sealed and no new prayer is taken for it
    again = alice.get(f"{API}/recap-documents/", pacer_doc_id=target["pacer_doc_id"]).json()["results"][0]
    assert again["is_sealed"] is True and again["is_available"] is False
    refused = alice.post_json(f"{API}/prayers/", {"recap_document": target["id"]})
    assert refused.status == 400 and "sealed" in refused.json()["recap_document"][0]
    entry.restricted = False


def test_without_credentials_the_deployments_own_account_is_used(deployment, monkeypatch):
    alice, sandbox = deployment.alice, deployment.sandbox
    documents = alice.get(f"{API}/recap-documents/", docket=deployment.fetched_docket, page_size=100).json()
    document = next(d for d in documents["results"] if d["pacer_doc_id"] and d["attachment_number"] is None
                    and not d["is_sealed"])
    refused = alice.post_json(f"{API}/recap-fetch/", {"request_type": 3, "recap_document": document["id"]})
    assert refused.status == 400 and "No PACER account" in refused.text
    for name, value in sandbox.account_env("good2").items():  # the crawl's environment
        monkeypatch.setenv(name, value)
    before = len(sandbox.requests)
    answer = alice.post_json(f"{API}/recap-fetch/", {"request_type": 3, "recap_document": document["id"]})
    assert answer.status == 201, answer.text
    fetched, _ = wait_for_status(alice, f"{API}/recap-fetch/{answer.json()['id']}/")
    assert fetched["status"] == 2 and fetched["recap_document"] == document["id"], fetched
    pages = [r for r in list(sandbox.requests)[before:] if document["pacer_doc_id"] in r["path"]]
    assert pages and {r["login"] for r in pages} == {sandbox.accounts["good2"].login}


def test_uploads_debug_real_and_an_orphan_joined_when_its_docket_arrives(deployment):
    alice, bob, sandbox = deployment.alice, deployment.bob, deployment.sandbox
    client = SandboxClient(sandbox)
    client.login("good")
    case = sandbox.cases("nysd")[1]
    docket_html = client.docket("nysd", case.pacer_case_id).body
    entry = next(e for e in case.entries if e.pacer_doc_id and not e.sealed and e.document_number)
    # debug: processed, nothing written
    debug = alice.post_multipart(f"{API}/recap/", {"upload_type": 1, "court": "nysd",
                                                   "pacer_case_id": case.pacer_case_id, "debug": "true"},
                                 {"filepath_local": ("docket.html", docket_html)})
    assert debug.status == 201, debug.text
    body, _ = wait_for_status(alice, f"{API}/recap/{debug.json()['id']}/")
    assert body["status"] == 2 and body["debug"] and body["result"]["dry_run"]
    assert alice.get(f"{API}/dockets/", court="nysd").json()["count"] == 0
    # the PDF before its docket: an orphan
    pdf = make_pdf("an uploaded document", 2)
    orphan = alice.post_multipart(f"{API}/recap/", {
        "upload_type": 3, "court": "nysd", "pacer_case_id": case.pacer_case_id, "pacer_doc_id": entry.pacer_doc_id,
        "document_number": entry.document_number}, {"filepath_local": ("doc.pdf", pdf)})
    assert orphan.status == 201, orphan.text
    body, _ = wait_for_status(alice, f"{API}/recap/{orphan.json()['id']}/", final=(2, 3, 5, 6, 7))
    assert body["status"] == 5 and body["orphan"] and "orphan" in body["error_message"]
    # the docket for real: the orphan joins, its upload ends with the document
    real = alice.post_multipart(f"{API}/recap/", {"upload_type": 1, "court": "nysd",
                                                  "pacer_case_id": case.pacer_case_id},
                                {"filepath_local": ("docket.html", docket_html)})
    body, _ = wait_for_status(alice, f"{API}/recap/{real.json()['id']}/")
    assert body["status"] == 2 and body["docket"], body
    body, _ = wait_for_status(alice, f"{API}/recap/{orphan.json()['id']}/", final=(2, 3, 6, 7), timeout=10)
    assert body["status"] == 2 and body["recap_document"], body
    assert alice.get(f"{API}/dockets/", court="nysd").json()["count"] == 1
    assert bob.get(f"{API}/recap/{orphan.json()['id']}/").status == 404
    assert bob.get(f"{API}/recap/").json()["count"] == 0
    # bad input: one clear reason, nothing queued
    refused = alice.post_multipart(f"{API}/recap/", {"upload_type": 99, "court": "nysd"},
                                   {"filepath_local": ("x.html", b"x")})
    assert refused.status == 400 and "upload_type" in refused.json()


def test_legacy_queries_updated_cases_and_sources(deployment):
    alice = deployment.alice
    case = deployment.sandbox.cases("cand")[0]
    found = alice.post_form("/recap/query_cases/", {"json": json.dumps({"court": "cand",
                                                                        "case_number": case.pacer_case_id})})
    assert found.status == 200 and found.json()["docket_url"].endswith(f"/dockets/{deployment.fetched_docket}/")
    missing = alice.post_form("/recap/query_cases/", {"json": json.dumps({"court": "cand", "case_number": "1"})})
    assert missing.json() == {}
    held_url = f"https://ecf.cand.uscourts.gov/doc1/{deployment.pdf_doc_id}"
    not_held = "https://ecf.cand.uscourts.gov/doc1/035099999999"
    documents = alice.post_form("/recap/query/", {"json": json.dumps({"court": "cand", "urls": [held_url, not_held]})})
    assert list(documents.json()) == [held_url]
    assert ApiClient(deployment.url).get(documents.json()[held_url]["filename"]).body.startswith(b"%PDF-")
    # cases updated today: a CSV link, valid 60 minutes
    link = alice.get(f"{API}/cases/updated/", date=date.today().isoformat()).json()
    anonymous = ApiClient(deployment.url)
    csv_answer = anonymous.get(link["url"])
    assert csv_answer.status == 200 and case.docket_number in csv_answer.text
    source = alice.get(f"{API}/cases/{deployment.fetched_docket}/source/").json()
    page = anonymous.get(source["url"])
    assert page.status == 200 and case.docket_number.encode() in page.body
    assert anonymous.get(link["url"].replace("signature=", "signature=0")).status == 403
    clock.advance(61 * 60)
    try:
        assert anonymous.get(link["url"]).status == 410
        assert anonymous.get(source["url"]).status == 410
    finally:
        clock.reset()
    courts = alice.get(f"{API}/courts/").json()
    assert any(c["id"] == "cand" for c in courts["results"])
    assert "/api/rest/v3/recap-fetch/" in alice.get("/openapi.json").json()["paths"]
    options = alice.call("OPTIONS", f"{API}/recap-fetch/").json()
    assert "pacer_case_id" in options["actions"]["POST"]


def test_legacy_json_sent_as_a_file_is_refused(deployment):
    """The legacy endpoints read json=<a JSON object> as a form field: a file under that name is bad input (400)."""
    refused = deployment.alice.post_multipart("/recap/query_cases/", {},
                                              {"json": ("query.json", b'{"court": "cand", "case_number": "1"}')})
    assert refused.status == 400 and "send json=" in refused.text


def test_throttling_per_token_and_private_webhooks_refused_by_default(deployment):
    config = ServiceConfig(**{**deployment.config.__dict__, "throttle": "3/minute", "allow_private_webhooks": False})
    with ServiceThread(config, start_runner=False) as url:
        alice, bob = ApiClient(url, deployment.alice_token), ApiClient(url, deployment.bob_token)
        for hook in ("http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest"):
            answer = alice.post_json(f"{API}/prayers/", {"recap_document": 1, "webhook_url": hook})
            assert answer.status == 400 and "private or link-local" in answer.json()["webhook_url"][0]
        throttled = alice.get(f"{API}/courts/")
        assert throttled.status == 429 and int({k.lower(): v for k, v in throttled.headers.items()}["retry-after"]) > 0
        assert bob.get(f"{API}/courts/").status == 200  # per token
        unknown = bob.post_json(f"{API}/recap-fetch/", {"request_type": 1, "court": "nowhere", "pacer_case_id": "1"})
        assert unknown.status == 400 and "court" in unknown.json()


def test_no_credential_anywhere_after_the_run(deployment):
    accounts = deployment.sandbox.accounts
    tokens = list(deployment.sandbox.auth._sessions) + [accounts["good"].password, accounts["good2"].password]
    assert deployment.sandbox.auth.logins >= 2
    everything = b"".join(file_bytes(path) for path in deployment.tmp.rglob("*") if path.is_file())
    for secret in tokens:
        assert secret.encode() not in everything
    crawl_logs = list((deployment.tmp / "logs").glob("*.log"))
    assert len(crawl_logs) == 4 and b"PACER" in file_bytes(crawl_logs[0])  # the crawls did log
    assert not any(secret in line for line in deployment.logs.lines for secret in tokens)

"""PACER login middleware against the sandbox: real crawls in a subprocess, real HTTP on loopback."""

from __future__ import annotations

import http.server
import re
import threading

import pytest
from scrapy.settings import Settings

from pacer_spiders.login import Account, accounts_from_settings, classify_login_answer, court_url_pattern
from spider_helpers import COURT, crawl, first_case, small_sandbox


@pytest.fixture(scope="module")
def sb():
    with small_sandbox() as sandbox:
        yield sandbox


def docket_args(sb):
    return {"court": COURT, "pacer_case_id": first_case(sb).pacer_case_id}


def new_charges(sb, before):
    return sb.ledger.charges[before:]


def test_plain_login_fetches_the_docket_logs_in_once_and_logs_out(sb, tmp_path):
    before, logins = len(sb.ledger), sb.auth.logins
    result = crawl(sb, "docket", tmp_path, docket_args(sb))
    assert result.reason == "finished", result.log[-3000:]
    assert result.returncode == 0
    assert result.stat("pacer/login/count") == 1
    assert sb.auth.logins - logins == 1
    assert result.stat("pacer/logout/count") == 1
    assert result.stat("pacer/pages/docket") == 1
    charges = new_charges(sb, before)
    assert [c.report for c in charges] == ["docket"]
    assert charges[0].login == sb.accounts["good"].login
    assert sb.auth._sessions == {}  # the token was logged out at the end
    assert "PACER login: account 1 (sandbox-user) logged in" in result.log


def test_mfa_account_sends_a_totp_code(sb, tmp_path):
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, docket_args(sb), roles=("mfa",))
    assert result.reason == "finished", result.log[-3000:]
    assert result.stat("pacer/login/count") == 1
    assert new_charges(sb, before)[0].login == sb.accounts["mfa"].login


def test_mfa_account_without_its_secret_ends_the_crawl_clearly(sb, tmp_path):
    env = {"PACER_USERNAME": sb.accounts["mfa"].login, "PACER_PASSWORD": sb.accounts["mfa"].password}
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, docket_args(sb), roles=(), env=env)
    assert result.reason == "pacer_bad_credentials"
    assert "set PACER_TOTP_SECRET" in result.log
    assert "Ending the crawl" in result.log
    assert len(sb.ledger) == before


def test_client_code_is_sent_and_billed_to_it(sb, tmp_path):
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, docket_args(sb), roles=("client_code",))
    assert result.reason == "finished", result.log[-3000:]
    assert [c.client_code for c in new_charges(sb, before)] == [sb.accounts["client_code"].client_code]


@pytest.mark.parametrize(
    "role, env_without, reason, words",
    [
        ("wrong_password", None, "pacer_bad_credentials", "check PACER_USERNAME and PACER_PASSWORD"),
        ("expired_password", None, "pacer_password_expired", "the password has expired"),
        ("client_code", "PACER_CLIENT_CODE", "pacer_client_code_required", "set PACER_CLIENT_CODE"),
        ("disabled", None, "pacer_account_disabled", "the account is disabled"),
    ],
)
def test_each_login_failure_ends_the_crawl_with_a_clear_message(sb, tmp_path, role, env_without, reason, words):
    account = sb.accounts[role]
    env = {"PACER_USERNAME": account.login, "PACER_PASSWORD": account.password}
    if role == "wrong_password":
        env["PACER_PASSWORD"] = "not-" + account.password
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, docket_args(sb), roles=(), env=env)
    assert result.reason == reason, result.log[-3000:]
    assert result.returncode == 1  # scrapy crawl says it failed (cron, schedulers)
    assert words in result.log
    assert result.stat("pacer/pages/docket") == 0
    assert len(sb.ledger) == before  # nothing was bought
    assert "Traceback" not in result.log
    assert sb.auth._sessions == {}  # a session PACER opened with its refusal (no client code) is logged out


def test_expired_token_logs_in_again_once_and_retries(tmp_path):
    # Tokens live 1 s on this sandbox; a crawl of several pages, 0.4 s apart, outlives one.
    with small_sandbox(token_ttl=1.0) as sandbox:
        case = first_case(sandbox, predicate=lambda c: sum(1 for e in c.entries if e.pacer_doc_id) >= 4)
        result = crawl(sandbox, "docket", tmp_path, {"court": COURT, "pacer_case_id": case.pacer_case_id,
                                                     "attachments": "1", "doc_num_end": "4"},
                       settings={"DOWNLOAD_DELAY": "0.4", "CONCURRENT_REQUESTS": "1", "PACER_PROGRESS_INTERVAL": "0.5"})
    assert result.reason == "finished", result.log[-3000:]
    assert re.search(r"Progress: \d+ pages fetched, \d+ items, PACER cost \$", result.log)  # while it runs
    assert result.stat("pacer/relogin") >= 1
    assert result.stat("pacer/login/count") >= 2
    assert result.stat("pacer/errors/logged_out") == 0
    assert "PACER session expired" in result.log
    docs = {e.pacer_doc_id for e in case.entries if e.pacer_doc_id and e.document_number <= 4}
    fetched = result.stat("pacer/pages/attachment_page") + result.stat("pacer/skipped/no_attachments") + \
        result.stat("pacer/skipped/sealed") + result.stat("pacer/skipped/unavailable")
    assert fetched >= len(docs)  # every document link was answered in the end


def test_token_is_renewed_after_its_max_age(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: sum(1 for e in c.entries if e.pacer_doc_id) >= 3)
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": case.pacer_case_id, "attachments": "1",
                                            "doc_num_end": "3"},
                   settings={"PACER_TOKEN_MAX_AGE": "0.2", "DOWNLOAD_DELAY": "0.25", "CONCURRENT_REQUESTS": "1"})
    assert result.reason == "finished", result.log[-3000:]
    assert result.stat("pacer/login/count") >= 2
    assert result.stat("pacer/relogin") == 0  # renewed before PACER had to refuse it
    assert result.stat("pacer/logout/count") == result.stat("pacer/login/count")


def test_two_accounts_take_requests_in_turn(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: sum(1 for e in c.entries if e.pacer_doc_id) >= 3)
    before, logins = len(sb.ledger), sb.auth.logins
    docs = [e.pacer_doc_id for e in case.entries if e.pacer_doc_id and not e.sealed and not e.attachments
            and not e.restricted and not e.unavailable]
    result = crawl(sb, "pdf", tmp_path, {"court": COURT, "pacer_doc_id": ",".join(docs)}, roles=("good", "good2"))
    assert result.reason == "finished", result.log[-3000:]
    # Each purchase and its temporary PDF stay with the account that saw the receipt.
    assert result.stat("pacer/purchases") == len(docs) >= 2
    assert sb.auth.logins - logins == 2
    assert result.stat("pacer/login/account_1") == 1 and result.stat("pacer/login/account_2") == 1
    logins_billed = {c.login for c in new_charges(sb, before)}
    assert logins_billed == {sb.accounts["good"].login, sb.accounts["good2"].login}


def test_a_refused_account_leaves_the_crawl_to_the_other(sb, tmp_path):
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, docket_args(sb), roles=("expired_password", "good"))
    assert result.reason == "finished", result.log[-3000:]
    assert "account 1 (sandbox-expired): the password has expired" in result.log
    assert "going on with account 2 (sandbox-user)" in result.log
    assert [c.login for c in new_charges(sb, before)] == [sb.accounts["good"].login]


# -- the token goes to PACER's courts only -------------------------------------------------------
class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_GET(self):
        type(self).seen.append(self.headers.get("Cookie"))
        body = b"<html><body>not a court</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_token_cookies_go_to_court_urls_only(sb, tmp_path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        spider_file = tmp_path / "two_hosts.py"
        other = f"http://127.0.0.1:{server.server_address[1]}/elsewhere"
        court = sb.court_url(COURT) + "/cgi-bin/possible_case_numbers.pl?16-cv-100"
        spider_file.write_text(
            "import scrapy\n"
            "class TwoHosts(scrapy.Spider):\n"
            "    name = 'two_hosts'\n"
            "    async def start(self):\n"
            f"        yield scrapy.Request({court!r}, callback=self.then)\n"
            "    def then(self, response):\n"
            "        self.crawler.stats.set_value('court_status', response.status)\n"
            f"        yield scrapy.Request({other!r}, callback=self.done)\n"
            "    def done(self, response):\n"
            "        pass\n"
        )
        result = crawl(sb, "two_hosts", tmp_path, settings={"SPIDER_MODULES": "two_hosts", "NEWSPIDER_MODULE": ""},
                       env={"PYTHONPATH": str(tmp_path)})
    finally:
        server.shutdown()
        server.server_close()
    assert result.stat("court_status") == 200, result.log[-3000:]
    assert result.stat("pacer/login/count") == 1  # the court request carried a token
    assert _Recorder.seen == [None]  # and the other host got no cookie at all


# -- units: configuration, URL matching, login answers -------------------------------------------
def test_accounts_come_from_json_or_numbered_variables():
    settings = Settings({"PACER_ACCOUNTS": '[{"username": "a", "password": "p"}, '
                                           '{"username": "b", "password": "q", "totp_secret": "S"}]'})
    accounts = accounts_from_settings(settings, environ={})
    assert [(a.index, a.username) for a in accounts] == [(1, "a"), (2, "b")]
    environ = {"PACER_USERNAME": "a", "PACER_PASSWORD": "p", "PACER_USERNAME_2": "b", "PACER_PASSWORD_2": "q",
               "PACER_CLIENT_CODE_2": "CC"}
    accounts = accounts_from_settings(Settings(), environ=environ)
    assert [(a.username, a.client_code) for a in accounts] == [("a", None), ("b", "CC")]
    assert "q" not in repr(accounts) and "p'" not in repr(accounts)
    with pytest.raises(ValueError, match="no password"):
        accounts_from_settings(Settings(), environ={"PACER_USERNAME": "a"})


def test_court_url_pattern_matches_courts_not_other_hosts():
    real = court_url_pattern("https://ecf.{subdomain}.uscourts.gov")
    assert real.match("https://ecf.okwd.uscourts.gov/cgi-bin/DktRpt.pl?1")
    assert not real.match("https://pacer.login.uscourts.gov/services/cso-auth")
    assert not real.match("https://ecf.okwd.uscourts.gov.evil.example/")
    local = court_url_pattern("http://127.0.0.1:9/court/{subdomain}")
    assert local.match("http://127.0.0.1:9/court/okwd/doc1/1")
    assert not local.match("http://127.0.0.1:9/services/cso-auth")


def test_login_answers_are_classified():
    account = Account(1, "u", "pw")
    assert classify_login_answer({"loginResult": "0", "nextGenCSO": "t"}, account, False) is None
    refused = classify_login_answer({"loginResult": "13", "errorDescription": "Invalid username, password, or "
                                     "one-time passcode."}, account, False)
    assert refused.kind == "bad_credentials" and "PACER_TOTP_SECRET" in str(refused)
    warned = classify_login_answer({"loginResult": "0", "nextGenCSO": "t", "errorDescription": "A required Client "
                                    "Code was not entered."}, account, False)
    assert warned.kind == "client_code_required"


# -- secrets ----------------------------------------------------------------------------------------
def test_after_a_full_run_no_secret_is_anywhere(tmp_path):
    """Docket + attachment pages + a PDF with an MFA account and a client-code account, at DEBUG
    with Scrapy's cookie log on: the passwords, TOTP secret and every issued token appear in no
    log line, stats, database row or file written."""
    from spider_helpers import database_dump, files_under, scan_for_secrets

    with small_sandbox() as sandbox:
        issued = []
        original = sandbox.auth.login

        def recording_login(body):
            answer = original(body)
            if answer.get("nextGenCSO"):
                issued.append(answer["nextGenCSO"])
            return answer

        sandbox.auth.login = recording_login
        mfa, coded = sandbox.accounts["mfa"], sandbox.accounts["client_code"]
        env = {"PACER_USERNAME": mfa.login, "PACER_PASSWORD": mfa.password, "PACER_TOTP_SECRET": mfa.totp_secret,
               "PACER_USERNAME_2": coded.login, "PACER_PASSWORD_2": coded.password,
               "PACER_CLIENT_CODE_2": coded.client_code}
        case = first_case(sandbox, predicate=lambda c: any(e.attachments for e in c.entries if not e.sealed))
        doc = next(e for e in case.entries if e.pacer_doc_id and not e.sealed and not e.attachments
                   and not e.restricted and not e.unavailable)
        settings = {"COOKIES_DEBUG": "True", "DATABASE_URL": f"sqlite:///{tmp_path / 'archive.sqlite3'}",
                    "FILES_STORE": str(tmp_path / "files")}
        results = [
            crawl(sandbox, "docket", tmp_path / "docket", {"court": COURT, "pacer_case_id": case.pacer_case_id,
                                                           "attachments": "1"}, roles=(), env=env, settings=settings),
            crawl(sandbox, "pdf", tmp_path / "pdf", {"court": COURT, "pacer_doc_id": doc.pacer_doc_id},
                  roles=(), env=env, settings=settings),
        ]
    for result in results:
        assert result.reason == "finished", result.log[-3000:]
    assert results[1].stat("pacer/purchases") == 1
    assert len(issued) >= 2
    secrets = [mfa.password, coded.password, mfa.totp_secret, *issued]
    texts = {"log " + r.workdir.name: r.log for r in results}
    texts.update({str(p): p.read_bytes() for p in files_under(tmp_path)})
    database = tmp_path / "archive.sqlite3"
    if database.exists():
        texts["database rows"] = database_dump(f"sqlite:///{database}")
    assert len(texts) > 4
    assert scan_for_secrets(secrets, texts) == []
    # The scan can fail: the same scan finds a secret where one is.
    assert scan_for_secrets(secrets, {"probe": f"token {issued[0]}"}) == [f"probe: {issued[0][:4]}…"]


def test_secret_filter_blanks_secrets_in_messages_and_tracebacks():
    import logging

    from pacer_spiders.login import SecretFilter

    secret_filter = SecretFilter()
    secret_filter.secrets.add("hunter2")
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "login with %s failed", ("hunter2",), None)
    assert secret_filter.filter(record)
    assert record.getMessage() == "login with [redacted] failed"
    try:
        raise ValueError("bad password hunter2")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "oops", (), sys.exc_info())
    secret_filter.filter(record)
    assert "hunter2" not in logging.Formatter().format(record)


def test_a_real_pacer_login_page_and_a_redirect_are_recognised_as_logged_out():
    from scrapy.http import HtmlResponse, Response

    from pacer_spiders.login import PacerLoginMiddleware
    from pacer_spiders.testing.corpus import corpus_root

    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus folder (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    page = (root / "authentication_samples" / "please_log_in.html").read_bytes()
    url = "https://ecf.cand.uscourts.gov/cgi-bin/DktRpt.pl?1-L_1_0-1"
    assert PacerLoginMiddleware.logged_out(HtmlResponse(url, body=page))
    redirect = Response(url, status=302, headers={
        "Location": "https://pacer.login.uscourts.gov/csologin/login.jsf?pscCourtId=CAND"})
    assert PacerLoginMiddleware.logged_out(redirect)
    receipt = next((root / "confirmation_pages").glob("cand_*.html")).read_bytes()
    assert not PacerLoginMiddleware.logged_out(HtmlResponse(url, body=receipt))
    docket = next((root / "dockets" / "district").glob("*.html")).read_bytes()
    assert not PacerLoginMiddleware.logged_out(HtmlResponse(url, body=docket))
    # possible_case_numbers.pl's XML answer to a request without a session
    xml = b"<request number='1501084'><message text='Not logged in.  Please refresh this page.'/></request>"
    assert PacerLoginMiddleware.logged_out(Response(url, body=xml))
    found = (root / "possible_case_numbers" / "armes-v-hot-pizzas.xml").read_bytes()
    assert not PacerLoginMiddleware.logged_out(Response(url, body=found))


def test_login_service_outage_ends_the_crawl_with_one_line(tmp_path):
    with small_sandbox(faults="login-outage") as sandbox:
        result = crawl(sandbox, "docket", tmp_path, {"court": COURT, "pacer_case_id": first_case(sandbox).pacer_case_id},
                       settings={"RETRY_TIMES": "1"})
        assert len(sandbox.ledger) == 0
    assert result.reason == "pacer_login_unavailable", result.log[-3000:]
    assert "PACER login service unavailable (HTTP 503)" in result.log


def test_no_account_ends_the_crawl_when_pacer_asks_for_a_login(sb, tmp_path):
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, docket_args(sb), roles=())
    assert result.reason == "pacer_no_account", result.log[-3000:]
    assert "no account is configured: set PACER_USERNAME and PACER_PASSWORD" in result.log
    assert len(sb.ledger) == before


def test_accounts_that_do_not_parse_end_the_crawl_with_one_line(sb, tmp_path):
    result = crawl(sb, "docket", tmp_path, docket_args(sb), roles=(), env={"PACER_ACCOUNTS": "[{not json"})
    assert result.reason == "pacer_bad_accounts", result.log[-3000:]
    assert "PACER_ACCOUNTS is not valid JSON" in result.log
    assert "Traceback" not in result.log

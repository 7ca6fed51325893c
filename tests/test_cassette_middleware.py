"""The cassette middleware: record a crawl, replay it with no network, scrub every secret.

Crawls run through ``scrapy runspider`` (the public entry point) against a PACER look-alike on
loopback (tests/cassette_probe) that counts its hits.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pacer_spiders.cassettes import (
    CassetteError,
    Scrubber,
    body_bytes,
    body_signature,
    find_secrets,
    load_interactions,
    open_cassette,
    uri_signature,
)
from pacer_spiders.testing.crawls import run_scrapy_command
from pacer_spiders.testing.services import free_port

sys.path.insert(0, str(Path(__file__).parent))
from cassette_probe.server import PDF, ProbeServer  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SPIDER = Path(__file__).parent / "cassette_probe" / "spider.py"
ORIGIN = "http://probe.invalid"
REAL = {"PACER_USERNAME": "real-user-1234", "PACER_PASSWORD": "real-pass-5678"}
DUMMY = {"PACER_USERNAME": "dummy", "PACER_PASSWORD": "dummy"}


def crawl(base: str, cassette: Path, mode: str, credentials: dict, *args: str) -> tuple[subprocess.CompletedProcess, list]:
    out = cassette.parent / f"items-{mode}-{os.urandom(3).hex()}.json"
    env = {**os.environ, **credentials}
    proc = run_scrapy_command(
        ["scrapy", "runspider", str(SPIDER), "-a", f"base={base}", *args,
         "-s", f"CASSETTE={cassette}", "-s", f"CASSETTE_MODE={mode}",
         "-s", "CASSETTE_PLACEHOLDERS=" + json.dumps({ORIGIN: base}), "-O", str(out)],
        ROOT, env, timeout=120,
    )
    items = json.loads(out.read_text()) if out.exists() and out.stat().st_size else []
    return proc, items


def by_step(items):
    return {item["step"]: item for item in items}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """One crawl recorded from the look-alike with real-looking credentials."""
    cassette = tmp_path_factory.mktemp("cassette") / "probe.json"
    with ProbeServer() as server:
        proc, items = crawl(server.url, cassette, "once", REAL)
        hits = sum(server.hits.values())
    assert proc.returncode == 0, proc.stderr[-2000:]
    return cassette, items, hits


def test_recording_hits_the_server_and_keeps_the_pdf_byte_exact(recorded):
    cassette, items, hits = recorded
    assert hits == 7  # login, form, report, doc1 (302), PDF 503 then 200, logout
    interactions = load_interactions(cassette)
    assert len(interactions) == 7
    # The logout went past every middleware, straight to the download handlers: recorded too.
    logout = interactions[-1]
    assert logout["request"]["uri"].endswith("/services/cso-logout")
    assert json.loads(body_bytes(logout["request"]["body"])) == {"nextGenCSO": "<TOKEN>"}
    assert json.loads(body_bytes(logout["response"]["body"])) == {"loggedOut": True}
    pdfs = [i for i in interactions if i["response"]["headers"].get("Content-Type") == ["application/pdf"]]
    assert len(pdfs) == 1 and "base64_string" in pdfs[0]["response"]["body"]
    assert base64.b64decode(pdfs[0]["response"]["body"]["base64_string"]) == PDF
    # The server's changing port is written as the stable placeholder origin.
    assert all(i["request"]["uri"].startswith(ORIGIN + "/") for i in interactions)


def test_recorded_cassette_holds_no_secret(recorded):
    cassette, _, _ = recorded
    text = cassette.read_text()
    for secret in REAL.values():
        assert secret not in text
    assert find_secrets(cassette, known=list(REAL.values())) == []
    login = load_interactions(cassette)[0]
    body = json.loads(body_bytes(login["request"]["body"]))
    assert body["loginId"] == "<LOGIN_ID>" and body["password"] == "<PASSWORD>" and body["otpCode"] == "<OTP_CODE>"
    assert json.loads(body_bytes(login["response"]["body"]))["nextGenCSO"] == "<TOKEN>"
    assert sorted(login["response"]["headers"]["Set-Cookie"]) == ["NextGenCSO=<TOKEN>; Path=/", "PacerSession=<SESSION>; Path=/"]
    cookies = [v for i in load_interactions(cassette) for v in i["request"]["headers"].get("Cookie", [])]
    assert cookies and all(c == "PacerSession=<SESSION>; NextGenCSO=<TOKEN>" for c in cookies)
    # The receipt printed the login: the page keeps a placeholder that is still text.
    report = next(i for i in load_interactions(cassette) if i["request"]["method"] == "POST" and "DktRpt" in i["request"]["uri"])
    assert b"&lt;LOGIN_ID&gt;" in body_bytes(report["response"]["body"])


def test_replay_with_nothing_listening_and_dummy_credentials_gives_the_same_crawl(recorded):
    cassette, live_items, _ = recorded
    closed = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    proc, items = crawl(closed, cassette, "none", DUMMY)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "'cassette/replayed': 7" in proc.stderr and "cassette/unrecorded" not in proc.stderr
    assert 'logout answered 200: {"loggedOut": true}' in proc.stderr
    live, replay = by_step(live_items), by_step(items)
    assert replay["login"]["result"] == "0"
    assert replay["report"]["heading"] == live["report"]["heading"] == "Case 55 from 01/01/2020"
    # Redirect and retry ran again in their middlewares: the PDF comes from the redirect target.
    assert replay["pdf"]["url"] == f"{closed}/cgi-bin/show_temp.pl?file=777.pdf"
    assert replay["pdf"]["sha1"] == live["pdf"]["sha1"] and replay["pdf"]["length"] == len(PDF)
    assert "'retry/count': 1" in proc.stderr and "downloader/response_status_count/302" in proc.stderr


@pytest.mark.parametrize(
    "mode, args, unrecorded",
    [
        ("none", ["-a", "case=56"], "GET {base}/cgi-bin/DktRpt.pl?56"),  # another case: another URL
        ("once", ["-a", "date_from=02/02/2021"], "POST {base}/cgi-bin/DktRpt.pl?"),  # another date range: body
    ],
)
def test_an_unrecorded_request_fails_by_name_and_never_reaches_the_network(recorded, tmp_path, mode, args, unrecorded):
    cassette, _, _ = recorded
    copy = tmp_path / "probe.json"
    copy.write_bytes(cassette.read_bytes())
    with ProbeServer() as server:  # listening and counting, so a leak would show
        proc, items = crawl(server.url, copy, mode, DUMMY, *args)
        assert sum(server.hits.values()) == 0
    expected = unrecorded.format(base=server.url)
    assert f"cassette {copy} has no recorded answer for {expected}" in proc.stderr
    assert "'cassette/unrecorded': 1" in proc.stderr
    assert "pdf" not in by_step(items)
    assert copy.read_bytes() == cassette.read_bytes()  # a replay writes nothing


def test_none_mode_needs_an_existing_cassette(tmp_path):
    with pytest.raises(CassetteError, match="does not exist"):
        open_cassette(tmp_path / "missing.json", "none")
    assert not (tmp_path / "missing.json").exists()
    with pytest.raises(CassetteError, match="not one of"):
        open_cassette(tmp_path / "x.json", "sometimes")


def test_a_missing_cassette_fails_the_crawl_with_one_clear_line(tmp_path):
    proc, items = crawl(f"http://127.0.0.1:{free_port()}", tmp_path / "missing.json", "none", DUMMY)
    assert "cassette" in proc.stderr and "does not exist (CASSETTE_MODE=none only replays)" in proc.stderr
    assert items == []


# -- matching ---------------------------------------------------------------------------------------
def multipart(boundary: str, **fields) -> tuple[bytes, str]:
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ) + f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_multipart_bodies_match_by_fields_whatever_the_boundary():
    a = body_signature(*multipart("aaaa1111", all_case_ids="55", date_from="01/01/2020", date_to=""))
    b = body_signature(*multipart("bbbb2222", date_to="", all_case_ids="55", date_from="01/01/2020"))
    assert a == b
    assert a != body_signature(*multipart("aaaa1111", all_case_ids="56", date_from="01/01/2020", date_to=""))
    assert a != body_signature(*multipart("aaaa1111", all_case_ids="55", date_from="01/02/2020", date_to=""))


def test_login_bodies_match_whatever_the_credentials_but_not_other_json():
    live = json.dumps({"loginId": "dummy", "password": "x", "otpCode": "123456", "clientCode": "", "redactFlag": "1"})
    recorded = json.dumps({"loginId": "<LOGIN_ID>", "password": "<PASSWORD>", "otpCode": "<OTP_CODE>",
                           "clientCode": "<CLIENT_CODE>", "redactFlag": "1"})
    assert body_signature(live.encode(), "application/json") == body_signature(recorded.encode(), "application/json")
    other = json.dumps({"loginId": "dummy", "password": "x", "otpCode": "1", "clientCode": "", "redactFlag": "0"})
    assert body_signature(other.encode(), "application/json") != body_signature(recorded.encode(), "application/json")


def test_form_bodies_match_by_fields():
    assert body_signature(b"caseid=5&de_seq_num=7&got_receipt=1", "application/x-www-form-urlencoded") == \
        body_signature(b"got_receipt=1&caseid=5&de_seq_num=7", "application/x-www-form-urlencoded")
    assert body_signature(b"caseid=5&de_seq_num=7", "application/x-www-form-urlencoded") != \
        body_signature(b"caseid=5&de_seq_num=8", "application/x-www-form-urlencoded")


def test_uris_match_less_the_form_nonce():
    base = "https://ecf.okwd.uscourts.gov/cgi-bin/DktRpt.pl?"
    assert uri_signature(base + "104785392817-L_1_0-1") == uri_signature(base + "1-L_1_0-1")
    assert uri_signature(base + "104785392817-L_1_0-1") != uri_signature(base + "1-L_2_0-1")
    assert uri_signature(base + "12345") != uri_signature(base + "12346")
    assert uri_signature("https://ecf.okwd.uscourts.gov/doc1/123") != uri_signature("https://ecf.okwb.uscourts.gov/doc1/123")


# -- scrubbing and the scan ------------------------------------------------------------------------
def interaction(request_headers=None, request_body=b"", response_headers=None, response_body=b"", ctype="text/html"):
    return {
        "request": {"method": "POST", "uri": "https://ecf.okwd.uscourts.gov/x", "headers": request_headers or {},
                    "body": {"encoding": "utf-8", "base64_string": base64.b64encode(request_body).decode()}},
        "response": {"status": {"code": 200, "message": "OK"}, "url": "https://ecf.okwd.uscourts.gov/x",
                     "headers": {"Content-Type": [ctype], **(response_headers or {})},
                     "body": {"encoding": "utf-8", "base64_string": base64.b64encode(response_body).decode()}},
        "recorded_at": "2026-01-01T00:00:00",
    }


def test_scrubber_replaces_configured_and_learned_secrets_everywhere():
    scrubber = Scrubber({"s3cret-pass": "<PASSWORD>", "court-user": "<LOGIN_ID>", "CC-77": "<CLIENT_CODE>",
                         "Matter A&B 4411": "<SECRET>"})
    data = interaction(
        request_headers={"Cookie": ["NextGenCSO=tok-abcdef; PacerClientCode=CC-77; other=1"],
                         "Content-Type": ["application/x-www-form-urlencoded"]},
        request_body=b"login=court-user&password=s3cret-pass&caseid=5",
        response_headers={"Set-Cookie": ["PacerSession=sess-99999; path=/; secure"]},
        response_body=b"%PDF-1.4 binary \x00\xff tok-abcdef sess-99999 court-user Matter+A%26B+4411 Matter A&amp;B 4411",
        ctype="application/pdf",
    )
    scrubber.scrub(data)
    assert data["request"]["headers"]["Cookie"] == ["NextGenCSO=<TOKEN>; PacerClientCode=<CLIENT_CODE>; other=<COOKIE>"]
    assert data["response"]["headers"]["Set-Cookie"] == ["PacerSession=<SESSION>; path=/; secure"]
    assert body_bytes(data["request"]["body"]) == b"login=%3CLOGIN_ID%3E&password=%3CPASSWORD%3E&caseid=5"
    assert body_bytes(data["response"]["body"]) == b"%PDF-1.4 binary \x00\xff <TOKEN> <SESSION> <LOGIN_ID> <SECRET> <SECRET>"


def test_the_scan_names_every_leak_without_printing_it(tmp_path):
    leaky = interaction(
        request_headers={"Cookie": ["NextGenCSO=abcdef123"], "Content-Type": ["application/json"]},
        request_body=b'{"loginId": "someone", "password": "hunter22", "otpCode": "<OTP_CODE>"}',
        response_headers={"Set-Cookie": ["PacerSession=xyz; path=/"]},
        response_body=b"<td>hunter22</td>",
    )
    path = tmp_path / "leaky.json"
    path.write_text(json.dumps({"http_interactions": [leaky], "recorded_with": "betamax/0.9.0"}))
    problems = find_secrets(path, known=["hunter22"])
    joined = "\n".join(problems)
    assert "cookie NextGenCSO has a real value" in joined and "cookie PacerSession has a real value" in joined
    assert "body field loginId" in joined and "body field password" in joined and "otpCode" not in joined
    assert "holds a configured secret" in joined
    assert "hunter22" not in joined and "abcdef123" not in joined
    Scrubber({"hunter22": "<PASSWORD>"}).scrub(leaky)
    path.write_text(json.dumps({"http_interactions": [leaky], "recorded_with": "betamax/0.9.0"}))
    assert find_secrets(path, known=["hunter22"]) == []


def test_the_cassette_keeps_its_recipe_through_a_re_recording(recorded, tmp_path):
    cassette, _, _ = recorded
    copy = tmp_path / "probe.json"
    data = json.loads(cassette.read_text())
    assert data["pacer_spiders"]["spider"] == "cassette_probe"
    assert data["pacer_spiders"]["settings"]["PACER_LOGIN_URL"] == "https://pacer.login.uscourts.gov/services/cso-auth"
    data["pacer_spiders"]["description"] = "kept"
    copy.write_text(json.dumps(data))
    proc, items = crawl(f"http://127.0.0.1:{free_port()}", copy, "new_episodes", DUMMY)
    assert proc.returncode == 0 and "'cassette/replayed': 7" in proc.stderr
    rewritten = json.loads(copy.read_text())
    assert rewritten["pacer_spiders"]["description"] == "kept"
    assert len(rewritten["http_interactions"]) == 7


def test_every_configured_credential_is_a_secret_to_scrub():
    from scrapy.settings import Settings

    from pacer_spiders.cassettes import configured_secrets

    settings = Settings({"PACER_USERNAME": "user-one", "PACER_PASSWORD": "pass-one", "PACER_LOGIN_URL": "https://x/",
                         "PACER_ACCOUNTS": json.dumps([{"username": "user-two", "password": "pass-two",
                                                        "totp_secret": "JBSWY3DPEHPK3PXP", "client_code": "cc-77"}]),
                         "CASSETTE_SECRETS": ["Matter 4411"]})
    environ = {"PACER_USERNAME_3": "user-three", "PACER_PASSWORD_3": "pass-three", "HOME": "/root"}
    assert configured_secrets(settings, environ) == {
        "user-one": "<LOGIN_ID>", "pass-one": "<PASSWORD>", "user-two": "<LOGIN_ID>", "pass-two": "<PASSWORD>",
        "JBSWY3DPEHPK3PXP": "<TOTP_SECRET>", "cc-77": "<CLIENT_CODE>", "user-three": "<LOGIN_ID>",
        "pass-three": "<PASSWORD>", "Matter 4411": "<SECRET>",
    }

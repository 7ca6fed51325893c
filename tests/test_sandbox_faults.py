"""Faults injected by the sandbox (``--faults SPEC``), seen over real HTTP on loopback."""

from __future__ import annotations

import http.client
import json
import time

import pytest

from pacer_spiders.sandbox import Faults, FaultSpecError, Sandbox
from pacer_spiders.testing.sandbox_fixtures import SandboxClient

COURT = "cand"


def logged_in(sb: Sandbox) -> SandboxClient:
    client = SandboxClient(sb)
    assert client.login()["loginResult"] == "0"
    return client


def test_spec_parses_and_rejects_nonsense():
    faults = Faults.parse("latency=20, 500=0.1@DktRpt ,drop=0.05,429=10,login-outage")
    assert str(faults) == "latency=20,500=0.1@DktRpt,drop=0.05,429=10,login-outage=1"
    for bad in ("explode=1", "500=lots", "drop=2"):
        with pytest.raises(FaultSpecError):
            Faults.parse(bad)


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_on_the_chosen_path_only(status):
    with Sandbox(faults=f"{status}=1@DktRpt") as sb:
        client = logged_in(sb)  # the login path is not hit
        assert client.docket(COURT, 100001).status == status
        assert client.get(COURT, "/cgi-bin/iquery.pl?100001").status == 200
        assert len(sb.ledger) == 0  # a failed request is never billed


def test_probability_faults_follow_the_seed():
    def statuses(seed):
        with Sandbox(seed=seed, faults="500=0.5@iquery") as sb:
            client = logged_in(sb)
            return [client.get(COURT, "/cgi-bin/iquery.pl?100001").status for _ in range(30)]

    first = statuses(3)
    assert first == statuses(3)
    assert {200, 500} == set(first)


def test_dropped_connection_gives_no_answer():
    with Sandbox(faults="drop=1@DktRpt") as sb:
        logged_in(sb)
        conn = http.client.HTTPConnection(sb.host, sb.port, timeout=5)
        conn.request("GET", "/court/cand/cgi-bin/DktRpt.pl?100001")
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            conn.getresponse()


def test_truncated_page_is_shorter_than_its_content_length():
    with Sandbox(faults="truncate=1@DktRpt") as sb:
        client = logged_in(sb)
        conn = http.client.HTTPConnection(sb.host, sb.port, timeout=5)
        conn.request("POST", "/court/cand/cgi-bin/DktRpt.pl?1-L_1_0-1", body="all_case_ids=100001",
                     headers={"Cookie": f"NextGenCSO={client.token}",
                              "Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
        assert len(caught.value.partial) == int(response.getheader("Content-Length")) // 2


def test_rate_limit_answers_429_with_retry_after():
    with Sandbox(faults="429=5@iquery") as sb:
        client = logged_in(sb)
        statuses = [client.get(COURT, "/cgi-bin/iquery.pl?100001") for _ in range(12)]
        limited = [a for a in statuses if a.status == 429]
        assert limited and all(a.headers["Retry-After"] == "1" for a in limited)
        assert sum(1 for a in statuses if a.status == 200) >= 5


@pytest.mark.sandbox(faults="login-outage")
def test_login_outage(pacer_sandbox):
    client = SandboxClient(pacer_sandbox)
    answer = client.request("POST", pacer_sandbox.settings["PACER_LOGIN_URL"],
                            json.dumps({"loginId": "sandbox-user", "password": "sandbox-pass"}).encode(),
                            {"Content-Type": "application/json"})
    assert answer.status == 503 and "temporarily unavailable" in answer.text
    pacer_sandbox.set_faults("")
    assert client.login()["loginResult"] == "0"


def test_latency_and_slow_huge_dockets_delay_answers():
    # Not a timing assertion on the machine: the sandbox is asked to wait, and the wait is its floor.
    with Sandbox(latency=150) as sb:
        client = logged_in(sb)
        start = time.monotonic()
        client.get(COURT, "/cgi-bin/iquery.pl?100001")
        assert time.monotonic() - start >= 0.15
    with Sandbox(faults="slow=100", case_sizes={("cand", 100001): 3000}) as sb:
        client = logged_in(sb)
        start = time.monotonic()
        client.docket(COURT, 100001, documents_numbered_to_="2999")
        assert time.monotonic() - start >= 0.28

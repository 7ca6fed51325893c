"""Every cassette in cassettes/ is safe to share: no credential, token or real cookie value."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pacer_spiders.cassette_flows import FLOWS, cassettes_dir
from pacer_spiders.cassettes import find_secrets

CASSETTES = sorted(cassettes_dir().glob("*.json"))


def sandbox_secrets() -> list[str]:
    """Every credential of the sandbox accounts the flows are recorded with."""
    try:
        from pacer_spiders.sandbox.accounts import default_accounts
    except ImportError:
        return []
    values = []
    for account in default_accounts().values():
        values += [account.login, account.password, account.totp_secret or "", account.client_code or ""]
    return [v for v in values if v]


def test_every_flow_has_its_cassette():
    assert {f.name for f in FLOWS} <= {p.stem for p in CASSETTES}


@pytest.mark.parametrize("path", CASSETTES, ids=[p.stem for p in CASSETTES])
def test_cassette_holds_no_secret(path):
    assert find_secrets(path, known=sandbox_secrets()) == []
    text = path.read_text(encoding="utf-8")
    # The team's grep before stopping: no JSON credential or session cookie with a real value.
    for marker in ('"password": "', '"loginId": "', '"otpCode": "', "NextGenCSO=", "PacerSession="):
        start = 0
        while (at := text.find(marker, start)) >= 0:
            start = at + len(marker)
            following = text[start:start + 1]
            assert following in ("<", '"', ";", "\\"), f"{path.name}: {marker} followed by a real value"


def test_check_command_fails_on_a_leak_and_passes_a_clean_cassette(tmp_path):
    leak = {"request": {"method": "POST", "uri": "https://pacer.login.uscourts.gov/services/cso-auth",
                        "headers": {"Content-Type": ["application/json"]},
                        "body": {"encoding": "utf-8", "string": '{"loginId": "me", "password": "<PASSWORD>"}'}},
            "response": {"status": {"code": 200, "message": "OK"}, "url": "https://pacer.login.uscourts.gov/",
                         "headers": {"Set-Cookie": ["NextGenCSO=<TOKEN>; path=/"]},
                         "body": {"encoding": "utf-8", "string": ""}},
            "recorded_at": "2026-01-01T00:00:00"}
    leaky = tmp_path / "leaky.json"
    leaky.write_text(json.dumps({"http_interactions": [leak], "recorded_with": "betamax/0.9.0"}))
    run = [sys.executable, "-m", "pacer_spiders", "cassettes", "check"]
    proc = subprocess.run([*run, str(leaky)], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "interaction 1 request: body field loginId has a real value" in proc.stdout
    assert "password" not in proc.stdout  # the placeholder password is fine
    leak["request"]["body"]["string"] = '{"loginId": "<LOGIN_ID>", "password": "<PASSWORD>"}'
    clean = tmp_path / "clean.json"
    clean.write_text(json.dumps({"http_interactions": [leak], "recorded_with": "betamax/0.9.0"}))
    proc = subprocess.run([*run, str(clean)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    assert "1 cassettes checked, 0 problems" in proc.stderr

"""Pytest fixtures for the PACER sandbox, and a tiny stdlib HTTP client to talk to it.

Register with ``pytest_plugins = ["pacer_spiders.testing.sandbox_fixtures"]``.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass

import pyotp
import pytest

from pacer_spiders.sandbox import Sandbox


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class SandboxClient:
    """A PACER user on the sandbox: login through cso-auth, then court requests with the cookie."""

    def __init__(self, sandbox: Sandbox, follow_redirects: bool = False):
        self.sb = sandbox
        self.token: str | None = None
        self.client_code: str | None = None
        handlers = [] if follow_redirects else [_NoRedirect()]
        self._opener = urllib.request.build_opener(*handlers)

    def login(self, role: str = "good", **overrides) -> dict:
        account = self.sb.accounts[role]
        body = {"loginId": account.login, "password": account.password, "redactFlag": "1"}
        if account.client_code:
            body["clientCode"] = account.client_code
        if account.totp_secret:
            body["otpCode"] = pyotp.TOTP(account.totp_secret).now()
        body.update(overrides)
        answer = self.request("POST", self.sb.settings["PACER_LOGIN_URL"], json.dumps(body).encode(),
                              {"Content-Type": "application/json", "Accept": "application/json"}).json()
        if answer.get("loginResult") == "0":
            self.token = answer["nextGenCSO"]
            self.client_code = body.get("clientCode")
        return answer

    def request(self, method: str, url: str, data: bytes | None = None, headers: dict | None = None) -> Answer:
        if url.startswith("/"):
            url = self.sb.url + url
        headers = dict(headers or {})
        if self.token:
            cookie = f"NextGenCSO={self.token}"
            if self.client_code:
                cookie += f"; PacerClientCode={self.client_code}"
            headers.setdefault("Cookie", cookie)  # a test may send its own cookies
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def court(self, court_id: str, path: str) -> str:
        return self.sb.court_url(court_id) + path

    def get(self, court_id: str, path: str) -> Answer:
        return self.request("GET", self.court(court_id, path))

    def post_form(self, court_id: str, path: str, fields: dict) -> Answer:
        """A multipart/form-data POST, as PACER's forms send."""
        boundary = "----sandbox" + secrets.token_hex(8)
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
        body = ("".join(parts) + f"--{boundary}--\r\n").encode()
        return self.request("POST", self.court(court_id, path), body,
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"})

    def docket(self, court_id: str, pacer_case_id, **options) -> Answer:
        """The docket report with PACER's form fields (every entry, parties on, unless overridden)."""
        fields = {"all_case_ids": str(pacer_case_id), "date_range_type": "Filed", "date_from": "", "date_to": "",
                  "documents_numbered_from_": "", "documents_numbered_to_": "",
                  "list_of_parties_and_counsel": "on", "terminated_parties": "on", "list_of_member_cases": "",
                  "output_format": "html", "sort1": "oldest date first"}
        for key, value in options.items():
            if value is None:
                fields.pop(key, None)
            else:
                fields[key] = value
        return self.post_form(court_id, "/cgi-bin/DktRpt.pl?1-L_1_0-1", fields)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "sandbox(**options): options of the pacer_sandbox fixture's Sandbox (faults=, seed=, token_ttl=...)")


@pytest.fixture
def pacer_sandbox(request):
    """A fresh sandbox serving on 127.0.0.1 for one test (seed 0, 40 cases a court).

    ``@pytest.mark.sandbox(faults="503=0.1", token_ttl=5, case_sizes={...})`` sets its options.
    """
    marker = request.node.get_closest_marker("sandbox")
    options = {"seed": 0, **(marker.kwargs if marker else {})}
    with Sandbox(**options) as sandbox:
        yield sandbox


@pytest.fixture
def sandbox_client(pacer_sandbox):
    """A client of ``pacer_sandbox`` logged in with the good account."""
    client = SandboxClient(pacer_sandbox)
    client.login("good")
    return client

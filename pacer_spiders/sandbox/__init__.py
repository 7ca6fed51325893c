"""A local simulated PACER on loopback: ``with Sandbox() as sb: ...`` (see README, "Sandbox").

The server runs in a background thread of the calling process, so a Scrapy crawl in the same
process can use it and read ``sb.ledger`` afterwards.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter, deque
import time
from pathlib import Path

from pacer_spiders.courts import UnknownCourtError, court_id_for_subdomain

from .appellate import AcmsSessions
from .accounts import Account, Authenticator, default_accounts
from .billing import BYTES_PER_PAGE, MAX_PAGES, PRICE_PER_PAGE, Charge, Ledger, billable_pages, cost_of
from .corpus_pages import CorpusPages
from .faults import Faults, FaultSpecError
from .server import SandboxHTTPServer, serve_in_thread
from .synthetic import FIRST_CASE_ID, Case, Entry, SyntheticCourtData

__all__ = ["Sandbox", "Account", "Charge", "Ledger", "Faults", "FaultSpecError", "Case", "Entry",
           "BYTES_PER_PAGE", "PRICE_PER_PAGE", "MAX_PAGES", "FIRST_CASE_ID", "billable_pages", "cost_of"]


class Sandbox:
    """A simulated PACER: central login, court CM/ECF sites, billing, faults.

    ``Sandbox(host, port=0, corpus=None, seed=0, latency=0, faults="", token_ttl=3600,
    cases_per_court=40, entries=(4, 40), case_sizes={(court_id, pacer_case_id): n})``.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, corpus: str | Path | None = None, seed: int = 0,
                 latency: float = 0, faults: str | Faults | None = None, token_ttl: float = 3600.0,
                 cases_per_court: int = 40, entries: tuple[int, int] = (4, 40), case_sizes: dict | None = None):
        self.host, self.port = host, port
        self.seed = seed
        self.latency_ms = float(latency or 0)
        self.faults = faults if isinstance(faults, Faults) else Faults.parse(faults, seed)
        self.accounts: dict[str, Account] = default_accounts()
        self.auth = Authenticator(self.accounts, token_ttl=token_ttl)
        self.ledger = Ledger()
        self.acms_sessions = AcmsSessions(token_ttl)
        self.data = SyntheticCourtData(seed=seed, cases_per_court=cases_per_court, entries=entries,
                                       case_sizes=case_sizes)
        self.corpus = CorpusPages(corpus) if corpus else None
        self._subdomains: dict[str, object] = {}
        # What crawlers asked for, oldest first (the last 100,000): method, path, status, account.
        self.requests: deque[dict] = deque(maxlen=100_000)
        self._pdfs: dict[str, tuple[str, bytes, float]] = {}
        self._pdf_lock = threading.Lock()
        # NEF/NDA free looks: whose notices' magic numbers open a document once, and which were used
        self.free_look_recipients: set[str] = {"counsel@example.com"}
        self.used_free_looks: set[tuple[str, str, str]] = set()
        # Courts whose RSS feed carries only some kinds of entries (short descriptions); others carry all.
        self.rss_partial: dict[str, tuple[str, ...]] = {}
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "Sandbox":
        self._server = SandboxHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = serve_in_thread(self._server)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> "Sandbox":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Serve in the calling thread until KeyboardInterrupt (the command)."""
        self._server = SandboxHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        try:
            self._server.serve_forever(poll_interval=0.2)
        finally:
            self._server.server_close()

    def bind(self) -> "Sandbox":
        """Open the listening socket (so the port is known) without serving yet."""
        self._server = SandboxHTTPServer((self.host, self.port), self)
        self.port = self._server.server_address[1]
        return self

    # -- what a crawl needs ------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def settings(self) -> dict:
        return {
            "PACER_LOGIN_URL": f"{self.url}/services/cso-auth",
            "PACER_LOGOUT_URL": f"{self.url}/services/cso-logout",
            "PACER_COURT_URL_TEMPLATE": f"{self.url}/court/{{subdomain}}",
            "PACER_ACMS_URL_TEMPLATE": f"{self.url}/acms/{{court_id}}",
        }

    def account_env(self, role: str = "good") -> dict:
        """Environment variables of a test account (PACER_USERNAME, PACER_PASSWORD...)."""
        account = self.accounts[role]
        env = {"PACER_USERNAME": account.login, "PACER_PASSWORD": account.password}
        if account.totp_secret:
            env["PACER_TOTP_SECRET"] = account.totp_secret
        if account.client_code:
            env["PACER_CLIENT_CODE"] = account.client_code
        return env

    def log_request(self, method: str, path: str, status: int | None, login: str | None, **flags) -> None:
        """Record one answered (or dropped) request; the token and body are never kept."""
        self.requests.append({"method": method, "path": path, "status": status, "login": login, **flags})

    def request_counts(self, path_contains: str = "") -> Counter:
        """How often each (method, path) was asked for: a crawl that fetches a page twice shows here."""
        return Counter((r["method"], r["path"]) for r in list(self.requests) if path_contains in r["path"])

    @property
    def logins(self) -> int:
        """Successful cso-auth logins so far."""
        return self.auth.logins

    def settings_for(self, role: str = "good") -> dict:
        """``settings`` plus one test account's credentials: everything a crawl's settings need."""
        return {**self.settings, **self.account_env(role)}

    def court_for_subdomain(self, subdomain: str):
        """The court whose site is ``/court/<subdomain>``, or None (cached: asked on every request)."""
        if subdomain not in self._subdomains:
            try:
                self._subdomains[subdomain] = self.data.court(court_id_for_subdomain(subdomain))
            except UnknownCourtError:
                self._subdomains[subdomain] = None
        return self._subdomains[subdomain]

    def court_base(self, court) -> str:
        return f"{self.url}/court/{court.pacer_subdomain}"

    def court_url(self, court_id: str) -> str:
        return self.court_base(self.data.court(court_id))

    # -- content -----------------------------------------------------------------------------
    def case(self, court_id: str, pacer_case_id: str | int) -> Case | None:
        return self.data.get_case(self.data.court(court_id).court_id, str(pacer_case_id))

    def cases(self, court_id: str) -> list[Case]:
        return list(self.data.cases(self.data.court(court_id).court_id))

    def add_case(self, court_id: str, entries: int | None = None, kind: str | None = None) -> Case:
        return self.data.add_case(self.data.court(court_id).court_id, entries=entries, kind=kind)

    def add_entries(self, court_id: str, pacer_case_id: str | int, n: int = 1, when=None) -> list[Entry]:
        return self.data.add_entries(self.data.court(court_id).court_id, str(pacer_case_id), n, when)

    def seal_case(self, court_id: str, pacer_case_id: str | int) -> None:
        case = self.case(court_id, pacer_case_id)
        if case is None:
            raise KeyError(f"the sandbox has no case {pacer_case_id} at {court_id}")
        case.sealed = True

    def set_faults(self, spec: str | None) -> None:
        self.faults = Faults.parse(spec, self.seed)

    # -- purchased PDFs (show_temp.pl) -------------------------------------------------------
    def store_pdf(self, data: bytes, token: str) -> str:
        name = secrets.token_hex(8)
        with self._pdf_lock:
            now = time.monotonic()
            for key in [k for k, (_, _, t) in self._pdfs.items() if now - t > 600]:
                del self._pdfs[key]  # temp files live ten minutes, like PACER's
            self._pdfs[name] = (token, data, now)
        return f"/tmp/show_temp_{name}.pdf".replace("/", "%2F")

    def fetch_pdf(self, file_param: str, token: str) -> bytes | None:
        name = file_param.rsplit("_", 1)[-1].removesuffix(".pdf")
        with self._pdf_lock:
            found = self._pdfs.get(name)
        if found is None or found[0] != token:
            return None
        return found[1]

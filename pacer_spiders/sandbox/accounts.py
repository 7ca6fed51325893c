"""Sandbox PACER accounts, the cso-auth answers, and NextGenCSO tokens."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

import pyotp

# PACER's authentication API answers loginResult "0" on success (sometimes with a warning in
# errorDescription) and "13" for bad credentials; the messages are the ones PACER sends.
SUCCESS = "0"
FAILED = "13"
MSG_INVALID = "Invalid username, password, or one-time passcode."
MSG_CLIENT_CODE = "A required Client Code was not entered. You will not be allowed search privileges."
MSG_DISABLED = "Your current account has been disabled. Please contact the PACER Service Center."
MSG_EXPIRED = "Your password has expired. Please log in to PACER to change your password."
MSG_REDACT = "All filers must redact: Social Security or taxpayer-identification numbers; dates of birth; " \
             "names of minor children; financial account numbers; and in criminal cases, home addresses."
MSG_MISSING = "Login ID and password are required."


@dataclass
class Account:
    role: str
    login: str
    password: str
    totp_secret: str | None = None
    client_code: str | None = None  # the code this account must send
    disabled: bool = False
    password_expired: bool = False
    filer: bool = False  # a registered filer must send redactFlag "1"

    def as_dict(self) -> dict:
        """What a test or the command prints: everything needed to log in."""
        return {"role": self.role, "login": self.login, "password": self.password,
                "totp_secret": self.totp_secret, "client_code": self.client_code}


def default_accounts() -> dict[str, Account]:
    """One account per login outcome.  Secrets are fixed so that printed settings stay valid."""
    accounts = [
        Account("good", "sandbox-user", "sandbox-pass"),
        Account("good2", "sandbox-user2", "sandbox-pass2"),
        # The good account's login with a wrong password: these credentials never log in.
        Account("wrong_password", "sandbox-user", "not-the-password"),
        Account("expired_password", "sandbox-expired", "sandbox-pass", password_expired=True),
        Account("mfa", "sandbox-mfa", "sandbox-pass", totp_secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"),
        Account("client_code", "sandbox-client", "sandbox-pass", client_code="SANDBOX-CC"),
        Account("disabled", "sandbox-disabled", "sandbox-pass", disabled=True),
        Account("filer", "sandbox-filer", "sandbox-pass", filer=True),
    ]
    return {a.role: a for a in accounts}


@dataclass
class Session:
    token: str
    login: str
    client_code: str
    expires: float
    search_allowed: bool = True


class Authenticator:
    """Checks cso-auth requests and keeps the live tokens (expiring after ``token_ttl`` seconds)."""

    def __init__(self, accounts: dict[str, Account], token_ttl: float = 3600.0, clock=time.monotonic):
        self.accounts = accounts
        self.token_ttl = token_ttl
        self.clock = clock
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        self.logins = 0  # successful logins, for tests and benchmarks

    def by_login(self, login: str) -> Account | None:
        for account in self.accounts.values():
            if account.login == login:
                return account
        return None

    def login(self, body: dict) -> dict:
        """The cso-auth answer for a parsed JSON request body."""
        login = str(body.get("loginId") or "")
        password = str(body.get("password") or "")
        if not login or not password:
            return {"loginResult": FAILED, "errorDescription": MSG_MISSING}
        account = self.by_login(login)
        if account is None or not secrets.compare_digest(account.password, password):
            return {"loginResult": FAILED, "errorDescription": MSG_INVALID}
        if account.totp_secret:
            otp = str(body.get("otpCode") or "")
            # valid_window=1 accepts the previous and next 30-second step (clock skew), as servers do.
            if not otp or not pyotp.TOTP(account.totp_secret).verify(otp, valid_window=1):
                return {"loginResult": FAILED, "errorDescription": MSG_INVALID}
        if account.disabled:
            return {"loginResult": FAILED, "errorDescription": MSG_DISABLED}
        if account.password_expired:
            return {"loginResult": FAILED, "errorDescription": MSG_EXPIRED}
        if account.filer and str(body.get("redactFlag") or "") != "1":
            return {"loginResult": FAILED, "errorDescription": MSG_REDACT}
        client_code = str(body.get("clientCode") or "")
        search_allowed = not account.client_code or client_code == account.client_code
        session = Session(token=secrets.token_hex(64), login=account.login, client_code=client_code,
                          expires=self.clock() + self.token_ttl, search_allowed=search_allowed)
        with self._lock:
            self._sessions[session.token] = session
            self.logins += 1
        answer = {"nextGenCSO": session.token, "loginResult": SUCCESS, "errorDescription": ""}
        if not search_allowed:
            answer["errorDescription"] = MSG_CLIENT_CODE
        return answer

    def logout(self, token: str | None) -> dict:
        with self._lock:
            removed = self._sessions.pop(token or "", None)
        return {"loginResult": SUCCESS if removed else FAILED,
                "errorDescription": "" if removed else "Invalid or expired session."}

    def session(self, token: str | None) -> Session | None:
        if not token:
            return None
        with self._lock:
            session = self._sessions.get(token)
            if session and session.expires <= self.clock():
                del self._sessions[token]
                return None
            return session

    def live_sessions(self) -> list[Session]:
        """The sessions logged in and not logged out (nor expired): what a crawl left open."""
        now = self.clock()
        with self._lock:
            return [s for s in self._sessions.values() if s.expires > now]

    def expire_all(self) -> None:
        """Make every live token expired (tests of re-login)."""
        with self._lock:
            self._sessions.clear()

"""PACER login as a Scrapy downloader middleware.

Each configured account logs in once through PACER's cso-auth JSON API (a Scrapy request sent
with ``engine.download_async``, so it never enters the scheduler, a queue or Redis), with a TOTP
code when the account has a secret and its client code when it has one.  The token goes out as
the ``NextGenCSO`` / ``PacerSession`` / ``PacerClientCode`` cookies on court requests only, is
taken off the request again as soon as the answer comes back (so that a retried or redirected
copy never carries it into the scheduler, a cache or Redis), and is kept at most
``PACER_TOKEN_MAX_AGE`` seconds.  A logged-out answer makes the account log in again once and
the request is retried; requests are spread over the accounts in turn.  At the end every token
is logged out.  In a distributed crawl with ``PACER_SERVICE_SECRET`` each token is also known to
the fleet, sealed in Redis, so that a worker killed before its end has its sessions logged out by
another (pacer_spiders/distributed/sessions.py).

Secrets never reach a log line: ``Account.__repr__`` shows only the index and login, messages
are built from kinds, and a logging filter blanks any secret that would slip through anyway.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
from dataclasses import dataclass, field

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.defer import deferred_from_coro

from pacer_spiders.courts import DEFAULT_COURT_URL_TEMPLATE
from pacer_spiders.distributed.purchases import BORROWED_META
from pacer_spiders.parsers.problems import LOGIN_URL_MARKERS as LOGIN_PAGE_MARKERS
from pacer_spiders.plugin_manager import get_plugin_manager

logger = logging.getLogger(__name__)

TOKEN_COOKIES = ("NextGenCSO", "PacerSession")
CLIENT_CODE_COOKIE = "PacerClientCode"
OUR_COOKIES = (*TOKEN_COOKIES, CLIENT_CODE_COOKIE)
MAX_ACCOUNTS = 20


class LoginFailed(Exception):
    """A login PACER refused; ``kind`` is a short code, the message one line with no secret."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


@dataclass
class Account:
    """One PACER account.  Its repr shows the index and login name only."""

    index: int
    username: str
    password: str = field(repr=False)
    totp_secret: str | None = field(default=None, repr=False)
    client_code: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    token_at: float = field(default=0.0, repr=False)
    serial: int = field(default=0, repr=False)  # bumped at each login: which token a request carried
    failed: str | None = field(default=None, repr=False)
    old_tokens: list = field(default_factory=list, repr=False)
    lock: asyncio.Lock | None = field(default=None, repr=False)
    # A session someone else logged in (the service, for per-request credentials): no password,
    # never logged in again, never logged out here (its owner keeps it at most an hour).
    session_only: bool = field(default=False, repr=False)

    @property
    def label(self) -> str:
        return f"account {self.index} ({self.username})"

    def secrets(self) -> list[str]:
        values = [self.password, self.totp_secret, self.token, *self.old_tokens]
        return [v for v in values if v]


def _clean(value):
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def accounts_from_settings(settings, environ=None) -> list[Account]:
    """The configured accounts, in order.

    ``PACER_ACCOUNTS`` (a JSON list of objects with ``username``, ``password`` and optional
    ``totp_secret`` and ``client_code``) when set; else ``PACER_USERNAME``/``PACER_PASSWORD``
    (+ ``PACER_TOTP_SECRET``, ``PACER_CLIENT_CODE``) and the numbered ``PACER_USERNAME_2``,
    ``PACER_PASSWORD_2``... from the settings or the environment.
    """
    environ = os.environ if environ is None else environ

    def get(name):
        return _clean(settings.get(name)) or _clean(environ.get(name))

    session_token = get("PACER_SESSION_TOKEN")
    if session_token:
        return [Account(1, "session", "", None, get("PACER_CLIENT_CODE"), token=session_token,
                        token_at=time.monotonic(), session_only=True)]
    raw = settings.get("PACER_ACCOUNTS") or environ.get("PACER_ACCOUNTS")
    entries = []
    if raw:
        try:
            data = json.loads(raw) if isinstance(raw, str) else raw
        except ValueError:
            raise ValueError("PACER_ACCOUNTS is not valid JSON (a list of {username, password, ...})") from None
        if isinstance(data, dict):
            data = [data]
        for item in data:
            entries.append((item.get("username") or item.get("login"), item.get("password"),
                            item.get("totp_secret"), item.get("client_code")))
    else:
        for number in range(1, MAX_ACCOUNTS + 1):
            suffix = "" if number == 1 else f"_{number}"
            username = get(f"PACER_USERNAME{suffix}")
            if not username:
                continue
            entries.append((username, get(f"PACER_PASSWORD{suffix}"), get(f"PACER_TOTP_SECRET{suffix}"),
                            get(f"PACER_CLIENT_CODE{suffix}")))
    accounts: list[Account] = []
    for username, password, totp_secret, client_code in entries:
        username, password = _clean(username), _clean(password)
        if not username:
            continue
        if not password:
            raise ValueError(f"PACER account {username!r} has no password (PACER_PASSWORD)")
        accounts.append(Account(len(accounts) + 1, username, password, _clean(totp_secret), _clean(client_code)))
    return accounts


def court_url_pattern(template: str) -> re.Pattern:
    """A regex matching the URLs of every court of ``PACER_COURT_URL_TEMPLATE``."""
    pattern = re.escape(template.rstrip("/"))
    for name in ("subdomain", "court_id"):
        pattern = pattern.replace(re.escape("{" + name + "}"), "[A-Za-z0-9-]+")
    return re.compile(f"^{pattern}(?:[/?#]|$)", re.IGNORECASE)


class SecretFilter(logging.Filter):
    """Blanks every known secret in a log record (message, arguments and traceback)."""

    def __init__(self):
        super().__init__()
        self.secrets: set[str] = set()

    def scrub(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            if secret and secret in text:
                text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format: leave it to logging
            return True
        scrubbed = self.scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            scrubbed = self.scrub(text)
            if scrubbed != text:
                record.exc_info, record.exc_text = None, scrubbed
        elif record.exc_text:
            record.exc_text = self.scrub(record.exc_text)
        return True


def login_body(account: Account) -> dict:
    """The cso-auth JSON request of an account (with a fresh TOTP code when it has a secret)."""
    body = {"loginId": account.username, "password": account.password, "redactFlag": "1"}
    if account.client_code:
        body["clientCode"] = account.client_code
    if account.totp_secret:
        import pyotp

        try:
            body["otpCode"] = pyotp.TOTP(account.totp_secret).now()
        except Exception:
            raise LoginFailed("bad_totp_secret",
                              f"PACER_TOTP_SECRET of {account.label} is not a base32 TOTP secret") from None
    return body


def classify_login_answer(answer: dict, account: Account, sent_otp: bool) -> LoginFailed | None:
    """None when the cso-auth answer is a usable login, else the failure with a clear message."""
    result = str(answer.get("loginResult", "")).strip()
    description = str(answer.get("errorDescription") or "").strip()
    low = description.lower()
    said = f" (PACER says: {description})" if description else ""
    if result == "0" and answer.get("nextGenCSO"):
        if "client code" in low and not account.client_code:
            return LoginFailed("client_code_required",
                               f"PACER login of {account.label}: this account requires a client code; "
                               f"set PACER_CLIENT_CODE{said}")
        return None
    if result == "0":
        return LoginFailed("login_error", f"PACER login of {account.label} returned no token{said}")
    if "expired" in low and "password" in low:
        return LoginFailed("password_expired",
                           f"PACER login of {account.label}: the password has expired; change it at "
                           f"pacer.uscourts.gov (PACER asks every 180 days) and update PACER_PASSWORD{said}")
    if "client code" in low:
        return LoginFailed("client_code_required",
                           f"PACER login of {account.label}: a client code is required; set PACER_CLIENT_CODE{said}")
    if "disabled" in low or "locked" in low:
        return LoginFailed("account_disabled", f"PACER login of {account.label}: the account is disabled{said}")
    mfa_words = ("one-time", "passcode", "otp", "two-factor", "multi-factor", "mfa", "authentication code")
    if any(word in low for word in mfa_words) and "required" in low and not sent_otp:
        return LoginFailed("mfa_required",
                           f"PACER login of {account.label}: multi-factor authentication is required; "
                           f"set PACER_TOTP_SECRET{said}")
    if sent_otp:
        return LoginFailed("bad_credentials",
                           f"PACER refused the login of {account.label}: check PACER_PASSWORD and "
                           f"PACER_TOTP_SECRET (and the clock){said}")
    hint = ("; if the account uses multi-factor authentication, set PACER_TOTP_SECRET"
            if any(word in low for word in mfa_words) else "")
    return LoginFailed("bad_credentials",
                       f"PACER refused the login of {account.label}: check PACER_USERNAME and "
                       f"PACER_PASSWORD{hint}{said}")


def _split_cookie_header(value: bytes | None) -> list[tuple[str, str]]:
    if not value:
        return []
    pairs = []
    for part in value.decode("latin-1").split(";"):
        name, _, val = part.strip().partition("=")
        if name:
            pairs.append((name.strip(), val))
    return pairs


def strip_our_cookies(request: Request) -> None:
    """Take the token cookies off ``request`` (in place); other cookies stay."""
    pairs = [(n, v) for n, v in _split_cookie_header(request.headers.get("Cookie")) if n not in OUR_COOKIES]
    if pairs:
        request.headers["Cookie"] = "; ".join(f"{n}={v}" for n, v in pairs)
    elif b"Cookie" in request.headers:
        del request.headers["Cookie"]


def strip_cookie_header(request: Request) -> None:
    """Take every cookie off a request whose answer came back.

    A retried or redirected copy goes back to the scheduler (and to Redis in a distributed
    crawl); the cookie middleware and this one put the cookies on again when it is sent.
    """
    if b"Cookie" in request.headers:
        del request.headers["Cookie"]


class PacerLoginMiddleware:
    """Logs PACER accounts in, puts their token on court requests, logs in again when needed."""

    def __init__(self, crawler):
        self.crawler = crawler
        settings = crawler.settings
        self.login_url = settings.get("PACER_LOGIN_URL")
        self.logout_url = settings.get("PACER_LOGOUT_URL")
        self.court_pattern = court_url_pattern(settings.get("PACER_COURT_URL_TEMPLATE") or DEFAULT_COURT_URL_TEMPLATE)
        self.max_age = settings.getfloat("PACER_TOKEN_MAX_AGE", 3600.0)
        try:
            self.accounts = accounts_from_settings(settings)
            self.config_error = None
        except ValueError as exc:  # reported as the crawl opens: one line, no traceback
            self.accounts, self.config_error = [], str(exc)
        self._next = 0
        self._failure_reported = False
        # Sessions the HTTP service logged in for one work request (its own credentials), read
        # from Redis when a request of that work request comes: {work request id: Account | None}.
        from pacer_spiders.service.request_sessions import RequestSessions

        self.request_sessions = RequestSessions.from_settings(settings)
        self._request_accounts: dict[str, Account | None] = {}
        # Sessions of dead workers, sealed in their purchase intents, borrowed to fetch what they
        # paid for (pacer_spiders/distributed/purchases.py); logged out here at the end.
        self._borrowed: dict[str, Account] = {}
        # Every worker's sessions, sealed in Redis: a killed worker's are logged out by another.
        self.fleet = None
        self._fleet_unsaid: list[tuple[str, str | None]] = []  # (token, client code) Redis did not take yet
        self._fleet_ticker = None
        self.secret_filter = SecretFilter()
        for account in self.accounts:
            self.secret_filter.secrets.update(account.secrets())
        self._install_filter()
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _install_filter(self) -> None:
        # On every handler of the root logger (Scrapy's and any other), so whatever logs a
        # record, the secret is blanked before it is written.
        for handler in logging.getLogger().handlers:
            if self.secret_filter not in handler.filters:
                handler.addFilter(self.secret_filter)

    def spider_opened(self, spider=None):
        self._install_filter()
        if self.config_error:
            self._end_crawl("bad_accounts", f"PACER accounts: {self.config_error}")
            return
        stats = self.crawler.stats
        stats.set_value("pacer/accounts", len(self.accounts))
        if self.accounts:
            logger.info("PACER accounts: %s", ", ".join(a.label for a in self.accounts))
        self._open_fleet()

    # -- the fleet's sessions (distributed crawls) ------------------------------------------
    def _open_fleet(self) -> None:
        from twisted.internet import task

        from pacer_spiders.distributed.sessions import FleetSessions

        settings = self.crawler.settings
        if not settings.get("REDIS_URL"):
            return
        self.fleet = FleetSessions.from_settings(settings)
        if self.fleet is None:
            if self.accounts:
                logger.info("PACER_SERVICE_SECRET unset: should this worker be killed, its PACER sessions "
                            "stay logged in until they expire")
            return
        self._fleet_ticker = task.LoopingCall(lambda: deferred_from_coro(self._fleet_tick()))
        self._fleet_ticker.start(max(0.05, self.fleet.alive_ms / 6000), now=True)  # a quarter of a lease

    def _fleet_says(self, token: str, client_code: str | None) -> None:
        """This worker's new session, known to the fleet (once Redis answers)."""
        if self.fleet is not None:
            self._fleet_unsaid.append((token, client_code))
            self._fleet_flush()

    def _fleet_flush(self) -> None:
        from pacer_spiders.distributed.outage import REDIS_DOWN

        fleet = self.fleet
        if fleet is None:
            return
        try:
            while self._fleet_unsaid:
                fleet.add(*self._fleet_unsaid[0])
                self._fleet_unsaid.pop(0)
        except REDIS_DOWN:
            pass  # the next tick says it

    async def _fleet_tick(self, closing: bool = False) -> None:
        """Say this worker lives; log out the sessions of workers that died without doing it."""
        from pacer_spiders.distributed.outage import REDIS_DOWN

        fleet = self.fleet
        if fleet is None:
            return
        try:
            self._fleet_flush()
            if not closing:
                fleet.beat()
            dead = fleet.take_dead()
        except REDIS_DOWN:
            return
        except Exception:  # one bad tick must not stop the ticker
            logger.exception("reading the PACER sessions of the fleet failed")
            return
        for worker, session in dead:
            self.secret_filter.secrets.add(session["token"])
            if await self._send_logout(session["token"], f"a session of worker {worker}, gone"):
                self.crawler.stats.inc_value("pacer/logout/dead_worker")
                logger.info("PACER logout: a session of worker %s, which stopped without logging out", worker)

    def _request_account(self, request: Request) -> Account | None:
        """The session given with this request's work request (per-request credentials), if any."""
        work = request.meta.get("work_request_id")
        if self.request_sessions is None or not work:
            return None
        work = str(work)
        if work not in self._request_accounts:
            given = self.request_sessions.get(work)
            account = None
            if given and given.get("token"):
                account = Account(0, f"session of work request {work}", "", None, given.get("client_code"),
                                  token=given["token"], token_at=time.monotonic(), session_only=True)
                self.secret_filter.secrets.add(given["token"])
            self._request_accounts[work] = account
        return self._request_accounts[work]

    # -- which requests --------------------------------------------------------------------
    def is_court_url(self, url: str) -> bool:
        return bool(self.court_pattern.match(url))

    def wants_token(self, request: Request) -> bool:
        """A court request, or one to PACER's single sign-on (``pacer_sso``: ACMS's SAML handshake,
        where PACER's identity provider reads the NextGenCSO cookie as it does a browser's)."""
        return self.is_court_url(request.url) or bool(request.meta.get("pacer_sso"))

    def _is_own(self, request: Request) -> bool:
        return bool(request.meta.get("pacer_auth_request"))

    def _pick_account(self, request: Request) -> Account | None:
        alive = [a for a in self.accounts if not a.failed]
        if not alive:
            return None
        wanted = request.meta.get("pacer_account")
        for account in alive:
            if account.index == wanted:
                return account
        account = alive[self._next % len(alive)]
        self._next += 1
        return account

    # -- login / logout --------------------------------------------------------------------
    def _token_fresh(self, account: Account) -> bool:
        return bool(account.token) and (time.monotonic() - account.token_at) < self.max_age

    async def _ensure_token(self, account: Account) -> None:
        if account.lock is None:
            account.lock = asyncio.Lock()
        async with account.lock:
            if self._token_fresh(account) or account.failed:
                return
            if account.session_only:
                raise LoginFailed("session_expired", f"the PACER session of {account.label} has expired: "
                                  "submit the credentials again")
            if account.token:
                logger.info("PACER token of %s is older than %.0f s: logging in again", account.label, self.max_age)
                account.old_tokens.append(account.token)
                account.token = None
            await self._login(account)

    async def _login(self, account: Account) -> None:
        body = login_body(account)
        sent_otp = "otpCode" in body
        request = Request(
            self.login_url,
            method="POST",
            body=json.dumps(body),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            meta={"pacer_auth_request": True, "dont_cache": True, "handle_httpstatus_all": True,
                  "dont_redirect": True},
            dont_filter=True,
        )
        del body
        stats = self.crawler.stats
        stats.inc_value("pacer/login/attempts")
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:
            raise LoginFailed("login_unreachable",
                              f"PACER login service unreachable for {account.label}: {type(exc).__name__}") from None
        finally:
            del request  # the password leaves memory with the request
        try:
            answer = json.loads(response.body or b"{}")
            if not isinstance(answer, dict):
                raise ValueError
        except ValueError:
            if response.status >= 500:
                raise LoginFailed("login_unavailable",
                                  f"PACER login service unavailable (HTTP {response.status}) for {account.label}; "
                                  f"try again later") from None
            raise LoginFailed("login_error",
                              f"PACER login service answered HTTP {response.status} with no JSON for "
                              f"{account.label}") from None
        failure = classify_login_answer(answer, account, sent_otp)
        if failure is not None:
            if answer.get("nextGenCSO"):  # refused with a session all the same (no client code): log it out
                account.old_tokens.append(str(answer["nextGenCSO"]))
                self.secret_filter.secrets.add(account.old_tokens[-1])
                self._fleet_says(account.old_tokens[-1], account.client_code)
            raise failure
        account.token = str(answer["nextGenCSO"])
        account.token_at = time.monotonic()
        account.serial += 1
        self.secret_filter.secrets.add(account.token)
        self._fleet_says(account.token, account.client_code)
        stats.inc_value("pacer/login/count")
        stats.inc_value(f"pacer/login/account_{account.index}")
        logger.info("PACER login: %s logged in", account.label)

    async def _send_logout(self, token: str, label: str) -> bool:
        request = Request(self.logout_url, method="POST", body=json.dumps({"nextGenCSO": token}),
                          headers={"Content-Type": "application/json", "Accept": "application/json"},
                          meta={"pacer_auth_request": True}, dont_filter=True)
        try:
            await self.crawler.engine.downloader.handlers.download_request_async(request)
        except Exception as exc:
            logger.warning("PACER logout of %s failed: %s", label, type(exc).__name__)
            return False
        return True

    async def _logout_all(self) -> None:
        # a borrowed session is nobody else's any more: its worker is gone
        for account in [*self.accounts, *self._borrowed.values()]:
            if account.session_only and account.index >= 0:
                continue
            tokens = [*account.old_tokens, *([account.token] if account.token else [])]
            for token in tokens:
                if await self._send_logout(token, account.label):
                    self.crawler.stats.inc_value("pacer/logout/count")
            if tokens:
                logger.info("PACER logout: %s", account.label)
            account.token, account.old_tokens = None, []

    async def spider_closed(self, spider=None, reason=None):
        if self._fleet_ticker is not None and self._fleet_ticker.running:
            self._fleet_ticker.stop()
        try:
            if self.fleet is not None:  # the last look for dead workers' sessions
                await self._fleet_tick(closing=True)
            await self._logout_all()
            if self.fleet is not None:
                self._forget_fleet()
        except Exception as exc:  # never let a logout hide the crawl's own result
            logger.warning("PACER logout failed: %s", type(exc).__name__)

    def _forget_fleet(self) -> None:
        from pacer_spiders.distributed.outage import REDIS_DOWN

        if self.fleet is None:
            return
        try:
            self.fleet.forget()
        except REDIS_DOWN:  # the others find this worker dead a lease later and log out nothing
            pass

    def _account_failed(self, account: Account, failure: LoginFailed) -> None:
        account.failed = failure.kind
        stats = self.crawler.stats
        stats.inc_value(f"pacer/errors/{failure.kind}")
        stats.set_value(f"pacer/login/failure/account_{account.index}", failure.kind)
        alive = [a for a in self.accounts if not a.failed]
        if alive:
            logger.error("%s; going on with %s", failure, ", ".join(a.label for a in alive))
        else:
            self._end_crawl(failure.kind, str(failure))

    def _end_crawl(self, kind: str, message: str) -> None:
        if self._failure_reported:
            return
        self._failure_reported = True
        self.crawler.stats.set_value("pacer/login/failure", kind)
        logger.error("%s. Ending the crawl.", message)
        engine = self.crawler.engine
        # Not awaited: closing waits for the downloads in flight, this one among them.
        deferred_from_coro(engine.close_spider_async(reason=f"pacer_{kind}"))

    # -- the middleware hooks --------------------------------------------------------------
    async def process_request(self, request: Request):
        if self._is_own(request) or not self.wants_token(request):
            return None
        strip_our_cookies(request)
        if request.meta.get(BORROWED_META):
            borrowed = await self._while_redis_is_down(self._borrowed_account, request.meta[BORROWED_META])
            if borrowed is None:  # not to be had after all: the document is asked for anew
                return self._take_over(request)
            self._set_cookies(request, borrowed)
            return None
        own = await self._while_redis_is_down(self._request_account, request)
        if own is not None and not request.meta.get("pacer_no_login"):
            if own.failed or not self._token_fresh(own):
                raise IgnoreRequest(f"the PACER session given with work request "
                                    f"{request.meta.get('work_request_id')} has expired or was refused")
            request.meta["pacer_request_session"] = True
            self._set_cookies(request, own)
            return None
        if not self.accounts or request.meta.get("pacer_no_login"):
            return None
        while True:
            account = self._pick_account(request)
            if account is None:
                raise IgnoreRequest("no PACER account can log in")
            try:
                await self._ensure_token(account)
            except LoginFailed as failure:
                if not account.failed:
                    self._account_failed(account, failure)
                continue
            if account.failed or not account.token:
                continue
            break
        request.meta["pacer_account"] = account.index
        request.meta["pacer_token_serial"] = account.serial
        self._set_cookies(request, account)
        return None

    async def _while_redis_is_down(self, call, *args):
        """``call(*args)`` (it may read sessions kept in Redis), waiting out a Redis outage: a
        request must not fail because Redis restarts."""
        from pacer_spiders.distributed.outage import REDIS_DOWN, RedisOutage

        while True:
            try:
                return call(*args)
            except REDIS_DOWN as exc:
                await asyncio.sleep(RedisOutage.for_crawler(self.crawler).failed(exc))

    def _intents(self):
        from pacer_spiders.distributed.purchases import PurchaseIntents, session_cipher
        from pacer_spiders.distributed.store import RedisStore

        return PurchaseIntents(RedisStore.from_settings(self.crawler.settings), session_cipher(self.crawler.settings))

    def _borrowed_account(self, key: str) -> Account | None:
        if key not in self._borrowed:
            given = self._intents().session(key)
            if not given or not given.get("token"):
                return None
            self.secret_filter.secrets.add(given["token"])
            if self.fleet is not None:  # this worker's to log out now (or the fleet's, should it die)
                self.fleet.adopt(given["token"])
            self._borrowed[key] = Account(-1, "the session of a worker that is gone", "", None,
                                          given.get("client_code"), token=given["token"],
                                          token_at=time.monotonic(), session_only=True)
        return self._borrowed[key]

    def _take_over(self, request: Request):
        """A borrowed session that does not serve: the spider asks for the document anew (a
        second purchase, counted as such by the purchase intents)."""
        strip_cookie_header(request)
        self._intents().release(request.meta)
        replacement = getattr(self.crawler.spider, "take_over", lambda _request: None)(request)
        if replacement is None:
            raise IgnoreRequest("needs the PACER session of a worker that is gone")
        replacement.meta.pop(BORROWED_META, None)
        return replacement

    @staticmethod
    def _set_cookies(request: Request, account: Account) -> None:
        assert account.token is not None  # callers pick accounts holding a token
        pairs = _split_cookie_header(request.headers.get("Cookie"))
        pairs += [(name, account.token) for name in TOKEN_COOKIES]
        if account.client_code:
            pairs.append((CLIENT_CODE_COOKIE, account.client_code))
        request.headers["Cookie"] = "; ".join(f"{n}={v}" for n, v in pairs)

    def process_exception(self, request: Request, exception):
        if not self._is_own(request) and self.wants_token(request):
            strip_cookie_header(request)
        return None

    def process_response(self, request: Request, response):
        if self._is_own(request) or not self.wants_token(request):
            return response
        strip_cookie_header(request)
        # Session cookies a court sets are secrets too: blank them in any log line.
        for header in response.headers.getlist("Set-Cookie"):
            value = header.decode("latin-1").split(";", 1)[0].partition("=")[2].strip()
            if len(value) >= 8:
                self.secret_filter.secrets.add(value)
        if request.meta.get(BORROWED_META) and (response.status >= 400 or self.logged_out(response)):
            # the dead worker's session or its temporary link is gone (logged out, ten minutes past)
            logger.warning("the PACER session of a worker that is gone no longer serves %s (HTTP %d)",
                           request.url.split("?")[0], response.status)
            return self._take_over(request)
        if not self.logged_out(response):
            if self.client_code_refused(response):
                self._end_crawl("client_code_required",
                                "PACER refused a search: this account requires a client code; set PACER_CLIENT_CODE")
                raise IgnoreRequest("client code required")
            return response
        stats = self.crawler.stats
        stats.inc_value("pacer/logged_out_pages")
        if request.meta.get("pacer_request_session"):
            own = self._request_account(request)
            if own is not None:
                own.failed = "session_expired"
            stats.inc_value("pacer/errors/request_session_expired")
            raise IgnoreRequest("the PACER session given with this request has expired or was refused")
        if not self.accounts:
            self._end_crawl("no_account",
                            "PACER asked for a login and no account is configured: set PACER_USERNAME and "
                            "PACER_PASSWORD (or PACER_ACCOUNTS)")
            raise IgnoreRequest("no PACER account")
        if request.meta.get("pacer_relogin"):
            stats.inc_value("pacer/errors/logged_out")
            logger.error("Still logged out after logging in again; giving up on %s", request.url)
            raise IgnoreRequest("logged out after a fresh login")
        index = request.meta.get("pacer_account")
        for account in self.accounts:
            # Only the first request that saw this token expire drops it; the others reuse the new one.
            if account.index == index and account.serial == request.meta.get("pacer_token_serial"):
                if account.token:
                    account.old_tokens.append(account.token)
                account.token = None
        logger.info("PACER session expired (%s): logging in again and retrying %s",
                    f"account {index}" if index else "no account", request.url)
        stats.inc_value("pacer/relogin")
        retry = request.replace(dont_filter=True)
        retry.meta["pacer_relogin"] = True
        return retry

    # -- what a logged-out or refused answer looks like ------------------------------------
    @staticmethod
    def logged_out(response) -> bool:
        if 300 <= response.status < 400:
            location = response.headers.get("Location", b"").decode("latin-1")
            return any(marker in location for marker in LOGIN_PAGE_MARKERS)
        if any(marker in response.url for marker in LOGIN_PAGE_MARKERS):
            return True
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
        if "pdf" in content_type or response.body[:5] == b"%PDF-":
            return False
        head = response.body[:20000].decode("utf-8", "replace")
        # PACER's login page is one of its messages: a court plugin recognises its own through
        # the classify_page hook (report "session"); the built-in answer is problems.is_logged_out_page.
        problem = get_plugin_manager().hook.classify_page(court_id=None, report="session", text=head)
        return problem is not None and problem.kind == "login"

    @staticmethod
    def client_code_refused(response) -> bool:
        if response.body[:5] == b"%PDF-":
            return False
        return b"client code is required" in response.body[:20000].lower()

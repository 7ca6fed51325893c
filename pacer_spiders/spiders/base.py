"""What every PACER spider shares: arguments, court URLs, raw-page items, receipts and the cost cap.

Spiders fetch, read each page once with its report unit (``read_page``), yield the parsed item
and follow only what that reading found.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

import scrapy
from parsel import Selector
from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future

from pacer_spiders.courts import Court, UnknownCourtError, court_base_url, get_court, normalize_pacer_doc_id
from pacer_spiders.distributed.purchases import PURCHASE_META, PURCHASED_META, intent_key, purchase_key  # noqa: F401
from pacer_spiders.distributed.spider import DistributedSpiderMixin
from pacer_spiders.items import RawPage
from pacer_spiders.offreactor import BIG_PAGE, give_back_freed_memory, reactor_turn
from pacer_spiders.pages import PageProblem
from pacer_spiders.parsers.common import BadValue, check_date
from pacer_spiders.reports import PageRead, read
from pacer_spiders.reports.receipt import (  # noqa: F401
    MAX_CHARGE,
    PRICE_PER_PAGE,
    estimated_receipt,
    expected_length,
    receipt_cost,
    receipt_of,
)

if TYPE_CHECKING:
    from pacer_spiders.offreactor import WorkerThread

logger = logging.getLogger(__name__)

TRUE_WORDS = ("1", "true", "yes", "on", "y")
#: seconds: start requests are made for this long at most before the reactor gets a turn
START_TURN = 0.02


class ArgumentError(ValueError):
    """A crawl argument that cannot work; the message says which and why."""


def flag(value, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in TRUE_WORDS


def pacer_date(value: str | None, name: str = "date") -> str:
    """``YYYY-MM-DD`` or ``MM/DD/YYYY`` within PACER's era -> PACER's ``MM/DD/YYYY``; '' when absent."""
    if not value:
        return ""
    return check_date(value, name).strftime("%m/%d/%Y")


def multipart_request(url: str, fields: dict, **kwargs) -> scrapy.Request:
    """A multipart/form-data POST, as every PACER form sends (the fields as text parts)."""
    boundary = "----pacerspiders" + secrets.token_hex(12)
    parts = []
    for name, value in fields.items():
        if value is None:
            continue
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n')
    body = ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8")
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return scrapy.Request(url, method="POST", body=body, headers=headers, **kwargs)


def parse_response(response, report_type: str, context: dict, billed: bool = False, receipt=None):
    """The pure part of reading a page (no stats, no I/O; safe in a thread): (PageRead, receipt, cost)."""
    broken = "dataloss" in getattr(response, "flags", ())
    if billed and receipt is None:
        receipt = estimated_receipt(response) if broken else receipt_of(response.body)
    cost = receipt_cost(receipt) if billed else 0.0
    content_type = response.headers.get("Content-Type", b"").decode("latin-1") or None
    provenance = {
        "court_id": context.get("court_id"), "url": response.url, "status": response.status,
        "content_type": content_type, "context": {k: v for k, v in context.items() if v not in (None, "")},
        "receipt": receipt, "cost": cost, "account": response.meta.get("pacer_account"),
        "fetched_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    page = read(report_type, response.body, provenance)
    if broken and page.problem is None:  # whatever the bytes look like, the answer broke off
        problem = PageProblem("truncated", f"the answer broke off after {len(response.body)} of "
                                           f"{expected_length(response) or '?'} bytes")
        page = PageRead(page.unit, [RawPage(**{**provenance, "report_type": report_type, "body": response.body},
                                            problem=problem)], None, problem)
    return page, receipt, cost


def parse_off_reactor(response, report_type: str, context: dict, billed: bool = False, receipt=None):
    """``parse_response`` in the parse thread: a big page's tree is gone when it returns, and its
    memory goes back to the system before the merge takes its own."""
    from pacer_spiders.parsers.common import forget_lowered_bytes

    parsed = parse_response(response, report_type, context, billed, receipt)
    if len(response.body) >= BIG_PAGE:
        forget_lowered_bytes()  # it holds the page's text and lower-cased bytes beyond the parse
        give_back_freed_memory()
    return parsed


class PacerSpider(DistributedSpiderMixin, scrapy.Spider):
    """Base of the PACER spiders: ``-a court=<court id>`` and the shared machinery.

    A request's ``cb_kwargs`` and ``meta`` hold JSON values only (court ids, not Court objects),
    so that a distributed crawl can queue it in Redis as JSON.
    """

    custom_settings: dict = {}
    #: the crawl logs in to PACER (``scrapy crawl`` refuses to start against real PACER with no account)
    needs_login = True

    def __init__(self, court: str | None = None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.court_arg = court
        self.max_cost: float | None = None
        self.reserved = 0.0  # dollars promised to billed requests still in flight
        self.cost_cap_reached = False
        self._parse_thread: WorkerThread | None = None  # started by the first read_page_off_reactor

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.read_settings(crawler.settings)
        # Scrapy makes the spider before add-ons (pacer_spiders.Addon in another project) add
        # their settings: read them again once they are final, before any other component's
        # spider_opened handler (connected later) can ask for them.
        crawler.signals.connect(spider.read_final_settings, signal=signals.spider_opened)
        from pacer_spiders.budgets import Budgets

        spider.budgets = Budgets.from_crawler(crawler)
        spider.budget_problem = None
        crawler.signals.connect(spider.close_when_capped, signal=signals.spider_idle)
        return spider

    def read_settings(self, settings) -> None:
        self.url_template = settings.get("PACER_COURT_URL_TEMPLATE")
        max_cost = settings.get("PACER_MAX_COST")
        self.max_cost = float(max_cost) if max_cost not in (None, "") else None
        self.database_url = settings.get("DATABASE_URL")
        self.paid_retries = settings.getint("PACER_PAID_RETRIES", 1)

    def read_final_settings(self, spider) -> None:
        if spider is self:
            self.read_settings(self.crawler.settings)

    # -- arguments and courts ----------------------------------------------------------------
    def court(self, court_id: str | None = None) -> Court:
        wanted = court_id or self.court_arg
        if not wanted:
            raise ArgumentError("no court: pass -a court=<court id> (`pacer-spiders courts` lists them)")
        return get_court(wanted)

    def base_url(self, court: Court) -> str:
        return court_base_url(court.court_id, self.url_template)

    def doc1_url(self, court: Court, pacer_doc_id: str) -> str:
        return f"{self.base_url(court)}/doc1/{normalize_pacer_doc_id(pacer_doc_id, court.court_id)}"

    def refuse(self, kind: str, message: str) -> None:
        """One clear line for a crawl argument or a page that cannot be used; counted by reason."""
        self.crawler.stats.inc_value(f"pacer/errors/{kind}")
        logger.error(message)

    async def start(self):
        try:
            checked = False
            turn_began = time.monotonic()
            for request in self.start_requests_checked():
                if not checked:  # the arguments were good enough to make a request: now the account
                    checked = True
                    self.refuse_without_account()
                yield request
                if time.monotonic() - turn_began > START_TURN:
                    # Scrapy takes start requests as long as they come without a wait: a list of
                    # hundreds of cases kept the reactor from its loop (and every answer waiting) for
                    # the time it took to build them all.
                    await reactor_turn()
                    turn_began = time.monotonic()
        except (ArgumentError, BadValue, UnknownCourtError) as exc:
            kind = "unknown_court" if isinstance(exc, UnknownCourtError) else "bad_argument"
            self.refuse(kind, str(exc))
            self.crawler.stats.set_value("pacer/close_reason", kind)
            raise CloseSpider(kind) from None

    def refuse_without_account(self) -> None:
        """A crawl of real PACER with no account to log in with ends before its first request, in
        one line (the first login would fail mid-crawl); the sandbox and the free feeds pass."""
        from pacer_spiders.scrapy_commands.crawl import credentials_problem

        problem = credentials_problem(self.crawler.settings, type(self))
        if problem:
            self.refuse("no_account", problem)
            self.crawler.stats.set_value("pacer/close_reason", "no_account")
            raise CloseSpider("no_account")

    def start_requests_checked(self):
        """The first requests; raise ArgumentError / UnknownCourtError for bad arguments."""
        return []

    # -- pages, receipts, cost ---------------------------------------------------------------
    def read_page(self, response, report_type: str, context: dict, billed: bool = False, receipt=None) -> PageRead:
        """Read one page with its report unit, once: ``.items`` to yield, ``.parsed`` to follow.

        A billed page's cost is its receipt's (the one at its foot, unless ``receipt`` is given);
        it is added to the crawl's spending whatever the page turns out to be.
        """
        return self.account_page(response, report_type, context,
                                 *parse_response(response, report_type, context, billed, receipt))

    async def read_page_off_reactor(self, response, report_type: str, context: dict, billed: bool = False,
                                    receipt=None) -> PageRead:
        """``read_page`` with the parse in the spider's parse thread, for pages big enough to keep
        the reactor from its loop (a docket): the callback awaits it.

        The page's cost is counted when the parse returns, in the same turn of the reactor as the
        caller's next step: a caller that reserved money for the page releases it after the await."""
        from twisted.internet import reactor

        from pacer_spiders.offreactor import WorkerThread

        if self._parse_thread is None:
            # One thread: pages are parsed one at a time (one page's tree in memory at once), and
            # under the GIL a second thread would add no speed.
            self._parse_thread = WorkerThread("pacer-parse", reactor)
            self.crawler.signals.connect(self._stop_parse_thread, signal=signals.spider_closed)
        parsed = await maybe_deferred_to_future(self._parse_thread.call(
            parse_off_reactor, response, report_type, context, billed, receipt))
        return self.account_page(response, report_type, context, *parsed)

    def _stop_parse_thread(self) -> None:
        if self._parse_thread is not None:  # every callback has returned: the thread is idle
            self._parse_thread.stop()
            self._parse_thread = None

    def account_page(self, response, report_type: str, context: dict, page: PageRead, receipt, cost: float) -> PageRead:
        """The reactor's part of reading a page: stats, spending and the receipt's record."""
        stats = self.crawler.stats
        if "dataloss" in getattr(response, "flags", ()):
            stats.inc_value("pacer/broken_answers")
            if cost:
                stats.set_value("pacer/spent_estimated",
                                round(float(stats.get_value("pacer/spent_estimated", 0.0)) + cost, 2))
        stats.inc_value(f"pacer/pages/{report_type}")
        if cost:
            stats.set_value("pacer/spent", round(float(stats.get_value("pacer/spent", 0.0)) + cost, 2))
            try:
                pages = int(receipt.get("billable_pages") or 0)
            except (TypeError, ValueError):
                pages = None
            stats.inc_value("pacer/billed_pages", pages or 0)
            self.record_receipt(response, context.get("court_id"), report_type, cost, pages)
        return page

    def page_items(self, response, report_type: str, context: dict, billed: bool = False, receipt=None):
        """The items one page of ``report_type`` yields (for a callback that follows nothing on it)."""
        yield from self.read_page(response, report_type, context, billed=billed, receipt=receipt).items

    def buy_again(self, response, page: PageRead, context: dict, cost: float, what: str) -> bool:
        """Whether a billed answer that broke off is bought once more: at most PACER_PAID_RETRIES
        times a report (each try is billed), and never past PACER_MAX_COST."""
        if page.problem is None or page.problem.kind != "truncated" or "dataloss" not in response.flags:
            return False
        tries = int(context.get("paid_tries") or 0)
        if tries >= self.paid_retries:
            self.refuse("truncated", f"{what}: the answer broke off {tries + 1} times (each billed); giving up")
            return False
        if not self.within_cap(cost):
            self.stop_for_cost(cost, f"{what} (again, after its answer broke off)")
            return False
        logger.warning("%s: the answer broke off (billed); asking once more", what)
        return True

    @staticmethod
    def same_account(response) -> dict:
        """Meta for a request that must go with the same login (a purchase and its temporary PDF).

        ``pacer_session_bound`` names the worker process whose session it needs, so that a
        distributed crawl keeps it there (``pacer_account``, set by the login middleware on every
        court request, only picks the account).  A page replayed from a dead worker's keeping came
        with that worker's session, which this process does not have."""
        from pacer_spiders.distributed import this_process

        account = response.meta.get("pacer_account")
        replayed = "replayed" in getattr(response, "flags", ())
        meta = {"pacer_session_bound": "a worker that is gone" if replayed else this_process()}
        # what the purchase bought: its sealed session can fetch this if this worker dies
        purchase = intent_key(response.meta) or response.meta.get(PURCHASED_META)
        if purchase:
            meta[PURCHASED_META] = purchase
        if account is not None:
            meta["pacer_account"] = account
        return meta

    def take_over(self, request):
        """A request that needs the PACER session of a worker that is gone: what to ask instead
        (None: nothing; the request is dropped with an error line)."""
        return None

    @staticmethod
    def carried_meta(request) -> dict:
        """The meta a replacement of ``request`` keeps: its work request, and its lease."""
        from pacer_spiders.distributed.inflight import LEASE_META

        keep = ("work_request_id", "work_attempt", "court_id", LEASE_META)
        return {key: request.meta[key] for key in keep if key in request.meta}

    def spent(self) -> float:
        return float(self.crawler.stats.get_value("pacer/spent", 0.0))

    def record_receipt(self, response, court_id, report_type, cost, pages) -> None:
        """The charge into the archive's receipts (and Redis's totals), for the fee budgets."""
        budgets = getattr(self, "budgets", None)
        if budgets is None:
            return
        index = response.meta.get("pacer_account")
        account = self.account_names.get(index) if index is not None else None
        try:
            budgets.record(account, court_id, report_type, cost, pages, response.url)
        except Exception as exc:  # a receipt that cannot be kept must not lose the page itself
            logger.error("the receipt of %s could not be recorded: %s", response.url, type(exc).__name__)

    @property
    def account_names(self) -> dict:
        if not hasattr(self, "_account_names"):
            from pacer_spiders.login import accounts_from_settings

            try:
                self._account_names = {a.index: a.username for a in accounts_from_settings(self.crawler.settings)}
            except Exception:
                self._account_names = {}
        return self._account_names

    def within_cap(self, cost: float) -> bool:
        """Whether ``cost`` more dollars stay within PACER_MAX_COST (counting purchases in flight)
        and within every fee budget (PACER_BUDGET_DAY, PACER_BUDGET_QUARTER, from all receipts)."""
        if self.cost_cap_reached:
            return False
        budgets = getattr(self, "budgets", None)
        if budgets is not None and budgets.active:
            self.budget_problem = budgets.problem(cost, self.reserved)
            if self.budget_problem:
                return False
        if self.max_cost is None:
            return True
        return self.spent() + self.reserved + cost <= self.max_cost + 1e-9

    def stop_for_cost(self, cost: float, what: str) -> None:
        """Buy nothing more.  The caller skips ``what``.

        Purchases already paid for still come in and are stored (closing at once would drop a
        bought PDF); the crawl closes with reason ``cost_cap`` when nothing is left in flight.
        """
        self.crawler.stats.inc_value("pacer/skipped/cost_cap")
        if self.budget_problem and not self.cost_cap_reached:
            self.crawler.stats.set_value("pacer/budget_stop", self.budget_problem)
            logger.warning("%s (%s). Stopping the crawl before buying.", self.budget_problem, what)
        elif not self.cost_cap_reached:
            logger.warning(
                "PACER_MAX_COST $%.2f would be passed: spent $%.2f, %s costs $%.2f. Stopping the crawl.",
                self.max_cost, self.spent() + self.reserved, what, cost,
            )
        self.cost_cap_reached = True
        if self.reserved <= 1e-9:
            raise CloseSpider("cost_cap")

    def close_when_capped(self) -> None:
        """spider_idle: a crawl that reached its cap ends with reason ``cost_cap``."""
        if self.cost_cap_reached:
            raise CloseSpider("cost_cap")

    def failed(self, failure):
        """Errback: a request that got no answer, counted by reason (a refused login said why already)."""
        request = getattr(failure, "request", None)
        if failure.check(HttpError):
            response = failure.value.response
            self.refuse(f"http_{response.status}", f"PACER answered HTTP {response.status} for {response.url}")
            return
        if failure.check(IgnoreRequest):
            return
        self.refuse("download", f"request failed: {request.url if request else ''} ({failure.type.__name__})")

    @staticmethod
    def selector(response) -> Selector:
        return Selector(text=response.body.decode("utf-8", "replace"))

    @staticmethod
    def today() -> str:
        return date.today().isoformat()

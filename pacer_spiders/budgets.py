"""Fee budgets: what each PACER account may spend in a day and a quarter, across crawls and workers.

Every billed page's receipt goes to the archive's ``receipts`` table (with the account's login), and,
when the crawl is distributed, to per-account day and quarter totals in Redis (one atomic
INCRBYFLOAT each, so workers with separate archives still see one another's spending).  Before a
purchase, ``Budgets.problem(cost)`` says in one line which budget it would pass, or None.

PACER's Electronic Public Access Fee Schedule (uscourts.gov, "Electronic Public Access Fee
Schedule"): $0.10 a page, at most the fee for 30 pages a case document, docket sheet or
case-specific report, with no cap for transcripts and non-case-specific reports; no fee is owed
until an account accrues more than $30.00 in a quarterly billing cycle.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import func, inspect, select

from pacer_spiders.db import make_engine
from pacer_spiders.db.models import ReceiptRow

if TYPE_CHECKING:
    from pacer_spiders.offreactor import WorkerThread

logger = logging.getLogger(__name__)

REDIS_PATIENCE = 120.0  # seconds a receipt waits for Redis to add it to the fleet's totals
QUARTERLY_WAIVER = 30.00  # no fee owed at or under this much a quarter (the fee schedule)


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0))


class Receipts:
    """The archive's receipts (read and written); a database without the table holds none."""

    def __init__(self, database_url: str):
        self.engine = make_engine(database_url)
        self._ready = False

    def ready(self) -> bool:
        if not self._ready:
            self._ready = "receipts" in inspect(self.engine).get_table_names()
        return self._ready

    def record(self, account: str | None, court_id: str | None, report_type: str, cost: float,
               pages: int | None, url: str | None, at: dt.datetime | None = None) -> None:
        self.record_many([(account, court_id, report_type, cost, pages, url)], at)

    def record_many(self, charges: Sequence[tuple], at: dt.datetime | None = None) -> None:
        """Keep charges ``(account, court id, report type, cost, pages, url)``: one statement, one commit."""
        if not charges or not self.ready():
            return
        billed_at = at or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        with self.engine.begin() as conn:
            conn.execute(ReceiptRow.__table__.insert(), [
                {"billed_at": billed_at, "account": account, "court_id": court_id, "report_type": report_type,
                 "cost": round(float(cost), 2), "pages": pages, "url": url}
                for account, court_id, report_type, cost, pages, url in charges])

    def spent(self, account: str | None, since: dt.datetime) -> float:
        if not self.ready():
            return 0.0
        table = ReceiptRow.__table__
        query = select(func.coalesce(func.sum(table.c.cost), 0.0)).where(table.c.billed_at >= since)
        if account is not None:
            query = query.where(table.c.account == account)
        with self.engine.connect() as conn:
            return round(float(conn.execute(query).scalar() or 0.0), 2)

    def rows(self, since: dt.datetime | None = None) -> list[dict]:
        if not self.ready():
            return []
        table = ReceiptRow.__table__
        query = select(table)
        if since is not None:
            query = query.where(table.c.billed_at >= since)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query.order_by(table.c.billed_at)).mappings()]


class Budgets:
    """PACER_BUDGET_DAY and PACER_BUDGET_QUARTER (dollars, per account) of one crawl."""

    def __init__(self, receipts: Receipts | None, accounts: list[str], day: float | None, quarter: float | None,
                 redis=None, prefix: str = "pacer"):
        self.receipts = receipts
        self.accounts: Sequence[str | None] = accounts or [None]  # None: a crawl's one unnamed account
        self.limits = {"day": day, "quarter": quarter}
        self.redis, self.prefix = redis, prefix
        self._writer: WorkerThread | None = None  # in a crawl, the receipts' thread (the reactor never waits on a write lock)
        self._pending: dict = {}  # account -> dollars handed to that thread and not yet written
        self._queued: list[tuple] = []  # charges waiting for the thread to finish the ones it has
        self._writing = False  # the thread has charges to write

    @classmethod
    def from_crawler(cls, crawler) -> "Budgets":
        from pacer_spiders.login import accounts_from_settings

        settings = crawler.settings
        day, quarter = (settings.get(name) for name in ("PACER_BUDGET_DAY", "PACER_BUDGET_QUARTER"))
        database_url = settings.get("DATABASE_URL")
        try:
            accounts = [a.username for a in accounts_from_settings(settings)]
        except Exception:  # a bad account list is the login middleware's to report
            accounts = []
        redis = None
        if settings.get("REDIS_URL"):
            import redis as redis_module

            redis = redis_module.Redis.from_url(settings.get("REDIS_URL"))
        budgets = cls(Receipts(database_url) if database_url else None, accounts,
                      float(day) if day not in (None, "") else None,
                      float(quarter) if quarter not in (None, "") else None,
                      redis=redis, prefix=settings.get("PACER_REDIS_PREFIX", "pacer"))
        from scrapy import signals

        crawler.signals.connect(budgets.close, signal=signals.spider_closed)
        return budgets

    @property
    def active(self) -> bool:
        return any(v is not None for v in self.limits.values())

    def _periods(self, now: dt.datetime) -> dict[str, tuple[dt.datetime, str]]:
        today = now.date()
        return {"day": (_midnight(today), today.isoformat()),
                "quarter": (_midnight(quarter_start(today)), f"{today.year}q{(today.month - 1) // 3 + 1}")}

    def _key(self, account, period: str, label: str) -> str:
        return f"{self.prefix}:budget:{account or '-'}:{period}:{label}"

    def spent(self, account, period: str, now: dt.datetime | None = None) -> float:
        now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        since, label = self._periods(now)[period]
        archive = self.receipts.spent(account, since) if self.receipts else 0.0
        shared = float(self.redis.get(self._key(account, period, label)) or 0.0) if self.redis is not None else 0.0
        return max(archive, shared) + self._pending.get(account, 0.0)

    def problem(self, cost: float, in_flight: float = 0.0) -> str | None:
        """One line naming the budget ``cost`` more dollars would pass (None when every one holds)."""
        if not self.active:
            return None
        for account in self.accounts:
            for period, limit in self.limits.items():
                if limit is None:
                    continue
                spent = self.spent(account, period)
                if spent + in_flight + cost > limit + 1e-9:
                    who = f"account {account}" if account else "the account"
                    return (f"PACER_BUDGET_{period.upper()} ${limit:.2f} of {who} would be passed: "
                            f"${spent + in_flight:.2f} spent this {period}, the next purchase costs up to ${cost:.2f}")
        return None

    def record(self, account, court_id, report_type, cost, pages, url) -> None:
        """Keep one charge.  In a crawl the receipts' thread writes it (in order); until it is
        written it counts in ``spent`` all the same.  The charges that come while the thread writes
        are handed to it together once it is done (one transaction, one wake-up of the reactor for
        them all, rather than one a page)."""
        from pacer_spiders.offreactor import WorkerThread, running_reactor

        if self._writer is None and (reactor := running_reactor()) is not None:
            self._writer = WorkerThread("pacer-receipts", reactor)
        if self._writer is None:
            self.write_many([(account, court_id, report_type, cost, pages, url)])
            return
        self._pending[account] = self._pending.get(account, 0.0) + cost
        self._queued.append((account, court_id, report_type, cost, pages, url))
        if not self._writing:
            self._hand_over()

    def _hand_over(self) -> None:
        """Give the receipts' thread every charge queued so far."""
        assert self._writer is not None  # in a crawl, before its close
        charges, self._queued = self._queued, []
        self._writing = True

        def failed(failure):
            for charge in charges:
                logger.error("the receipt of %s could not be recorded: %s", charge[5], failure.type.__name__)

        def written(_):
            for account, *_others, cost, _pages, _url in charges:
                self._pending[account] -= cost
            self._writing = False
            if self._queued and self._writer is not None:
                self._hand_over()

        self._writer.call(self.write_many, charges).addErrback(failed).addBoth(written)

    def close(self, spider=None, reason=None):
        """The crawl's end: every receipt handed to the thread is written before it stops (Scrapy
        waits for the Deferred returned to a ``spider_closed`` handler)."""
        if self._writer is not None:
            if self._queued:
                self._hand_over()  # after the ones the thread has: it runs its calls in order
            writer, self._writer = self._writer, None
            return writer.stop_when_done()
        return None

    def write_many(self, charges: list[tuple]) -> None:
        """Charges ``(account, court id, report type, cost, pages, url)`` into the archive's receipts
        (one transaction) and the fleet's totals in Redis."""
        if self.receipts:
            self.receipts.record_many(charges)
        if self.redis is not None:
            for account, _court_id, _report_type, cost, _pages, _url in charges:
                self._add_to_shared_totals(account, cost)

    def _add_to_shared_totals(self, account, cost, patience: float = REDIS_PATIENCE) -> None:
        """The fleet's running totals in Redis.  A Redis outage is waited out (this runs on the
        receipts' thread, or before the crawl's reactor runs), for ``patience`` seconds at most: the
        receipt itself is already in the archive, which ``spent`` reads too."""
        from pacer_spiders.distributed.outage import REDIS_DOWN

        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        keys = [self._key(account, period, label) for period, (_since, label) in self._periods(now).items()]
        deadline, delay = time.monotonic() + patience, 0.2
        while True:
            try:
                pipe = self.redis.pipeline(transaction=True)  # every period's total, or none of them
                for key in keys:
                    pipe.incrbyfloat(key, round(float(cost), 2))
                    pipe.expire(key, 100 * 86400)
                pipe.execute()
                return
            except REDIS_DOWN:
                if time.monotonic() + delay > deadline:
                    raise
                time.sleep(delay)
                delay = min(delay * 2, 5.0)


def summary(receipts: Receipts, since: dt.datetime | None, by: str | None, now: dt.datetime | None = None) -> str:
    """What ``pacer-spiders costs`` prints: spending from receipts, and the quarter against the waiver."""
    now = now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    rows = receipts.rows(since)
    column = {"court": "court_id", "account": "account", "report": "report_type"}.get(by or "")
    lines = []
    if column:
        totals: dict[str, list] = {}
        for row in rows:
            entry = totals.setdefault(row[column] or "-", [0, 0.0])
            entry[0] += 1
            entry[1] += row["cost"]
        lines.append(f"{by:<24} {'charges':>8} {'cost':>10}")
        for name, (count, cost) in sorted(totals.items(), key=lambda kv: -kv[1][1]):
            lines.append(f"{name:<24} {count:>8} {'$%.2f' % cost:>10}")
    total = round(sum(r["cost"] for r in rows), 2)
    lines.append(f"total: {len(rows)} charges, ${total:.2f}" + (f" since {since.date().isoformat()}" if since else ""))
    start = _midnight(quarter_start(now.date()))
    by_account: dict[str, float] = {}
    for row in receipts.rows(start):
        by_account[row["account"] or "-"] = by_account.get(row["account"] or "-", 0.0) + row["cost"]
    for account, cost in sorted(by_account.items()) or [("-", 0.0)]:
        state = "within" if cost <= QUARTERLY_WAIVER + 1e-9 else "over"
        lines.append(f"quarter from {start.date().isoformat()}, account {account}: ${cost:.2f} of PACER's "
                     f"${QUARTERLY_WAIVER:.2f} quarterly waiver ({state}: "
                     + ("nothing owed)" if state == "within" else f"${cost:.2f} owed)"))
    return "\n".join(lines)

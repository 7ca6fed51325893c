"""Kill points for the fault tests: a worker kills itself (SIGKILL, as ``kill -9``) at a chosen moment.

``EXTENSIONS={"pacer_spiders.testing.killpoints.KillPoint": 0}`` (and, for ``receipt``,
``SPIDER_MIDDLEWARES={"pacer_spiders.testing.killpoints.KillPoint": 1000}``) with ``PACER_KILL_AT`` one of

| point | the worker dies |
|---|---|
| `purchase_answered` | once PACER answered a billed request (`meta["pacer_purchase"]`: docket report, document purchase POST) and the worker kept the answer |
| `billed_page` | once a billed page arrived: a docket report, or the PDF behind a purchase |
| `receipt` | once the spider yields a billed page's receipt item, before it yields anything after it (a document's purchase POST comes next) |
| `before_ack` | just before it acks a request whose page it received and handled |

``PACER_KILL_MATCH`` (a URL substring) narrows the requests; ``PACER_KILL_ONCE`` names a file
created at the kill, so the replacement worker, run with the same settings, lives.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from pacer_spiders.distributed.purchases import PURCHASE_META, PURCHASED_META

POINTS = ("purchase_answered", "billed_page", "receipt", "before_ack")


class KillPoint:
    def __init__(self, crawler):
        settings = crawler.settings
        self.point = settings.get("PACER_KILL_AT")
        if not self.point:
            raise NotConfigured
        if self.point not in POINTS:
            raise ValueError(f"PACER_KILL_AT must be one of {', '.join(POINTS)}, not {self.point!r}")
        self.match = settings.get("PACER_KILL_MATCH") or ""
        self.once = settings.get("PACER_KILL_ONCE")
        self.received: set = set()
        # connected when the spider opens: after the scheduler's own handlers, so a page it keeps is kept
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider=None):
        from pacer_spiders.distributed.scheduler import lease_done

        connect = self.crawler.signals.connect
        connect(self.response_received, signal=signals.response_received)
        connect(self.lease_done, signal=lease_done)

    def _matches(self, request) -> bool:
        return request is not None and self.match in request.url

    def die(self) -> None:
        if self.once:
            once = Path(self.once)
            if once.exists():
                return
            once.write_text(self.point)
        os.kill(os.getpid(), signal.SIGKILL)

    @staticmethod
    def _billed(request, response) -> bool:
        """The page paid for: a billed report, or the PDF behind a purchase (not the purchase's
        own answer, which only leads to it)."""
        if response.body[:5] == b"%PDF-":
            return bool(request.meta.get(PURCHASE_META) or request.meta.get(PURCHASED_META))
        return bool(request.meta.get(PURCHASE_META)) and not request.meta.get("pacer_session_bound")

    def response_received(self, response, request, spider=None):
        if "replayed" in response.flags or not self._matches(request):
            return
        if self.point == "purchase_answered" and request.meta.get(PURCHASE_META):
            self.die()
        elif self.point == "billed_page" and self._billed(request, response):
            self.die()
        elif self.point == "before_ack":
            self.received.add(request.meta.get("pacer_lease"))

    # -- as a spider middleware: the receipt point --------------------------------------------
    # Killed where the callback yields the receipt, not when the pipelines are done with it: by
    # then the purchase yielded next may already be on the wire, and the kill would test a
    # purchase PACER got, not the moment after reading the receipt.
    def _is_receipt(self, response, item) -> bool:
        if self.point != "receipt" or response is None or not self._matches(response.request):
            return False
        if isinstance(item, Request) or not hasattr(item, "get"):
            return False
        return bool(item.get("cost") or item.get("receipt"))

    def process_spider_output(self, response, result, spider=None):
        for output in result:
            if self._is_receipt(response, output):
                self.die()
            yield output

    async def process_spider_output_async(self, response, result, spider=None):
        async for output in result:
            if self._is_receipt(response, output):
                self.die()
            yield output

    def lease_done(self, lease):
        if self.point == "before_ack" and lease.id in self.received:
            self.die()

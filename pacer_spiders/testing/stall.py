"""A crawl extension for the benchmarks: how long the reactor thread was kept from its loop.

``-s EXTENSIONS={"pacer_spiders.testing.stall.ReactorStallMeter": 0}`` (or the bench scripts) puts
``reactor/longest_stall_ms`` and ``reactor/stalls_over_100ms`` in the crawl's stats: a timer asks
for a call every 10 ms, and the lateness of each call is a stall (a merge, a parse, a log flush).
"""

from __future__ import annotations

import time

from scrapy import signals

TICK = 0.010


class ReactorStallMeter:
    def __init__(self, crawler):
        self.stats = crawler.stats
        self.longest = 0.0
        self.over_100ms = 0
        self.call = None
        self.expected = 0.0  # when the next tick is due (set by start)
        crawler.signals.connect(self.start, signal=signals.engine_started)
        crawler.signals.connect(self.stop, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def start(self):
        from twisted.internet import reactor

        self.reactor = reactor
        self.expected = time.perf_counter()
        # Twisted types the reactor by zope interfaces, whose methods mypy reads without self.
        self.call = reactor.callLater(0, self.tick)  # type: ignore[arg-type]

    def tick(self):
        now = time.perf_counter()
        late = now - self.expected
        if late > self.longest:
            self.longest = late
            self.stats.set_value("reactor/longest_stall_ms", round(late * 1000, 1))
        if late > 0.100:
            self.over_100ms += 1
            self.stats.set_value("reactor/stalls_over_100ms", self.over_100ms)
        self.expected = now + TICK
        self.call = self.reactor.callLater(TICK, self.tick)  # type: ignore[arg-type]  # as in start

    def stop(self, spider=None, reason=None):
        if self.call is not None and self.call.active():
            self.call.cancel()
        self.stats.set_value("reactor/longest_stall_ms", round(self.longest * 1000, 1))
        self.stats.set_value("reactor/stalls_over_100ms", self.over_100ms)

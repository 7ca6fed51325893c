"""What this worker's engine still does with each request it leased, from Scrapy's public API only.

A leased request is acked once Scrapy is done with it: its page handled by the callback, the
follow-up requests queued, the items through the pipelines.  Scrapy tells this through:

- its outcome: a response (the ``response_received`` signal), a failure (seen by
  ``LeaseOutcomeDownloaderMiddleware``, the outermost downloader middleware, once retries gave up),
  or a replacement (a redirect or retry of it reaching the scheduler, carrying ``LEASE_META``);
- for a response, the callback's (or errback's) output read through
  ``LeaseOutputSpiderMiddleware`` (the outermost spider middleware), each item counted until the
  ``item_scraped`` / ``item_dropped`` / ``item_error`` signal about that response, and a callback
  that failed outright (``spider_error``).

A failed request's errback output does not pass the spider middlewares: it counts as done once
nothing has happened to the request for ``SETTLE_SECONDS`` (Scrapy calls the errback at once).
Every request also waits that long after its last event, so that output a spider middleware
recovered after an exception (Scrapy reads it after the main output) is never cut off.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

from scrapy import signals

# request.meta: the lease of the request this one comes from (a redirect, a retry, a login retry)
LEASE_META = "pacer_lease"
SETTLE_SECONDS = 0.2

_TRACKERS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # crawler -> its InFlightRequests


@dataclass(eq=False)
class Flight:
    """One leased request inside the engine."""

    request: object
    lease: object
    outcome: str | None = None  # "response", "failed", "replaced"
    read: bool = False  # a callback output was opened, or the callback failed outright
    outputs: int = 0  # callback outputs still being read
    items: int = 0  # items from them still in the item pipelines
    idle_since: float | None = None

    def busy(self) -> bool:
        if self.outcome is None:
            return True
        return self.outcome == "response" and (not self.read or self.outputs > 0 or self.items > 0)

    def touch(self) -> None:
        self.idle_since = None


class InFlightRequests:
    """The crawler's leased requests and what is left to do with each one."""

    def __init__(self, crawler):
        self.by_request: dict = {}
        self.by_lease: dict = {}
        self.by_response: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        for handler, signal in ((self.response_received, signals.response_received),
                                (self.item_done, signals.item_scraped),
                                (self.item_done, signals.item_dropped),
                                (self.item_done, signals.item_error),
                                (self.spider_error, signals.spider_error)):
            crawler.signals.connect(handler, signal=signal)

    @classmethod
    def for_crawler(cls, crawler) -> "InFlightRequests":
        if crawler not in _TRACKERS:
            _TRACKERS[crawler] = cls(crawler)
        return _TRACKERS[crawler]

    # -- the scheduler -----------------------------------------------------------------------
    def start(self, request, lease) -> None:
        """``request`` (holding ``lease``) goes to the engine."""
        flight = Flight(request, lease)
        request.meta[LEASE_META] = lease.id
        self.by_request[request] = flight
        self.by_lease[lease.id] = flight

    def scheduled(self, request) -> None:
        """A request reaches the scheduler: one carrying the mark of a request with no outcome yet
        replaces it (the downloader middlewares answered it with this one)."""
        flight = self.by_lease.get(request.meta.pop(LEASE_META, None))
        if flight is not None and flight.outcome is None:
            flight.outcome = "replaced"
            flight.touch()

    def leases(self) -> list:
        return [flight.lease for flight in self.by_request.values()]

    def lease_of(self, request):
        flight = self.by_request.get(request)
        return flight.lease if flight is not None else None

    def finished(self, closing: bool = False) -> tuple[list, list]:
        """(leases Scrapy is done with, leases to give back), taken out of the tracker.

        When closing, the engine has waited for every request it took: one with an outcome is
        done (even a callback that ended the crawl before giving output), one without any was
        never answered and goes back to the queue."""
        now = time.monotonic()
        done: list[object] = []
        unfinished: list[object] = []
        for request, flight in list(self.by_request.items()):
            if closing:
                (done if flight.outcome is not None else unfinished).append(flight.lease)
            elif flight.busy():
                flight.touch()
                continue
            else:
                if flight.idle_since is None:
                    flight.idle_since = now
                if now - flight.idle_since < SETTLE_SECONDS:
                    continue
                done.append(flight.lease)
            del self.by_request[request]
            self.by_lease.pop(flight.lease.id, None)
        return done, unfinished

    # -- Scrapy's signals and the two middlewares -------------------------------------------
    def response_received(self, response, request, spider=None) -> None:
        flight = self.by_request.get(request)
        if flight is not None and flight.outcome is None:
            flight.outcome = "response"
            flight.touch()
            self.by_response[response] = flight

    def failed(self, request) -> None:
        flight = self.by_request.get(request)
        if flight is not None and flight.outcome is None:
            flight.outcome = "failed"
            flight.touch()

    def _of(self, response):
        try:
            return self.by_response.get(response)
        except TypeError:  # not weak-referenceable: not one of ours
            return None

    def output_opened(self, response) -> None:
        flight = self._of(response)
        if flight is not None:
            flight.read = True
            flight.outputs += 1
            flight.touch()

    def output_item(self, response) -> None:
        flight = self._of(response)
        if flight is not None:
            flight.items += 1
            flight.touch()

    def output_closed(self, response) -> None:
        flight = self._of(response)
        if flight is not None:
            flight.outputs -= 1
            flight.touch()

    def item_done(self, item=None, response=None, spider=None, **kwargs) -> None:
        flight = self._of(response)
        if flight is not None and flight.items > 0:
            flight.items -= 1
            flight.touch()

    def spider_error(self, failure=None, response=None, spider=None) -> None:
        flight = self._of(response)
        if flight is not None:  # the callback failed before giving any output
            flight.read = True
            flight.touch()


class LeaseOutputSpiderMiddleware:
    """Outermost spider middleware: follows the output of every callback (and of errbacks called for
    a response, as on an HTTP error) until it is all read, counting its items."""

    def __init__(self, crawler):
        self.flights = InFlightRequests.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_spider_output(self, response, result):
        from scrapy import Request

        self.flights.output_opened(response)
        try:
            async for output in result:
                if output is not None and not isinstance(output, Request):
                    self.flights.output_item(response)
                yield output
        finally:
            self.flights.output_closed(response)


class LeaseOutcomeDownloaderMiddleware:
    """Outermost downloader middleware: a failure that reaches it is the request's outcome."""

    def __init__(self, crawler):
        self.flights = InFlightRequests.for_crawler(crawler)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_exception(self, request, exception):
        self.flights.failed(request)
        return None

"""scrapy-redis' scheduler and queue, made safe to share: JSON entries, leases, per-court limits.

``DistributedScheduler`` keeps scrapy-redis' Scheduler (dupefilter in Redis, ``SCHEDULER_PERSIST``)
and changes what taking a request means: the request is *leased* (see ``store.py``), the lease
is renewed while the request is in this worker's engine, the court's concurrency slot is freed
when the download ends, and the lease is acked once Scrapy has handled the response (callback
output, follow-up requests queued, items stored: see ``inflight.py``).  A worker killed before
that leaves an expired lease, and the request goes back to its queue for another worker.

Only Scrapy's public interface is used: signals, two middlewares, ``engine.needs_backout()``,
``engine.spider_is_idle()`` and ``engine.crawl()`` (a court whose interval has passed is offered to
the engine that way); one exception, the engine's ``nextcall`` (``_wake_if_idle``).
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy_redis.queue import Base
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from pacer_spiders.distributed import this_process
from pacer_spiders.distributed.dupefilter import request_fields
from pacer_spiders.distributed.inflight import InFlightRequests
from pacer_spiders.distributed.outage import REDIS_DOWN, RedisOutage
from pacer_spiders.distributed.inflight import LEASE_META
from pacer_spiders.distributed.purchases import (
    BORROWED_META,
    PURCHASED_META,
    PurchaseIntents,
    claim_name,
    session_cipher,
)
from pacer_spiders.distributed.serializer import (
    ALLOWED_REQUEST_CLASSES,
    REPLAY_META,
    response_to_json,
    spilled_response,
    UnsafeRequestError,
    request_from_json,
    request_to_json,
)
from pacer_spiders.distributed.store import RedisStore

logger = logging.getLogger(__name__)

KEPT_FLAG = "kept"  # on a response kept for replay already (a purchase's, as soon as it arrived)


def keep_for_replay(crawler, store: RedisStore, request, response) -> bool:
    """Keep a received response in Redis until its request is acked (raises REDIS_DOWN).  False
    when there is nothing to keep: no lease, a replayed page, or one kept already."""
    lease = InFlightRequests.for_crawler(crawler).lease_of(request)
    if lease is None or "replayed" in response.flags or KEPT_FLAG in response.flags:
        return False
    settings = crawler.settings
    big = len(response.body) > settings.getint("PACER_REPLAY_MAX_BYTES", 20 * 1024 * 1024)
    store.save_response(lease, response_to_json(response, settings if big else None))  # big: in SOURCE_STORE
    response.flags.append(KEPT_FLAG)
    return True

TICK_SECONDS = 0.1
# Signal sent with ``lease`` just before a request Scrapy is done with is acked (the last moment
# a worker's death puts it back in the queue; the fault tests kill workers there).
lease_done = object()
# Meta key of a request that must go with the PACER session of the worker that made it (a
# purchase and its temporary PDF link, ``PacerSpider.same_account``): it stays in that worker while
# it lives.  Not ``pacer_account``: the login middleware puts that on every court request.
SESSION_BOUND_META = "pacer_session_bound"


def session_bound(request) -> bool:
    return bool(request.meta.get(SESSION_BOUND_META))


def bound_elsewhere(request) -> bool:
    """A session-bound request made by another worker process (dead, or closed before it ran):
    the temporary link it follows is no good with this worker's session."""
    return session_bound(request) and request.meta[SESSION_BOUND_META] != this_process()


def court_of_request(request) -> str:
    """The court a request goes to: its ``court_id`` field, else the CM/ECF host's subdomain."""
    fields = request_fields(request)
    court = fields.get("court_id") or getattr(fields.get("court"), "court_id", None)
    if court:
        return str(court)
    host = urlsplit(request.url).hostname or "unknown"
    parts = host.split(".")
    if len(parts) >= 4 and parts[0] == "ecf" and parts[-2:] == ["uscourts", "gov"]:
        from pacer_spiders.courts import court_id_for_subdomain

        try:
            return court_id_for_subdomain(parts[1])
        except Exception:  # an unknown subdomain still gets a limit of its own
            return parts[1]
    return f"host:{host}"


class CourtQueue(Base):
    """One Redis queue per court for a spider; entries are JSON (``SCHEDULER_SERIALIZER``)."""

    def __init__(self, server, spider, key, serializer=None, store: RedisStore | None = None,
                 allowed_classes=ALLOWED_REQUEST_CLASSES):
        from pacer_spiders.distributed import serializer as json_serializer

        super().__init__(server, spider, key, serializer or json_serializer)
        self.store = store or RedisStore.from_settings(spider.settings, server=server)
        self.allowed_classes = allowed_classes
        # the scheduler sets it: it finishes the work request of an entry dropped as unusable
        self.on_unusable: Callable[[Any], None] = lambda finished_work_request_id: None

    def _encode_request(self, request):
        return request_to_json(request, self.spider)

    def _decode_request(self, encoded_request):
        return request_from_json(encoded_request, self.spider, self.allowed_classes)

    def __len__(self):
        return self.store.outstanding(self.spider.name)

    def push(self, request):
        data = self._encode_request(request)
        work = request_fields(request).get("work_request_id") or ""
        self.store.push_request(self.spider.name, court_of_request(request), data, request.priority, work)

    def push_pinned(self, request):
        """Record a session-bound request for this worker; its lease."""
        data = self._encode_request(request)
        work = request_fields(request).get("work_request_id") or ""
        return self.store.push_pinned(self.spider.name, court_of_request(request), data, request.priority, work)

    def pop(self, timeout=0):
        """``(request, lease)``, or None; a bad entry is dropped (logged, acked) and the next taken."""
        for _ in range(20):
            got = self.store.pop_request(self.spider.name)
            if not isinstance(got, tuple):
                return None
            lease, data = got
            try:
                return self._decode_request(data), lease
            except (UnsafeRequestError, ValueError, TypeError, KeyError) as exc:
                logger.error("dropped a queued request that cannot be rebuilt: %s", exc)
                done = self.store.ack(self.spider.name, lease)
                if lease.work_request_id:
                    self.store.record_error(lease.work_request_id, 3, f"queued request unusable: {exc}")
                self.on_unusable(done)
        return None

    def clear(self):
        # Shared by every worker and persistent by design: never flushed from a worker.
        pass


class DistributedScheduler(Scheduler):
    """scrapy-redis' Scheduler with leased, court-limited, JSON-only queues."""

    df: Any  # scrapy-redis' dupefilter (set by its Scheduler; made in open when absent)

    @classmethod
    def from_crawler(cls, crawler):
        outage = RedisOutage.for_crawler(crawler)
        while True:
            try:
                instance = cls.from_settings(crawler.settings)  # scrapy-redis pings Redis here
                break
            except REDIS_DOWN as exc:
                # The crawl command saw Redis answer a moment ago: an outage began since.  Nothing
                # runs yet, so the worker waits here rather than closing with start_error.
                time.sleep(outage.failed(exc))
        outage.answered()
        instance.stats = crawler.stats
        instance.crawler = crawler
        instance.store = RedisStore.from_settings(crawler.settings, server=instance.server)
        return instance

    def open(self, spider):
        from pacer_spiders.distributed.work import WorkTracker

        self.spider = spider
        self.queue = CourtQueue(self.server, spider, self.queue_key % {"spider": spider.name},
                                store=self.store, allowed_classes=ALLOWED_REQUEST_CLASSES
                                | frozenset(spider.settings.getlist("PACER_REQUEST_CLASSES")))
        self.queue.on_unusable = self._work_finished
        if not self.df:
            from scrapy.utils.misc import load_object

            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        self.persist = True  # a stopping worker never flushes the shared queue
        self.tracker = WorkTracker.for_crawler(self.crawler)
        self.flights = InFlightRequests.for_crawler(self.crawler)
        self.outage = RedisOutage.for_crawler(self.crawler)
        self.intents = PurchaseIntents(self.store, session_cipher(spider.settings))
        from pacer_spiders.distributed.sessions import FleetSessions

        self.fleet = FleetSessions.from_settings(spider.settings)
        self._local: deque = deque()  # requests that could not be queued as JSON (lost if killed)
        self._unqueued: deque = deque()  # requests scheduled while Redis was down: queued once it is back
        self._unacked: list = []  # leases done (or to give back) while Redis was down: ("ack"|"nack", lease)
        self._pinned: list = []  # (request, lease): session-bound, waiting for their court
        self._ready: deque = deque()  # taken by the ticker, offered to the engine with engine.crawl()
        self._engine_open = False  # the engine may be offered requests (from spider_opened on)
        self.crawler.signals.connect(self._spider_opened, signal=signals.spider_opened)
        self._last_renew = time.monotonic()
        self.crawler.signals.connect(self._request_left_downloader, signal=signals.request_left_downloader)
        self.crawler.signals.connect(self._response_received, signal=signals.response_received)
        self._ticker = task.LoopingCall(self._tick)
        self._ticker.start(TICK_SECONDS, now=False)
        pending = self.store.outstanding(spider.name)
        if pending:
            spider.logger.info("Joining a shared crawl (%d requests and work items outstanding)", pending)

    def close(self, reason):
        self._engine_open = False
        if getattr(self, "_ticker", None) is not None and self._ticker.running:
            self._ticker.stop()
        try:
            self._flush_unqueued()
            self._sweep(closing=True)
            for _, lease in self._pinned:  # never started: back to the shared queue
                self._unacked.append(("nack", lease))
            self._pinned = []
            self._settle_unacked()
        except REDIS_DOWN as exc:  # what it held comes back to the queue when its leases expire
            logger.error("Redis unreachable while closing (%s): %d leases left to expire", type(exc).__name__,
                         len(self._unacked))
        # never flush: SCHEDULER_PERSIST is the only sane mode for a shared queue

    def flush(self):
        raise RuntimeError("the shared Redis queue is never flushed by a worker")

    # -- Scrapy's scheduler interface --------------------------------------------------------
    def enqueue_request(self, request):
        if any(request is ready for ready in self._ready):  # the ticker's offer (see _tick): held already
            return True
        self.flights.scheduled(request)
        if self._unqueued or not self._redis_usable():
            self._unqueued.append(request)  # Redis is down: queued, in order, once it answers
            return True
        try:
            return self._enqueue(request)
        except REDIS_DOWN as exc:
            self.outage.failed(exc)
            self._unqueued.append(request)
            return True

    def _enqueue(self, request) -> bool:
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        claim = None if LEASE_META in request.meta else claim_name(request.meta)  # a retry is no new ask
        if claim and not self.intents.claim(claim):
            logger.info("not queued again (asked for already): %s", request)
            if self.stats:
                self.stats.inc_value("scheduler/purchase_asked_already")
            return False
        if bound_elsewhere(request):
            # from a page replayed from a dead worker's keeping: it needs that worker's session
            request = self._take_over(request)
            if request is None:
                return False
            if not session_bound(request):
                return self._enqueue(request)
        try:
            if session_bound(request):
                self._pinned.append((request, self.queue.push_pinned(request)))
                if self.stats:
                    self.stats.inc_value("scheduler/enqueued/pinned")
                return True
            self.queue.push(request)
        except TypeError as exc:
            # Something in meta is not JSON: keep it in this worker (lost if the worker dies).
            logger.warning("request kept in this worker only (%s): %s", exc, request)
            self._local.append(request)
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/local")
            return True
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def _flush_unqueued(self) -> None:
        while self._unqueued:
            self._enqueue(self._unqueued[0])
            self._unqueued.popleft()

    def next_request(self):
        if self._ready:
            return self._ready.popleft()
        if not self._redis_usable():
            return self._local.popleft() if self._local else None
        try:
            return self._take()
        except REDIS_DOWN as exc:
            self.outage.failed(exc)
            return None

    def _take(self):
        """The next request this worker may start (its court has room), leased; or None."""
        if self._local:
            return self._local.popleft()
        for index, (request, lease) in enumerate(self._pinned):
            state = self.store.start_pinned(lease)
            if state in (0, -2):
                del self._pinned[index]
                if state == 0:
                    request.meta.setdefault("download_slot", f"court:{lease.court}")
                    self.flights.start(request, lease)
                    return request
                return self._take()  # its lease expired: another worker has it now
        got = self.queue.pop()
        if got is None:
            return None
        request, lease = got
        replay = self._saved_response(lease)
        if replay is not None:  # its last holder died after receiving it: no second purchase
            request.meta[REPLAY_META] = replay
        elif bound_elsewhere(request):  # its maker died before the answer came
            request = self._take_over(request)
            if request is None:
                self._unacked.append(("ack", lease))
                return None
        # Scrapy's per-slot concurrency then counts per court, whatever host serves the courts
        request.meta.setdefault("download_slot", f"court:{lease.court}")
        self.flights.start(request, lease)
        if lease.work_request_id:
            self.tracker.started(lease.work_request_id)
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def _take_over(self, request):
        """A request bound to a dead worker's PACER session: fetched with that session when its
        purchase sealed it (nothing paid twice), else replaced by the spider's ``take_over`` (for a
        purchase, asking for the document anew: see purchases.py for what that costs)."""
        purchase = request.meta.get(PURCHASED_META)
        if purchase and self.intents.session(purchase) is not None:
            request.meta[BORROWED_META] = purchase
            request.meta[SESSION_BOUND_META] = this_process()  # this worker's to fetch now
            if self.stats:
                self.stats.inc_value("scheduler/borrowed_session")
            logger.info("fetching %s with the PACER session of the worker that bought it", request)
            return request
        self.intents.release(request.meta)
        replacement = getattr(self.spider, "take_over", lambda _request: None)(request)
        if self.stats:
            self.stats.inc_value("scheduler/taken_over")
        if replacement is None:
            logger.error("dropped %s: it needs the PACER session of the worker that made it", request)
            return None
        logger.warning("%s needed the PACER session of a worker that is gone: %s instead", request, replacement)
        return replacement

    def _saved_response(self, lease):
        saved = self.store.saved_response(lease)
        if saved is not None:
            saved = spilled_response(saved, self.spider.settings)
        return saved

    def has_pending_requests(self):
        if self._ready or self._local or self._pinned or self._unqueued or self.outage.down:
            return True  # during an outage nothing is known: the worker waits
        try:
            return self.store.outstanding(self.spider.name) > 0
        except REDIS_DOWN as exc:
            self.outage.failed(exc)
            return True

    def __len__(self):
        try:
            outstanding = 0 if self.outage.down else self.store.outstanding(self.spider.name)
        except REDIS_DOWN as exc:
            self.outage.failed(exc)
            outstanding = 0
        return len(self._ready) + len(self._local) + len(self._unqueued) + outstanding

    # -- leases ------------------------------------------------------------------------------
    def _request_left_downloader(self, request, spider=None):
        lease = self.flights.lease_of(request)
        if lease is not None:
            try:
                self.store.release_court(lease)
            except REDIS_DOWN as exc:  # the slot frees itself when the lease's deadline passes
                self.outage.failed(exc)

    def _response_received(self, response, request, spider=None):
        """Keep every page this worker received (billed or not, a PDF too) until its ack: a worker
        that takes the request over replays it instead of asking PACER again."""
        try:
            if keep_for_replay(self.crawler, self.store, request, response):
                self._release_held_session(request)
        except REDIS_DOWN as exc:
            self.outage.failed(exc)
            logger.warning("a received page could not be kept in Redis for replay: %s", response.url)
        except (OSError, ValueError) as exc:  # SOURCE_STORE unusable: the page is still handled here
            logger.warning("a received page of %d bytes could not be spilled to SOURCE_STORE (%s): %s",
                           len(response.body), exc, response.url)

    def _release_held_session(self, request) -> None:
        """The PDF behind a purchase is kept: should this worker die now, the one taking over replays
        it, so the buying session need not outlive this worker (sessions.py)."""
        purchase = request.meta.get(PURCHASED_META)
        if purchase and self.fleet is not None:
            session = self.intents.session(purchase)
            if session and session.get("token"):
                self.fleet.release(session["token"], purchase)

    def _tick(self):
        try:
            if not self._redis_usable():
                return
            self._flush_unqueued()
            self._sweep()
            now = time.monotonic()
            if now - self._last_renew > self.store.lease_ms / 4000:
                self._renew_held()
                self._last_renew = now
                for work_request_id in self.store.stale_finishing(self.spider.name):
                    self._work_finished(work_request_id)  # its finishing worker died
            self._offer()
            self._wake_if_idle()
        except REDIS_DOWN as exc:
            self.outage.failed(exc)
        except Exception:  # one bad tick must not stop the ticker
            logger.exception("distributed scheduler tick failed")

    def _renew_held(self) -> None:
        held = self.flights.leases() + [lease for _, lease in self._pinned] + [lease for _, lease in self._unacked]
        if held:
            self.store.renew(self.spider.name, held)

    def _redis_usable(self) -> bool:
        """Whether to talk to Redis now.  After an outage, the first thing said is the renewal of
        every lease this worker holds, before any pop could hand one of them to another worker."""
        if not self.outage.down:
            return True
        if not self.outage.may_try():
            return False
        try:
            self._renew_held()
        except REDIS_DOWN as exc:
            self.outage.failed(exc)
            return False
        self.outage.answered()
        self._last_renew = time.monotonic()
        return True

    def _offer(self):
        """A court whose interval has passed may now be served: when the engine has room and asks
        nothing, hand it the next request (``engine.crawl`` makes it ask the scheduler again)."""
        engine = self.crawler.engine
        if self._ready or not self._engine_open or engine is None or engine.paused or engine.needs_backout():
            return
        request = self._take()
        if request is not None:
            self._ready.append(request)
            engine.crawl(request)

    def _wake_if_idle(self):
        """Scrapy looks for an idle spider after its own activity and on a 5 s heartbeat; leases the
        ticker acks and a worker's start() that returned are not its activity, so a finished crawl
        waited up to 5 s to close.  Seen idle here, the engine is asked to look now (its private
        ``_slot.nextcall``: no public call does that; without it, the heartbeat still closes the
        crawl; tests/test_distributed_spiders.py fails when Scrapy renames it)."""
        engine = self.crawler.engine
        if not self._engine_open or engine is None or engine.paused or not engine.spider_is_idle():
            return
        nextcall = getattr(getattr(engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _spider_opened(self, spider=None):
        self._engine_open = True

    def _sweep(self, closing: bool = False):
        """Ack the leases of requests the engine is done with; when closing, give back the others."""
        done, unfinished = self.flights.finished(closing)
        self._unacked += [("nack", lease) for lease in unfinished] + [("ack", lease) for lease in done]
        if self.stats:
            if done:
                self.stats.inc_value("scheduler/acked/closing" if closing else "scheduler/acked/redis", len(done))
            if unfinished:
                self.stats.inc_value("scheduler/given_back/redis", len(unfinished))
        self._settle_unacked()

    def _settle_unacked(self) -> None:
        """Acks and give-backs, in order; those Redis did not take wait for the next tick."""
        while self._unacked:
            how, lease = self._unacked[0]
            if how == "nack":  # never answered: back to the shared queue
                self.store.nack(self.spider.name, lease)
                self._unacked.pop(0)
            else:
                self.crawler.signals.send_catch_log(lease_done, lease=lease)
                finished = self.store.ack(self.spider.name, lease)
                self._unacked.pop(0)
                self._work_finished(finished)

    def _work_finished(self, work_request_id):
        if work_request_id:
            self.tracker.finish(self.spider.name, work_request_id)

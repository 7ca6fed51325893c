"""The spider side of distributed crawls: ``async def start()`` reads work items from Redis.

scrapy-redis' ``RedisMixin`` feeds spiders through ``start_requests`` and the idle signal; Scrapy
2.13+ calls ``async def start()`` instead, and a worker must keep running while others still hold
work.  ``DistributedSpiderMixin.distributed_start()`` therefore loops: take a work item (a lease, so a killed
worker's item goes back), mark its work request started, yield the spider's own seed requests
for it (they go to the shared queues through the scheduler), ack it.  Without ``REDIS_URL`` the
spider's ordinary ``start()`` runs unchanged; with it, that ``start()`` becomes the seed of one
work item and the worker's ``start`` is ``distributed_start``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import inspect
import os
import socket
import time
from zoneinfo import ZoneInfo

from scrapy import signals
from scrapy_redis.spiders import RedisMixin

from pacer_spiders.distributed.outage import REDIS_DOWN, RedisOutage
from pacer_spiders.distributed.store import RedisStore

CENTRAL = ZoneInfo("America/Chicago")


class InsufficientMetadata(ValueError):
    """A work item that cannot be turned into a request (status 7)."""


def in_bulk_window(now: dt.datetime | None = None, start_hour: int = 18, end_hour: int = 6) -> bool:
    """PACER asks large pulls to run from 6 p.m. to 6 a.m. Central time (CST or CDT)."""
    local = (now or dt.datetime.now(dt.timezone.utc)).astimezone(CENTRAL)
    if start_hour > end_hour:
        return local.hour >= start_hour or local.hour < end_hour
    return start_hour <= local.hour < end_hour


class DistributedSpiderMixin(RedisMixin):
    """Put it first in a spider's bases; the spider may override ``seed_requests``."""

    #: seconds between looks at an empty work queue
    work_poll_interval = 0.2

    @property
    def distributed(self) -> bool:
        return bool(getattr(self, "crawler", None) and self.crawler.settings.get("REDIS_URL"))

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        if crawler.settings.get("REDIS_URL"):
            spider.setup_redis(crawler)
            # The spider's own start() (class attribute) stays the seed of one work item; the
            # worker's start is the loop over the shared work queue.
            spider.start = spider.distributed_start
        return spider

    def start_requests(self):
        # RedisMixin's reads its start-URL list; a worker's start is distributed_start instead
        return super(RedisMixin, self).start_requests()

    def spider_idle(self):
        # scrapy-redis keeps an idle spider open to poll its start-URL list; start() does the
        # polling here and decides when a worker may close (PACER_WORKER_IDLE_CLOSE).
        return None

    async def distributed_start(self):
        from pacer_spiders.distributed.work import WorkTracker

        settings = self.crawler.settings
        store = RedisStore.from_settings(settings, server=self.server)
        tracker = WorkTracker.for_crawler(self.crawler)
        idle_close = settings.getfloat("PACER_WORKER_IDLE_CLOSE", 0)
        bulk_window = settings.getbool("PACER_BULK_WINDOW", True)
        outage = RedisOutage.for_crawler(self.crawler)
        idle_since = None
        self._worker_name = f"{self.name}:{socket.gethostname()}:{os.getpid()}"
        await _until_redis_answers(outage, store.register_worker, self._worker_name)
        self.crawler.signals.connect(lambda: _quietly(store.unregister_worker, self._worker_name),
                                     signal=signals.spider_closed, weak=False)
        while True:
            try:
                got = store.pop_work(self.name, allow_bulk=not bulk_window or in_bulk_window())
                nothing_left = got is None and idle_close > 0 and store.outstanding(self.name) == 0
            except REDIS_DOWN as exc:  # Redis restarting: wait for it, never close for that
                idle_since = None
                await asyncio.sleep(outage.failed(exc))
                continue
            if got is None:
                if nothing_left:
                    idle_since = idle_since or time.monotonic()
                    if time.monotonic() - idle_since >= idle_close:
                        self.logger.info("no work left in Redis for %.0fs: this worker stops", idle_close)
                        return
                else:
                    idle_since = None
                await asyncio.sleep(self.work_poll_interval)
                continue
            idle_since = None
            lease_id, item = got
            work_request_id = item.get("work_request_id")
            tracker.started(work_request_id)
            try:
                async for request in self._seeds(item):
                    request.meta.setdefault("work_request_id", work_request_id)
                    # a retry is a new ask: the duplicate filter must not hold it back
                    request.meta.setdefault("work_attempt", item.get("attempt", 0))
                    request.meta.setdefault("court_id", item.get("court_id"))
                    yield request
            except InsufficientMetadata as exc:
                tracker.error(work_request_id, 7, f"insufficient metadata: {exc}")
            except Exception as exc:  # one bad item must not stop the worker
                self.logger.error("work request %s could not be started: %s", work_request_id, exc)
                tracker.error(work_request_id, 3, f"could not start: {type(exc).__name__}: {exc}")
            finished = await _until_redis_answers(outage, store.ack_work, self.name, lease_id)
            if finished:
                tracker.finish(self.name, finished)

    async def _seeds(self, item: dict):
        produced = self.seed_requests(dict(item.get("params") or {}, court_id=item.get("court_id")))
        if inspect.isasyncgen(produced) or hasattr(produced, "__aiter__"):
            async for request in produced:
                yield request
        else:
            for request in produced or ():
                yield request

    def seed_requests(self, params: dict):
        """The requests that start one work item.

        By default, the spider's own ``start()`` as ``scrapy crawl NAME -a key=value ...`` would
        run it with the work item's fields as arguments (named as the spider's ``__init__`` names
        them, see ``ARGUMENT_ALIASES``).  It runs on a view of this spider: the arguments are the
        view's own, everything else (counters, sessions, settings) is the spider's.
        """
        arguments = spider_arguments(type(self), params)
        return _SeedView(self, argument_attributes(type(self), arguments)).start()


async def _until_redis_answers(outage, call, *args):
    """``call(*args)``, tried again (with the outage's backoff) until Redis answers."""
    while True:
        try:
            return call(*args)
        except REDIS_DOWN as exc:
            await asyncio.sleep(outage.failed(exc))


def _quietly(call, *args):
    try:
        call(*args)
    except REDIS_DOWN:  # the entry is only informative (``queue status``)
        pass


# Work item field -> names spiders give the same argument (the project's docket spider's first).
ARGUMENT_ALIASES = {
    "court_id": ("court",),
    "date_from": ("date_start",),
    "date_to": ("date_end",),
    "documents_numbered_from": ("doc_num_start",),
    "documents_numbered_to": ("doc_num_end",),
}


def spider_arguments(spider_cls, params: dict) -> dict:
    """``params`` renamed to what ``spider_cls.__init__`` accepts (unknown names pass as keywords)."""
    signature = inspect.signature(spider_cls.__init__)
    accepted = set(signature.parameters)
    arguments = {}
    for name, value in params.items():
        target = name
        aliases = ARGUMENT_ALIASES.get(name, ())
        if name not in accepted and aliases:
            # an alias the spider names, else the usual name (for a spider taking **kwargs)
            target = next((alias for alias in aliases if alias in accepted), aliases[0])
        arguments[target] = value
    return arguments


def argument_attributes(spider_cls, arguments: dict) -> dict:
    """The instance attributes that ``arguments`` change, found by building the spider both ways."""
    bare, given = object.__new__(spider_cls), object.__new__(spider_cls)
    spider_cls.__init__(bare)
    spider_cls.__init__(given, **arguments)
    missing = object()
    return {key: value for key, value in given.__dict__.items()
            if bare.__dict__.get(key, missing) is missing or bare.__dict__[key] != value}


class _SeedView:
    """A spider seen with other arguments: reads them from ``overrides``, all else from the spider.

    Methods run bound to the view (so ``self.pacer_case_id`` is the work item's), and writes go
    to the spider (so its counters stay whole); callbacks keep their spider method names.
    """

    def __init__(self, spider, overrides: dict):
        object.__setattr__(self, "_spider", spider)
        object.__setattr__(self, "_overrides", overrides)

    def __getattr__(self, name):
        overrides = object.__getattribute__(self, "_overrides")
        if name in overrides:
            return overrides[name]
        spider = object.__getattribute__(self, "_spider")
        attribute = inspect.getattr_static(type(spider), name, None)
        if inspect.isfunction(attribute):  # the class's own (a worker's ``start`` is patched on the instance)
            return attribute.__get__(self, type(spider))
        if isinstance(attribute, property) and attribute.fget is not None:
            return attribute.fget(self)
        return getattr(spider, name)

    def __setattr__(self, name, value):
        overrides = object.__getattribute__(self, "_overrides")
        if name in overrides:
            overrides[name] = value
        else:
            setattr(object.__getattribute__(self, "_spider"), name, value)

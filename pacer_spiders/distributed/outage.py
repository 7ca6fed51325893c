"""A worker rides out a Redis outage: it waits (with backoff), keeps what it holds, and says so once.

Every place that talks to Redis while the crawl runs (the scheduler's queue, leases and acks, the
work-item loop of ``distributed_start``) catches ``REDIS_DOWN`` and asks ``RedisOutage`` when to try
again.  A lease held across the outage is renewed as soon as Redis answers (with ``appendonly``
the leases come back from disk, measured on Redis' own clock).
"""

from __future__ import annotations

import logging
import time
import weakref

import redis

logger = logging.getLogger(__name__)

# What a stopped, restarting or still-loading Redis raises (BusyLoadingError is a ConnectionError).
REDIS_DOWN = (redis.ConnectionError, redis.TimeoutError, ConnectionError, TimeoutError)

_OUTAGES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # crawler -> its RedisOutage


class RedisOutage:
    """Whether Redis is down for this worker, since when, and when to try it again."""

    def __init__(self, first_delay: float = 0.2, max_delay: float = 5.0):
        self.first_delay, self.max_delay = first_delay, max_delay
        self.down_since: float | None = None
        self.delay = first_delay
        self._next_try = 0.0

    @classmethod
    def for_crawler(cls, crawler) -> "RedisOutage":
        if crawler not in _OUTAGES:
            settings = crawler.settings
            _OUTAGES[crawler] = cls(settings.getfloat("PACER_REDIS_RETRY_DELAY", 0.2),
                                    settings.getfloat("PACER_REDIS_RETRY_MAX_DELAY", 5.0))
        return _OUTAGES[crawler]

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, exc: BaseException) -> float:
        """Redis did not answer: the seconds to wait before the next try (one log line per outage)."""
        now = time.monotonic()
        if self.down_since is None:
            self.down_since, self.delay = now, self.first_delay
            logger.warning("Redis is unreachable (%s): this worker waits for it and keeps what it holds",
                           type(exc).__name__)
        else:
            self.delay = min(self.max_delay, self.delay * 2)
        self._next_try = now + self.delay
        return self.delay

    def may_try(self) -> bool:
        return self.down_since is None or time.monotonic() >= self._next_try

    def answered(self) -> bool:
        """Redis answered; True when that ends an outage (logged once)."""
        if self.down_since is None:
            return False
        logger.warning("Redis answers again after %.1f s: the crawl goes on", time.monotonic() - self.down_since)
        self.down_since = None
        return True

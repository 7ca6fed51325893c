"""Distributed crawls: scrapy-redis queues in Redis feed the same spiders on many machines.

Switched on by ``REDIS_URL`` only (``DistributedAddon``); without it everything runs on one machine
with Scrapy's own scheduler.  See README, "Distributed and scheduled crawls".
"""

from __future__ import annotations

import os
import socket

# Components set when REDIS_URL is set; see DistributedAddon.
SCHEDULER = "pacer_spiders.distributed.scheduler.DistributedScheduler"
DUPEFILTER = "pacer_spiders.distributed.dupefilter.PacerDupeFilter"
SERIALIZER = "pacer_spiders.distributed.serializer"


class DistributedAddon:
    """A Scrapy add-on: after every other setting (``-s`` included), turn distribution on or not."""

    @classmethod
    def from_crawler(cls, crawler):
        return cls()

    def update_settings(self, settings) -> None:
        if not settings.get("REDIS_URL"):
            return
        settings.set("SCHEDULER", SCHEDULER, priority="addon")
        settings.set("DUPEFILTER_CLASS", DUPEFILTER, priority="addon")
        settings.set("SCHEDULER_SERIALIZER", SERIALIZER, priority="addon")
        # a stopping worker never flushes the shared queue (the scheduler enforces it too)
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        settings.set("SCHEDULER_FLUSH_ON_START", False, priority="addon")
        # politeness is per court across workers (PACER_COURT_*); Scrapy's per-domain delay would
        # stack a second, per-process limit on top
        if settings.getpriority("DOWNLOAD_DELAY") <= settings.getpriority("BOT_NAME"):  # not given by -s
            settings.set("DOWNLOAD_DELAY", 0, priority="project")
        settings.set_in_component_priority_dict(
            "SPIDER_MIDDLEWARES", "pacer_spiders.distributed.middlewares.WorkContextSpiderMiddleware", 960)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", "pacer_spiders.distributed.middlewares.WorkFailureDownloaderMiddleware", 10)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", "pacer_spiders.distributed.middlewares.ReplayDownloaderMiddleware", 20)
        # after the login middleware (950): the intent of a purchase names the session it goes with
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", "pacer_spiders.distributed.purchases.PurchaseIntentDownloaderMiddleware", 960)
        # outermost middlewares: they see what becomes of each leased request (inflight.py)
        settings.set_in_component_priority_dict(
            "SPIDER_MIDDLEWARES", "pacer_spiders.distributed.inflight.LeaseOutputSpiderMiddleware", 1)
        settings.set_in_component_priority_dict(
            "DOWNLOADER_MIDDLEWARES", "pacer_spiders.distributed.inflight.LeaseOutcomeDownloaderMiddleware", 1)
        settings.set_in_component_priority_dict(
            "EXTENSIONS", "pacer_spiders.distributed.middlewares.WorkStateExtension", 500)


def this_process() -> str:
    """Which worker process this is (host and pid): a session-bound request names its maker so."""
    return f"{socket.gethostname()}:{os.getpid()}"

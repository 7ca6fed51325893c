"""Progress lines while a crawl runs and one summary when it ends (a Scrapy extension).

The numbers come from the crawl's stats: pages fetched (``pacer/pages/*``), PACER cost from the
receipts (``pacer/spent``, counted by the spiders as they go), what the archive added or changed
(the pipelines' ``archive/*`` keys) and every error or skip by its reason (``pacer/errors/*``, ``pacer/skipped/*`` and the
pipelines' ``*/rejected/*``).  ``PACER_STATS_FILE`` writes the final stats as JSON.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from scrapy import signals
from twisted.internet import task

logger = logging.getLogger(__name__)



def _pages(stats: dict) -> dict[str, int]:
    return {k[len("pacer/pages/"):]: v for k, v in stats.items() if k.startswith("pacer/pages/")}


def archive_changes(stats: dict) -> dict[str, int]:
    """What the pipelines added or changed (``archive/<kind>_added|_changed``), nonzero counts only."""
    return {k[len("archive/"):]: v for k, v in stats.items()
            if k.startswith("archive/") and k.endswith(("_added", "_changed")) and v}


def summary_lines(stats: dict) -> list[str]:
    """The closing summary of a crawl, one fact a line."""
    pages = _pages(stats)
    lines = [
        f"pages fetched: {sum(pages.values())}"
        + (f" ({', '.join(f'{k} {v}' for k, v in sorted(pages.items()))})" if pages else ""),
        f"PACER cost: ${stats.get('pacer/spent', 0.0):.2f} "
        f"({stats.get('pacer/billed_pages', 0)} billed pages, documents bought: {stats.get('pacer/purchases', 0)})"
        + (f", of which ${stats['pacer/spent_estimated']:.2f} estimated for {stats.get('pacer/broken_answers', 0)} "
           "billed answers that broke off (no receipt arrived)" if stats.get("pacer/spent_estimated") else ""),
    ]
    archive = archive_changes(stats)
    if archive:
        lines.append("archive: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(archive.items())))
    else:
        lines.append("archive: nothing added or changed")
    errors, skipped = {}, {}
    for key, value in stats.items():
        if key.startswith("pacer/errors/"):
            errors[key[len("pacer/errors/"):]] = value
        elif key.startswith("pacer/skipped/"):
            skipped[key[len("pacer/skipped/"):]] = value
        elif "/rejected/" in key and isinstance(value, int):
            errors[key] = value
    lines.append("errors: " + (", ".join(f"{k} {v}" for k, v in sorted(errors.items())) if errors else "none"))
    if skipped:
        lines.append("not fetched: " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    if stats.get("pacer/login/failure"):
        lines.append(f"login failure: {stats['pacer/login/failure']}")
    return lines


class CrawlSummary:
    def __init__(self, crawler):
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("PACER_PROGRESS_INTERVAL", 60.0)
        self._loop = None
        self.stats_file = crawler.settings.get("PACER_STATS_FILE")
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        self._reason = None

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider=None):
        if self.interval > 0:
            self._loop = task.LoopingCall(self.progress)
            self._loop.start(self.interval, now=False)

    def progress(self) -> None:
        stats = self.crawler.stats.get_stats()
        pages = sum(_pages(stats).values())
        archive = archive_changes(stats)
        logger.info(
            "Progress: %d pages fetched, %d items, PACER cost $%.2f%s",
            pages,
            stats.get("item_scraped_count", 0),
            stats.get("pacer/spent", 0.0),
            ("; archive " + ", ".join(f"{k} {v}" for k, v in sorted(archive.items()))) if archive else "",
        )

    def spider_closed(self, spider=None, reason=None):
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        stats = self.crawler.stats.get_stats()
        lines = summary_lines(stats)
        logger.info("Crawl summary (%s):\n  %s", reason, "\n  ".join(lines))
        self._reason = reason

    def engine_stopped(self):
        # Last, after every spider_closed handler (the logout among them) has counted its stats.
        if self.stats_file:
            data = {**self.crawler.stats.get_stats(), "finish_reason": self._reason}
            Path(self.stats_file).write_text(json.dumps(data, default=str, indent=1, sort_keys=True), "utf-8")

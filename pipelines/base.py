"""What every archive pipeline shares: settings, stats, the archive, the source store."""

from __future__ import annotations

import logging
from typing import Any

from pacer_spiders import source_store
from pacer_spiders.db.archive import Archive
from pacer_spiders.source_store import sha1_of  # noqa: F401  (the pipelines import it from here)

logger = logging.getLogger("pacer_spiders.pipelines")


class DictStats:
    """Scrapy's stats interface for the chain run outside a crawl (``inc_value``, ``get_stats``)."""

    def __init__(self):
        self._stats: dict = {}

    def inc_value(self, key, count=1, start=0):
        self._stats[key] = self._stats.get(key, start) + count

    def set_value(self, key, value):
        self._stats[key] = value

    def get_value(self, key, default=None):
        return self._stats.get(key, default)

    def get_stats(self):
        return dict(self._stats)


class ArchiveStage:
    """Base of the pipelines: built from a crawler (in a crawl) or from settings and stats (ingest)."""

    def __init__(self, settings, stats=None):
        self.settings = settings
        # Scrapy's stats collector, a DictStats, or the database stage's ReactorStats around one
        self.stats: Any = stats if stats is not None else DictStats()
        self.dry_run = settings.getbool("ARCHIVE_DRY_RUN")

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings, crawler.stats)

    @property
    def archive(self) -> Archive:
        return Archive.open(self.settings.get("DATABASE_URL"), dry_run=self.dry_run)

    def count(self, counts) -> None:
        """Add a merge's counts to the stats as ``archive/<kind>_<added|changed|unchanged>``."""
        for key, value in counts.items():
            if value:
                self.stats.inc_value(f"archive/{key}", value)


def keep_source(settings, body: bytes, report_type: str | None, dry_run: bool = False) -> tuple[str, str]:
    """Store ``body`` content-addressed under SOURCE_STORE; return (sha1, path or s3:// URL)."""
    return source_store.keep(settings, body, report_type, dry_run)


def page_dict(item) -> dict:
    """The columns of a raw page row, from a RawPage."""
    return {
        "sha1": item.get("sha1"), "court_id": item.get("court_id"), "report_type": item.get("report_type"),
        "url": item.get("url"), "status": item.get("status"), "content_type": item.get("content_type"),
        "context": item.get("context"), "source_path": item.get("source_path"), "cost": item.get("cost"),
        "fetched_at": item.get("fetched_at"), "size": len(item.get("body") or b""),
    }

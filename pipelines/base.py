"""What every archive pipeline shares: settings, stats, the archive, the source store."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from pathlib import Path

from pacer_spiders.db.archive import Archive

logger = logging.getLogger("pacer_spiders.pipelines")

PDF_MAGIC = b"%PDF-"
_EXTENSIONS = {"pdf": ".pdf", "possible_case_numbers": ".xml", "rss": ".xml"}


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
        self.stats = stats if stats is not None else DictStats()
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


def sha1_of(body: bytes) -> str:
    return hashlib.sha1(body).hexdigest()


def source_store_dir(settings) -> Path:
    """Where raw pages are kept: SOURCE_STORE, else ``<FILES_STORE>/raw`` (a local folder)."""
    configured = settings.get("SOURCE_STORE")
    if configured:
        return Path(configured.split("://", 1)[1] if configured.startswith("file://") else configured)
    files_store = settings.get("FILES_STORE") or "./pacer_files"
    if "://" in files_store and not files_store.startswith("file://"):
        raise ValueError("set SOURCE_STORE to a local folder when FILES_STORE is an object store")
    return Path(files_store.split("://", 1)[-1]) / "raw"


def keep_source(settings, body: bytes, report_type: str | None, dry_run: bool = False) -> tuple[str, str]:
    """Store ``body`` content-addressed; return (sha1, path).  A second copy is not written again."""
    sha1 = sha1_of(body)
    path = source_store_dir(settings) / sha1[:2] / (sha1 + _EXTENSIONS.get(report_type or "", ".html"))
    if not dry_run and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # A name of this process's own: two processes keeping the same page at once must not
        # write one temporary file (the second rename would find it gone).
        tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_bytes(body)
        tmp.replace(path)  # atomic: a concurrent reader never sees half a page
    return sha1, str(path)


def page_dict(item) -> dict:
    """The columns of a raw page row, from a RawPage."""
    return {
        "sha1": item.get("sha1"), "court_id": item.get("court_id"), "report_type": item.get("report_type"),
        "url": item.get("url"), "status": item.get("status"), "content_type": item.get("content_type"),
        "context": item.get("context"), "source_path": item.get("source_path"), "cost": item.get("cost"),
        "fetched_at": item.get("fetched_at"), "size": len(item.get("body") or b""),
    }

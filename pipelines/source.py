"""Stage 1: keep the raw page, content-addressed by sha1, so any parse can be redone offline.

In a crawl a page of a local store is hashed and written on the reactor's thread when it is small
(a few syscalls and a hash that lets the GIL go: cheaper than a trip through a thread and back, a
Deferred that Scrapy awaits and one more wake-up of the reactor a page); a big one (a docket can be
megabytes) and every page of an s3:// store (a network round trip) go to a thread of this stage, in
the order they come.
"""

from __future__ import annotations

from pacer_spiders.offreactor import WorkerThread, running_reactor
from pacer_spiders.pipelines.base import ArchiveStage, keep_source, sha1_of
from pacer_spiders.reports.pdf import PDF_MAGIC
from pacer_spiders.source_store import S3_SCHEME, store_location

#: bytes: a page this small is kept on the reactor's thread (well under a millisecond) in a local store
INLINE_PAGE = 256 * 1024


class SourceFilesPipeline(ArchiveStage):
    _keeper = None  # the stage's thread, in a crawl
    _inline_below = 0  # bytes: smaller pages are kept in the caller's thread (a local store)

    def open_spider(self, spider=None):
        reactor = running_reactor()
        if reactor is not None:
            self._keeper = WorkerThread("pacer-source-store", reactor)
            if not store_location(self.settings).startswith(S3_SCHEME):
                self._inline_below = INLINE_PAGE

    def close_spider(self, spider=None, reason=None):
        if self._keeper is not None:  # every item's Deferred has fired: the thread is idle
            self._keeper.stop()
            self._keeper = None

    def process_item(self, item):
        if item.get("body") is None:
            return item  # nothing to keep (an item whose page was stored already)
        if self._keeper is None or len(item["body"]) < self._inline_below:
            return self.counted(self.keep(item))
        return self._keeper.call(self.keep, item).addCallback(self.counted)

    def keep(self, item):
        """The page's sha1 and where it is kept (no stats: this may run in the stage's thread)."""
        body = item["body"]
        if isinstance(body, str):
            body = item["body"] = body.encode("utf-8")
        if body.startswith(PDF_MAGIC):
            # PDFs go to FILES_STORE under their document's name (or with the orphan that waits
            # for it); a sealed document is never written anywhere.
            item["sha1"] = sha1_of(body)
            return item
        item["sha1"], item["source_path"] = keep_source(self.settings, body, item.get("report_type"), self.dry_run)
        return item

    def counted(self, item):
        if not item["body"].startswith(PDF_MAGIC):
            self.stats.inc_value("archive/source_pages")
        return item

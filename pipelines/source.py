"""Stage 1: keep the raw page, content-addressed by sha1, so any parse can be redone offline.

In a crawl the pages are hashed and written by a thread of this stage (in the order they come), not
on the reactor's: a docket can be megabytes.
"""

from __future__ import annotations

from pacer_spiders.offreactor import WorkerThread, running_reactor
from pacer_spiders.pipelines.base import ArchiveStage, keep_source, sha1_of
from pacer_spiders.reports.pdf import PDF_MAGIC


class SourceFilesPipeline(ArchiveStage):
    _keeper = None  # the stage's thread, in a crawl

    def open_spider(self, spider=None):
        reactor = running_reactor()
        if reactor is not None:
            self._keeper = WorkerThread("pacer-source-store", reactor)

    def close_spider(self, spider=None, reason=None):
        if self._keeper is not None:  # every item's Deferred has fired: the thread is idle
            self._keeper.stop()
            self._keeper = None

    def process_item(self, item):
        if item.get("body") is None:
            return item  # nothing to keep (an item whose page was stored already)
        if self._keeper is None:
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

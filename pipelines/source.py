"""Stage 1: keep the raw page, content-addressed by sha1, so any parse can be redone offline.

In a crawl a page of a local store is hashed and written on the reactor's thread when it is small
(a few syscalls and a hash that lets the GIL go: cheaper than a trip through a thread and back, a
Deferred that Scrapy awaits and one more wake-up of the reactor a page); a big one (a docket can be
megabytes) and every page of an s3:// store (a network round trip) go to a thread of this stage, in
the order they come.

When the archive stage (DatabasePipeline) comes next and merges off the reactor's thread (its writer
thread or process), a page (not a PDF) is left to it: the merge keeps the page first, in the same
call, and the reactor's thread makes no file calls for it at all (each let the GIL go, and getting
it back from the parse thread took up to a switch interval every time).  Only our parse and
validate stages may stand between (the validate stage keeps a page it refuses itself), so that no
stage can drop an item whose page nobody has kept yet.
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
    crawler = None
    _merge_keeps: bool | None = None  # whether the archive's merge keeps pages (decided at the first item)

    @classmethod
    def from_crawler(cls, crawler):
        stage = cls(crawler.settings, crawler.stats)
        stage.crawler = crawler
        return stage

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
        if self.merge_keeps_pages() and not is_pdf(item["body"]):
            return item
        if self._keeper is None or len(item["body"]) < self._inline_below:
            return self.counted(self.keep(item))
        return self._keeper.call(self.keep, item).addCallback(self.counted)

    def merge_keeps_pages(self) -> bool:
        """Whether the archive stage keeps this crawl's pages with their merges (off the reactor's
        thread); it is told so here, at the first item (every stage is open by then)."""
        if self._merge_keeps is None:
            from pacer_spiders.pipelines.database import DatabasePipeline
            from pacer_spiders.pipelines.parse import ParsePipeline
            from pacer_spiders.pipelines.validate import ValidatePipeline

            self._merge_keeps = False
            # In a crawl only (the pipeline chain of ``ingest`` has no engine, and merges in its thread).
            stages: list = []
            if self._keeper is not None and self.crawler is not None:
                try:  # Scrapy's item pipelines in their order (attributes without an underscore, not documented)
                    stages = list(self.crawler.engine.scraper.itemproc.middlewares)
                except AttributeError:  # a Scrapy that has them elsewhere: the pages are kept here
                    pass
            for stage in stages[stages.index(self) + 1:] if self in stages else ():
                if isinstance(stage, DatabasePipeline):
                    self._merge_keeps = stage.keeps_pages = stage.merges_off_reactor and stage.dry_run == self.dry_run
                    break
                if not isinstance(stage, (ParsePipeline, ValidatePipeline)):
                    break  # a stage that might drop the item: the page is kept here, first
        return self._merge_keeps

    def keep(self, item):
        """The page's sha1 and where it is kept (no stats: this may run in the stage's thread)."""
        keep_page(self.settings, item, self.dry_run)
        return item

    def counted(self, item):
        if not is_pdf(item["body"]):
            self.stats.inc_value("archive/source_pages")
        return item


def is_pdf(body) -> bool:
    return isinstance(body, bytes) and body.startswith(PDF_MAGIC)


def keep_page(settings, item, dry_run: bool) -> bool:
    """Keep the item's page (``body``) in SOURCE_STORE: its ``sha1`` and ``source_path`` set; True
    when a page was kept (a PDF only gets its sha1: it goes to FILES_STORE under its document's
    name, or with the orphan that waits for it, and a sealed document is never written anywhere)."""
    body = item["body"]
    if isinstance(body, str):
        body = item["body"] = body.encode("utf-8")
    if body.startswith(PDF_MAGIC):
        item["sha1"] = sha1_of(body)
        return False
    item["sha1"], item["source_path"] = keep_source(settings, body, item.get("report_type"), dry_run)
    return True

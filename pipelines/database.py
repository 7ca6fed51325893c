"""Stage 5: merge the parsed page into the archive (idempotent, concurrent-safe upserts).

Counts go to the stats as ``archive/<kind>_<added|changed|unchanged>`` and ``archive/rows_written``;
each crawl is a row of ``crawl_runs`` (cost, pages, counts, errors).
"""

from __future__ import annotations

from scrapy import signals

from pacer_spiders.outcome import crawl_outcome
from pacer_spiders.pipelines.base import ArchiveStage, logger, page_dict
from pacer_spiders.pipelines.files import PdfWriter, files_store
from pacer_spiders.pipelines.orphans import join_orphans_for_docket, sweep

class DatabasePipeline(ArchiveStage):
    run_id = None
    crawler = None
    _pdf_writer = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings, crawler.stats)
        pipeline.crawler = crawler
        # Scrapy tells pipelines no close reason: a crawl's outcome comes with this signal.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None):
        spider = spider or getattr(self.crawler, "spider", None)
        name = self.settings.get("ARCHIVE_RUN_NAME") or getattr(spider, "name", None) or "crawl"
        self.run_id = self.archive.start_run(name)

    def close_spider(self, spider=None, reason: str | None = None):
        if not self.dry_run:
            # The orphans whose backoff has run out get their retry at the end of every crawl.
            sweep(self.archive, self.pdf_writer, self.stats, due_only=True)
        if reason is not None:  # run by hand (ingest); a crawl's run is finished by spider_closed
            self.finish_run(reason)

    def spider_closed(self, spider=None, reason=None):
        self.finish_run(crawl_outcome(self.stats.get_stats(), reason, getattr(spider, "name", None)).reason)

    def finish_run(self, reason: str | None) -> None:
        stats = self.stats.get_stats()
        counts = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("archive/")}
        self.archive.finish_run(
            # What the spiders spent (``pacer/spent``), else the sum of the pages' receipts.
            self.run_id, cost=float(stats.get("pacer/spent", stats.get("archive/cost", 0.0)) or 0.0), pages=int(stats.get("archive/pages", 0)),
            rejected=int(stats.get("pages/rejected", 0)), errors=int(stats.get("log_count/ERROR", 0)),
            counts=counts, finish_reason=reason or stats.get("finish_reason"))

    @property
    def pdf_writer(self) -> PdfWriter:
        if self._pdf_writer is None:
            self._pdf_writer = PdfWriter(files_store(self.settings), self.archive, self.stats, self.dry_run, self.settings)
        return self._pdf_writer

    def process_item(self, item):
        from pacer_spiders.reports import unit_for

        self.stats.inc_value("archive/pages")
        if item.get("cost"):
            self.stats.inc_value("archive/cost", float(item["cost"]), start=0.0)
        if item.get("orphan_id"):
            self._record_raw(item)
            return item
        unit = unit_for(item.get("report_type"), item.get("court_id"))
        result = unit.merge(self.archive, item)
        if result is not None:
            item["docket_id"] = result.docket_id
            self.count(result.counts)
            if not unit.joins_docket:  # a docket-level merge: orphans waiting for it join now
                for docket_id in getattr(result, "docket_ids", None) or [result.docket_id]:
                    if not self.dry_run:
                        join_orphans_for_docket(self.archive, docket_id, self.pdf_writer, self.stats)
        elif unit.joins_docket:
            logger.info("%s %s: its entry vanished before the merge; kept as an orphan", unit.name, item.get("court_id"))
        self._record_raw(item)
        return item

    def _record_raw(self, item):
        if item.get("source_path"):
            self.count(self.archive.record_raw_page(page_dict(item), item.get("docket_id")).counts)

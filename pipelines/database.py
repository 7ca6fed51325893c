"""Stage 5: merge the parsed page into the archive (idempotent, concurrent-safe upserts).

Counts go to the stats as ``archive/<kind>_<added|changed|unchanged>`` and ``archive/rows_written``;
each crawl is a row of ``crawl_runs`` (cost, pages, counts, errors).
"""

from __future__ import annotations

from pacer_spiders.pipelines.base import ArchiveStage, logger, page_dict
from pacer_spiders.pipelines.files import PdfWriter, files_store
from pacer_spiders.pipelines.orphans import join_orphans_for_docket, sweep

DOCKET_REPORTS = {"docket", "history", "case_query", "possible_case_numbers"}


class DatabasePipeline(ArchiveStage):
    run_id = None
    crawler = None
    _pdf_writer = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings, crawler.stats)
        pipeline.crawler = crawler
        return pipeline

    def open_spider(self, spider=None):
        spider = spider or getattr(self.crawler, "spider", None)
        name = self.settings.get("ARCHIVE_RUN_NAME") or getattr(spider, "name", None) or "crawl"
        self.run_id = self.archive.start_run(name)

    def close_spider(self, spider=None, reason: str | None = None):
        if not self.dry_run:
            # The orphans whose backoff has run out get their retry at the end of every crawl.
            sweep(self.archive, self.pdf_writer, self.stats, due_only=True)
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
        self.stats.inc_value("archive/pages")
        if item.get("cost"):
            self.stats.inc_value("archive/cost", float(item["cost"]), start=0.0)
        if item.get("orphan_id"):
            self._record_raw(item)
            return item
        report, court = item.get("report_type"), item.get("court_id")
        parsed, context = item.get("parsed"), dict(item.get("context") or {})
        result = None
        if report == "rss" and isinstance(parsed, list):
            # A feed names many cases: each is a partial docket (its newest entries).
            for case in parsed:
                if isinstance(case, dict) and (case.get("docket_number") or case.get("pacer_case_id")):
                    merged = self.archive.merge_docket(court, case, {"pacer_case_id": case.get("pacer_case_id")})
                    self.count(merged.counts)
                    if not self.dry_run:
                        join_orphans_for_docket(self.archive, merged.docket_id, self.pdf_writer, self.stats)
        elif report in DOCKET_REPORTS and isinstance(parsed, dict):
            result = self.archive.merge_docket(court, parsed, context)
        elif report == "attachment_page":
            result = self.archive.merge_attachment_page(court, parsed, context)
        elif report == "pdf":
            result = self.archive.document_for_pdf(court, context)
            if result is not None:
                item["document"] = result.document
        if result is not None:
            item["docket_id"] = result.docket_id
            self.count(result.counts)
            if report in DOCKET_REPORTS and not self.dry_run:
                join_orphans_for_docket(self.archive, result.docket_id, self.pdf_writer, self.stats)
        elif report in ("attachment_page", "pdf"):
            logger.info("%s %s: its entry vanished before the merge; kept as an orphan", report, court)
        self._record_raw(item)
        return item

    def _record_raw(self, item):
        if item.get("source_path"):
            self.count(self.archive.record_raw_page(page_dict(item), item.get("docket_id")).counts)

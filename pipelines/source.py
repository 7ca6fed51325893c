"""Stage 1: keep the raw page, content-addressed by sha1, so any parse can be redone offline."""

from __future__ import annotations

from pacer_spiders.pipelines.base import ArchiveStage, keep_source, sha1_of
from pacer_spiders.reports.pdf import PDF_MAGIC


class SourceFilesPipeline(ArchiveStage):
    def process_item(self, item):
        if item.get("body") is None:
            return item  # nothing to keep (an item whose page was stored already)
        body = item["body"]
        if isinstance(body, str):
            body = item["body"] = body.encode("utf-8")
        if body.startswith(PDF_MAGIC):
            # PDFs go to FILES_STORE under their document's name (or with the orphan that waits
            # for it); a sealed document is never written anywhere.
            item["sha1"] = sha1_of(body)
            return item
        item["sha1"], item["source_path"] = keep_source(self.settings, body, item.get("report_type"), self.dry_run)
        self.stats.inc_value("archive/source_pages")
        return item

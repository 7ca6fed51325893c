"""The last stage: what only the pipelines needed leaves the item (the raw bytes, now in
SOURCE_STORE or FILES_STORE and named by ``sha1``; the archive rows), so that feed exports
(``scrapy crawl ... -O dockets.jsonl``, ``FEEDS``) write the parsed report and nothing else."""

from __future__ import annotations

from pacer_spiders.items import INTERNAL_FIELDS


class ExportablePipeline:
    def process_item(self, item, spider=None):
        for name in INTERNAL_FIELDS:
            item.pop(name, None)
        return item

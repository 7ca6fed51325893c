"""Feed exporters for the parsed reports a crawl yields."""

from __future__ import annotations

import json

from scrapy.exporters import CsvItemExporter as ScrapyCsvItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder

_ENCODER = ScrapyJSONEncoder(ensure_ascii=False, sort_keys=True)


class CsvItemExporter(ScrapyCsvItemExporter):
    """Scrapy's CSV exporter, writing a list or dict value (a docket's parties, entries, a receipt)
    as JSON in its cell, where Scrapy's would write Python's repr of it."""

    def serialize_field(self, field, name, value):
        if isinstance(value, (list, dict, tuple)):
            return _ENCODER.encode(value)
        return super().serialize_field(field, name, value)

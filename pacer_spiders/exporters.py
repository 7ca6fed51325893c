"""Feed exporters for the parsed reports a crawl yields."""

from __future__ import annotations


from itemadapter import ItemAdapter
from scrapy.exporters import CsvItemExporter as ScrapyCsvItemExporter
from scrapy.utils.serialize import ScrapyJSONEncoder

from pacer_spiders.items import INTERNAL_FIELDS

_ENCODER = ScrapyJSONEncoder(ensure_ascii=False, sort_keys=True)


class CsvItemExporter(ScrapyCsvItemExporter):
    """Scrapy's CSV exporter, writing a list or dict value (a docket's parties, entries, a receipt)
    as JSON in its cell, where Scrapy's would write Python's repr of it, and no column for what only
    the pipelines use (the raw bytes)."""

    def export_item(self, item):
        if not self.fields_to_export:  # the columns: the first item's fields, the pipelines' own left out
            self.fields_to_export = [name for name in ItemAdapter(item).field_names() if name not in INTERNAL_FIELDS]
        super().export_item(item)

    def serialize_field(self, field, name, value):
        if isinstance(value, (list, dict, tuple)):
            return _ENCODER.encode(value)
        return super().serialize_field(field, name, value)

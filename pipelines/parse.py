"""Stage 2: a page that reached the pipelines unparsed (a ``RawPage`` from a plugin's spider, or
an old one) is read by its report unit here.  The project's spiders read every page themselves
(``PacerSpider.read_page``), once, and yield the parsed item: those pass through untouched."""

from __future__ import annotations

from pacer_spiders.items import PROVENANCE_FIELDS, RawPage
from pacer_spiders.pages import PageProblem
from pacer_spiders.pipelines.base import ArchiveStage
from pacer_spiders.reports.base import one_line


class ParsePipeline(ArchiveStage):
    def process_item(self, item):
        if not isinstance(item, RawPage.item_type) or item.get("problem") is not None or item.get("parsed") is not None:
            return item
        from pacer_spiders.reports import read

        report = item.get("report_type")
        provenance = {k: v for k, v in item.items() if k in PROVENANCE_FIELDS and k not in ("body", "report_type")}
        try:
            page = read(report, item.get("body") or b"", provenance)
        except KeyError as exc:
            item["problem"] = PageProblem("no_parser", one_line(f"no report unit for {report!r}: {exc}"))
            return item
        return page.items[0]

"""Log lines about items that name the page instead of printing it.

Scrapy's default prints the whole item: for a RawPage that is the page's bytes (a docket can be
megabytes) on every dropped or scraped page.  One line names court, report and URL instead.
"""

from __future__ import annotations

from scrapy.logformatter import LogFormatter


def describe(item) -> str:
    """``okwd docket http://...`` for a RawPage; the item's type name for anything else."""
    try:
        return " ".join(str(item.get(k) or "-") for k in ("court_id", "report_type", "url"))
    except AttributeError:
        return type(item).__name__


class PacerLogFormatter(LogFormatter):
    def scraped(self, item, response, spider):
        entry = super().scraped(item, response, spider)
        entry["msg"], entry["args"] = "Scraped %(item)s", {"item": describe(item)}
        return entry

    def dropped(self, item, exception, response, spider):
        entry = super().dropped(item, exception, response, spider)
        entry["msg"], entry["args"] = "Dropped %(item)s: %(exception)s", {"item": describe(item), "exception": exception}
        return entry

    def item_error(self, item, exception, response, spider):
        entry = super().item_error(item, exception, response, spider)
        entry["args"] = {"item": describe(item)}
        return entry

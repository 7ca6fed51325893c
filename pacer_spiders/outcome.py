"""Whether a crawl did what it was asked: its exit code and a one-line reason (a Scrapy extension).

0  everything asked was obtained or deliberately skipped (already held, the cost cap, sealed);
2  part of it was not (a case that matches nothing, a document not found, answers lost to errors);
1  none of it was, or the crawl could not start or ended for a failure (a bad argument, a refused login).

The extension counts, by report, the pages that came through every pipeline
(``outcome/stored/<report>``) and those dropped on the way (``outcome/dropped/<report>/<kind>``);
``crawl_outcome`` reads them with the spiders' ``pacer/errors/*`` and ``pacer/skipped/*``.
``scrapy crawl`` exits with the code, and ``crawl_runs.finish_reason`` keeps the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy import signals

# Crawl close reasons that are not failures by themselves.
SUCCESS_REASONS = ("finished", "cost_cap")
# What the user decided not to have, or PACER does not show anyone: skipped on purpose.
DELIBERATE = ("already_held", "cost_cap", "sealed", "no_attachments")
# The reports each spider is asked for; the pages fetched on the way (a docket number's case id
# lookup, a PDF's attachment menu) are not what was asked.
ASKED_REPORTS = {"docket": ("docket",), "pdf": ("pdf",), "attachment_page": ("attachment_page",)}
LOOKUPS = ("possible_case_numbers",)
# Spiders that ask on purpose for what may not exist: a sweep probes case ids past the last case to
# find where the numbering ends, so its refused probes are misses, not failures.
MISSES_EXPECTED = {"case_query_sweep": ("case_query",)}
REASON_LENGTH = 100  # crawl_runs.finish_reason


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    reason: str


def _counts(stats: dict, prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: v for k, v in stats.items() if k.startswith(prefix) and isinstance(v, int) and v}


def crawl_outcome(stats: dict, finish_reason: str | None, spider: str | None = None) -> Outcome:
    """The exit code and reason of a crawl from its final stats and Scrapy's close reason."""
    finish_reason = finish_reason or stats.get("finish_reason") or "finished"
    asked = ASKED_REPORTS.get(spider or "")

    def is_asked(report: str) -> bool:
        return report in asked if asked else report not in LOOKUPS

    obtained = sum(v for report, v in _counts(stats, "outcome/stored/").items() if is_asked(report))
    skipped = 0
    failed: dict[str, int] = {}
    for kind, count in _counts(stats, "pacer/skipped/").items():
        if kind in DELIBERATE:
            skipped += count
        else:
            failed[kind] = failed.get(kind, 0) + count
    for kind, count in _counts(stats, "pacer/errors/").items():
        failed[kind] = failed.get(kind, 0) + count
    for key, count in _counts(stats, "outcome/dropped/").items():
        report, _, kind = key.partition("/")
        if not is_asked(report):
            continue  # a lookup refused: the spider counted its own error for it
        if kind in DELIBERATE or report in MISSES_EXPECTED.get(spider or "", ()):
            skipped += count
        else:
            failed[kind] = failed.get(kind, 0) + count
    listing = ", ".join(f"{kind} {count}" for kind, count in sorted(failed.items()))
    if finish_reason not in SUCCESS_REASONS:  # the spider or the login said why, in its own line
        return Outcome(1, _cut(finish_reason))
    if not failed:
        return Outcome(0, finish_reason)
    if obtained or skipped:
        return Outcome(2, _cut(f"partial: {obtained} obtained, {skipped} skipped; not obtained: {listing}"))
    if all(kind == "download" or kind.startswith("http_") for kind in failed):
        return Outcome(1, _cut(f"every request failed; nothing was fetched: {listing}"))
    return Outcome(1, _cut(f"nothing obtained: {listing}"))


def _cut(reason: str) -> str:
    return reason if len(reason) <= REASON_LENGTH else reason[:REASON_LENGTH - 1] + "…"


class CrawlOutcome:
    """Counts what came through the pipelines, by report; sets ``outcome/reason`` when the spider closes."""

    def __init__(self, crawler):
        self.crawler = crawler
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_scraped(self, item, **_):
        self.crawler.stats.inc_value(f"outcome/stored/{item.get('report_type') or 'unknown'}")

    def item_dropped(self, item, exception=None, **_):
        problem = item.get("problem")
        kind = getattr(problem, "kind", None) or type(exception).__name__
        self.crawler.stats.inc_value(f"outcome/dropped/{item.get('report_type') or 'unknown'}/{kind}")

    def item_error(self, item, failure=None, **_):  # a pipeline crashed: the page was not stored
        self.crawler.stats.inc_value(f"outcome/dropped/{item.get('report_type') or 'unknown'}/pipeline_error")

    def spider_closed(self, spider=None, reason=None):
        outcome = crawl_outcome(self.crawler.stats.get_stats(), reason, getattr(spider, "name", None))
        self.crawler.stats.set_value("outcome/reason", outcome.reason)
        self.crawler.stats.set_value("outcome/exit_code", outcome.exit_code)

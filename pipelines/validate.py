"""Stage 3: refuse what is not the report asked for, with a one-line reason (log, stats, database).

A page's report unit said what was wrong when it read the page (its ``problem``), or says now what
makes a parsed page unusable (``ReportUnit.check``: nothing found, no case named).  The raw page of
a rejected item stays in the source store (stage 1 kept it), so nothing is lost.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from pacer_spiders.pages import PageProblem
from pacer_spiders.pipelines.base import ArchiveStage, keep_source, logger, page_dict
from pacer_spiders.pipelines.source import keep_page


def problem_of(item) -> PageProblem | None:
    problem = item.get("problem")
    if problem is not None:
        return problem
    from pacer_spiders.reports import unit_for

    try:
        unit = unit_for(item.get("report_type"), item.get("court_id"))
    except KeyError:
        return PageProblem("no_parser", f"no report unit for {item.get('report_type')!r}")
    return unit.check(item)


class ValidatePipeline(ArchiveStage):
    def process_item(self, item):
        problem = problem_of(item)
        if problem is None:
            return item
        item["problem"] = problem
        if not item.get("source_path") and item.get("body") is not None and keep_page(self.settings, item, self.dry_run):
            self.stats.inc_value("archive/source_pages")  # a page the source stage left to the merge
        if not item.get("source_path"):
            # A PDF that is not one after all (an error or sealed notice): keep that page, it is
            # not the document.
            item["sha1"], item["source_path"] = keep_source(self.settings, item.get("body") or b"", "error_page",
                                                             self.dry_run)
        reason = f"{item.get('report_type')} {item.get('court_id')} {item.get('url') or ''}: {problem.kind}: {problem.reason}"
        logger.warning("rejected %s", " ".join(reason.split()))
        self.stats.inc_value("pages/rejected")
        self.stats.inc_value(f"pages/rejected/{problem.kind}")
        self.count(self.archive.record_rejected(page_dict(item), problem.kind, problem.reason).counts)
        raise DropItem(f"{problem.kind}: {problem.reason}")

"""Stage 3: refuse what is not the report asked for, with a one-line reason (log, stats, database).

The raw page of a rejected item stays in the source store (stage 1 kept it), so nothing is lost.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem

from pacer_spiders.pages import PageProblem
from pacer_spiders.parsers.common import decode
from pacer_spiders.plugin_manager import get_plugin_manager
from pacer_spiders.pipelines.base import PDF_MAGIC, ArchiveStage, keep_source, logger, page_dict

DOCKET_LIKE = {"docket", "history", "case_query", "possible_case_numbers"}


def classify(court_id, report, body: bytes) -> PageProblem | None:
    """What PACER sent instead of the report (error, login, sealed ... pages), through the hook."""
    return get_plugin_manager().hook.classify_page(court_id=court_id, report=report, text=decode(body))


def problem_of(item) -> PageProblem | None:
    report, body, court = item.get("report_type"), item.get("body") or b"", item.get("court_id")
    problem = item.get("problem")
    if report == "pdf":
        if body.startswith(PDF_MAGIC):
            return None
        return classify(court, report, body) or PageProblem("not_pdf", "a PDF was asked for and the answer is not a PDF")
    if problem is not None and problem.kind not in ("parse_error", "no_parser"):
        return problem
    # A PACER error or login page may parse into nothing or crash a parser: name it properly.
    problem = classify(court, report, body) or problem
    if problem is not None:
        return problem
    parsed = item.get("parsed")
    if not parsed:
        return PageProblem("empty", f"the {report} parser found nothing on this page")
    if report in DOCKET_LIKE and isinstance(parsed, dict):
        context = item.get("context") or {}
        if not (parsed.get("docket_number") or parsed.get("pacer_case_id") or context.get("pacer_case_id")):
            return PageProblem("empty", f"the {report} page names no case (no docket number, no case id)")
    return None


class ValidatePipeline(ArchiveStage):
    def process_item(self, item):
        problem = problem_of(item)
        if problem is None:
            return item
        item["problem"] = problem
        if item.get("report_type") == "pdf" and not item.get("source_path"):
            # Not a PDF after all (an error or sealed notice): keep that page, it is not the document.
            item["sha1"], item["source_path"] = keep_source(self.settings, item.get("body") or b"", "error_page",
                                                             self.dry_run)
        reason = f"{item.get('report_type')} {item.get('court_id')} {item.get('url') or ''}: {problem.kind}: {problem.reason}"
        logger.warning("rejected %s", " ".join(reason.split()))
        self.stats.inc_value("pages/rejected")
        self.stats.inc_value(f"pages/rejected/{problem.kind}")
        self.count(self.archive.record_rejected(page_dict(item), problem.kind, problem.reason).counts)
        raise DropItem(f"{problem.kind}: {problem.reason}")

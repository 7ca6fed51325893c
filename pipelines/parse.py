"""Stage 2: parse the page with the court's parser (``pacer_spiders.parsers.parser_for``)."""

from __future__ import annotations

from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import parser_for
from pacer_spiders.pipelines.base import ArchiveStage

# Reports whose body is not parsed here.
UNPARSED = {"pdf"}


def one_line(text: str, limit: int = 300) -> str:
    return " ".join(str(text).split())[:limit]


class ParsePipeline(ArchiveStage):
    def process_item(self, item):
        report = item.get("report_type")
        if report in UNPARSED or item.get("parsed") is not None or item.get("problem"):
            return item
        context = dict(item.get("context") or {})
        context.setdefault("court_id", item.get("court_id"))
        context.setdefault("url", item.get("url"))
        try:
            parse = parser_for(report, item.get("court_id"))
        except (KeyError, ImportError) as exc:
            item["problem"] = PageProblem("no_parser", one_line(f"no parser for {report!r}: {exc}"))
            return item
        try:
            item["parsed"] = parse(item.get("body") or b"", context)
        except NotTheReport as exc:
            item["problem"] = exc.problem
        except Exception as exc:  # a parser bug must not lose the page: it is rejected with the reason
            item["problem"] = PageProblem("parse_error", one_line(f"{type(exc).__name__}: {exc}"))
        return item

"""The built-in parser of each PACER report (the ``page_parser`` hook)."""

from __future__ import annotations

import importlib

from pacer_spiders.hookspecs import hookimpl

# report name -> "module:function"; each is ``parse(body: bytes, context: dict) -> dict``.
REPORT_PARSERS = {
    "docket": "pacer_spiders.parsers.docket_report:parse",
    "history": "pacer_spiders.parsers.docket_history:parse",
    "attachment_page": "pacer_spiders.parsers.attachment_page:parse",
    "receipt": "pacer_spiders.parsers.receipt:parse",
    "case_query": "pacer_spiders.parsers.case_query:parse",
    "possible_case_numbers": "pacer_spiders.parsers.possible_case_numbers:parse",
    "rss": "pacer_spiders.parsers.rss:parse",
}


@hookimpl(trylast=True)
def page_parser(court_id, report):
    target = REPORT_PARSERS.get(report)
    if target is None:
        return None
    module_name, function = target.split(":")
    return getattr(importlib.import_module(module_name), function)

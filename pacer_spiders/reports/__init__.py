"""One module per PACER report: each declares a ``UNIT`` (see ``reports.base.ReportUnit``).

``unit_for(report, court_id)`` is the unit to use (a court plugin may supply its own through the
``report_unit`` hook); ``detect_report(body)`` names the report of a page from its content alone;
``read(report, body, provenance)`` parses a page once into its item.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.reports.base import PageRead, ReportUnit, read_page

# report name -> module of its unit, in the order pages of unknown report are tested.
BUILTIN_REPORTS = {
    "rss": "pacer_spiders.reports.rss",
    "nef": "pacer_spiders.reports.nef",
    "nda": "pacer_spiders.reports.nda",
    "ia_docket_xml": "pacer_spiders.reports.ia_docket_xml",
    "possible_case_numbers": "pacer_spiders.reports.possible_case_numbers",
    "history": "pacer_spiders.reports.history",
    "appellate_docket": "pacer_spiders.reports.appellate_docket",
    "docket": "pacer_spiders.reports.docket",
    "appellate_attachment_page": "pacer_spiders.reports.appellate_attachment_page",
    "attachment_page": "pacer_spiders.reports.attachment_page",
    "advanced_case_query": "pacer_spiders.reports.advanced_case_query",
    "mobile_query": "pacer_spiders.reports.mobile_query",
    "free_opinions": "pacer_spiders.reports.free_opinions",
    # Claims reports and creditor lists end (or start) with a receipt: tried before it.
    "claims_activity": "pacer_spiders.reports.claims_activity",
    "claims_register": "pacer_spiders.reports.claims_register",
    "list_of_creditors": "pacer_spiders.reports.list_of_creditors",
    # A billed docket also ends with a receipt, so the receipt is the last HTML report tried.
    "receipt": "pacer_spiders.reports.receipt",
    "case_query": "pacer_spiders.reports.case_query",
    # ACMS's API answers JSON, told apart by its keys (detect_rank 5 and 6: before any HTML report).
    "acms_docket": "pacer_spiders.reports.acms_docket",
    "acms_attachment_page": "pacer_spiders.reports.acms_attachment_page",
    "pdf": "pacer_spiders.reports.pdf",
}
REPORTS = tuple(name for name in BUILTIN_REPORTS if name != "pdf")  # the reports of saved pages
_XML_ROOT = lazy_compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(\w+)", re.S)


def builtin_unit(report: str) -> ReportUnit | None:
    module = BUILTIN_REPORTS.get(report)
    return importlib.import_module(module).UNIT if module else None


def unit_for(report: str | None, court_id: str | None = None) -> ReportUnit:
    """The report unit of ``report`` at a court (court plugins first); KeyError when none.  The
    ``report_unit`` hook is asked once per set of plugins."""
    from pacer_spiders.plugin_manager import get_plugin_manager, plugins_memo

    pm = get_plugin_manager()
    memo = plugins_memo(pm)
    key = ("report_unit", report, court_id)
    unit = memo.get(key)
    if unit is None:
        unit = pm.hook.report_unit(court_id=court_id, report=report)
        if unit is None:
            raise KeyError(f"no report unit for {report!r}")
        memo[key] = unit
    return unit


def units() -> list[ReportUnit]:
    """Every built-in report unit."""
    return [importlib.import_module(module).UNIT for module in BUILTIN_REPORTS.values()]


def ingest_types() -> dict[str, ReportUnit]:
    """``pacer-spiders ingest --type`` name -> unit."""
    return {unit.ingest_type: unit for unit in units() if unit.ingest_type}


def xml_root(text: str) -> str | None:
    """The lower-cased root element name of an XML page, or None."""
    match = _XML_ROOT.match(text[:4096].lstrip("\ufeff"))
    return match.group(1).lower() if match else None


def detect_report(body: bytes | str) -> str | None:
    """The report name of a page from its content alone (one of ``REPORTS``), or None."""
    from pacer_spiders.parsers.common import decode

    return _detect_text(decode(body))


@lru_cache(maxsize=1)
def _detect_text(text: str) -> str | None:
    """``detect_report`` of a decoded page, kept for the page last asked about: ``pacer-spiders
    parse`` detects a page and then its parser asks again whether it is another report (the
    attachment menu, case query and appellate docket parsers); the second answer is the first."""
    from pacer_spiders.parsers.common import lowered_bytes

    # An ASCII page's lower-cased text is its lower-cased bytes, which the checks before a parse ask
    # for anyway (made once per page): the page is lowered once, not twice.
    lowered = lowered_bytes(text).decode("ascii") if text.isascii() else text.lower()
    for unit in _detection_order():
        if unit.recognise(lowered):
            return unit.name
    return None


@lru_cache(maxsize=1)
def _detection_order() -> tuple[ReportUnit, ...]:
    """The built-in units pages are tested against, lowest rank first (sorted once: ``pacer-spiders
    parse`` detects every page of a folder)."""
    return tuple(sorted((u for u in units() if u.detect_rank is not None), key=lambda u: u.detect_rank or 0))


def undetected_reason(body: bytes | str) -> str:
    """Why ``detect_report`` named no report for a page, in one line."""
    from pacer_spiders.reports.acms_docket import describe_json

    what = describe_json(body)
    if what is not None:
        return f"{what}: not a page of any report this parser knows"
    return "not a page of any report this parser knows"


def read(report: str | None, body: bytes, provenance: dict) -> PageRead:
    """Parse one page of ``report`` (at ``provenance['court_id']``) once into its item."""
    return read_page(unit_for(report, provenance.get("court_id")), body, provenance)


__all__ = ["BUILTIN_REPORTS", "REPORTS", "PageRead", "ReportUnit", "detect_report", "read", "read_page",
           "unit_for", "units", "ingest_types", "xml_root", "undetected_reason"]

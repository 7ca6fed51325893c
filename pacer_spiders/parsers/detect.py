"""Which PACER report a saved page is, from its content alone (for ``pacer-spiders parse`` without ``-r``).

Each report has marks CM/ECF always prints: the RSS and possible_case_numbers XML roots, the
"History/Documents" title with its "Doc. No." column, the docket heading ("CIVIL DOCKET FOR CASE #",
"Bankruptcy Petition #"...), the "Document Selection Menu", the "Transaction Receipt" table and
the case query's menu of per-case reports.  Order matters: a billed docket also ends with a
receipt, so the receipt is the last HTML report tried.
"""

from __future__ import annotations

import re

from pacer_spiders.parsers.common import decode

REPORTS = ("docket", "history", "attachment_page", "receipt", "case_query", "possible_case_numbers", "rss")

_XML_ROOT = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<(\w+)", re.S)
# Every pattern below runs on the lower-cased page, each behind a cheap substring test.
_DOCKET_HEADINGS = ("docket for case #", "bankruptcy petition #", "adversary proceeding #", "docket text</", "general docket")
_HISTORY = re.compile(
    r"<title>[^<]*history/documents|>\s*history\s*</h2>|<font size=\"?5\"?>\s*(?:history|documents)\s*</font>"
    r"|description:\s*</font>\s*</th>\s*<td[^>]*>\s*<font[^>]*>\s*history/documents"
)
_ATTACHMENT_MENU = re.compile(
    r"document selection menu|name=[\"']?document_\d*_\d+|documents? (?:are|is) attached to this filing"
)
_RECEIPT = re.compile(r"transaction\s+receipt")
_CASE_QUERY = re.compile(r"mobile_query\.pl\?search=caseinfo|qryparties\.pl\?\d+|qryalias\.pl\?\d+")


def detect_report(body: bytes | str) -> str | None:
    """The report name of a page (one of ``REPORTS``), or None when nothing marks it."""
    text = decode(body)
    head = text[:4096].lstrip("\ufeff")
    root = _XML_ROOT.match(head)
    if root and root.group(1).lower() == "rss":
        return "rss"
    if root and root.group(1).lower() == "request":
        return "possible_case_numbers"
    low = text.lower()
    if "history" in low and _HISTORY.search(low):
        return "history"
    if any(heading in low for heading in _DOCKET_HEADINGS):
        return "docket"
    if is_attachment_menu(low):
        return "attachment_page"
    if "transaction" in low and _RECEIPT.search(low):
        return "receipt"
    if ".pl?" in low and _CASE_QUERY.search(low):
        return "case_query"
    return None


def is_attachment_menu(text: str) -> bool:
    """Whether the page carries the marks of a doc1 document selection menu."""
    low = text.lower()
    if "document" not in low:
        return False
    return bool(_ATTACHMENT_MENU.search(low))


def refuse_other_report(text: str, report: str) -> None:
    """Raise NotTheReport when the page is plainly another report (a docket handed to the case query parser)."""
    from pacer_spiders.pages import NotTheReport, PageProblem

    kind = detect_report(text)
    if kind is not None and kind != report:
        raise NotTheReport(PageProblem("other_report", f"this page is a {kind} report, not {report}"))


def refuse_problem_page(text: str, report: str, court_id: str | None = None) -> None:
    """Raise NotTheReport for PACER's error, login, sealed... pages (the ``classify_page`` hook)."""
    from pacer_spiders.pages import NotTheReport
    from pacer_spiders.plugin_manager import get_plugin_manager

    problem = get_plugin_manager().hook.classify_page(court_id=court_id, report=report, text=text)
    if problem is not None:
        raise NotTheReport(problem)

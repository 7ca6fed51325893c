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
_DOCKET_HEADING = re.compile(
    r"DOCKET FOR CASE #|Bankruptcy Petition #|Adversary Proceeding #|Docket Text</|General Docket", re.I
)
_HISTORY = re.compile(
    r"<title>[^<]*History/Documents|>\s*History\s*</h2>|<font size=\"?5\"?>\s*(?:History|Documents)\s*</font>"
    r"|Description:\s*</font>\s*</th>\s*<td[^>]*>\s*<font[^>]*>\s*History/Documents",
    re.I,
)
_ATTACHMENT_MENU = re.compile(
    r"Document Selection Menu|name=[\"']?document_\d*_\d+|Documents? (?:are|is) attached to this filing", re.I
)
_RECEIPT = re.compile(r"Transaction\s+Receipt", re.I)
_CASE_QUERY = re.compile(r"mobile_query\.pl\?search=caseInfo|qryParties\.pl\?\d+|qryAlias\.pl\?\d+", re.I)


def detect_report(body: bytes | str) -> str | None:
    """The report name of a page (one of ``REPORTS``), or None when nothing marks it."""
    text = decode(body)
    head = text[:4096].lstrip("\ufeff")
    root = _XML_ROOT.match(head)
    if root and root.group(1).lower() == "rss":
        return "rss"
    if root and root.group(1).lower() == "request":
        return "possible_case_numbers"
    if _HISTORY.search(text):
        return "history"
    if _DOCKET_HEADING.search(text):
        return "docket"
    if _ATTACHMENT_MENU.search(text):
        return "attachment_page"
    if _RECEIPT.search(text):
        return "receipt"
    if _CASE_QUERY.search(text):
        return "case_query"
    return None


def is_attachment_menu(text: str) -> bool:
    """Whether the page carries the marks of a doc1 document selection menu."""
    return bool(_ATTACHMENT_MENU.search(text))


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

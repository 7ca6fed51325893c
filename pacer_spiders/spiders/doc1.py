"""What a ``/doc1/<id>`` answer is, and what to follow on it.

PACER answers a document link with the PDF itself (free, or once bought), an attachment menu
(free; the attachment_page report), a "View Document" confirmation page whose form buys the
document (its receipt, the receipt report, says the cost), a page whose iframe leads to the bought
PDF (``show_temp.pl``), or a message (sealed, restricted, unavailable; PACER's messages live in
``parsers.problems`` and are asked through the ``classify_page`` hook).  Each page is read once,
by its report unit where it is a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

from pacer_spiders.pages import PageProblem
from pacer_spiders.parsers.common import go_dls_args, go_dls_form
from pacer_spiders.reports import PageRead
from pacer_spiders.reports.attachment_page import is_attachment_menu
from pacer_spiders.reports.base import classify
from pacer_spiders.reports.pdf import PDF_MAGIC

_WINDOW_LOCATION = re.compile(r"window\.\s*location\s*=\s*[\"']([^\"']+)[\"']")
#: the kinds of message that mean a document cannot be had (never bought, never stored)
UNOBTAINABLE = ("sealed", "unavailable", "not_found", "restricted", "error")


@dataclass
class Doc1Page:
    kind: str  # pdf, menu, confirmation, iframe, problem, unknown
    url: str = ""  # where to go next (the purchase form's action, the iframe's src); "" when nowhere
    fields: dict = field(default_factory=dict)  # what to post there
    problem: PageProblem | None = None
    page: PageRead | None = None  # the menu or the confirmation page read by its report unit


def document_problem(court_id: str | None, text: str) -> PageProblem | None:
    """PACER's message that a document cannot be had (the ``classify_page`` hook), or None."""
    problem = classify(court_id, "pdf", text)
    if problem is not None and problem.kind in UNOBTAINABLE:
        return problem
    return None


def read_doc1(spider, response, context: dict) -> Doc1Page:
    """Read a doc1 answer: menus and confirmation pages through their report units (``spider.read_page``)."""
    body = response.body
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if body[:5] == PDF_MAGIC or "application/pdf" in content_type:
        return Doc1Page("pdf")
    text = body.decode("utf-8", "replace")
    selector = Selector(text=text)
    iframe = selector.xpath("//iframe[contains(@src, 'show_temp') or contains(@src, '.pdf')]/@src").get()
    moved = _WINDOW_LOCATION.search(text)
    target = iframe or (moved.group(1) if moved and "show_temp" in moved.group(1) else None)
    if target:
        return Doc1Page("iframe", url=urljoin(response.url, target))
    for form in selector.xpath("//form[contains(@action, '/doc1/')]"):
        if not form.xpath(".//input[@type='submit' or @type='SUBMIT']"):
            continue
        hidden = {node.attrib.get("name"): node.attrib.get("value", "")
                  for node in form.xpath(".//input[@type='hidden' or @type='HIDDEN']") if node.attrib.get("name")}
        args = go_dls_args(form.attrib.get("onsubmit", "")) or {}
        page = spider.read_page(response, "receipt", context)
        return Doc1Page("confirmation", url=urljoin(response.url, form.attrib.get("action") or args.get("url") or ""),
                        fields={**go_dls_form(args), **hidden, "got_receipt": "1"}, page=page)
    if is_attachment_menu(text):
        page = spider.read_page(response, "attachment_page", context)
        if page.parsed:
            first = selector.xpath("(//a[contains(@href, '/doc1/')])[1]")
            args = go_dls_args(first.attrib.get("onclick") or first.attrib.get("onClick") or "") or {}
            return Doc1Page("menu", url=urljoin(response.url, first.attrib.get("href") or args.get("url") or ""),
                            fields=go_dls_form(args), page=page)
    problem = document_problem(context.get("court_id"), text)
    if problem is not None:
        return Doc1Page("problem", problem=problem)
    return Doc1Page("unknown")

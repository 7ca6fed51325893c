"""What a ``/doc1/<id>`` answer is, read from the few marks a spider must follow.

PACER answers a document link with an attachment menu (free), a "View Document" confirmation
page whose form buys the document (its receipt says the cost), a page with an iframe to the
bought PDF (``show_temp.pl``), the PDF itself, or a message (sealed, restricted, unavailable).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

from parsel import Selector

from pacer_spiders.pages import PageProblem
from pacer_spiders.plugin_manager import get_plugin_manager

_GO_DLS = re.compile(r"goDLS\(([^)]*)\)")
_QUOTED = re.compile(r"'([^']*)'")
_WINDOW_LOCATION = re.compile(r"window\.\s*location\s*=\s*[\"']([^\"']+)[\"']")
_PAGES = re.compile(r"(\d+)\s+pages?", re.IGNORECASE)
# goDLS(hyperlink, de_caseid, de_seqno, got_receipt, pdf_header, pdf_toggle_possible, magic_num, ...):
# the form fields CM/ECF's script posts for each (empty ones are left out).
GO_DLS_FIELDS = (None, "caseid", "de_seq_num", "got_receipt", "pdf_header", "pdf_toggle_possible", "magic_num", "hdr")
# PACER's messages for a document that cannot be had; the classify_page hook is asked first.
DOCUMENT_MESSAGES = (
    ("sealed", "you do not have permission to view this document"),
    ("sealed", "sealed document"),
    ("sealed", "under seal"),
    ("sealed", "document is sealed"),
    ("restricted", "document is restricted"),
    ("unavailable", "document is not available"),
    ("unavailable", "not available for viewing by non-court users"),
    ("unavailable", "permission to view this document is denied"),
    ("unavailable", "you do not have access to this transcript"),
    ("not_found", "document not found"),
    ("not_found", "could not retrieve dktentry"),
)


@dataclass
class Doc1Page:
    kind: str  # pdf, menu, confirmation, iframe, problem, unknown
    url: str | None = None  # where to go next (the purchase form's action, the iframe's src)
    fields: dict = field(default_factory=dict)  # what to post there
    problem: PageProblem | None = None
    pages: int | None = None  # the main document's page count on a menu


def go_dls_fields(onclick: str) -> tuple[str | None, dict]:
    """The target and form fields of a ``goDLS(...)`` call."""
    match = _GO_DLS.search(onclick or "")
    if not match:
        return None, {}
    values = _QUOTED.findall(match.group(1))
    fields = {name: value for name, value in zip(GO_DLS_FIELDS, values) if name and value}
    return (values[0] if values else None), fields


def document_problem(court_id: str | None, text: str) -> PageProblem | None:
    problem = get_plugin_manager().hook.classify_page(court_id=court_id, report="pdf", text=text)
    if problem is not None and getattr(problem, "kind", None) in ("sealed", "unavailable", "not_found", "restricted",
                                                                  "error"):
        return problem
    low = re.sub(r"\s+", " ", text.lower())
    for kind, phrase in DOCUMENT_MESSAGES:
        if phrase in low:
            return PageProblem(kind, f"PACER says: {phrase}")
    return None


def read_doc1(response, court_id: str | None) -> Doc1Page:
    body = response.body
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    if body[:5] == b"%PDF-" or "application/pdf" in content_type:
        return Doc1Page("pdf")
    text = body.decode("utf-8", "replace")
    selector = Selector(text=text)
    iframe = selector.xpath("//iframe[contains(@src, 'show_temp') or contains(@src, '.pdf')]/@src").get()
    if iframe:
        return Doc1Page("iframe", url=urljoin(response.url, iframe))
    moved = _WINDOW_LOCATION.search(text)
    if moved and "show_temp" in moved.group(1):
        return Doc1Page("iframe", url=urljoin(response.url, moved.group(1)))
    for form in selector.xpath("//form[contains(@action, '/doc1/')]"):
        if not form.xpath(".//input[@type='submit' or @type='SUBMIT']"):
            continue
        fields = {node.attrib.get("name"): node.attrib.get("value", "")
                  for node in form.xpath(".//input[@type='hidden' or @type='HIDDEN']") if node.attrib.get("name")}
        target, dls = go_dls_fields(form.attrib.get("onsubmit", ""))
        fields = {**dls, **fields, "got_receipt": "1"}
        return Doc1Page("confirmation", url=urljoin(response.url, form.attrib.get("action") or target or ""),
                        fields=fields)
    links = selector.xpath("//a[@onclick and contains(@href, '/doc1/')] | //a[contains(@onClick, 'goDLS')]")
    if links and ("Document Selection Menu" in text or len(links) > 1):
        first = links[0]
        target, dls = go_dls_fields(first.attrib.get("onclick") or first.attrib.get("onClick") or "")
        row_text = " ".join(first.xpath("ancestor::tr[1]//text()").getall())
        pages = _PAGES.search(row_text)
        return Doc1Page("menu", url=urljoin(response.url, first.attrib.get("href") or target or ""), fields=dls,
                        pages=int(pages.group(1)) if pages else None)
    problem = document_problem(court_id, text)
    if problem is not None:
        return Doc1Page("problem", problem=problem)
    return Doc1Page("unknown")

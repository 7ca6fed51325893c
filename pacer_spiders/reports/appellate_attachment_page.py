"""Appellate CM/ECF attachment pages: "N Documents are attached to this filing" (``ShowDoc``).

Page structure this relies on: one row per document, ``[md checkbox] | number | link
docs1/<id> | description | pages [| size]``; the checkbox's ``sumDocSelected(this, pages, bytes,
dls)`` carries the file size; the page's scripts name the case (``caseId=``) and the entry
(``ShowDocMulti ... d=<seq>``).  The links live under ``/n/beam/servlet/TransportRoom`` and
``/docs1/`` (district menus: ``/doc1/``).
"""

from __future__ import annotations


from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.parsers.common import decode
from pacer_spiders.reports.appellate_docket import doc_id_of_link
from pacer_spiders.reports.base import refuse_problem_page

REPORT = "appellate_attachment_page"

_ATTACHED = lazy_compile(r"documents? (?:are|is) attached to this filing")
_APPELLATE_LINK = lazy_compile(r"/docs?\d/\d+|transportroom\?servlet=")
_SUM_SELECTED = lazy_compile(r"sumDocSelected\(\s*this\s*,\s*(\d+)\s*,\s*(\d+)")
_CASE_ID = lazy_compile(r"[?&]caseId=(\d*)")
_SEQ_NO = lazy_compile(r"servlet=ShowDocMulti[^'\"]*?[?&]d=(\d+)")


def is_appellate_attachment_page(lowered: str) -> bool:
    """Whether a page (lower-cased) is an appellate CM/ECF list of a filing's documents."""
    return bool(_ATTACHED.search(lowered)) and "/doc1/" not in lowered and bool(_APPELLATE_LINK.search(lowered))


def parse(body: bytes | str, context: dict | None = None) -> dict:
    context = context or {}
    text = decode(body)
    court_id = context.get("court_id")
    refuse_problem_page(text, REPORT, court_id)
    if not is_appellate_attachment_page(text.lower()):
        raise NotTheReport(PageProblem(
            "not_appellate_attachment_page",
            "no 'Documents are attached to this filing' list of docs1 links: not an appellate attachment page"))
    root = dc.html_root(text)
    # A document's row holds no table (the rows of the frame around the list do).
    attachments = [_attachment(row, court_id) for row in root.iter("tr")
                   if row.find(".//table") is None and any(doc_id_of_link(a.get("href"), court_id) for a in row.iter("a"))]
    if not attachments:
        raise NotTheReport(PageProblem("empty", "the appellate attachment page lists no document"))
    ids = [a["pacer_doc_id"] for a in attachments if a["pacer_doc_id"]]
    case_id = _CASE_ID.search(text)
    seq_no = _SEQ_NO.search(text)
    return {
        # The filing's own document was made first: the lowest document id of the list.
        "pacer_doc_id": min(ids, key=int) if ids else None,
        "pacer_case_id": (case_id.group(1) or None) if case_id else None,
        "pacer_seq_no": seq_no.group(1) if seq_no else None,
        "attachments": attachments,
    }


def _attachment(row, court_id) -> dict:
    cells = row.findall("td")
    link_cell = next(i for i, cell in enumerate(cells)
                     if any(doc_id_of_link(a.get("href"), court_id) for a in cell.iter("a")))
    texts = [dc.squash(" ".join(cell.itertext())) for cell in cells]
    number = next((t for t in reversed(texts[:link_cell]) if t.isdigit()), None)
    pages = texts[link_cell + 2] if len(texts) > link_cell + 2 else ""
    attachment = {
        "attachment_number": int(number) if number else None,
        "description": texts[link_cell + 1] if len(texts) > link_cell + 1 else "",
        "pacer_doc_id": next(doc_id_of_link(a.get("href"), court_id) for a in cells[link_cell].iter("a")
                             if doc_id_of_link(a.get("href"), court_id)),
        "page_count": int(pages) if pages.isdigit() else None,
    }
    size = _SUM_SELECTED.search(" ".join(box.get("onclick", "") for box in row.iter("input")))
    if size:
        attachment["file_size_bytes"] = int(size.group(2))
    return attachment


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_into_entry  # noqa: E402

AppellateAttachmentPage = item_class(
    "AppellateAttachmentPage", "An appellate filing's list of documents (ShowDoc).",
    fields("court_id", "pacer_case_id", "pacer_doc_id", "pacer_seq_no", attachments="list"))

UNIT = ReportUnit(
    parse, is_appellate_attachment_page, merge_into_entry,
    name=REPORT, ingest_type=REPORT, item_class=AppellateAttachmentPage, joins_docket=True,
    # Before the district attachment menu (50), whose marks include the same sentence.
    detect_rank=45,
    path="/n/beam/servlet/TransportRoom?servlet=ShowDoc&dls_id={pacer_doc_id}",
    corpus_folders=("appellate_attachment_pages",),
    whole_page=True,
)

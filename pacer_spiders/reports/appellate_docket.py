"""The docket of the courts of appeals' CM/ECF (``CaseSummary.jsp``: "General Docket") -> the
reference appellate docket dict.

Page structure this relies on (appellate CM/ECF's, the same at every circuit and BAP):
- a case stub table: ``<b>Court of Appeals Docket #:</b>`` (a BAP: ``Bankruptcy Appellate Panel
  Docket #:``), ``Docketed:`` / ``Termed:``, ``Nature of Suit:``, a bare cell with the caption,
  ``Appeal From:`` and ``Fee Status:``;
- "Case Type Information:" then numbered rows ``1) civil``;
- "Originating Court Information:": ``District: <code> : <docket number link>``, ``Trial Judge:``,
  ``Ordering Judge:``, ``Court Reporter:``, ``Date Filed:``, then a row of date labels over a row
  of dates; "Prior Cases:" rows with ``Date Disposed:`` / ``Disposition:``; "Panel Assignment:";
- party rows: ``name <br> [Terminated: date <br>] type | attorneys``, the attorneys separated by an
  empty line, each ``name``, contact lines and ``[roles]``;
- entry rows: ``date | [checkbox d=<seq>] [link docs1/<id> (number)] | text [Entered: ...]``, an
  entry's documents (``md`` checkboxes ``<seq> <dls> <pages> <bytes>``) in a row of their own.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.courts import normalize_pacer_doc_id
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.parsers.common import decode, harmonize_case_name
from pacer_spiders.reports.base import refuse_other_report, refuse_problem_page

REPORT = "appellate_docket"

# The stub's docket number label, at a court of appeals and at a bankruptcy appellate panel.
_DOCKET_LABEL = lazy_compile(r"(?:court of appeals|bankruptcy appellate panel) docket #:", re.I)
_DATE = lazy_compile(r"\d{1,2}/\d{1,2}/\d{4}")
_ENTERED = lazy_compile(r"\[Entered:\s*(\d{1,2}/\d{1,2}/\d{4})")
_DOC_LINK = lazy_compile(r"/docs?\d/(\d+)")
_COURT_HOST = lazy_compile(r"//ecf\.(\w+)\.uscourts\.gov", re.I)
# A district docket number without its judges' initials and defendant number.
_DISTRICT_NUMBER = lazy_compile(r"^\d{1,2}:\d{2}-[a-zA-Z]{1,5}-\d+")
# An agency case's alien registration number is kept apart from docket numbers (it is personal).
_ALIEN_NUMBER = lazy_compile(r"^A\d{3}-\d{3}-\d{3}$")
_NUMBERED = lazy_compile(r"^\s*\d+\)\s*")
_ROLES = lazy_compile(r"^\[(.*)\]$")
# Date columns of the originating court -> the reference keys (other columns are not kept).
_ORIGIN_DATES = {
    "date order/judgment": "date_judgment",
    "date order/judgment eod": "date_judgment_eod",
    "date noa filed": "date_filed_noa",
    "date rec'd coa": "date_received_coa",
}


def is_appellate_docket(lowered: str) -> bool:
    """Whether a page (lower-cased) carries the appellate docket's stub label."""
    return "docket #:" in lowered and bool(_DOCKET_LABEL.search(lowered))


def parse(body: bytes | str, context: dict | None = None) -> dict:
    """An appellate CM/ECF docket page -> the reference dict; NotTheReport for any other page."""
    context = context or {}
    text = decode(body)
    refuse_problem_page(text, REPORT, context.get("court_id"))
    if not is_appellate_docket(text.lower()):
        refuse_other_report(text, REPORT)
        raise NotTheReport(PageProblem(
            "not_appellate_docket", "no 'Court of Appeals Docket #' stub: not an appellate CM/ECF docket"))
    root = dc.html_root(text)
    court_id = context.get("court_id")
    stub = _stub(root)
    # The header block (stub, case type, originating court, prior cases, panel) is one table; party
    # and entry rows are read outside it (its rows of dates would pass for entries).
    header = _header_rows(root)
    parties = _parties(root, header)
    return {
        "court_id": court_id,
        "docket_number": stub.get("docket #", ""),
        "case_name": harmonize_case_name(stub.get("caption", "")),
        "date_filed": dc.to_date(stub.get("docketed")),
        "date_terminated": dc.to_date(stub.get("termed")),
        "nature_of_suit": stub.get("nature of suit", ""),
        "appeal_from": stub.get("appeal from", ""),
        "fee_status": stub.get("fee status", ""),
        "case_type_information": _case_type(root),
        "originating_court_information": _originating_court(root),
        "panel": _panel(root),
        "parties": parties,
        "docket_entries": _entries(root, court_id, header),
    }


def _text(node) -> str:
    return dc.squash(" ".join(node.itertext()))


def _label_cells(root, label: str) -> list:
    """The cells whose bold label starts with ``label`` (case-insensitive)."""
    wanted = label.lower()
    return [cell for cell in root.iter("td")
            if any(_text(b).lower().startswith(wanted) for b in cell.findall("b"))]


def _after_label(bold) -> str:
    """The text after a bold label, up to the next bold label."""
    parts = [bold.tail or ""]
    sibling = bold.getnext()
    while sibling is not None and sibling.tag != "b":
        parts.append("".join(sibling.itertext()) + (sibling.tail or ""))
        sibling = sibling.getnext()
    return dc.squash(" ".join(parts))


def _labelled(cells) -> dict:
    """``label -> value`` for every ``<b>Label:</b> value`` in the cells (the first of each label)."""
    values: dict[str, str] = {}
    for cell in cells:
        for bold in cell.findall("b"):
            label = _text(bold).rstrip(":").strip().lower()
            if label and label not in values:
                values[label] = _after_label(bold)
    return values


def _table_of(cell):
    return next(cell.iterancestors("table"), None)


def _stub_cell(root):
    return next((c for c in root.iter("td") if any(_DOCKET_LABEL.match(_text(b)) for b in c.findall("b"))), None)


def _header_rows(root) -> set:
    """The rows of the header block: the table holding the stub's table (a page saved inside a
    layout table of its own has more ancestors; the nearest is the block)."""
    cell = _stub_cell(root)
    tables = list(cell.iterancestors("table")) if cell is not None else []
    return set(tables[min(1, len(tables) - 1)].iter("tr")) if tables else set()


def _stub(root) -> dict:
    labelled = _stub_cell(root)
    table = _table_of(labelled) if labelled is not None else None
    if table is None:
        return {}
    cells = list(table.iter("td"))
    values = {("docket #" if _DOCKET_LABEL.match(k + ":") else k): v for k, v in _labelled(cells).items()}
    # The caption is the stub's one cell without a label.
    values["caption"] = next((_text(c) for c in cells if not c.findall("b") and _text(c)), "")
    return values


def _section(root, heading: str):
    """The table whose first cell is the bold heading (``Case Type Information:`` ...)."""
    for cell in _label_cells(root, heading):
        return _table_of(cell)
    return None


def _case_type(root) -> str:
    table = _section(root, "Case Type Information")
    if table is None:
        return ""
    kinds = []
    for row in table.iter("tr"):
        raw = _text(row)
        if not _NUMBERED.match(raw):
            continue
        kind = _NUMBERED.sub("", raw).strip()
        if kind and kind != "null":  # CM/ECF prints "null" for a type never set
            kinds.append(kind)
    return ", ".join(kinds)


def _originating_court(root) -> dict:
    table = _section(root, "Originating Court Information")
    if table is None:
        return {}
    info = {"assigned_to": "", "court_id": "", "court_reporter": "", "date_disposed": None, "disposition": "",
            "ordering_judge": ""}
    for bold in table.iter("b"):
        label, value = _text(bold).rstrip(":").strip().lower(), _after_label(bold)
        if label == "district":
            info.update(_origin_case(next(bold.iterancestors("td"))))
        elif label == "trial judge" and not info["assigned_to"]:
            info["assigned_to"] = dc.judge_name(value)
        elif label == "ordering judge" and not info["ordering_judge"]:
            info["ordering_judge"] = dc.judge_name(value)
        elif label == "court reporter" and not info["court_reporter"]:  # the first of several
            info["court_reporter"] = value
        elif label == "date filed" and "date_filed" not in info:
            info["date_filed"] = dc.to_date(value)
    rows = list(table.iter("tr"))
    # A row of date labels over a row of dates.
    for index, row in enumerate(rows[:-1]):
        labels = [_text(td).rstrip(":").strip().lower() for td in row.findall("td")]
        if not any(label in _ORIGIN_DATES for label in labels):
            continue
        dates = [_text(td) for td in rows[index + 1].findall("td")]
        for label, value in zip(labels, dates):
            if label in _ORIGIN_DATES:
                info[_ORIGIN_DATES[label]] = dc.to_date(value)
    prior = _section(root, "Prior Cases")
    if prior is not None:
        values = _labelled(prior.iter("td"))
        if "date disposed" in values:
            info["date_disposed"] = dc.to_date(values["date disposed"])
            info["disposition"] = values.get("disposition", "")
    return info


def _origin_case(cell) -> dict:
    """``District: 0101-1 : <a href=https://ecf.mad...>1:09-cv-11783-RWZ</a>`` -> court and number."""
    link = cell.find(".//a")
    number = _text(link) if link is not None else _text(cell).rsplit(" : ", 1)[-1].strip()
    host = _COURT_HOST.search(link.get("href", "")) if link is not None else None
    found = {"court_id": host.group(1).lower() if host else ""}
    if _ALIEN_NUMBER.match(number):
        found["RESTRICTED_ALIEN_NUMBER"] = number
        return found
    district = _DISTRICT_NUMBER.match(number)
    found["docket_number"] = district.group(0) if district else number
    return found


def _panel(root) -> list[str]:
    for cell in _label_cells(root, "Panel Assignment"):
        values = _labelled([cell])
        return values.get("panel", "").split()
    return []


def _lines(cell) -> list[str]:
    """The cell's text lines as its ``<br>`` tags separate them, empty lines kept."""
    lines: list[str] = []
    current: list[str] = []
    for event, node in etree.iterwalk(cell, events=("start", "end")):
        if event == "start":
            if node is not cell and node.tag == "br":
                lines.append(" ".join(current).strip())
                current = []
            elif node.text:
                current.append(node.text)
        elif node is not cell and node.tail:
            current.append(node.tail)
    lines.append(" ".join(current).strip())
    return lines


def _parties(root, header: set) -> list[dict]:
    from pacer_spiders.reports.docket import resolve_see_above  # "(see above)" contacts, as on district dockets

    parties = []
    for row in root.iter("tr"):
        cells = row.findall("td")
        # A party row: "name <br> type | attorneys".
        if len(cells) != 2 or row in header or cells[0].get("colspan") or cells[0].find("br") is None:
            continue
        lines = [line for line in _lines(cells[0]) if line]
        if not lines:
            continue
        party: dict[str, Any] = {"name": lines[0], "type": lines[-1].rstrip(",").strip() if len(lines) > 1 else ""}
        for line in lines[1:-1]:
            if line.lower().startswith("terminated:"):
                party["date_terminated"] = dc.to_date(line.split(":", 1)[1].strip())
        party["attorneys"] = _attorneys(cells[1])
        parties.append(party)
    resolve_see_above(parties)
    return parties


def _attorneys(cell) -> list[dict]:
    attorneys, block = [], []
    for line in _lines(cell) + [""]:
        if line:
            block.append(line)
            continue
        if block:
            roles = [role.group(1).strip() for role in map(_ROLES.match, block[1:]) if role]
            contact = [item for item in block[1:] if not _ROLES.match(item)]
            attorneys.append({"name": block[0], "contact": "\n".join(contact), "roles": roles})
        block = []
    return attorneys


def doc_id_of_link(href: str | None, court_id: str | None) -> str | None:
    """The stored document id (fourth digit 0) of an appellate ``/docs1/<id>`` (``/docs4/``) link."""
    match = _DOC_LINK.search(href or "")
    return normalize_pacer_doc_id(match.group(1), court_id) if match else None


def _entries(root, court_id, header: set) -> list[dict]:
    entries: list[dict] = []
    for row in root.iter("tr"):
        cells = row.findall("td")
        if len(cells) != 3 or row in header:
            continue
        documents = cells[2].xpath(".//input[@name='md']")
        if documents and entries:
            entries[-1]["attachments"] = [_attachment(box, court_id) for box in documents]
            continue
        filed = _text(cells[0])
        if not _DATE.fullmatch(filed):
            continue
        # Text nodes are joined as they stand: a link inside the text ("[<a>22</a>]") adds no space.
        description = dc.clean_value("".join(cells[2].itertext()))
        entered = _ENTERED.search(description)
        entry = {
            "date_filed": dc.to_date(filed),
            "date_entered": dc.to_date(entered.group(1)) if entered else dc.to_date(filed),
            "description": description,
        }
        entry.update(_entry_document(cells[1], court_id))
        entries.append(entry)
    return entries


def _entry_document(cell, court_id) -> dict:
    found = {}
    box = cell.find(".//input[@name='d']")
    if box is not None:
        found["pacer_seq_no"] = box.get("value")
    link = next((a for a in cell.iter("a") if _DOC_LINK.search(a.get("href", ""))), None)
    found["pacer_doc_id"] = doc_id_of_link(link.get("href"), court_id) if link is not None else None
    # The number stands in the link, or alone on the cell's first line (the size line follows a <br>).
    shown = _text(link) if link is not None else dc.squash(_lines(cell)[0])
    # A number shown is the entry's; a bare document icon stands for the document id itself.
    found["document_number"] = shown if shown.isdigit() else found["pacer_doc_id"]
    return found


def _attachment(box, court_id) -> dict:
    """One ``md`` checkbox row: ``value="<seq> <dls> <pages> <bytes>"``, number | link | text | pages | size."""
    row = next(box.iterancestors("tr"))
    cells = row.findall("td")
    seq, _dls, pages, size = (box.get("value", "").split() + [None] * 4)[:4]
    link = row.find(".//a")
    texts = [_text(cell) for cell in cells]
    number = next((t for t in texts[1:] if t.isdigit()), None)
    return {
        "attachment_number": int(number) if number else None,
        "description": texts[3] if len(texts) > 3 else "",
        "file_size_bytes": int(size) if size and size.isdigit() else None,
        "file_size_str": texts[5] if len(texts) > 5 else "",
        "pacer_doc_id": doc_id_of_link(link.get("href") if link is not None else None, court_id),
        "pacer_seq_no": seq,
        "page_count": int(pages) if pages and pages.isdigit() else None,
    }


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_docket_item, report_fields  # noqa: E402


def merge(archive, item):
    """The case, parties and entries into the docket tables; the appellate fields beside them."""
    from pacer_spiders.db.appellate import AppellateCases

    result = merge_docket_item(archive, item)
    AppellateCases(archive.dockets.store).merge(result.docket_id, report_fields(item), result)
    return result


AppellateDocket = item_class(
    "AppellateDocket", "An appellate CM/ECF docket: the appeal, where it comes from, its panel, parties and entries.",
    fields("court_id", "docket_number", "case_name", "nature_of_suit", "appeal_from", "fee_status",
           "case_type_information", date_filed="date", date_terminated="date", originating_court_information="dict",
           panel="list", parties="list", docket_entries="list"))

UNIT = ReportUnit(
    parse, is_appellate_docket, merge,
    name=REPORT, ingest_type=REPORT, item_class=AppellateDocket, billed=True, names_case=True,
    # Before the district docket (40): an appellate docket also says "General Docket".
    detect_rank=35,
    path="/n/beam/servlet/TransportRoom?servlet=CaseSummary.jsp&caseNum={docket_number}",
    corpus_folders=("dockets/appellate", "dockets/not_appellate_dockets"),
    whole_page=True,
)

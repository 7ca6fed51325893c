"""ACMS dockets: the JSON ACMS's web application reads from its API for a case's docket.

ACMS (the Appellate Case Management System of several courts of appeals) serves no HTML report:
its pages are a web application over a JSON API.  A case's docket is one object with
``caseDetails`` (the case GUID ``caseId``, ``caseNumber``, name, dates, the court or agency
appealed from, the case type in up to three levels, fee status, and ``partyAttorneyList``: an HTML
table of parties and their attorneys) and ``docketInfo.docketEntries`` (each entry with its GUID
``docketEntryId``, ``entryNumber``, ``endDate``, page count and ``docketEntryText``, HTML ending
"[Entered: MM/DD/YYYY hh:mm AM]").  Entries and documents are identified by GUIDs, never by
CM/ECF document numbers; the documents of an entry are listed by the attachment list
(``reports.acms_attachment_page``).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from lxml import etree

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import decode
from pacer_spiders.parsers.docket_common import br_split

REPORT = "acms_docket"
_ENTERED = lazy_compile(r"\[Entered:\s*(\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d{2}(?::\d{2})?\s*[AP]M)\s*\]", re.I)
_ROLE = lazy_compile(r"^\[(.+)\]$")
_HTML = etree.HTMLParser(recover=True)
# What each ACMS API object carries at its top level (lower-cased, as ``detect_report`` sees it).
DOCKET_KEYS = frozenset({"casedetails", "docketinfo"})
ATTACHMENT_LIST_KEYS = frozenset({"casedetails", "docketentry", "docketentrydocuments"})
# A JSON document begins (after a byte order mark and spaces) with an object (a key or "}") or an
# array (of objects, arrays, strings or numbers); text such as "[Docket Text]" does not.
_JSON_START = r"\s*(?:\{\s*[\"}]|\[\s*[\[{\"\d\-\]])"
_JSON_START_BYTES = lazy_compile(rb"(?:\xef\xbb\xbf)?" + _JSON_START.encode())
_JSON_START_TEXT = lazy_compile("\ufeff?" + _JSON_START)
_LABELS = {REPORT: "an ACMS docket", "acms_attachment_page": "an ACMS attachment list"}


# -- the JSON ---------------------------------------------------------------------------------------
def json_object(body: bytes | str) -> dict | None:
    """The page as a JSON object, or None when it is not one."""
    text = decode(body).lstrip("\ufeff").strip()
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def acms_kind(data: dict | None) -> str | None:
    """Which ACMS API object ``data`` is (by its top-level keys, any case): a report name or None."""
    if not isinstance(data, dict):
        return None
    keys = {str(key).lower() for key in data}
    if not isinstance(_lower_get(data, "casedetails"), dict):
        return None
    if ATTACHMENT_LIST_KEYS <= keys and isinstance(_lower_get(data, "docketentrydocuments"), list):
        return "acms_attachment_page"
    if DOCKET_KEYS <= keys and isinstance(_lower_get(data, "docketinfo"), dict):
        return REPORT
    return None


def describe_json(body: bytes | str) -> str | None:
    """What a JSON page is, in a few words (an ACMS docket, an ACMS attachment list, other JSON,
    JSON cut short); None when the page does not begin as JSON does."""
    starts = _JSON_START_BYTES.match(body) if isinstance(body, bytes) else _JSON_START_TEXT.match(body or "")
    if not starts:
        return None
    text = decode(body).lstrip("\ufeff").strip()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"JSON cut short or malformed ({exc.msg} at character {exc.pos})"
    kind = acms_kind(data)
    if kind is not None:
        return f"{_LABELS[kind]} (JSON of ACMS's API)"
    shape = (f"keys: {', '.join(sorted(map(str, data))[:8]) or 'none'}" if isinstance(data, dict)
             else f"a {type(data).__name__}, not an object")
    return f"JSON that is neither an ACMS docket nor an ACMS attachment list ({shape})"


def _lower_get(data: dict, key: str):
    return next((value for name, value in data.items() if str(name).lower() == key), None)


def recognise(lowered: str, kind: str = REPORT) -> bool:
    """Whether a page (lower-cased) is the ACMS API object ``kind``: JSON, checked by its keys."""
    stripped = lowered.lstrip("\ufeff \t\r\n")
    if not stripped.startswith("{") or '"casedetails"' not in stripped:
        return False
    return acms_kind(json_object(stripped)) == kind


def read_acms(body: bytes, report: str) -> dict:
    """The API object of an ACMS page of ``report``; NotTheReport (one line) for anything else."""
    label = _LABELS[report]
    data = json_object(body)
    if data is not None and acms_kind(data) == report:
        return data
    what = describe_json(body)
    if what is None:
        raise NotTheReport(PageProblem(f"not_{report}", f"this page is not JSON, so not {label} (ACMS's API answers JSON)"))
    kind = "other_report" if acms_kind(data) else f"not_{report}"
    raise NotTheReport(PageProblem(kind, f"this page is {what}, not {label}"))


# -- values -----------------------------------------------------------------------------------------
def html_fragment(html: str | None):
    """An HTML fragment as an lxml element (its ``<body>``), or None when empty."""
    if not html or not html.strip():
        return None
    root = etree.fromstring(f"<html><body>{html}</body></html>", parser=_HTML)
    return root.find("body") if root is not None else None


def html_text(html: str | None) -> str:
    """The text of an HTML fragment, entities decoded, every text node kept as it is."""
    body = html_fragment(html)
    return "".join(body.itertext()) if body is not None else ""


def entered_at(html: str | None) -> str | None:
    """The "[Entered: MM/DD/YYYY hh:mm[:ss] AM]" stamp of an entry text as an ISO date-time."""
    match = _ENTERED.search(html_text(html) or "")
    if not match:
        return None
    stamp = " ".join(match.group(1).split())
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p"):
        try:
            return datetime.strptime(stamp, fmt).isoformat()
        except ValueError:
            continue
    return None


def iso_day(value) -> str | None:
    """``2023-10-02`` or ``2023-10-02T00:00:00`` -> ``2023-10-02``; None when it is no date."""
    text = str(value or "").strip()
    return text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}", text) else None


def as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _text_or_none(value) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


# -- the parser --------------------------------------------------------------------------------------
def parse(body: bytes, context: dict) -> dict:
    """An ACMS docket (JSON) -> the reference docket dict; NotTheReport for anything else."""
    data = read_acms(body, REPORT)
    case = _lower_get(data, "casedetails")
    info = _lower_get(data, "docketinfo") or {}
    number = _text_or_none(case.get("caseNumber"))
    case_id = _text_or_none(case.get("caseId"))
    if not (number or case_id):
        raise NotTheReport(PageProblem("empty", "the ACMS docket names no case (no caseNumber, no caseId)"))
    court = case.get("court") if isinstance(case.get("court"), dict) else {}
    return {
        "court_id": (context or {}).get("court_id"),
        "pacer_case_id": case_id,
        "docket_number": number,
        "case_name": _text_or_none(case.get("name")),
        "date_filed": iso_day(case.get("caseOpened")),
        "appeal_from": _text_or_none(court.get("name")),
        "fee_status": _text_or_none(case.get("feeStatus")),
        "case_type_information": ", ".join(
            str(case[level]).strip() for level in ("caseType", "caseSubType", "caseSubSubType")
            if _text_or_none(case.get(level))) or None,
        "originating_court_information": originating_court(case, court),
        "parties": parties(case.get("partyAttorneyList")),
        "docket_entries": [entry(raw) for raw in info.get("docketEntries") or [] if isinstance(raw, dict)],
    }


def originating_court(case: dict, court: dict) -> dict:
    """The court or agency appealed from: its name (the district court's where one is named), its
    ACMS identifier, and the alien number of an immigration case (restricted information)."""
    origin = {"name": _text_or_none(case.get("districtCourtName")) or _text_or_none(court.get("name"))}
    if _text_or_none(court.get("identifier")):
        origin["identifier"] = str(court["identifier"]).strip()
    if _text_or_none(case.get("aNumber")):
        origin["RESTRICTED_ALIEN_NUMBER"] = str(case["aNumber"]).strip()
    return origin


def entry(raw: dict) -> dict:
    html = raw.get("docketEntryText") or ""
    day = iso_day(raw.get("endDate"))
    return {
        "document_number": as_int(raw.get("entryNumber")),
        "pacer_doc_id": _text_or_none(raw.get("docketEntryId")),
        "date_filed": f"{day}T00:00:00" if day else None,
        "date_entered": entered_at(html),
        "description": html_text(html),
        "description_html": html,
        "page_count": as_int(raw.get("pageCount")),
    }


def _lines(node) -> list[str]:
    """The text of an element in the pieces its ``<br>`` tags separate, each kept as it is."""
    return br_split(node, tags=("br",), joiner="", strip=False)


def parties(html: str | None) -> list[dict]:
    """The party table: a row per party, its first cell the name, any further lines (aliases,
    numbers) and the party type last; its second cell a ``<div>`` per attorney."""
    body = html_fragment(html)
    if body is None:
        return []
    found = []
    for row in body.iter("tr"):
        cells = row.findall("td")
        if not cells:
            continue
        lines = [line for line in _lines(cells[0]) if line.strip()]
        if not lines:
            continue
        party: dict[str, Any] = {"name": lines[0].strip(), "type": lines[-1].strip().rstrip(",").strip() if len(lines) > 1 else ""}
        if len(lines) > 2:
            party["unparsed"] = lines[1:-1]
        party["attorneys"] = [a for a in (attorney(div) for div in (cells[1].iter("div") if len(cells) > 1 else []))
                              if a is not None]
        found.append(party)
    return found


def attorney(div) -> dict | None:
    """One attorney ``<div>``: name, then contact lines with the roles in brackets among them."""
    if div.find("div") is not None:
        return None  # a wrapper; its inner divs are read themselves
    lines = [line.strip() for line in _lines(div) if line.strip()]
    if not lines:
        return None  # the spacer between attorneys
    roles = [m.group(1).strip() for m in map(_ROLE.match, lines[1:]) if m]
    contact = [line for line in lines[1:] if not _ROLE.match(line)]
    return {"name": lines[0], "contact": "\n".join(contact), "roles": roles}


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_docket_item  # noqa: E402

AcmsDocket = item_class("AcmsDocket", "An ACMS docket (the JSON of ACMS's API): the case, its parties and "
                        "attorneys, and its entries identified by GUIDs.", fields(
                            "court_id", "pacer_case_id", "docket_number", "case_name", "appeal_from", "fee_status",
                            "case_type_information", date_filed="date", originating_court_information="dict",
                            parties="list", docket_entries="list"))

UNIT = ReportUnit(
    parse, recognise, merge_docket_item,
    name=REPORT, ingest_type=REPORT, item_class=AcmsDocket, names_case=True, detect_rank=5, json_pages=True,
    checks_court=False, source_extension=".json",
    corpus_folders=("dockets/acms",),
)

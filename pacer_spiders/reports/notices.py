"""Notices of Electronic Filing (NEF, district and bankruptcy CM/ECF) and Notices of Docket
Activity (NDA, appellate CM/ECF and ACMS): the e-mails CM/ECF sends when something is filed.

A notice arrives as the raw MIME message (headers, then a text/html or text/plain body, possibly
quoted-printable or base64, possibly inside a multipart) or as its body alone.  The body lists, for
each case the filing concerns, "Case Name:", "Case Number:" (linked to the docket), "Document
Number:" (linked to the document: the *free look* URL, whose ``magic_num`` -- ``uid`` in appellate
CM/ECF, the document GUID in ACMS -- lets a recipient read the document once without charge) and
"Docket Text:"; then whom the notice was mailed to.  The entry's short description is not in the
body of a NEF: it is the rest of the e-mail's subject once the docket number and caption are
taken out.  HTML bodies are turned into lines of text first (anchors kept with their URLs), so one
reader serves both kinds of body.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers.common import (
    decode,
    doc_id_from_url,
    harmonize_case_name,
    is_bankruptcy_court,
    parse_date,
    parse_docket_number,
    query_param,
)
from pacer_spiders.reports.base import refuse_problem_page

if TYPE_CHECKING:
    from email.message import EmailMessage

_NEF_TITLE = lazy_compile(r"notice\s+of\s+(?:electronic|bankruptcy\s+case)\s+filing", re.I)
_NDA_TITLE = lazy_compile(r"notice\s+of\s+docket\s+activity", re.I)
# An anchor of an HTML body, kept in the text as \ue001 URL \ue002 label \ue003.
_LINK = lazy_compile(r"\ue001([^\ue002]*)\ue002([^\ue003]*)\ue003|(https?://[^\s<>\"\ue001-\ue003]+)")
_MARKS = lazy_compile(r"\ue001[^\ue002]*\ue002|[\ue003-\ue005]")
# An anchor without a link (``<a name="R0">``, around NDA recipients' names), kept as \ue004 text \ue005.
_NAME_ANCHOR = lazy_compile(r"\ue004[^\ue005]*\ue005")
_SPACES = lazy_compile(r"\s+")
_HEADER_LINE = lazy_compile(rb"^[A-Za-z][\w-]*:[ \t]")
_CASE_NAME = lazy_compile(r"case\s+name:", re.I)
# The same marks in a page already lower-cased (detection): case-sensitive, their literal prefixes
# make them scan a long page of another report fast (a re.I search tries every position).
_LOWER_NEF_TITLE = lazy_compile(r"notice\s+of\s+(?:electronic|bankruptcy\s+case)\s+filing")
_LOWER_NDA_TITLE = lazy_compile(r"notice\s+of\s+docket\s+activity")
_LOWER_CASE_NAME = lazy_compile(r"case\s+name:")
_SECTION_END = lazy_compile(
    r"notice\s+(?:has\s+been|will\s+be|will\s+not\s+be|has\s+not\s+been)\s+(?:electronically\s+mailed|delivered)"
    r"|the\s+following\s+document\(s\)\s+are\s+associated|case\s+participants\s+listed\s+below"
    r"|notice\s+sent\s+via\s+us\s+mail", re.I)
_MAILED = lazy_compile(r"(?:has\s+been|will\s+be)\s+electronically\s+mailed\s+to\s*:+", re.I)
_SECTION_HEADING = lazy_compile(r"^.*?(?:notice\b.*?\bto\s*:+|the\s+following\s+document\(s\)\s+are\s+associated.*"
                              r"|case\s+participants\s+listed\s+below.*)\s*$", re.I)
_EMAIL = lazy_compile(r"[^\s,;:<>()\[\]]+@[\w-]+(?:\.[\w-]+)+")
_FILED_ON = lazy_compile(r"filed\s+on\s+(\d{1,2}/\d{1,2}/\d{2,4})", re.I)
_LABELS = lazy_compile(r"(?m)^[ \t]*(case\s+number|filer|document\s+number|document\(s\)|document|docket\s+text|warning|chapter)\s*:", re.I)
_CASE_LINK = lazy_compile(r"DktRpt\.pl\?(\d+)|caseId=(\d+)", re.I)
_UID = lazy_compile(r"[?&]uid=([0-9a-zA-Z]+)")
_MAGIC = lazy_compile(r"[?&]magic_num=(\d+)")
_GUID = lazy_compile(r"/NDA/([0-9a-fA-F-]{16,})")
_COURT_PREFIX = lazy_compile(r"^[A-Z]{2,4}/(?=\d)")
_OFFICE_DASH_BANKRUPTCY = lazy_compile(r"^(\d-\d{2}-\d{3,10})((?:-[A-Za-z0-9]+)*)$")
_BANKRUPTCY_DIVISION = lazy_compile(r"^(\d{2}-\d{3,10})-(\d)-([A-Za-z]+)$")
_HASH = lazy_compile(r"#\s?|\*+")  # "(Attachments: # (1) ...)", "Receipt #NotDue": the reference drops the sign
_TAG = lazy_compile(r"<[^<>\n]{0,40}>")
_FORWARDED = lazy_compile(r"^\s*(?:(?:re|fwd?|fw|nef|re-send)\s*:\s*)+", re.I)
_ACTIVITY = lazy_compile(r"^activity\s+in\s+(?:\w+\s+)?case\s+", re.I)
_CHAPTER = lazy_compile(r"(?<![\w-])(?:Ch-?\s?\d+|CH\d*|Ch\d+)(?![\w-])")
_EDGES = lazy_compile(r"^[\s\-;,:]+|(?:[\s\-;,:]|\bRe:)+$")
_DOCUMENT_DESCRIPTION = lazy_compile(r"document[ \t]+description[ \t]*:[ \t]*(.*)", re.I)


def parse(body: bytes, context: dict) -> dict:
    court_id = (context or {}).get("court_id")
    subject, content, is_html, sent_at = _message(body)
    # A plain-text body keeps the docket text's HTML tags ("<i></i>"): they are not text.
    text = _html_text(content) if is_html else _TAG.sub("", content.replace("\r\n", "\n"))
    plain = _MARKS.sub("", text)
    appellate = bool(_NDA_TITLE.search(plain))
    if not (appellate or _NEF_TITLE.search(plain)):
        _refuse(content, court_id, "neither a Notice of Electronic Filing nor a Notice of Docket Activity")
    filed = _FILED_ON.search(plain)
    date_filed = parse_date(filed.group(1)) if filed else None
    cases = _case_blocks(text)
    if not cases:
        _refuse(content, court_id, "the notice names no case (no 'Case Name:')")
    if not any(case["description"] for case in cases):
        _refuse(content, court_id, "a notice without docket text (CM/ECF's notice that an entry was edited)")
    # ACMS (the appellate courts' newer system) links the case and documents outside uscourts.gov.
    acms = appellate and any(case["case_url"] and "uscourts.gov" not in case["case_url"] for case in cases)
    names = [case["raw_name"] for case in cases]
    numbers = [case["raw_number"] for case in cases]
    short = _short_description(subject, names, numbers, plain, appellate)
    bankruptcy = is_bankruptcy_court(court_id)
    dockets = []
    for case in cases:
        docket_number, parts = _docket_number(case["raw_number"], appellate, bankruptcy)
        url = case["document_url"]
        magic = None
        if url:
            found = _MAGIC.search(url) or _UID.search(url) or _GUID.search(url)
            magic = found.group(1) if found else None
        case_id = (query_param(url, "caseid") if url else None) or case["case_id"]
        document_number = case["document_number"]
        if acms and document_number is None:
            # ACMS: "<caption> <case number> - <entry number> - <description>"
            numbered = re.search(re.escape(case["raw_number"]) + r"\s+-\s+(\d+)\s+-", subject)
            document_number = str(int(numbered.group(1))) if numbered else None
        dockets.append({
            "case_name": harmonize_case_name(case["raw_name"]),
            "date_filed": None,
            "docket_entries": [{
                "date_filed": date_filed,
                "description": case["description"],
                "document_number": document_number,
                "document_url": url,
                "pacer_case_id": case_id,
                "pacer_doc_id": doc_id_from_url(url, court_id) if url else None,
                "pacer_magic_num": magic,
                "pacer_seq_no": query_param(url, "de_seq_num") if url else None,
                "short_description": short,
            }],
            "docket_number": docket_number,
            **parts,
        })
    return {
        "acms": acms,
        "appellate": appellate,
        # The reference sets it from district and bankruptcy notices only.
        "contains_attachments": not appellate and _contains_attachments(plain),
        "court_id": court_id,
        "dockets": dockets,
        "email_recipients": _reference_recipients(content, text, is_html, bankruptcy, acms, numbers),
        # Beyond the reference field set: what the archive and the free looks use, and the
        # recipients as the notice names them (the reference drops names written in <a name>
        # anchors, ACMS's "Name ; address" lines, and splits bankruptcy lists at spaces only).
        "recipients": _recipients(plain, False),
        "subject": subject,
        "sent_at": sent_at,
    }


def _refuse(content: str, court_id: str | None, reason: str):
    """Not a notice: PACER's login page (what a spent free look shows, its instructions naming
    notices), an error page, or any other mail."""
    refuse_problem_page(content, "notice", court_id)
    raise NotTheReport(PageProblem("not_notice", reason))


# -- the message ---------------------------------------------------------------------------------
def _message(body: bytes | str) -> tuple[str, str, bool, str | None]:
    """(subject, body text, whether the body is HTML, when it was sent) of a raw MIME message or of
    a bare body."""
    raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogateescape")
    raw = re.sub(rb"^\s*From [^\n]*\n", b"", raw, count=1)  # an mbox file's separator line
    if _HEADER_LINE.match(raw.lstrip()[:200]):
        # an EmailPolicy makes EmailMessages (typeshed reads the subclass as a plain Message's policy)
        import email  # imported by the pages that need it: a parse of other reports does without

        message = cast("EmailMessage", email.message_from_bytes(raw.lstrip(), policy=_email_policy()))
        part = message.get_body(preferencelist=("html", "plain"))
        if part is not None:
            try:
                content = part.get_content()
            except (LookupError, UnicodeError):
                payload = part.get_payload(decode=True)  # a leaf part's bytes, or None
                content = decode(payload if isinstance(payload, bytes) else b"")
            if isinstance(content, bytes):
                content = decode(content)
            return (_SPACES.sub(" ", str(message.get("Subject") or "")).strip(), content,
                    part.get_content_subtype() == "html", _sent_at(message.get("Date")))
    text = decode(raw)
    return "", text, bool(re.search(r"<(?:html|body|div|p|br|table|font)\b", text[:5000], re.I)), None


@lru_cache(maxsize=1)
def _email_policy():
    """``policy.default``, with each header value parsed once: the default policy parses a header
    (and makes a class for it) every time it is read, and finding a notice's body reads each
    part's Content-Type several times (three quarters of a notice's parse went there)."""
    from email import policy

    class ParsedHeadersPolicy(policy.EmailPolicy):
        def header_fetch_parse(self, name, value):
            if hasattr(value, "name"):
                return value
            return _parsed_header(self, name, value)

    return ParsedHeadersPolicy()


@lru_cache(maxsize=512)
def _parsed_header(policy_, name: str, value: str):
    from email import policy

    return policy.EmailPolicy.header_fetch_parse(policy_, name, value)


def _sent_at(header) -> str | None:
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(str(header)).isoformat() if header else None
    except (TypeError, ValueError):
        return None


_BLOCKS = {"br", "p", "div", "tr", "table", "li", "h1", "h2", "h3", "h4", "center", "title", "tbody"}


def _html_text(content: str, breaks: bool = True) -> str:
    """Lines of text of an HTML body: block elements and ``<br>`` end lines, table cells are
    separated by a space, anchors are kept as \\ue001 URL \\ue002 label \\ue003."""
    import lxml.html

    if not content.strip():
        return ""
    root = lxml.html.fromstring(content)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if tag in _BLOCKS and (breaks or tag != "br"):
            element.tail = "\n" + (element.tail or "")
            if tag != "br":
                element.text = "\n" + (element.text or "")
        elif tag == "td":
            element.tail = " " + (element.tail or "")
        elif tag == "a" and (href := element.get("href")):
            element.text = f"\ue001{href.strip()}\ue002" + (element.text or "")
            element.tail = "\ue003" + (element.tail or "")
        elif tag == "a" and element.get("name") is not None:
            element.text = "\ue004" + (element.text or "")
            element.tail = "\ue005" + (element.tail or "")
    return root.text_content().replace("\xa0", " ")


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", _MARKS.sub("", text)).strip()


# -- the cases -----------------------------------------------------------------------------------
def _case_blocks(text: str) -> list[dict]:
    starts = [m.start() for m in _CASE_NAME.finditer(text)]
    end = _SECTION_END.search(text, starts[-1]) if starts else None
    # The section's heading line starts with the docket number it is about.
    limit = text.rfind("\n", 0, end.start()) + 1 if end else len(text)
    cases = []
    for index, start in enumerate(starts):
        stop = starts[index + 1] if index + 1 < len(starts) else limit
        if start >= limit:
            break
        cases.append(_case(text[start:stop]))
    # Several cases may share one docket text, written after the last of them.
    shared = next((c["description"] for c in reversed(cases) if c["description"]), "")
    for case in cases:
        case["description"] = case["description"] or shared
    return cases


def _labelled(block: str) -> dict[str, str]:
    """Label (lower case, spaces collapsed) -> the text up to the next label, of one case block."""
    found: dict[str, str] = {}
    matches = list(_LABELS.finditer(block))
    for index, match in enumerate(matches):
        label = _SPACES.sub(" ", match.group(1).lower())
        if label == "docket text":
            # The text runs to the end of the block whatever it names, or to ACMS's "Document:" line.
            after = re.search(r"(?m)^[ \t]*document\s*:", block[match.end():], re.I)
            found.setdefault(label, block[match.end():match.end() + after.start()] if after else block[match.end():])
            if after:
                found.setdefault("document", block[match.end() + after.end():])
            break
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(block)
        found.setdefault(label, block[match.end():stop])
    return found


def _case(block: str) -> dict:
    name_end = _LABELS.search(block)
    name_start = _CASE_NAME.match(block)
    assert name_start is not None  # each block starts at a case name
    raw_name = _one_line(block[name_start.end():name_end.start() if name_end else len(block)])
    labels = _labelled(block)
    number_part = labels.get("case number", "")
    number_links = list(_LINK.finditer(number_part))
    case_link = number_links[0] if number_links else None
    if case_link is not None and case_link.group(1) is not None:
        raw_number, case_url = _one_line(case_link.group(2)), html.unescape(case_link.group(1))
    else:
        raw_number = _one_line(number_part[:case_link.start()] if case_link else number_part).split(" ")[0]
        case_url = case_link.group(3) if case_link else ""
    found = _CASE_LINK.search(case_url or "")
    case_id = (found.group(1) or found.group(2)) if found else None
    document_number, document_url = None, None
    for label in ("document number", "document(s)", "document"):
        if label not in labels:
            continue
        links = list(_LINK.finditer(labels[label]))
        if links:
            link = links[0]
            document_url = html.unescape(link.group(1) if link.group(1) is not None else link.group(3))
        if label == "document number":
            shown = _one_line(links[0].group(2)) if links and links[0].group(1) is not None else _one_line(
                labels[label])
            digits = re.match(r"\d+", shown)
            document_number = digits.group(0) if digits else None
        break
    return {
        "raw_name": raw_name, "raw_number": raw_number, "case_id": case_id, "case_url": case_url,
        "document_number": document_number, "document_url": document_url,
        "description": _one_line(_HASH.sub("", labels.get("docket text", ""))),
    }


def _docket_number(raw: str, appellate: bool, bankruptcy: bool) -> tuple[str | None, dict]:
    parts = dict.fromkeys(("federal_defendant_number", "federal_dn_case_type", "federal_dn_judge_initials_assigned",
                           "federal_dn_judge_initials_referred", "federal_dn_office_code"))
    raw = _COURT_PREFIX.sub("", raw.strip())
    if appellate:
        return raw or None, parts
    office_dash = _OFFICE_DASH_BANKRUPTCY.match(raw)
    if office_dash:  # "1-23-01071-nhl": the office written before the year, with a dash
        judges = [p for p in office_dash.group(2).split("-") if p.isalpha()]
        parts["federal_dn_judge_initials_assigned"] = judges[0] if judges else None
        return office_dash.group(1), parts
    division = _BANKRUPTCY_DIVISION.match(raw)
    if division:  # "22-00105-5-JNC": the division's digit, then the judge
        parts["federal_dn_office_code"] = division.group(2)
        parts["federal_dn_judge_initials_assigned"] = division.group(3)
        return division.group(1), parts
    number, found = parse_docket_number(raw)
    if number is None:
        return raw or None, parts
    if bankruptcy:
        # "24-04888-7", "24-04888-CL7": a bankruptcy number's suffix is the chapter, not a defendant
        found["federal_defendant_number"] = None
        judge = re.search(r"^\d{2}-\d+-([A-Za-z]+)\d+$", raw) if not found["federal_dn_judge_initials_assigned"] else None
        if judge:
            found["federal_dn_judge_initials_assigned"] = judge.group(1)
    return number, found


# -- the short description -----------------------------------------------------------------------
def _short_description(subject: str, names: list[str], numbers: list[str], plain: str, appellate: bool) -> str:
    rest = _FORWARDED.sub("", subject)
    quoted = re.search(r'"(.*)"', rest)
    if appellate:
        # The document's description, unless the subject's event says more (it starts with it).
        found = _DOCUMENT_DESCRIPTION.search(plain)
        described = _one_line(found.group(1)).replace("_", " ") if found else ""
        if described and described.lower() != "main document" and not (
                quoted and quoted.group(1).lower().startswith(described.lower())):
            return described
    if not subject:
        return ""
    if quoted:
        rest = quoted.group(1)
    elif appellate:
        # ACMS: "<caption> <number> - [<entry number> -] <description> [- <id>]"
        pieces = [p.strip() for p in re.split(r"\s+-\s+", rest)[1:]]
        return " - ".join(p for p in pieces if p and not p.isdigit())
    rest = _ACTIVITY.sub("", rest)
    rest = re.sub(r"^multiple\s+cases\s*", "", rest, flags=re.I)
    for number in numbers:
        rest = re.sub(re.escape(number) + r"[\w-]*", " ", rest)
    rest = re.sub(r"(?<![\w:/-])(?:\d{1,2}[:-])?\d{2}-(?:[a-zA-Z]{1,5}-)?\d{2,10}(?:-[A-Za-z0-9]+)*", " ", rest)
    for name in sorted(names, key=len, reverse=True):
        rest = _without_name(rest, name)
    rest = _CHAPTER.sub(" ", rest)
    return _EDGES.sub("", _SPACES.sub(" ", rest)).strip()


def _without_name(subject: str, name: str) -> str:
    """The subject without the caption (or the longest start of it, subjects truncate captions),
    and a "Chapter N" written just before it."""
    name = _SPACES.sub(" ", name).strip()
    flat = _SPACES.sub(" ", subject)
    for length in range(len(name), min(len(name), 10) - 1, -1):
        piece = name[:length].rstrip()
        if length < len(name) and not piece:
            break
        at = flat.lower().find(piece.lower())
        if at >= 0:
            before = re.sub(r"Chapter\s+\d+\s*$", " ", flat[:at])
            return before + " " + flat[at + len(piece):]
    return flat


# -- recipients and documents --------------------------------------------------------------------
def _recipients(plain: str, bankruptcy: bool) -> list[dict]:
    recipients: list[dict] = []
    for heading in _MAILED.finditer(plain):
        section = _section_recipients(plain[heading.end():].split("\n"), bankruptcy)
        if bankruptcy and section:
            # Bankruptcy notices name each recipient as "<attorney> on behalf of <party>"; the
            # reference keeps each section's addresses together, under no name.
            section = [{"email_addresses": [a for r in section for a in r["email_addresses"]], "name": ""}]
        recipients.extend(section)
    return recipients


def _reference_recipients(content: str, text: str, is_html: bool, bankruptcy: bool, acms: bool,
                          numbers: list[str]) -> list[dict]:
    """The recipients as the reference reads them (its ``email_recipients``); ``recipients`` has
    them as the notice names them.  The reference reads none in ACMS notices nor in plain-text
    bankruptcy ones; it leaves out names written inside ``<a name>`` anchors; it keeps each
    bankruptcy section's addresses as one nameless record; in other plain text a line with an
    address is all addresses; in other HTML it reads words and addresses in turn, a ``<br>``
    adding no space."""
    if acms or (bankruptcy and not is_html):
        return []
    if bankruptcy:
        return _recipients(_MARKS.sub("", _NAME_ANCHOR.sub("", text)), True)
    if not is_html:
        return [record for heading in _MAILED.finditer(text)
                for record in _section_recipients(text[heading.end():].split("\n"), whole_lines=True)]
    flat = _MARKS.sub("", _NAME_ANCHOR.sub("", _html_text(content, breaks=False)))
    records: list[dict] = []
    for heading in _MAILED.finditer(flat):
        end = _SECTION_END.search(flat, heading.end())
        section = flat[heading.end():end.start() if end else len(flat)].rstrip()
        for number in numbers:  # the next heading starts with the case's number
            if number and section.endswith(number):
                section = section[:-len(number)]
        words: list[str] = []
        for token in section.split():
            if "@" in token:
                if not records or words:
                    records.append({"email_addresses": [], "name": " ".join(words)})
                    words = []
                records[-1]["email_addresses"].append(token.replace(",", ""))
            elif token.strip(","):
                words.append(token)
    return records


def _section_recipients(lines: list[str], by_spaces: bool = False, whole_lines: bool = False) -> list[dict]:
    """The recipients of one "Notice has been electronically mailed to:" section: a name, then
    its addresses (on the same line or the next ones).  ``by_spaces``: addresses are split at
    spaces, their commas dropped; ``whole_lines``: a line with an address is all addresses."""
    recipients: list[dict] = []
    name_lines: list[str] = []
    continued = False
    for line in lines:
        line = _SPACES.sub(" ", line).strip()
        if _SECTION_HEADING.match(line) or _MAILED.search(line):
            break
        if not line:
            continue
        first = _EMAIL.search(line)
        if first is None:
            name_lines.append(line)
            continue
        start = 0 if whole_lines else first.start()
        if by_spaces:
            addresses = line[start:].replace(",", "").split()
        else:
            addresses = [a.strip() for a in line[start:].split(",") if a.strip()]
        if start == 0 and not name_lines and recipients and continued:
            recipients[-1]["email_addresses"].extend(addresses)  # a long list wrapped on the next line
        else:
            name = " ".join(name_lines + [line[:start].strip()]).strip()
            recipients.append({"email_addresses": addresses, "name": _SPACES.sub(" ", re.sub(r"\s+,", " ", name))})
        continued = line.endswith(",")
        name_lines = []
    return recipients


def _contains_attachments(plain: str) -> bool:
    associated = re.search(r"the\s+following\s+document\(s\)\s+are\s+associated", plain, re.I)
    if not associated:
        return False
    return len(re.findall(r"document\s+description\s*:", plain[associated.end():], re.I)) > 1


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, report_fields  # noqa: E402

REFERENCE_KEYS = ("acms", "appellate", "contains_attachments", "court_id", "dockets", "email_recipients")
Notice = item_class("Notice", "A Notice of Electronic Filing or of Docket Activity (an e-mail of CM/ECF): each "
                    "case it concerns with the new entry and its free-look document link (``dockets``), and "
                    "whom it was mailed to.", fields(
                        "court_id", "subject", "sent_at", recipients="list", acms="bool", appellate="bool",
                        contains_attachments="bool", dockets="list", email_recipients="list"))


def merge_notice(archive, item):
    """Each case of a notice is a partial docket (its new entry and that entry's document); each
    document's free-look link is kept with the document row it opens (``free_looks``)."""
    from collections import Counter

    from sqlalchemy import select

    from pacer_spiders.db.dockets import entry_key
    from pacer_spiders.db.free_looks import record_free_look
    from pacer_spiders.db.models import DocketEntryRow, DocumentRow
    from pacer_spiders.db.writes import MergeResult

    parsed = report_fields(item)
    court_id = item["court_id"]
    kind = "nda" if parsed.get("appellate") else "nef"
    total: Counter[str] = Counter()
    last, docket_ids = None, []
    for docket in parsed.get("dockets") or []:
        entries = docket.get("docket_entries") or []
        case_id = next((e.get("pacer_case_id") for e in entries if e.get("pacer_case_id")), None)
        if not (case_id or docket.get("docket_number")):
            continue
        entries = [_numbered_as_held(archive, court_id, e) for e in entries]
        docket = {**docket, "docket_entries": entries}
        last = archive.merge_docket(court_id, {**docket, "pacer_case_id": case_id}, {"pacer_case_id": case_id})
        total.update(last.counts)
        docket_ids.append(last.docket_id)
        links = [e for e in entries if e.get("document_url")]
        if not links:
            continue
        looks = MergeResult()
        with archive.documents.store.transaction() as conn:
            for entry in links:
                entry_id = conn.execute(select(DocketEntryRow.id).where(
                    DocketEntryRow.docket_id == last.docket_id, DocketEntryRow.entry_key == entry_key(entry))).scalar()
                document_id = conn.execute(select(DocumentRow.id).where(
                    DocumentRow.docket_entry_id == entry_id, DocumentRow.attachment_number.is_(None))).scalar() \
                    if entry_id else None
                record_free_look(conn, court_id, {
                    "url": entry["document_url"], "magic_num": entry.get("pacer_magic_num"),
                    "pacer_doc_id": entry.get("pacer_doc_id"), "pacer_case_id": entry.get("pacer_case_id"),
                    "pacer_seq_no": entry.get("pacer_seq_no"), "document_number": entry.get("document_number"),
                    "notice": kind, "notice_date": entry.get("date_filed") or (parsed.get("sent_at") or "")[:10] or None,
                    "docket_entry_id": entry_id, "document_id": document_id}, looks)
        total.update(looks.counts)
    if last is not None:
        last.counts = total
        last.docket_ids = docket_ids
    return last


def _numbered_as_held(archive, court_id: str, entry: dict) -> dict:
    """An entry named without its number (an NDA) takes the number of the entry held with its
    document, so that it merges into that entry rather than beside it."""
    if entry.get("document_number") or not entry.get("pacer_doc_id"):
        return entry
    from sqlalchemy import select

    from pacer_spiders.db.models import DocketEntryRow

    located = archive.locate(court_id, {"pacer_doc_id": entry["pacer_doc_id"]})
    if located is None:
        return entry
    with archive.engine.connect() as conn:
        number = conn.execute(select(DocketEntryRow.document_number).where(
            DocketEntryRow.id == located["docket_entry_id"])).scalar()
    return {**entry, "document_number": number} if number else entry


def _body_of(lowered: str) -> str:
    """A page's text; of an e-mail, its decoded body (quoted-printable, multipart: a base64 body
    cannot be read back from lower-cased text, such a notice is read when named, ``--type nef``)."""
    if _HEADER_LINE.match(lowered.lstrip()[:200].encode()) or lowered.lstrip().startswith("from "):
        return _message(lowered)[1].lower()
    return lowered


def is_nef(lowered: str) -> bool:
    """Whether a page (lower-cased) is a Notice of Electronic Filing (district, bankruptcy), raw or its body."""
    body = _body_of(lowered)
    # "name:" first: a plain search that clears most pages (a docket says "notice" and "filing" often)
    return bool("name:" in body and _LOWER_CASE_NAME.search(body) and _LOWER_NEF_TITLE.search(body))


def is_nda(lowered: str) -> bool:
    """Whether a page (lower-cased) is a Notice of Docket Activity (appellate CM/ECF, ACMS)."""
    body = _body_of(lowered)
    return bool("name:" in body and _LOWER_CASE_NAME.search(body) and _LOWER_NDA_TITLE.search(body))


def notice_unit(name: str, recognise, corpus_folders: tuple) -> ReportUnit:
    """The unit of one kind of notice; both read either kind (``appellate`` says which it is)."""
    # An e-mail names its court itself and may be forwarded from another court's mailbox: the
    # court marks of its links are not checked against the court it is filed under.
    return ReportUnit(parse, recognise, merge_notice, name=name, ingest_type=name, item_class=Notice, detect_rank=5,
                      reference_keys=REFERENCE_KEYS, corpus_folders=corpus_folders, checks_court=False)

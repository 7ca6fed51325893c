"""What every page parser shares: decoding, whitespace, dates.  Extend here; do not copy."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # parsel (and w3lib's urllib, http and email imports) only where selectors are used
    from parsel import Selector

class LazyPattern:
    """A module's regex, compiled on first use: a ``pacer-spiders parse`` of one page imports
    every report's module to detect the page's report, and compiling all their patterns would
    cost it more than the parse.  After the first use its methods are the compiled pattern's own."""

    def __init__(self, pattern, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        compiled = re.compile(*self._source)
        for method in ("search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split",
                       "pattern", "flags", "groups", "groupindex"):
            setattr(self, method, getattr(compiled, method))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._source[0]!r}, {self._source[1]})"


if TYPE_CHECKING:  # a LazyPattern stands in for the compiled pattern it becomes
    lazy_compile = re.compile
else:
    lazy_compile = LazyPattern


_WS = lazy_compile(r"[ \t\r\f\v\xa0]+")
# A whole date: no digit may run on either side (``12/31/99999`` is not ``12/31/9999``).
_DATE = lazy_compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?!\d)")
# PACER's era: CM/ECF holds no case filed before 1900, and nothing is dated after next year.
FIRST_YEAR = 1900
# Byte-order marks, longest first (UTF-32's little-endian mark begins with UTF-16's).
_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
         (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(body: bytes | str) -> str:
    """PACER pages are mostly windows-1252 labelled as anything; a byte-order mark's encoding
    (a page saved by a browser or an editor as UTF-16/32), else UTF-8, else cp1252.

    The last page decoded is remembered (by identity): the checks before a parse and the parser
    itself decode the same body, and the same text object finds its lower-cased bytes at once."""
    if isinstance(body, str):
        return body
    if type(body) is not bytes:  # a bytearray may change between two calls
        return _decode(body)
    last = _last_decoded[0]  # one tuple, read and replaced whole (parse threads)
    if last is not None and last[0] is body:
        return last[1]
    text = _decode(body)
    _last_decoded[0] = (body, text)
    return text


_last_decoded: list = [None]


def _decode(body) -> str:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            try:
                return body[len(bom):].decode(encoding)
            except UnicodeDecodeError:
                break  # a mark by chance (cp1252 "ÿþ"): read the page as the others
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace")


def last_year() -> int:
    """The last year a PACER date can have: next year (hearings are set months ahead)."""
    return date.today().year + 1


# Years only grow: a year up to next year as of the import is in the era without asking the clock.
_SURELY_NOT_FUTURE = date.today().year + 1


def in_pacer_era(year: int) -> bool:
    return FIRST_YEAR <= year and (year <= _SURELY_NOT_FUTURE or year <= last_year())


def selector(body: bytes | str, type: str = "html") -> Selector:
    from parsel import Selector

    return Selector(text=decode(body), type=type)


def lowered_bytes(text: str) -> bytes:
    """The page's lower-cased UTF-8 bytes, made once per page however many checks ask: the last
    two texts asked about are remembered by identity (a cache keyed by the text would hash the
    whole page first).  Bytes: case-sensitive searches with literal prefixes are fast, and a
    quarter of a str copy's memory when the page holds any character beyond Latin-1."""
    newest, older = _last_lowered[0]  # one tuple, read and replaced whole (parse threads)
    if newest[0] is text:
        return newest[1]
    if older[0] is text:
        return older[1]
    lowered = text.encode("utf-8", "replace").lower()
    _last_lowered[0] = ((text, lowered), newest)
    return lowered


_last_lowered: list = [((None, None), (None, None))]


def forget_lowered_bytes() -> None:
    """Let go of the pages ``lowered_bytes`` remembers (a big page's text and bytes, after its parse)."""
    _last_lowered[0] = ((None, None), (None, None))


def first(values):
    """The first value that is neither None nor empty text, or None."""
    return next((value for value in values if value is not None and value != ""), None)


def clean(text: str | None) -> str:
    """Collapse runs of spaces (not newlines) and strip."""
    if not text:
        return ""
    return _WS.sub(" ", text).strip()


def parse_date(text: str | None) -> str | None:
    """``MM/DD/YYYY`` (or ``MM/DD/YY``) anywhere in ``text`` -> ``YYYY-MM-DD``; None when absent."""
    if not text:
        return None
    match = _DATE.search(text)
    if not match:
        return None
    month, day, year = (int(g) for g in match.groups())
    if len(match.group(3)) == 2:  # the century that keeps the date in PACER's era
        year += 2000 if in_pacer_era(2000 + year) else 1900
    if not in_pacer_era(year):  # 12/31/0001 is a typing slip, not a date of 2001
        return None
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


class BadValue(ValueError):
    """A value given by a user (an option, a crawl argument, a work request) not of PACER's form;
    the message names the field."""


def check_date(value, name: str = "date") -> date:
    """A date given by a user (``YYYY-MM-DD`` or ``MM/DD/YYYY``) within PACER's era; ValueError
    naming ``name`` otherwise (``2019-13-45``, ``9999-12-31``)."""
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            day = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if not in_pacer_era(day.year):
            raise BadValue(f"{name} {text!r} is outside PACER's years ({FIRST_YEAR} to {last_year()})")
        return day
    raise BadValue(f"{name} {text[:40]!r} is not a date (YYYY-MM-DD)")


def parse_datetime(text: str | None, formats=("%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y")) -> str | None:
    """A PACER timestamp -> ISO ``YYYY-MM-DDTHH:MM:SS``; None when nothing parses."""
    if not text:
        return None
    text = clean(text)
    for fmt in formats:
        try:
            stamp = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return stamp.isoformat() if in_pacer_era(stamp.year) else None
    return None


# --- identifiers in links --------------------------------------------------------------------

DOC1_ID = lazy_compile(r"/docs?1/(\d+)")
_QUOTED = lazy_compile(r"'([^']*)'")


def doc_id_from_url(url: str | None, court_id: str | None = None, normalize=None) -> str | None:
    """The stored ``pacer_doc_id`` (fourth digit 0, through the court plugins) of a ``/doc1/<id>``
    (or appellate ``/docs1/<id>``) link; ``normalize``: ``courts.doc_id_normalizer(court_id)``,
    for a page that normalises many."""
    match = DOC1_ID.search(url or "")
    if not match:
        return None
    if normalize is not None:
        return normalize(match.group(1))
    from pacer_spiders.courts import normalize_pacer_doc_id  # the plugin hook; imported late (cycle)

    return normalize_pacer_doc_id(match.group(1), court_id)


# goDLS(hyperlink, de_caseid, de_seq_num, got_receipt, pdf_header, pdf_toggle_possible, magic_num, hdr):
# the arguments of CM/ECF's document link handler, by the names of the form fields it posts.
GO_DLS_ARGS = ("url", "caseid", "de_seq_num", "got_receipt", "pdf_header", "pdf_toggle_possible", "magic_num", "hdr")


def go_dls_args(onclick: str | None) -> dict | None:
    """The arguments of CM/ECF's ``goDLS(url, caseid, de_seq_num, got_receipt, ...)`` link handler,
    by name (an empty argument is None); None when ``onclick`` calls no goDLS."""
    args = _go_dls_values(onclick)
    return {name: (value or None) for name, value in zip(GO_DLS_ARGS, args)} if args else None


def go_dls_seq_num(onclick: str | None) -> str | None:
    """``go_dls_args(onclick)["de_seq_num"]`` without the dict (asked once per docket entry): the
    third quoted argument lies between the fifth and the sixth quote (what ``_QUOTED.findall``
    pairs), found by one split instead of a regex making every argument a string."""
    if not onclick or "goDLS" not in onclick:
        return None
    pieces = onclick[onclick.index("goDLS"):].replace("&#39;", "'").split("'", 6)
    return (pieces[5] or None) if len(pieces) == 7 else None


def _go_dls_values(onclick: str | None) -> list[str] | None:
    if not onclick or "goDLS" not in onclick:
        return None
    args = _QUOTED.findall(onclick[onclick.index("goDLS"):].replace("&#39;", "'"))
    return args if len(args) >= 3 else None


def go_dls_form(args: dict | None) -> dict:
    """The form fields goDLS posts to buy or view the document (the non-empty arguments)."""
    return {name: value for name, value in (args or {}).items() if name != "url" and value}


def query_param(url: str | None, name: str) -> str | None:
    """One numeric query parameter of a URL (``caseid``, ``de_seq_num``, ``arr_de_seq_nums``)."""
    match = re.search(rf"[?&]{name}=(\d+)", url or "", flags=re.I)
    return match.group(1) if match else None


# --- docket numbers --------------------------------------------------------------------------

# District style: [office:]yy-type-number[-JUDGE[-JUDGE]][-defendant]
# The serial is whole or the text is no docket number (``3:18-cr-18446744073709551616`` is not
# ``3:18-cr-1844674407``, another case).
_DISTRICT_DN = lazy_compile(r"(?<![\w:])(?:(\d{1,2}):)?(\d{2})-([a-zA-Z]{1,5})-(\d{1,10})(?!\d)((?:-[A-Za-z0-9]+)*)")
# Bankruptcy style: yy-number[-judge][-suffix]
_BANKRUPTCY_DN = lazy_compile(r"(?<![\w:-])(?:(\d):)?(\d{2})-(\d{3,10})(?!\d)((?:-[A-Za-z0-9]+)*)")

# Case types of bankruptcy courts' office-style numbers (``2:09-bk-12715-GBN``, ``8:09-ap-01469-TA``).
_BANKRUPTCY_CASE_TYPES = frozenset({"bk", "ap"})

DOCKET_NUMBER_FIELDS = (
    "federal_defendant_number",
    "federal_dn_case_type",
    "federal_dn_judge_initials_assigned",
    "federal_dn_judge_initials_referred",
    "federal_dn_office_code",
)


def parse_docket_number(text: str | None, bankruptcy: bool | None = None) -> tuple[str | None, dict]:
    """A PACER docket number -> (docket number without suffixes, its federal_dn_* parts).

    ``2:17-cv-04442-SMM-BP-3`` -> ``2:17-cv-04442`` with office 2, type cv, judges SMM and BP,
    defendant 3.  A bankruptcy number (``13-07422-RLM-7A``, ``10-15790-JMC-13``) keeps only its
    judge's initials: a number after them is the case's chapter, not a defendant.  ``bankruptcy``
    says whether the court is a bankruptcy court; None judges by the number's form (no case type,
    or a bankruptcy case type).
    """
    parts = dict.fromkeys(DOCKET_NUMBER_FIELDS)
    text = text or ""
    match = _DISTRICT_DN.search(text)
    if match:
        office, year, case_type, number, suffix = match.groups()
        docket_number = f"{office + ':' if office else ''}{year}-{case_type}-{number}"
        parts["federal_dn_office_code"] = office
        parts["federal_dn_case_type"] = case_type
        if bankruptcy is None:
            bankruptcy = case_type.lower() in _BANKRUPTCY_CASE_TYPES
    else:
        match = _BANKRUPTCY_DN.search(text)
        if not match:
            return None, parts
        office, year, number, suffix = match.groups()
        docket_number = f"{year}-{number}"
        bankruptcy = True
    judges = []
    for piece in [p for p in suffix.split("-") if p]:
        if piece.isdigit():
            if not bankruptcy:
                parts["federal_defendant_number"] = piece
        elif piece.isalpha():
            judges.append(piece)
    if judges:
        parts["federal_dn_judge_initials_assigned"] = judges[0]
    if len(judges) > 1 and not bankruptcy:
        parts["federal_dn_judge_initials_referred"] = judges[1]
    return docket_number, parts


# The whole of a docket number as PACER writes it: district ``[office:]yy-type-serial``, bankruptcy
# and appellate ``[office:]yy-serial``, with optional judges' initials or defendant number.
_WHOLE_DOCKET_NUMBER = lazy_compile(
    r"^(?:\d{1,2}:)?(?:\d{2}|\d{4})-(?:[a-zA-Z]{1,5}-\d{1,6}|\d{3,6})(?:-[A-Za-z0-9]{1,5}){0,4}$")


def check_docket_number(value, name: str = "docket_number") -> str:
    """A docket number given by a user, of PACER's forms (``1:16-cv-00100``, ``13-07422``); ValueError
    naming ``name`` otherwise (``3:18-cr-18446744073709551616``)."""
    text = str(value).strip()
    if not _WHOLE_DOCKET_NUMBER.match(text):
        raise BadValue(f"{name} must be a docket number of PACER's forms (1:16-cv-00100, 13-07422), "
                         f"not {text[:40]!r}")
    return text


# --- case names ------------------------------------------------------------------------------

_UNITED_STATES = lazy_compile(
    r"^(USA|U\.S\.A\.|U\.S\.?|U\. S\.?|(the )?United States of America|the United States)[,.]?$", re.I
)
_ET_AL = lazy_compile(r",?\set\.?\sal(?:s|ii|iae|ia)?\b\.?", re.I)
# Party-role words that some courts append to names ("Smith, plaintiff").
_ROLE_WORD = lazy_compile(
    r"^(appell(ee|ant)s?|claimants?|complainants?|defendants?|defendants?(--?|/)appell(ee|ant)s?|devisee"
    r"|executor|executrix|pet(\.|itioner)s?|petitioners?(--?|/)appell(ee|ant)s?|petitioners?(--?|/)defendants?"
    r"|plaintiffs?|plaintiffs?(--?|/)appell(ee|ant)s?|respond(e|a)nts?|respond(e|a)nts?(--?|/)appell(ee|ant)s?"
    r"|cross(--?|/)respondents?|crosss?(--?|/)petitioners?|cross(--?|/)appell(ees|ant)s?|deceased)[,.]?$",
    re.I,
)
_CONTROL = lazy_compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def tidy_case_name(text: str) -> str:
    """Whitespace collapsed, stray ``*``/``#`` and dangling punctuation at each side of ``v.`` removed."""
    text = (text or "").replace("&rsquo;", "'").replace("&rdquo;", '"').replace("&ldquo;", '"')
    text = text.replace("&nbsp;", " ").replace("&amp;", "&").replace("%20", " ").replace("&#160;", " ")
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    text = text.replace("*", "").replace("#", "")
    sides = [_strip_edges(side) for side in text.split(" v. ")]
    return " ".join(" v. ".join(sides).split())


_EDGE_PUNCT = "-–_/;,"


def _strip_edges(side: str) -> str:
    """``side`` without the run of ``[-–_/;,\\s]`` at its end, then at its start (two regex
    substitutions, done by walking in from each end: a case name's edges are usually letters)."""
    start, end = 0, len(side)
    while end > start and (side[end - 1] in _EDGE_PUNCT or side[end - 1].isspace()):
        end -= 1
    while start < end and (side[start] in _EDGE_PUNCT or side[start].isspace()):
        start += 1
    return side[start:end]


def strip_controls(text: str) -> str:
    """Control characters (a broken ``&#03`` entity decodes to one) removed."""
    return _CONTROL.sub("", text or "")


def harmonize_case_name(text: str | None) -> str:
    """The CourtListener form of a caption: ``vs.`` -> ``v.``, United States spelled out, no et al."""
    text = re.sub(r"\svs\.?\s", " v. ", text or "", flags=re.I)
    text = re.sub(r"\sv\.?\s", " v. ", text)
    text = " ".join(_ROLE_WORD.sub("", word) for word in text.split())
    sides = []
    for side in text.split(" v. "):
        side = side.strip()
        if _UNITED_STATES.match(side) or side == "US":
            side = "United States"
        elif side.lower() == "the state":
            side = "State"
        sides.append(side)
    text = _ET_AL.sub("", " v. ".join(sides))
    text = re.sub(r"^Nos?\.\s+", "", text)
    return tidy_case_name(text)


# --- receipts and file sizes -----------------------------------------------------------------

def label_values(sel: Selector, labels: dict[str, str]) -> dict[str, str]:
    """``<th>Label:</th><td>value</td>`` pairs (PACER's receipt tables) for the wanted labels."""
    found = {}
    for header in sel.xpath(".//th|.//td"):  # within ``sel`` (the receipt table), not the whole page
        label = clean(" ".join(header.xpath(".//text()").getall())).rstrip(":").strip().lower()
        key = labels.get(label)
        if key and key not in found:
            value = header.xpath("following-sibling::td[1]")
            if value:
                found[key] = clean(" ".join(value[0].xpath(".//text()").getall()))
    return found


@lru_cache(maxsize=1024)
def is_bankruptcy_court(court_id: str | None) -> bool:
    """Whether the court registry lists ``court_id`` as a bankruptcy court (unknown ids: a ``b`` suffix)."""
    if not court_id:
        return False
    from pacer_spiders.courts import UnknownCourtError, get_court  # the plugin registry; late import (cycle)

    try:
        return get_court(court_id).kind == "bankruptcy"
    except UnknownCourtError:
        return court_id.endswith("b")


def case_identity(text: str | None) -> dict | None:
    """What identifies a district case in its docket number: office (or None), two-digit year,
    case type and serial, from ``parse_docket_number`` (``1:16-cv-100`` and ``16-CV-00100`` share
    year, type and serial); None for a number without a case type."""
    number, parts = parse_docket_number(text)
    if not number or not parts["federal_dn_case_type"]:
        return None
    head, _, serial = number.rpartition("-")
    year = head.split(":")[-1].split("-")[0]
    return {"office": parts["federal_dn_office_code"], "year": int(year) % 100,
            "type": parts["federal_dn_case_type"].lower(), "serial": int(serial)}

"""What the docket report and the docket history report share: the lxml tree, text splitting,
docket numbers, case names, judges and party types, document links.

The normalisations follow the reference field values of CourtListener (juriscraper), so that a
docket stored here compares equal with one from the RECAP archive.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree
from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.parsers.common import (
    decode,
    doc_id_from_url,
    go_dls_seq_num,
    harmonize_case_name,
    parse_date,
    strip_controls,
    tidy_case_name,
)

_DATE_CHARS = r"[—\d\-–/]+"
# lxml refuses str input that declares an encoding; the text is already decoded.
_XML_DECLARATION = lazy_compile(r"^\s*<\?xml[^>]*\?>")
_XML_DECLARATION_BYTES = lazy_compile(rb"\s*<\?xml")
_DASHES = lazy_compile("[-–—]")


def html_root(body: bytes | str):
    """The page as an lxml tree, without scripts, styles and comments.

    Plain lxml elements (not lxml.html's, whose per-node class lookup costs a third of the time
    on large dockets).  The text (decoded as ``common.decode`` does) goes to libxml2 as UTF-8
    bytes with the encoding given: a third faster than a str, and a ``<meta charset>`` of the
    page cannot make libxml2 read it otherwise.
    """
    if isinstance(body, bytes) and not body.startswith(_WIDE_BOMS):
        # Control characters go before decoding, from the bytes (both encodings PACER's pages come
        # in keep ASCII as single bytes): bytes.translate is several times faster than a regex, and
        # looking for each byte first (memchr) half the instructions of a translate that finds none.
        if any(control in body for control in _CONTROL_SINGLE_BYTES):
            body = body.translate(None, _CONTROL_BYTES)
        if body.isascii() and not _XML_DECLARATION_BYTES.match(body):
            return _tree(body.strip())  # ASCII is its own UTF-8: no decoding, no copy
        text = decode(body)
    else:
        text = strip_controls(decode(body))
    # A declaration naming another encoding would contradict the UTF-8 the text is handed over in.
    return _tree(_XML_DECLARATION.sub("", text, count=1).strip().encode("utf-8"))


def _tree(data: bytes):
    root = etree.fromstring(data, parser=_HTML_PARSER) if data else None
    if root is None:
        return None
    etree.strip_elements(root, "script", "style", etree.Comment, with_tail=False)
    return root


# No table of ``id`` attributes (nothing here looks an element up by id; libxml2 hashes every id
# and every ``<a name>`` otherwise, and unhashes them when the tree is freed).
_HTML_PARSER = etree.HTMLParser(recover=True, huge_tree=True, encoding="utf-8", collect_ids=False)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0b, 0x0c, *range(0x0e, 0x20), 0x7f])  # common._CONTROL's
_CONTROL_SINGLE_BYTES = tuple(bytes([byte]) for byte in _CONTROL_BYTES)
_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")  # UTF-16/32: control bytes are in every character


def to_date(text: str | None) -> str | None:
    """``MM/DD/YYYY`` (or with dashes, as some courts write) -> ISO date; None when absent or invalid."""
    if not text:
        return None
    found = DATES.get(text)
    if found is None:
        found = parse_date(_DASHES.sub("/", text))
        # Dates found are remembered (a docket repeats its days); a text without a valid date is
        # not, as a date beyond next year becomes valid with time.
        if found is not None and len(DATES) < 20_000:
            DATES[text] = found
    return found


# Texts -> ISO dates found (``to_date``'s memory; a hot loop may look a text up before calling it).
DATES: dict[str, str] = {}


def labelled_date(label: str, flags=0) -> re.Pattern:
    """A regex for ``<label> MM/DD/YYYY`` whose group 1 is the date."""
    return lazy_compile(label + r"\s+(" + _DATE_CHARS + ")", flags)


def first_match(pattern: re.Pattern, values, *, as_date: bool = False):
    """Group 1 of the first value ``pattern`` matches ('' or None when none does)."""
    for value in values:
        match = pattern.search(value)
        if match:
            if as_date:
                return to_date(match.group(1))
            hit = match.group(1)
            # The last value joins all the others; a hit spanning a "Date Filed" label is wrong.
            if "date filed" not in hit.lower():
                return hit
    return None if as_date else ""


def header_match(pattern: re.Pattern, values: list[str], *, as_date: bool = False):
    """``first_match`` over a header's values whose last value joins all the others: a pattern
    without anchors that finds nothing in the joined value finds nothing in any value (one search
    instead of one a value)."""
    if values and not pattern.search(values[-1]) and not _ANCHORED.search(pattern.pattern):
        return None if as_date else ""
    return first_match(pattern, values, as_date=as_date)


# What can make a pattern match a value alone but not within the joined values.
_ANCHORED = lazy_compile(r"\^|\$|\\[AZbB]|\(\?<?[=!]")


def text_content(node) -> str:
    """All the text inside ``node`` (not its tail): libxml2's text serializer, which gives what
    ``"".join(node.itertext())`` gives at a third of the cost; a node without children, its own
    text (the same, at half the cost again)."""
    if node is None:
        return ""
    if not len(node):
        return node.text or ""
    return _tostring(node, method="text", encoding="unicode", with_tail=False)


_tostring = etree.tostring


def tostring_text(node) -> str:
    """All the text of ``node`` and its tail: every text node, in document order, joined."""
    return _tostring(node, method="text", encoding="unicode")


def squash(text: str) -> str:
    """Whitespace runs (newlines too) -> one space, stripped."""
    return " ".join(text.split())


def clean_text(text: str) -> str:
    """``clean_value`` of a text."""
    return " ".join(text.split()).replace(" ,", ",")


def clean_value(value):
    """Squash whitespace and drop spaces before commas, through lists and dicts."""
    if isinstance(value, str):
        return " ".join(value.split()).replace(" ,", ",")
    if isinstance(value, list):
        return [clean_value(v) for v in value]
    if isinstance(value, dict):
        return {k: clean_value(v) for k, v in value.items()}
    return value


def clean_in_place(data: dict) -> None:
    """``clean_value`` of a dict of our own making, its values replaced where it stands (no copy
    of the dict; the common values, text and None, without a recursive call)."""
    for key, value in data.items():
        if value is None:
            continue
        if type(value) is str:
            data[key] = clean_text(value)
        else:
            data[key] = clean_value(value)


def first_word(cell) -> str | None:
    """The first word of a cell's text (a word never runs across two text nodes), or None."""
    # The texts ``itertext`` gives first are those down the chain of first children (a number
    # cell's ``<a>`` or ``<nobr><a>``): looked at without the iterator.
    node = cell
    while True:
        words = node.text.split(None, 1) if node.text else None
        if words:
            return words[0]
        if not len(node):
            break
        node = node[0]
        if not isinstance(node.tag, str):
            break
    for text in cell.itertext():
        words = text.split(None, 1)
        if words:
            return words[0]
    return None


def br_split(cell, tags=("br", "p"), joiner: str = " ", strip: bool = True) -> list[str]:
    """The text of a cell in the pieces its ``<br>``/``<p>`` tags (``tags``) separate, text nodes
    joined by ``joiner``; each piece stripped unless ``strip`` is false (empty pieces left out)."""
    pieces: list[str] = []
    current: list[str] = [cell.text] if cell.text else []
    # The text nodes in document order: each node's text, its children's, then its tail (a walk
    # with a stack of child iterators: no event tuple a node, as ``etree.iterwalk`` gives).
    stack = [(cell, iter(cell))]
    while stack:
        parent, children = stack[-1]
        for node in children:
            if node.tag in tags:
                pieces.append(joiner.join(current))
                current = []
            if node.text:
                current.append(node.text)
            if len(node):
                stack.append((node, iter(node)))
                break  # its children next; its tail when they are done
            if node.tail:
                current.append(node.tail)
        else:
            stack.pop()
            if stack and parent.tail:
                current.append(parent.tail)
    pieces.append(joiner.join(current))
    return [piece.strip() if strip else piece for piece in pieces if piece]


# --- text normalisation -------------------------------------------------------------------------

# Case names and header lines are normalised as everywhere else (pacer_spiders.parsers.common).
clean_string = tidy_case_name
harmonize = harmonize_case_name


_SMALL_WORDS = frozenset("a an and as at but by en for if in of on or the to v v. via vs vs.".split())
_WORD_PART = lazy_compile(r"([\w]+)", re.UNICODE)


_ROMAN = lazy_compile(r"^(?=[MDCLXVI])M*(C[MD]|D?C{0,3})(X[CL]|L?X{0,3})(I[XV]|V?I{0,3})$", re.I)


def _cap_word(word: str) -> str:
    lowered = word.lower()
    if _ROMAN.match(word):
        return word.upper()
    if lowered.startswith("mc") and len(word) > 2 and word[2].isalpha():
        return "Mc" + word[2].upper() + word[3:]
    # Capitalise each alphabetic run (after hyphens, apostrophes, periods, slashes).
    return _WORD_PART.sub(lambda m: m.group(1)[:1].upper() + m.group(1)[1:], word, count=0)


def titlecase(text: str) -> str:
    """Title case with small words kept lower case except at the ends."""
    words = text.split(" ")
    out = []
    last = len(words) - 1
    for index, word in enumerate(words):
        if 0 < index < last and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(_cap_word(word))
    return " ".join(out)


_PARTY_TYPE_RULES = [
    (lazy_compile(r"defendant\s+\(\d+\)"), "defendant"),
    (lazy_compile(r"debtor\s+\d+"), "debtor"),
    (lazy_compile(r"(thirdparty|3rd pty|3rd party)"), "third party"),
    (lazy_compile(r"(fourthparty|4th pty|4th party)"), "fourth party"),
    (lazy_compile(r"counter-(defendant|claimaint)"), r"counter \1"),
    (lazy_compile(r"\bus\b"), "u.s."),
    (lazy_compile(r"u\. s\."), "u.s."),
    (lazy_compile(r"united states"), "u.s."),
    (lazy_compile(r"jointadmin"), "jointly administered"),
    (lazy_compile(r"consolidated-debtor"), "consolidated debtor"),
    (lazy_compile(r"plaintiff-? consolidated"), "consolidated plaintiff"),
    (lazy_compile(r"defendant-? consolidated"), "consolidated defendant"),
    (lazy_compile(r"intervenor-plaintiff"), "intervenor plaintiff"),
    (lazy_compile(r"intervenor pla\b"), "intervenor plaintiff"),
    (lazy_compile(r"intervenor dft\b"), "intervenor defendant"),
]


@lru_cache(maxsize=1024)
def normalize_party_type(text: str) -> str:
    """A party type as CourtListener writes it (fifteen rewrites, then title case): remembered, as
    every docket names the same few types."""
    text = text.lower().strip()
    for pattern, replacement in _PARTY_TYPE_RULES:
        text = pattern.sub(replacement, text)
    return titlecase(text)


_JUDGE_TITLES = frozenset(
    "judge magistrate district chief senior bankruptcy mag. magistrate-judge mag/judge mag visiting "
    "special senior-judge master u.s.magistrate".split()
)
# Words in PACER's judge strings that are neither a title nor part of the name.
_JUDGE_NOISE = frozenset(
    "a998 agb am associated ca cases cet ch. cla clerk cp cvb db debt-magistrate discovery dj docket duty "
    "ec eck general grc gs hhl hon honorable inactive jne jv kec law lc llh lq maryland mediator merged mj "
    "mmh msh mwd no none prisoner pslc pro pso pt rmh se sf show successor u.s. tjc unassigned unassigned2 "
    "unassigneddj unknown us usdc vjdistrict".split()
)


@lru_cache(maxsize=1024)  # a court's few judges, on page after page
def judge_name(text: str) -> str:
    """``Magistrate Judge Sue W Wright (SWW)`` -> ``Sue W. Wright``."""
    words = []
    for word in text.replace(",", "").lower().split():
        if "(" in word or ")" in word or word.startswith(("-", "~")) or word in _JUDGE_NOISE:
            continue
        if len(word) > 2 and "." in word and word not in ("jr.", "sr."):
            continue
        if word not in _JUDGE_TITLES:
            words.append(word)
    words = titlecase(" ".join(words)).split()
    out = []
    for index, word in enumerate(words):
        if len(word) == 1 and word.isalpha():
            word += "."
        if word.lower() in ("jr", "sr"):
            word += "."
        if index == 0 and word.lower() in ("j.", "j") and index + 1 < len(words):
            following = words[index + 1]
            if not (len(following) == 2 and following.endswith(".")) and len(following) != 1:
                continue
        out.append(word)
    return " ".join(out)


def find_judge(pattern: re.Pattern, values: list[str], root, label: bytes | None = None, page_lower: bytes = b"",
               joined: bool = False) -> str:
    """The judge ``pattern`` finds in the header values, else anywhere on the page; a clean name.

    ``label`` (lower-case UTF-8) lets a page that never mentions it skip the whole-page scan;
    ``joined``: the last value joins the others (``header_match``)."""
    found = header_match(pattern, values) if joined else first_match(pattern, values)
    if not found and (label is None or label in page_lower):
        # Some courts put the judge outside the header table.
        found = first_match(pattern, (t for t in _TEXT_NODES(root) if t and not t.isspace()))
    return judge_name(found)


# Every text node of the page as a plain str (a smart string would make a proxy of its parent).
_TEXT_NODES = etree.XPath("//text()", smart_strings=False)


# --- docket numbers -----------------------------------------------------------------------------

DISTRICT_NUMBER = lazy_compile(r"(?<!\d)((\d{1,2}:)?\d\d-[a-zA-Z]{1,5}-\d{1,10})(?!\d)")  # a whole serial or none
BANKRUPTCY_NUMBER = lazy_compile(r"(?:#:\s+)?((\d-)?\d\d-\d*)")
MDL_NUMBER = lazy_compile(r"(MDL No.\s+\d*)")

_DISTRICT_PARTS = lazy_compile(
    r"(?P<office>\d):\d{2}-(?P<type>[a-zA-Z0-9]{1,5}|~gr)-\d{5}"
    r"(?:-(?P<assigned>N/A|P1|[a-zA-Z_]{1,5}))?(?:-(?P<referred>[a-zA-Z_]{1,5}))?(?:-(?P<defendant>\d{1,3}))?"
)
_BANKRUPTCY_PARTS = lazy_compile(
    r"\d{2}-\d{5}-(?P<alt_office>\d)-(?P<alt_assigned>[a-zA-Z]{2,4})"
    r"|(?:(?P<office>\d):\d{2}-(?P<type>[a-zA-Z0-9]{1,5}|~gr)-\d{5}|\d{2}-\d{5})"
    r"(?:-(?P<assigned>N/A|P1|[a-zA-Z_]{1,5}))?"
)
NO_NUMBER_PARTS = {
    "federal_defendant_number": None,
    "federal_dn_case_type": None,
    "federal_dn_judge_initials_assigned": None,
    "federal_dn_judge_initials_referred": None,
    "federal_dn_office_code": None,
}


def docket_number_parts(text: str, bankruptcy: bool) -> dict:
    """Office code, case type, judges' initials and defendant number of a full docket number."""
    match = (_BANKRUPTCY_PARTS if bankruptcy else _DISTRICT_PARTS).search(text)
    if not match:
        return dict(NO_NUMBER_PARTS)
    groups = match.groupdict()
    office, assigned = groups.get("office"), groups.get("assigned")
    if groups.get("alt_office"):
        office, assigned = groups["alt_office"], groups["alt_assigned"]
    return {
        "federal_dn_office_code": office,
        "federal_dn_case_type": groups.get("type"),
        "federal_dn_judge_initials_assigned": assigned,
        "federal_dn_judge_initials_referred": groups.get("referred"),
        "federal_defendant_number": groups.get("defendant"),
    }


def find_docket_number(strings: list[str], patterns) -> tuple[str | None, dict]:
    """The first string matching the first pattern that matches any -> (number, parts)."""
    bankruptcy = BANKRUPTCY_NUMBER in patterns
    for pattern in patterns:
        for text in strings:
            match = pattern.search(text)
            if match:
                return match.group(1), docket_number_parts(text, bankruptcy)
    return None, dict(NO_NUMBER_PARTS)


# --- document links -----------------------------------------------------------------------------


def doc_id_from_href(href: str, court_id: str | None, normalize=None) -> str | None:
    """``/doc1/01712427473?...`` -> ``01702427473``.

    A bankruptcy ``show_doc.pl?caseid=..&dm_id=..`` link carries no document id.  The reference
    field set gives such entries the link's script name with its fourth character zeroed
    (``sho0_doc.pl``), so the JSON output does the same; the archive never stores that as an id
    (``pacer_spiders.courts.is_pacer_doc_id``).
    """
    doc_id = doc_id_from_url(href, court_id, normalize)
    return show_doc_id(href) if doc_id is None else doc_id


def show_doc_id(href: str) -> str | None:
    """``doc_id_from_href`` of a link without a ``/doc1/`` id: a ``show_doc.pl`` link's script
    name with its fourth character zeroed, else None."""
    if "show_doc.pl" not in href:
        return None
    script = href.split("?", 1)[0].rsplit("/", 1)[-1]
    return script[:3] + "0" + script[4:]


def seq_no_from_anchor(anchor) -> str | None:
    """The ``de_seq_num`` argument of the ``goDLS(...)`` call a document link runs."""
    return go_dls_seq_num(anchor.get("onclick"))




# --- attachment rows (document selection menus and a docket's inline attachment tables) ---------

_PAGES_CELL = lazy_compile(r"^\d+\s+pages?$", re.I)
SIZE_UNIT = lazy_compile(r"\b[kKmM][bB]\b")
_SIZE_CELL = lazy_compile(r"^[\d.,]+\s*(?:[kmg]?b|bytes)$", re.I)


def attachment_number_cell(cells) -> int | None:
    """Index of the cell showing an attachment row's number: the first cell whose text is only
    digits.  A checkbox cell (``checkbox | number | ...`` under "view multiple documents") has no
    text and is passed over, whichever side of the number it sits."""
    for index, cell in enumerate(cells):
        if text_content(cell).strip().isdigit():
            return index
    return None


def attachment_description(cells, number_index: int) -> str:
    """An attachment's description: the first text of the first non-empty cell after its number.
    Some menus put empty cells between the two (bankruptcy rows of six cells); a row whose next
    filled cell is already its page count or size has no description."""
    for cell in cells[number_index + 1:]:
        text = text_content(cell).strip()
        if not text:
            continue
        if _PAGES_CELL.match(text) or _SIZE_CELL.match(text):
            return ""
        texts = cell.xpath(".//text()")
        return texts[0].strip() if texts else ""
    return ""


def checkbox_value_part(row, index: int) -> int | None:
    """One part of a row's checkbox value ``<document id>-<bytes>-<pages>``; None when absent or zero."""
    boxes = row.xpath(".//input/@value")
    parts = boxes[0].split("-") if boxes else []
    if len(parts) != 3 or not parts[index].isdigit():
        return None
    return int(parts[index]) or None


def attachment_page_count(row) -> int | None:
    """Pages of an attachment row: its checkbox value, else the first "N pages" text."""
    pages = checkbox_value_part(row, 2)
    if pages:
        return pages
    for text in row.xpath('./td[contains(., "page")]/text()'):
        words = text.split()
        if words and words[0].isdigit():
            return int(words[0])
    return None


def attachment_size_str(cells) -> str:
    """The size PACER prints in a row's last cell ("57.2 KB"), or ''."""
    if not cells:
        return ""
    last = squash(text_content(cells[-1]))
    return last if SIZE_UNIT.search(last) else ""

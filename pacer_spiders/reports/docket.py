"""The docket report (``DktRpt.pl``) of district and bankruptcy courts -> the reference docket dict.

Page structure this relies on (CM/ECF's, the same at every court):
- a header table whose cells hold ``Label: value`` lines separated by ``<br>`` (Date Filed,
  Assigned to, Cause, Nature of Suit...), with the docket number in an ``<h3>`` (district) or a
  ``<center><font>`` (bankruptcy);
- party tables: a party type row (``<b><u>Plaintiff</u></b>``, bankruptcy ``<i><b>Debtor</b></i>``
  beside the party, adversary ``----Plaintiff----``), then rows ``name | represented by |
  attorneys``; attorneys are ``<b>name</b>`` followed by ``<br>``-separated contact lines and
  ``<i>roles</i>``; criminal cases add counts, complaints and offense levels under the defendant;
- the docket entry table (header row with "Docket Text"; columns date, number, text, with an extra
  column in some bankruptcy courts and a checkbox column when "view multiple documents" is on).
"""

from __future__ import annotations

import re

from lxml import etree

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.courts import UnknownCourtError, doc_id_normalizer, get_court
from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.parsers.common import DOC1_ID, decode, first, is_bankruptcy_court, lowered_bytes
from pacer_spiders.parsers.problems import page_problem

REPORT = "docket"

DATE_FILED = dc.labelled_date(r"Date [fF]iled:")
DATE_TERMINATED = dc.labelled_date(r"[tT]erminated:", re.I)
DATE_CONVERTED = dc.labelled_date(r"Date [Cc]onverted:")
DATE_DISCHARGED = dc.labelled_date(r"(?:Date|Debtor)\s+[Dd]ischarged:")
DATE_ENTERED = dc.labelled_date(r"Entered:")
CAUSE = lazy_compile(r"Cause:\s+(.*)")
NATURE_OF_SUIT = lazy_compile(r"Nature of Suit:\s+(.*)")
JURY_DEMAND = lazy_compile(r"Jury Demand:\s+(.*)")
JURISDICTION = lazy_compile(r"Jurisdiction:\s+(.*)")
MDL_STATUS = lazy_compile(r"MDL Status:\s+(.*)")
DEMAND = lazy_compile(r"^Demand:\s+(.*)")
ASSIGNED_TO = lazy_compile(r"Assigned to:\s+(.*)", re.S | re.I)
REFERRED_TO = lazy_compile(r"Referred to:\s+(.*)", re.S | re.I)

_CASE_NAME = r"(?:Case\s+title:\s+)?(.*\bvs?\.?\s.*)"
CASE_NAME_PATTERNS = [
    lazy_compile(_CASE_NAME),
    lazy_compile(_CASE_NAME, re.I),
    lazy_compile(r"(?:Case\s+title:\s+)(.*)", re.I),
    lazy_compile(r"(\bIN\s+RE:?\s+.*)", re.I),
    lazy_compile(r"(\bIn\s+the\s+matter\s+.*)", re.I),
]
OFFENSE_HEADER = lazy_compile(r"highest\s+offense.*(?P<status>opening|terminated)", re.I)
COUNTS_HEADER = lazy_compile(r"(?P<status>pending|terminated)\s+counts", re.I)
COMPLAINTS_HEADER = lazy_compile(r"complaints", re.I)
MERGED_NUMBER = lazy_compile(r"^[\s\xa0]*\d+[\s\xa0]+(?:\(\d+[\s\xa0]+pgs(?:;[\s\xa0]\d+[\s\xa0]docs)?\)[\s\xa0]+)?")
SEE_ABOVE = lazy_compile(r"see\s+above", re.I)



def party_type(cells: list):
    """The first non-empty party type cell, normalised."""
    value = first(cells)
    return None if value is None else dc.normalize_party_type(value)


def attorney_roles(roles: list) -> list:
    """An attorney's roles without the bar status and designation notes."""
    stripped = (role.strip() for role in roles)
    return [role for role in stripped if not role.lower().startswith(("bar status", "designation"))]


def parse(body: bytes | str, context: dict | None = None) -> dict:
    """A docket report page -> the reference docket dict; NotTheReport for any other page."""
    context = context or {}
    text = decode(body)
    if _is_appellate_docket(text):
        problem: PageProblem | None = PageProblem("other_report", "an appellate CM/ECF docket (report appellate_docket), not a district "
                              "or bankruptcy docket")
    else:
        problem = page_problem(text, REPORT, context.get("court_id"))
    root = dc.html_root(body) if problem is None else None
    if problem is None and (root is None or not any(len(tr) for tr in root.iter("tr"))):
        problem = PageProblem("empty", "the page has no table rows: an empty or truncated docket report")
    if problem is not None:
        raise NotTheReport(problem)
    page = DocketPage(root, context, text)
    del text  # the page's lower-cased bytes are kept; its text need not be, beside the tree (a huge docket's peak)
    return page.data()


def _is_appellate_docket(text: str) -> bool:
    from pacer_spiders.reports.appellate_docket import is_appellate_docket  # late: it imports this module

    return "ocket #:" in text and is_appellate_docket(text.lower())


_ROWS = etree.XPath("./tr | ./tbody/tr | ./thead/tr | ./tfoot/tr")
ADVERSARY = "Adversary Proceeding"
# Whether an element has a text node of its own holding the phrase (the walk's texts join the
# text nodes a stripped comment or script left apart).
_ADVERSARY_TEXT = etree.XPath('text()[contains(., "Adversary Proceeding")]')
# The landmarks' texts (the rare ones looked for only in a page that holds them; "iled:" covers
# "Date Filed:"/"Date filed:").
_LANDMARKS = (("Docket Text", None), ("iled:", None),
              ("Total file size of selected documents", b"total file size of selected documents"),
              ("Footer format:", b"footer format:"), (ADVERSARY, b"adversary proceeding"))


def landmark_texts(root, page_lower: bytes) -> list[tuple[str, etree._Element]]:
    """(text, the element it belongs to) of every text node holding a landmark phrase, in document
    order (an element's text, then its children's, each followed by its tail).

    A walk over the elements' text and tails (an XPath asking ``contains()`` of every text node
    costs more, as libxml2 copies the node's text for each phrase asked) that passes over each
    table row whose text (libxml2's serializer, one call) holds no phrase, and that ends once it
    has found every occurrence of the phrases in the page's whole text (the serializer's: every
    text node, in document order, so a text node's occurrence is one of the whole text's and none
    is left after the last): most dockets' entries come after their last landmark."""
    common, rare = "Docket Text", "iled:"
    others = [phrase for phrase, lowered in _LANDMARKS[2:] if lowered in page_lower]
    # The rare phrases a page holds, as three plain tests (padded with one already asked): ``in``
    # beats a generator or an alternation regex by far.
    first, second, third = (others + [common] * 3)[:3]
    phrases = [common, rare, *others]
    left = sum(dc.tostring_text(root).count(phrase) for phrase in phrases)
    text_of = dc.text_content
    found: list[tuple[str, etree._Element]] = []

    def keep(text: str, holder) -> None:  # a hit (a few a page: the call costs nothing)
        nonlocal left
        found.append((text, holder))
        left -= sum(text.count(phrase) for phrase in phrases)

    text = root.text
    if text and (common in text or rare in text or (others and (first in text or second in text or third in text))) \
            and isinstance(root.tag, str):  # an element's own text, not a comment's or a PI's
        keep(text, root)
    # The elements being walked, each with the iterator over its children (a stack, not recursion:
    # a page of unclosed tags nests deeper than Python's recursion limit).
    stack = [(root, iter(root))]
    while stack and left > 0:
        parent, children = stack[-1]
        for child in children:
            if child.tag == "tr":
                text = text_of(child)
                if not (common in text or rare in text or (others and (first in text or second in text or third in text))):
                    text = child.tail
                    if text and (common in text or rare in text or (others and (first in text or second in text or third in text))):
                        keep(text, parent)
                    continue
            text = child.text
            if text and (common in text or rare in text or (others and (first in text or second in text or third in text))) \
                    and isinstance(child.tag, str):
                keep(text, child)
            if len(child):
                stack.append((child, iter(child)))
                break  # its children next; its tail when they are done
            text = child.tail
            if text and (common in text or rare in text or (others and (first in text or second in text or third in text))):
                keep(text, parent)
                if left <= 0:
                    break
        else:
            stack.pop()
            text = parent.tail
            if text and (common in text or rare in text or (others and (first in text or second in text or third in text))):
                keep(text, parent.getparent())
    return found


def centered_fonts(centers: list) -> list:
    """``//center//font`` from the page's ``<center>`` elements (in document order): the fonts of
    each outermost one, in document order (a font in nested centers once)."""
    return [font for center in centers if next(center.iterancestors("center"), None) is None
            for font in center.iter("font")]


# The elements the parse looks for by tag, gathered by one C-level walk of the page (a walk costs
# about the same for one tag or several).
TAGS = ("b", "center", "h3", "table", "form", "input")


PARTY_ROWS = etree.XPath(
    '//tr[./td[1]//i/b/text() or ./td[1]//b/u/text() or ./td[1]//b/text()[contains(., "-----")]]/../tr')
_DASHED_TEXT = etree.XPath('text()[contains(., "-----")]')
# ``.//text()[not(./parent::b)]``, its steps without ``descendant-or-self::node()`` (a fifth
# cheaper), its results plain str (no smart strings to build).
TEXTS_OUTSIDE_BOLD = etree.XPath("descendant::text()[not(parent::b)]", smart_strings=False)
_DASH_RUN = lazy_compile("----*")
text_content = dc.text_content


def _tables_around(holder) -> list:
    """The tables an element is in, itself first when it is one, innermost first."""
    tables = list(holder.iterancestors("table"))
    return [holder, *tables] if holder.tag == "table" else tables


class FirstCell:
    """What the party parse asks of a row's first cell, from one C-filtered walk of its ``<b>``,
    ``<i>`` and ``<u>`` (instead of a walk for each question):

    - ``heading``: it holds ``.//b/u`` (a party type heading, or a criminal case's count heading);
    - ``italic_bold``: it holds ``.//i/b`` (a bankruptcy party type beside the party);
    - ``italic``: its first ``<i>``;
    - ``bold``: it holds a ``<b>``;
    - ``name``: ``party_name_node``'s node, and ``name_text`` its text."""

    __slots__ = ("heading", "italic_bold", "italic", "bold", "name", "name_text")

    def __init__(self, cell):
        self.heading = self.italic_bold = self.bold = False
        self.italic = self.name = None
        self.name_text = ""
        for node in cell.iter("b", "i", "u"):
            tag = node.tag
            if tag == "b":
                self.bold = True
                if node.getparent().tag == "i":
                    self.italic_bold = True
                elif self.name is None and node is not cell and not any(child.tag == "u" for child in node):
                    text = text_content(node)
                    if "------" not in text:
                        self.name, self.name_text = node, text
            elif tag == "u":
                if node.getparent().tag == "b":
                    self.heading = True
            elif self.italic is None:
                self.italic = node


def party_name_node(cell):
    """The first of ``.//b[not(./parent::i)][not(./u)][not(contains(., "------"))]`` in ``cell``
    (the party's name), or None: C-level iteration, no XPath call a row."""
    return FirstCell(cell).name


def _has_text(node) -> bool:
    """Whether ``node`` has a text node child (XPath's ``text()``)."""
    return node.text is not None or any(child.tail is not None for child in node)


def _marks_party(bold) -> bool:
    """Whether a ``<b>`` is one of PARTY_ROWS' marks: ``i/b/text()``, ``b/u/text()`` or
    ``b/text()[contains(., "-----")]``."""
    if not len(bold):
        text = bold.text
        if text is None:
            return False
        if bold.getparent().tag == "i":
            return True
        joined = text
    else:
        children = list(bold)  # each child's proxy made once (and no tag-matching iterator, dear to build)
        tails = [child.tail for child in children]
        text = bold.text
        if (text is not None or tails.count(None) < len(tails)) and bold.getparent().tag == "i":
            return True
        if any(child.tag == "u" and _has_text(child) for child in children):
            return True
        joined = "".join([text or "", *(tail or "" for tail in tails)])
    # lxml joins adjacent text nodes (a stripped comment leaves two): the XPath asks each one.
    return "-----" in joined and bool(_DASHED_TEXT(bold))


def _first_cell(cell) -> bool:
    """Whether no ``<td>`` comes before ``cell`` among its siblings (``tr/td[1]``): a walk back
    over its siblings, cheaper than an iterator that matches tags."""
    sibling = cell.getprevious()
    while sibling is not None:
        if sibling.tag == "td":
            return False
        sibling = sibling.getprevious()
    return True


def rows_of(table) -> list:
    """``_ROWS``: a table's rows, its own and its sections'; by C-level child iteration when it has
    no section (libxml2 adds no implied ``<tbody>``), as the XPath's union sorts its nodes."""
    if next(table.iterchildren("tbody", "thead", "tfoot"), None) is None:
        return list(table.iterchildren("tr"))
    return _ROWS(table)


class DocketPage:
    """One parsed docket report page: ``data()`` is the reference dict."""

    def __init__(self, root, context: dict, text: str = ""):
        self.root = root
        self.page_lower = lowered_bytes(text)
        self.court_id = context.get("court_id") or ""
        self.bankruptcy = is_bankruptcy_court(self.court_id) if self.court_id else self._looks_bankruptcy()
        self.normalize_doc_id = doc_id_normalizer(self.court_id)
        self._parties: list[dict] | None = None
        self._entry_rows: list | None = None
        self._tagged: dict[str, list] | None = None
        self.landmarks()

    def tagged(self, tag: str) -> list:
        """The page's elements of one of ``TAGS``, in document order."""
        if self._tagged is None:
            self._tagged = {name: [] for name in TAGS}
            for element in self.root.iter(*TAGS):
                self._tagged[element.tag].append(element)
        return self._tagged[tag]

    def _looks_bankruptcy(self) -> bool:
        return bool(self.root.xpath('//text()[contains(., "Bankruptcy Court")]'))

    def data(self) -> dict:
        metadata = self.metadata()
        metadata["parties"] = self.parties()
        metadata["docket_entries"] = self.docket_entries()
        return metadata

    # --- case metadata --------------------------------------------------------------------------

    def landmarks(self) -> None:
        """One pass over the page's text for the nodes the layout hangs on: the header cell with
        "Date Filed:", the "Docket Text" column heads, and the multi-document and footer tables;
        and whether an element's text says "Adversary Proceeding"."""
        self.header_holder: etree._Element | None = None
        self.docket_text_holders: list[etree._Element] = []
        self.excluded_holders: list[etree._Element] = []
        self.adversary = False
        for text, holder in landmark_texts(self.root, self.page_lower):
            if not self.adversary and ADVERSARY in text:
                self.adversary = bool(_ADVERSARY_TEXT(holder))
            if "Docket Text" in text:
                self.docket_text_holders.append(holder)
            if "Total file size of selected documents" in text or "Footer format:" in text:
                self.excluded_holders.append(holder)
            if self.header_holder is None and ("Date Filed:" in text or "Date filed:" in text):
                if holder.tag == "td" or next(holder.iterancestors("td"), None) is not None:
                    self.header_holder = holder

    def header_values(self) -> list[str]:
        """The header table's lines: the outermost table without a <center> around the first
        cell saying "Date Filed:", each cell split at its <br>s, plus all of them joined."""
        values: list[str] = []
        table = None
        if self.header_holder is not None:
            holder = self.header_holder
            cell = holder if holder.tag == "td" else next(holder.iterancestors("td"))
            for ancestor in cell.iterancestors("table"):
                if next(ancestor.iter("center"), None) is None:
                    table = ancestor
        if table is not None:
            for cell in table.iter("td"):
                values.extend(dc.clean_string(piece) for piece in dc.br_split(cell))
        values.append(" ".join(values))
        return values

    def metadata(self) -> dict:
        values = self.values = self.header_values()
        if self.bankruptcy:
            strings = [dc.text_content(node) for node in centered_fonts(self.tagged("center"))]
            patterns = [dc.DISTRICT_NUMBER, dc.BANKRUPTCY_NUMBER]
        else:
            strings = [dc.text_content(node) for node in self.tagged("h3")]
            patterns = [dc.DISTRICT_NUMBER, dc.MDL_NUMBER]
        docket_number, parts = dc.find_docket_number(strings, patterns)
        data = {
            "court_id": self.court_id,
            "docket_number": docket_number,
            "case_name": self.case_name(),
            "date_filed": dc.header_match(DATE_FILED, values, as_date=True),
            "date_terminated": dc.header_match(DATE_TERMINATED, values, as_date=True),
            "date_converted": dc.header_match(DATE_CONVERTED, values, as_date=True),
            "date_discharged": dc.header_match(DATE_DISCHARGED, values, as_date=True),
            "assigned_to_str": self.judge(ASSIGNED_TO, b"assigned to:"),
            "referred_to_str": self.judge(REFERRED_TO, b"referred to:"),
            "cause": dc.header_match(CAUSE, values),
            "nature_of_suit": self.adversary_natures() if self.adversary else dc.header_match(NATURE_OF_SUIT, values),
            "jury_demand": dc.header_match(JURY_DEMAND, values),
            "demand": dc.header_match(DEMAND, values),
            "jurisdiction": dc.header_match(JURISDICTION, values),
            "mdl_status": dc.header_match(MDL_STATUS, values),
            "ordered_by": self.ordered_by(),
        }
        data.update(parts)
        return dc.clean_value(data)

    def adversary_natures(self) -> str:
        """Adversary proceedings list "Nature[s] of Suit" as rows of code and description cells."""
        natures = []
        if b"nature[s] of" not in self.page_lower:
            return ""
        for row in self.root.xpath('//table[contains(., "Nature[s] of")]//tr'):
            texts = [t.strip() for t in row.xpath("./td[position() > 2]/text()") if t.strip()]
            if len(texts) > 1:
                natures.append(" ".join(texts))
        return "; ".join(natures)

    def judge(self, pattern: re.Pattern, label: bytes) -> str:
        return dc.find_judge(pattern, self.values, self.root, label, self.page_lower, joined=True)

    def case_name(self) -> str:
        if self.bankruptcy:
            debtors = [p["name"] for p in self.parties() if p["type"] in ("Debtor", "Debtor In Possession")]
            if debtors:
                return debtors[0]  # the debtor's name as the court wrote it
            else:
                lead = self.root.xpath('//i[contains(., "Lead BK Title")]/following::text()')
                name = lead[0].strip() if lead else "Unknown Case Title"
                if self.adversary:
                    name += " - Adversary Proceeding"
        else:
            name = None
            for pattern in CASE_NAME_PATTERNS:
                match = pattern.search(self.values[0])
                if match:
                    name = match.group(1)
                    break
            if name is None:
                plaintiff = next((p["name"] for p in self.parties() if p["type"] == "Plaintiff"), None)
                defendant = next((p["name"] for p in self.parties() if p["type"] == "Defendant"), None)
                name = f"{plaintiff} v. {defendant}" if plaintiff and defendant else "Unknown Case Title"
        return dc.clean_string(dc.harmonize(name))

    # --- parties --------------------------------------------------------------------------------

    def party_rows(self) -> list:
        """``PARTY_ROWS``: the rows beside each row whose first cell holds a party mark, found from
        the page's few ``<b>`` (the XPath tries its three tests in the first cell of every row)."""
        parents: list = []
        cells: set = set()
        for bold in self.tagged("b"):
            if not _marks_party(bold):
                continue
            for cell in bold.iterancestors("td"):
                if cell in cells:
                    break  # this cell, and the cells around it, were looked at for an earlier mark
                cells.add(cell)
                row = cell.getparent()
                if row is not None and row.tag == "tr" and _first_cell(cell):
                    parent = row.getparent()
                    if parent is not None and parent not in parents:
                        parents.append(parent)
        if len(parents) > 1:
            # The marks come in document order, so do the tables they are found in unless one
            # is inside another (then the XPath sorts their rows).
            if any(ancestor in parents for parent in parents for ancestor in parent.iterancestors()):
                return PARTY_ROWS(self.root)
            return [row for parent in parents for row in parent.iterchildren("tr")]
        return list(parents[0].iterchildren("tr")) if parents else []

    def parties(self) -> list[dict]:
        if self._parties is not None:
            return self._parties
        rows = self.party_rows()
        texts = [text_content(row) for row in rows]
        lowered: list[str] = []
        cells_of: list[list] = []  # ``.//td`` of each row that has text
        marks: list[FirstCell | None] = []  # None: a row with nothing in it, never read
        for row, text in zip(rows, texts):
            text = text.strip().lower()
            lowered.append(text)
            cells = list(row.iter("td")) if text and text != "v." else []
            cells_of.append(cells)
            marks.append(FirstCell(cells[0]) if cells else None)
        bolded: list[bool | None] = [None] * len(rows)  # whether a row holds a <b>, asked at most once

        def has_bold(index: int) -> bool:
            value = bolded[index]
            if value is None:
                mark = marks[index]
                value = bolded[index] = (mark is not None and mark.bold) or next(rows[index].iter("b"), None) is not None
            return value

        parties: list[dict] = []
        party: dict = {}
        last = len(rows) - 1
        for index, mark in enumerate(marks):
            if mark is None:
                continue
            cells = cells_of[index]
            text = lowered[index]
            if mark.heading:
                # A heading not followed by a bold party name (criminal cases' count headings).
                if index == last or not has_bold(index + 1):
                    continue
                if len(cells) == 3 and text_content(cells[2]) == "Disposition":
                    continue
                if len(cells) == 1:
                    party = {"type": party_type([text_content(cells[0])])}
                    continue
            elif not has_bold(index):
                continue  # rows without bold text are details under a party, not parties
            if "------" in text:
                label = text_content(cells[0]).strip()
                if len(cells) != 3:
                    party = {"type": party_type([_DASH_RUN.sub("", label)])}
                    continue
                party = {"type": _DASH_RUN.split(label)[0]}
            elif self.bankruptcy and len(cells) == 3 and mark.italic_bold:
                party = {"type": party_type([text_content(mark.italic)])}
            elif len(cells) == 3 and "service list" in text:
                party = {"type": "Service List"}
            if mark.name is not None and not (index and "Disposition" in texts[index - 1]):
                party["name"] = mark.name_text.strip()
                party["extra_info"] = extra_info = "\n".join(
                    stripped for stripped in map(str.strip, TEXTS_OUTSIDE_BOLD(cells[0])) if stripped)
                party["date_terminated"] = (  # "nated:": DATE_TERMINATED's case-blind label, searched only where it can be
                    dc.first_match(DATE_TERMINATED, [extra_info], as_date=True) if "nated:" in extra_info.lower() else None)
            if party:
                if len(cells) == 3:
                    party["attorneys"] = attorneys_in(cells[2])
                if party.get("type") is None:
                    party["type"] = "Unknown"
                if party not in parties:
                    parties.append(party)
                # In adversary proceedings one type heads several parties.
                party = {"type": party["type"]} if self.adversary and party["type"] else {}
        resolve_see_above(parties)
        if not self.bankruptcy:
            add_criminal_data(parties, rows, cells_of, texts, marks, has_bold)
        self._parties = parties
        return parties

    # --- docket entries -------------------------------------------------------------------------

    def entry_rows(self) -> list:
        """Rows of the tables holding "Docket Text" and of the tables after them (long dockets
        continue in header-less tables), except the multi-document download and footer tables."""
        if self._entry_rows is None:
            tables = set()
            for holder in self.docket_text_holders:
                for table in _tables_around(holder):
                    tables.add(table)
                    tables.update(table.itersiblings("table"))
            for holder in self.excluded_holders:
                tables.difference_update(_tables_around(holder))
            if len(tables) > 1:
                order = {table: index for index, table in enumerate(self.tagged("table"))}
                ordered = sorted(tables, key=order.__getitem__)
            else:
                ordered = list(tables)
            self._entry_rows = [row for table in ordered for row in rows_of(table)]
        return self._entry_rows

    def ordered_by(self) -> str | None:
        rows = self.entry_rows()
        if not rows:
            return None
        # The first of ./td[not(./input)] | ./th[not(./input)].
        head = next((cell for cell in rows[0].iterchildren("td", "th")
                     if not len(cell) or next(cell.iterchildren("input"), None) is None), None)
        if head is None:
            return None
        return "date_entered" if dc.text_content(head) in ("Date Entered", "Docket Date") else "date_filed"

    def docket_entries(self) -> list[dict]:
        # The page's few forms asked first: the page's bytes are searched only when one is named so.
        multi_documents = any(form.get("name") == "view_multi_docs" for form in self.tagged("form")) \
            and b"view_multi_docs" in self.page_lower
        rows = self.entry_rows()
        # The cells holding a checkbox of their own, and the rows with any, from the page's
        # checkboxes (cheaper than a look into each row).
        box_cells, box_rows = set(), set()
        for box in self.tagged("input"):
            box_cells.add(box.getparent())
            box_rows.update(box.iterancestors("tr"))
        entries: list[dict] = []
        # The loop is the parse's hottest: helpers inlined, bound methods and globals held locally.
        append, text_of, to_date, dates = entries.append, dc.text_content, dc.to_date, dc.DATES
        entered_search, normalize = DATE_ENTERED.search, self.normalize_doc_id
        doc1_search = DOC1_ID.search
        for row in rows[1:]:
            in_box_row = row in box_rows
            cells = list(row.iterchildren("td"))
            if in_box_row:
                cells = [cell for cell in cells if cell not in box_cells]  # ``./td[not(./input)]``
            if multi_documents:
                if len(cells) == 4 and not text_of(cells[2]).strip():
                    del cells[2]  # the empty checkbox cell of an entry that cannot be selected
                if len(cells) == 5:
                    del cells[3]
            count = len(cells)
            if count == 4:
                del cells[1]  # some bankruptcy courts add a column before the number
                count = 3
            if count < 2:
                continue
            cell = cells[0]
            # A cell's text: its own when it has no child (what text_content gives, without a call).
            date_text = text_of(cell) if len(cell) else (cell.text or "")
            if not date_text or date_text.isspace():
                # A row without a date continues the entry above (its attachments) or is junk.
                if multi_documents and entries and count > 2:
                    self._attach(entries[-1], cells[2])
                continue
            cell = cells[1]
            # The number cell's one child when it is a link without children (the usual cell),
            # looked at once for the number and for the document link.
            link = cell[0] if len(cell) == 1 else None
            if link is not None and (len(link) or link.tag != "a"):
                link = None
            text = cell.text
            words = text.split(None, 1) if text else None
            if not words and link is not None:
                text = link.text  # ``dc.first_word`` of a cell whose only child is a link
                words = text.split(None, 1) if text else None
            number = words[0] if words else dc.first_word(cell) if len(cell) else None
            if count == 2:
                # Number and text share one cell (some bankruptcy courts): "12 (3 pgs; 2 docs) Text".
                text = text_of(cell) if len(cell) else (cell.text or "")
                if number is not None and not number.isdigit():
                    number = None
                description = MERGED_NUMBER.sub("", text, count=1) if number else text
            elif number is not None and not number.isdigit():
                continue  # "doc" rows are not on the docket proper
            else:
                description = text_of(cells[2]) if len(cells[2]) else (cells[2].text or "")
            doc_id = seq_no = None
            if number:
                for anchor in (link,) if link is not None else cell.iter("a"):
                    if ((anchor.text or "") if not len(anchor) else text_of(anchor)).strip() == number:
                        href = anchor.get("href") or ""
                        found = doc1_search(href)  # ``dc.doc_id_from_href`` without its calls
                        doc_id = normalize(found.group(1)) if found else dc.show_doc_id(href)
                        seq_no = dc.seq_no_from_anchor(anchor)
                        break
            if seq_no is None and in_box_row:
                seq_no = _row_seq_no(row)
            # The search from the label on (a fast substring search, most descriptions have it late).
            start = description.find("Entered:")
            entered = entered_search(description, start) if start >= 0 else None
            # Made clean (``dc.clean_value``): dates are ISO and the number one word already; ids
            # of digits need no cleaning.
            append({
                "date_filed": dates.get(date_text) or to_date(date_text),
                "document_number": number,
                "pacer_doc_id": doc_id if doc_id is None or doc_id.isdigit() else dc.clean_text(doc_id),
                "pacer_seq_no": seq_no if seq_no is None or seq_no.isdigit() else dc.clean_text(seq_no),
                "description": " ".join(description.split()).replace(" ,", ","),
                "date_entered": to_date(entered.group(1)) if entered else None,
            })
        # Entries are made clean (no copy of a huge docket's entries); a page with inline
        # attachments added to them after they were made has its entries cleaned in place.
        if multi_documents:
            for entry in entries:
                dc.clean_in_place(entry)
        return entries

    def _attach(self, entry: dict, cell) -> None:
        """The inline attachment table under an entry (view multiple documents): rows of
        checkbox | number | description | "N pages" | size.  The row of the entry's own document
        (number 0) gives the entry its page count and size instead of becoming an attachment."""
        attachments = []
        for row in cell.xpath("./table//tr"):
            cells = row.xpath("./td")
            index = dc.attachment_number_cell(cells)
            if index is None:
                continue
            doc_suffix, size, seq_no = _download_checkbox(row)
            attachment = {
                "attachment_number": int(dc.text_content(cells[index]).strip()),
                "description": dc.attachment_description(cells, index),
                "page_count": dc.attachment_page_count(row),
                "file_size_str": dc.attachment_size_str(cells),
                "pacer_doc_id": None,
                "pacer_seq_no": seq_no or entry.get("pacer_seq_no"),
            }
            if size:
                attachment["file_size_bytes"] = size
            prefix = (entry.get("pacer_doc_id") or "")[:3] or self._doc_id_prefix()
            if doc_suffix and prefix:
                # Checkbox values carry the document id without the court's three-digit prefix.
                attachment["pacer_doc_id"] = f"{prefix}0{doc_suffix}"
            if attachment["pacer_doc_id"] == entry.get("pacer_doc_id") and attachment["pacer_seq_no"] == entry.get("pacer_seq_no"):
                for key in ("page_count", "file_size_str", "file_size_bytes"):
                    if key in attachment:
                        entry[key] = attachment[key]
                if attachment["attachment_number"] == 0:
                    continue
            attachments.append(attachment)
        if attachments:
            entry["attachments"] = attachments

    def _doc_id_prefix(self) -> str | None:
        try:
            return get_court(self.court_id).doc_id_prefix if self.court_id else None
        except UnknownCourtError:
            return None


def _download_checkbox(row) -> tuple[str | None, int | None, str | None]:
    """(document id without its court prefix, bytes, sequence number) of an attachment row's
    checkbox: ``name=download_documents value=<doc id> id=arr_de_seq_nums_<seq>_<bytes>``, or a
    value ``<doc id>-<bytes>-<pages>``."""
    boxes = row.xpath(".//input")
    if not boxes:
        return None, None, None
    box = boxes[0]
    value = (box.get("value") or "").strip()
    if box.get("name") == "download_documents":
        pieces = (box.get("id") or "").removeprefix("arr_de_seq_nums_").split("_")
        seq_no, size = pieces if len(pieces) == 2 else (None, None)
        return (value if value.isdigit() else None), (int(size) if size and size.isdigit() else None) or None, seq_no
    parts = value.split("-")
    if len(parts) == 3 and parts[0].isdigit():
        return parts[0], dc.checkbox_value_part(row, 1), None
    return None, None, None


def _row_seq_no(row) -> str | None:
    boxes = [box for box in row.iter("input") if box.get("name") == "arr_de_seq_nums"]
    if not boxes:
        return None
    value = boxes[0].get("value")
    box_id = boxes[0].get("id")
    if box_id is not None and box_id.removeprefix("arr_de_seq_nums_") != value:
        return None
    return value


def attorneys_in(cell) -> list[dict]:
    """Each ``<b>name</b>`` and what follows it up to the next ``<b>``: contact lines and roles.

    What follows: the text and element siblings after the name, in document order (comments
    skipped), up to the next ``<b>`` sibling (one right after the name is passed over: what
    follows it still counts); a name followed by nothing is no attorney."""
    attorneys = []
    text_of = dc.text_content
    for bold in cell.iter("b"):
        contact: list[str] = []
        roles: list[str] = []
        text = bold.tail
        followed = bool(text)
        if text and (line := " ".join(text.split())):
            contact.append(line + "\n")
        sibling = bold.getnext()
        while sibling is not None:
            tag = sibling.tag
            if isinstance(tag, str):
                if tag == "b" and followed:
                    break
                followed = True
                if tag == "i":
                    roles.append(text_of(sibling))
            text = sibling.tail
            if text:
                followed = True
                if line := " ".join(text.split()):
                    contact.append(line + "\n")
            sibling = sibling.getnext()
        if followed:
            attorneys.append({"name": " ".join(text_of(bold).split()), "roles": attorney_roles(roles),
                              "contact": "".join(contact)})
    return attorneys


def resolve_see_above(parties: list[dict]) -> None:
    """"See above" contacts take the contact given earlier for the same attorney ('' if none)."""
    known: dict[str, str] = {}
    for party in parties:
        for attorney in party.get("attorneys", []):
            if not attorney["contact"]:
                continue
            # The case-blind search tries every position; "above" (no letter of it has another
            # case-blind form) rules most contacts out first.
            if "above" in attorney["contact"].lower() and SEE_ABOVE.search(attorney["contact"]):
                attorney["contact"] = known.get(attorney["name"], "")
            else:
                known[attorney["name"]] = attorney["contact"]


def add_criminal_data(parties: list[dict], rows, cells_of, texts, marks, has_bold) -> None:
    """Counts, complaints and offense levels under each defendant, attached to that party (from
    ``parties``' look at each row: its cells, text, first cell's marks and whether it has a bold)."""
    def empty():
        return {"counts": [], "complaints": [], "highest_offense_level_opening": "", "highest_offense_level_terminated": ""}

    party_index = -1
    data = empty()
    section = status = None

    def flush():
        # Rows before the first party (index -1) go to the last party, as the reference does.
        if data != empty() and -len(parties) <= party_index < len(parties):
            parties[party_index]["criminal_data"] = dc.clean_value(data)

    last = len(rows) - 1
    for index, mark in enumerate(marks):
        if mark is None:
            continue
        cells = cells_of[index]
        represented = len(cells) == 3 and _says_represented(text_content(cells[1]))
        lone_heading = (
            len(cells) == 1
            and mark.heading
            and index < last
            and has_bold(index + 1)
            and not _says_represented(texts[index + 1])
        )
        if represented or lone_heading:
            flush()
            party_index += 1
            data = empty()
            section = status = None
            continue
        label = text_content(cells[0])
        if _may_head_section(label):
            first = dc.clean_string(label)
            offense = OFFENSE_HEADER.search(first)
            counts = COUNTS_HEADER.search(first)
            if offense:
                section, status = "offense", f"highest_offense_level_{offense.group('status').lower()}"
                continue
            if counts:
                section, status = "counts", counts.group("status").lower()
                continue
            if COMPLAINTS_HEADER.search(first):
                section, status = "complaints", None
                continue
        if mark.heading and any(next(bold.iterchildren("u"), None) is not None for bold in cells[0].iterchildren("b")):
            section, status = "unknown", None
            continue
        disposition = text_content(cells[2]) if len(cells) > 2 else ""
        if section == "offense":
            data[status] = label
        elif section == "counts":
            name = label.strip()
            if name != "None":
                data["counts"].append({"name": name, "disposition": disposition, "status": status})
        elif section == "complaints":
            name = label
            if name != "None":
                data["complaints"].append({"name": name, "disposition": disposition})
    flush()


def _may_head_section(text: str) -> bool:
    """False when none of OFFENSE_HEADER, COUNTS_HEADER, COMPLAINTS_HEADER can find anything in
    ``clean_string(text)``: each needs a run of letters ("ffen", "ount", "mpla": none has another
    case-blind form) that the cleaning cannot make unless it drops a ``*`` or ``#``."""
    if "*" in text or "#" in text:
        return True
    lowered = text.lower()
    return "ffen" in lowered or "ount" in lowered or "mpla" in lowered


def _says_represented(text: str) -> bool:
    """Whether ``"represented by" in clean_string(text)``; the cleaning only when the text cannot
    tell: the cleaning makes no letters, joins them only where it drops a ``*`` or ``#``, and
    leaves a single space between letters as it is."""
    if "represented by" in text:
        return True  # the cleaning keeps letters and single spaces
    if "represented" not in text and "*" not in text and "#" not in text:
        return False
    return "represented by" in dc.clean_string(text)


# -- the report unit -----------------------------------------------------------------------------
from pacer_spiders.items import CASE_FIELDS, fields, item_class  # noqa: E402
from pacer_spiders.reports.base import ReportUnit, merge_docket_item  # noqa: E402

Docket = item_class("Docket", "A docket report: the case, its parties with attorneys, its entries.",
                    {**CASE_FIELDS, **fields("court_id")})
# The docket report's marks (CM/ECF prints one of them on every docket page).
DOCKET_HEADINGS = ("docket for case #", "bankruptcy petition #", "adversary proceeding #", "docket text</",
                   "general docket")


def recognise(lowered: str) -> bool:
    return any(heading in lowered for heading in DOCKET_HEADINGS)


UNKNOWN_CASE_TITLE = "Unknown Case Title"


class DocketUnit(ReportUnit):
    def check_parsed(self, parsed, context):
        problem = super().check_parsed(parsed, context)
        if problem is None and isinstance(parsed, dict) and not (
                parsed.get("parties") or parsed.get("docket_entries")
                or parsed.get("case_name") not in (None, "", UNKNOWN_CASE_TITLE)):
            # A docket heading alone (a page that only names a case) is not a docket report.
            problem = PageProblem("not_the_report", "a docket heading without the report: no case title, "
                                                    "no parties and no entries")
        return problem


UNIT = DocketUnit(
    parse, recognise, merge_docket_item,
    name=REPORT, ingest_type="docket", item_class=Docket, billed=True, names_case=True, detect_rank=40,
    # The report form's own URL (CM/ECF appends the form's serial to the query string).
    path="/cgi-bin/DktRpt.pl?1-L_1_0-1",
    corpus_folders=("dockets/district", "dockets/bankruptcy", "dockets/special", "dockets/not_dockets",
                    "dockets/fake-rss"),
    whole_page=True,
)

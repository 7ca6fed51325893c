"""The docket parser's C-level walks give what the XPath expressions and iterators they replace
give, on seeded random markup (bold, italic and underlined runs, dashes, the adversary phrase,
comments that leave a text in two nodes once stripped, character references, phrases across
elements, nested tables and centres)."""

from __future__ import annotations

import random

from lxml import etree

from pacer_spiders.parsers import docket_common as dc
from pacer_spiders.parsers import parser_for
from pacer_spiders.parsers.common import go_dls_args, go_dls_seq_num, lowered_bytes
from pacer_spiders.reports import docket

TEXTS = ["", "x", " ", "-----", "------", "--<!--c-->---", "Adversary Proceeding", "Adversary <!--c-->Proceeding",
         "Date Filed: 01/02/2003", "Docket Text", "  12 doc", "Docket <!--c-->Text", "Footer format:", "<?pi iled:?>",
         "Date &#70;iled:", "Docket <b>Te</b>xt"]  # a phrase made by a character reference; one across elements
TAGS = ["b", "i", "u", "td", "font", "center", "tr", "table", "br", "a", "nobr", "tbody", "p"]
PARTY_NAME = etree.XPath('.//b[not(./parent::i)][not(./u)][not(contains(., "------"))]')
ADVERSARY = etree.XPath('//*[text()[contains(., "Adversary Proceeding")]]')
HEADING = etree.XPath(".//b/u")
ITALIC_BOLD = etree.XPath(".//i/b")
ITALICS = etree.XPath(".//i")
BOLDS = etree.XPath(".//b")
TEXTS_OUTSIDE_BOLD = etree.XPath(".//text()[not(./parent::b)]")


def _landmarks_by_plain_walk(root, page_lower: bytes) -> list:
    """``docket.landmark_texts`` as one walk over every element's text and tail, sorted into document order."""
    phrases = [phrase for phrase, lowered in docket._LANDMARKS if lowered is None or lowered in page_lower]
    found = []
    for index, element in enumerate(root.iter()):
        if element.text and any(p in element.text for p in phrases) and isinstance(element.tag, str):
            found.append(((index, 0, 0), element.text, element))
        if element.tail and any(p in element.tail for p in phrases):
            last = index + sum(1 for _ in element.iterdescendants())
            found.append(((last, 1, -sum(1 for _ in element.iterancestors())), element.tail, element.getparent()))
    found.sort(key=lambda hit: hit[0])
    return [(text, holder) for _key, text, holder in found]


def _br_split_by_iterwalk(cell, tags=("br", "p")) -> list[str]:
    """``dc.br_split`` as ``etree.iterwalk``'s start and end events give the text nodes."""
    pieces, current = [], []
    for event, node in etree.iterwalk(cell, events=("start", "end")):
        if event == "start":
            if node is not cell and node.tag in tags:
                pieces.append(" ".join(current))
                current = []
            if node.text:
                current.append(node.text)
        elif node is not cell and node.tail:
            current.append(node.tail)
    pieces.append(" ".join(current))
    return [piece.strip() for piece in pieces if piece]


def _fragment(rng: random.Random, depth: int = 0) -> str:
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(TEXTS)
    tag = rng.choice(TAGS)
    inner = "".join(_fragment(rng, depth + 1) for _ in range(rng.randint(0, 3)))
    return f"<{tag}>{inner}</{tag}>" + rng.choice(TEXTS)


# Cases the random markup seldom makes: dashes or the adversary phrase split by a comment (two
# text nodes once it is stripped), in a first cell and in a bold with children.
FIXED = ["<table><tr><td><b>--<!--c-->---Plaintiff</b></td></tr><tr><td>x</td></tr></table>",
         "<table><tr><td><b>--<!--c-->---<i>y</i></b></td></tr><tr><td>x</td></tr></table>",
         "<table><tr><td><b><i>y</i>-----</b></td></tr></table><p>Adversary <!--c-->Proceeding</p>",
         "<table><tr><td><i><b><br></b></i></td><td><b><u><br></u></b></td></tr></table>"]


def _pages(count: int):
    for text in FIXED:
        text = f"<html><body>{text}</body></html>"
        yield text, dc.html_root(text.encode())
    rng = random.Random(17)
    for _ in range(count):
        rows = "".join("<tr>" + "".join(f"<td>{_fragment(rng)}</td>" for _ in range(rng.randint(1, 3))) + "</tr>"
                       for _ in range(rng.randint(1, 4)))
        text = f"<html><body><table>{rows}</table>{_fragment(rng)}<table>{rows}</table></body></html>"
        yield text, dc.html_root(text.encode())


def test_walks_find_what_the_xpaths_find():
    for text, root in _pages(1500):
        page = docket.DocketPage(root, {"court_id": "dcd"}, text)
        assert page.party_rows() == docket.PARTY_ROWS(root), text
        assert page.adversary == bool(ADVERSARY(root)), text
        page_lower = lowered_bytes(text)
        assert docket.landmark_texts(root, page_lower) == _landmarks_by_plain_walk(root, page_lower), text
        for table in root.iter("table"):
            assert docket.rows_of(table) == table.xpath("./tr | ./tbody/tr | ./thead/tr | ./tfoot/tr"), text
        assert docket.centered_fonts(list(root.iter("center"))) == root.xpath("//center//font"), text
        for cell in root.iter("td"):
            names = PARTY_NAME(cell)
            assert docket.party_name_node(cell) is (names[0] if names else None), text
            assert docket.TEXTS_OUTSIDE_BOLD(cell) == TEXTS_OUTSIDE_BOLD(cell), text
            marks = docket.FirstCell(cell)
            assert (marks.heading, marks.italic_bold, marks.bold) == (
                bool(HEADING(cell)), bool(ITALIC_BOLD(cell)), bool(BOLDS(cell))), text
            italics = ITALICS(cell)
            assert marks.italic is (italics[0] if italics else None), text
            assert marks.name_text == (dc.text_content(names[0]) if names else ""), text
            words = (t.split(None, 1) for t in cell.itertext())
            assert dc.first_word(cell) == next((w[0] for w in words if w), None), text
            assert dc.text_content(cell) == etree.tostring(cell, method="text", encoding="unicode", with_tail=False)
            assert dc.br_split(cell) == _br_split_by_iterwalk(cell), text
            assert dc.br_split(cell, ("b",)) == _br_split_by_iterwalk(cell, ("b",)), text


def test_parties_in_two_tables_are_all_read():
    page = """<html><body><h3>CIVIL DOCKET FOR CASE #: 1:19-cv-01234</h3>
<table><tr><td>Date Filed: 03/04/2019</td></tr></table>
<table><tr><td><b><u>Plaintiff</u></b></td></tr>
<tr><td><b>Acme Widgets</b></td><td>represented by</td><td><b>Jane Lawyer</b><br>1 Main Street</td></tr></table>
<table><tr><td><b><u>Defendant</u></b></td></tr>
<tr><td><b>Bolt Corp</b></td><td>represented by</td><td><b>Sam Second</b><br>2 Side Road</td></tr></table>
<table><tr><th>Date Filed</th><th>#</th><th>Docket Text</th></tr>
<tr><td>03/04/2019</td><td>1</td><td>COMPLAINT</td></tr></table></body></html>"""
    data = parser_for("docket", "dcd")(page.encode(), {"court_id": "dcd"})
    assert [(p["type"], p["name"], [a["name"] for a in p["attorneys"]]) for p in data["parties"]] == [
        ("Plaintiff", "Acme Widgets", ["Jane Lawyer"]), ("Defendant", "Bolt Corp", ["Sam Second"])]
    assert data["case_name"] == "Acme Widgets v. Bolt Corp"


def test_go_dls_sequence_number_is_the_third_argument():
    rng = random.Random(5)
    pieces = ["'", ",", "a", "1", " ", "&#39;", "&#3", "9;", "goDLS", "(", ")", ""]
    samples = [None, "", "goDLS('/doc1/0230436525','11428','21','','1','1','','');return(false);"]
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
        samples.append("x goDLS(" + text if rng.random() < 0.5 else text)
    for onclick in samples:
        args = go_dls_args(onclick)
        assert go_dls_seq_num(onclick) == (args["de_seq_num"] if args else None), onclick


def test_represented_precheck_agrees_with_the_cleaned_text():
    pieces = ["represented", "repre", "sented", " by", "by", " ", "\n", "*", "#", "&nbsp;", "%20", " v. ", "-", "x"]
    rng = random.Random(5)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert docket._says_represented(text) == ("represented by" in dc.clean_string(text)), repr(text)


def test_prechecks_never_rule_out_a_match():
    """The substring checks before the case-blind searches are false only where the search finds nothing."""
    pieces = ["Highest", " OFFENSE", " offense", "Level (Opening)", "Pending", "TERMINATED", " counts", "CoUnTs",
              "Complaints", "compla", "ints", "*", "#", " ", "\n", "x", "See", " above", "ABOVE", "Terminated:",
              " 01/02/2003", "ſee", "term\u0131nated:"]
    rng = random.Random(9)
    for _ in range(20000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        cleaned = dc.clean_string(text)
        if any(p.search(cleaned) for p in (docket.OFFENSE_HEADER, docket.COUNTS_HEADER, docket.COMPLAINTS_HEADER)):
            assert docket._may_head_section(text), repr(text)
        if docket.SEE_ABOVE.search(text):
            assert "above" in text.lower(), repr(text)
        if docket.DATE_TERMINATED.search(text):
            assert "nated:" in text.lower(), repr(text)

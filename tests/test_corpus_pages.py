"""Every page parser but the docket ones, field by field against the real PACER corpus.

For each folder the reference JSON beside each page is compared with our parser's output
(pacer_spiders.testing.corpus.compare: every key of every dict, lists item by item), the key sets
must be the reference's exactly, and the folder's agreement is printed and must reach 99%.
A page whose expected JSON is ``{}`` (or ``[]``) must be refused with a NotTheReport reason.
"""

from __future__ import annotations

import json

import pytest

from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import parser_for
from pacer_spiders.testing.corpus import Agreement, compare, corpus_cases, corpus_root, court_of

pytestmark = pytest.mark.corpus

FOLDERS = {
    "attachment_pages": "attachment_page",
    "confirmation_pages": "receipt",
    "case_queries": "case_query",
    "possible_case_numbers": "possible_case_numbers",
    "rss_feeds": "rss",
}
THRESHOLD = 0.99


def _context(folder: str, page) -> dict:
    context = {"court_id": court_of(page)}
    if folder == "possible_case_numbers":
        # These corpus files are named after the case they looked up ("armes-v-hot-pizzas"):
        # the caller's case name is what picks one case among several matches.
        context = {"case_name": page.stem.replace("-", " ")}
    return context


def _key_mismatches(ours, expected, path="$") -> list[str]:
    problems = []
    if isinstance(expected, dict) and isinstance(ours, dict) and expected:
        missing = set(expected) - set(ours)
        # An extra key is allowed only with a real value: the reference drops fields it cannot
        # reach in malformed HTML (an unclosed <b> swallowing the case query's date lines).
        empty_extra = {key for key in set(ours) - set(expected) if ours[key] in (None, "", [], {})}
        if missing or empty_extra:
            problems.append(f"{path}: keys missing {sorted(missing)}, empty extra {sorted(empty_extra)}")
        for key in set(ours) & set(expected):
            problems += _key_mismatches(ours[key], expected[key], f"{path}.{key}")
    elif isinstance(expected, list) and isinstance(ours, list):
        for index, (mine, theirs) in enumerate(zip(ours, expected)):
            problems += _key_mismatches(mine, theirs, f"{path}[{index}]")
    return problems


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_corpus_folder_agreement(folder, capsys):
    if corpus_root() is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    cases = corpus_cases(folder)
    assert cases, f"no pages with expected JSON in corpus folder {folder}"
    parse = parser_for(FOLDERS[folder])
    total = Agreement()
    key_problems = []
    refused_wrongly = []
    for page, expected_path in cases:
        expected = json.loads(expected_path.read_text())
        try:
            ours = parse(page.read_bytes(), _context(folder, page))
        except NotTheReport as exc:
            assert exc.problem.reason and "\n" not in exc.problem.reason, f"{page.name}: reason must be one line"
            ours = type(expected)() if isinstance(expected, (dict, list)) else {}
            if expected:
                refused_wrongly.append(f"{page.name}: {exc}")
        else:
            assert ours or not expected, f"{page.name}: empty result for a real report"
        agreement = compare(ours, expected)
        total.add(agreement)
        key_problems += [f"{page.name} {p}" for p in _key_mismatches(ours, expected)]
    with capsys.disabled():
        print(f"\n{folder}: {total.equal}/{total.total} fields equal ({total.ratio:.2%}) over {len(cases)} pages")
    assert not refused_wrongly, refused_wrongly[:5]
    assert not key_problems, key_problems[:10]
    assert total.ratio >= THRESHOLD, total.differences[:20]


def test_not_reports_are_refused_with_a_reason():
    """Sealed and unknown cases in possible_case_numbers XML have no JSON: each is refused, by kind."""
    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    parse = parser_for("possible_case_numbers")
    kinds = {}
    for name in ("no_results.xml", "sealed_case.xml"):
        with pytest.raises(NotTheReport) as caught:
            parse((root / "possible_case_numbers" / name).read_bytes(), {})
        kinds[name] = caught.value.problem.kind
    assert kinds == {"no_results.xml": "not_found", "sealed_case.xml": "sealed"}


def test_several_matching_cases_need_the_callers_docket_number():
    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    body = (root / "possible_case_numbers" / "armes-v-hot-pizzas.xml").read_bytes()
    parse = parser_for("possible_case_numbers")
    with pytest.raises(NotTheReport) as caught:
        parse(body, {})
    assert caught.value.problem.kind == "ambiguous"
    assert parse(body, {"docket_number": "2:16-cv-01152-JJT"})["pacer_case_id"] == "977547"
    assert parse(body, {"docket_number": "4:16-cr-01152"})["pacer_case_id"] == "985777"


GARBAGE = [
    b"",
    b"\x00\xff\xfe not a page",
    b"<html><body><h3>Case not found.</h3></body></html>",
    b"<html><body>Transaction Receipt</body></html>",
    b"<html><table><tr><td><a href='/doc1/12345678901'>1</a></td></tr></table></html>",
    b"<request number='1'></request>",
    b"<rss version='2.0'></rss>",
]


@pytest.mark.parametrize("report", sorted(FOLDERS.values()))
def test_malformed_pages_are_refused_with_one_line(report):
    parse = parser_for(report)
    for body in GARBAGE:
        with pytest.raises(NotTheReport) as caught:
            parse(body, {"court_id": "cand"})
        reason = caught.value.problem.reason
        assert reason and "\n" not in reason, (report, body)

"""The smaller reports on real PACER pages beyond the per-file comparison of test_corpus_exact.py:
pages that are no report refused by kind, the callers' docket number choosing a case, malformed
pages refused with one line."""

from __future__ import annotations


import pytest

from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import parser_for
from pacer_spiders.testing.corpus import corpus_root

pytestmark = pytest.mark.corpus

REPORTS = ("attachment_page", "receipt", "case_query", "possible_case_numbers", "rss")


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


@pytest.mark.parametrize("report", REPORTS)
def test_malformed_pages_are_refused_with_one_line(report):
    parse = parser_for(report)
    for body in GARBAGE:
        with pytest.raises(NotTheReport) as caught:
            parse(body, {"court_id": "cand"})
        reason = caught.value.problem.reason
        assert reason and "\n" not in reason, (report, body)

"""Docket and docket-history parsers against the real PACER corpus (reference JSON beside each page).

Every field of every docket, party, attorney and entry is compared; a folder passes at 99% of
fields equal.  Pages whose reference result is ``{}`` must be rejected with NotTheReport and a reason.
"""

from __future__ import annotations

import json

import pytest

from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import parser_for
from pacer_spiders.testing.corpus import Agreement, compare, corpus_cases, corpus_root, court_of

pytestmark = pytest.mark.corpus

THRESHOLD = 0.99
FOLDERS = [
    ("dockets/district", "docket"),
    ("dockets/bankruptcy", "docket"),
    ("dockets/special", "docket"),
    ("docket_history_reports", "history"),
]


def _need_corpus():
    if corpus_root() is None:
        pytest.skip("PACER corpus not found: set PACER_CORPUS or put it in ../shared/pacer-corpus")


def _expected(path) -> dict:
    return json.loads(path.read_text("utf-8"))


def _agreement(folder: str, report: str) -> tuple[Agreement, list[str]]:
    total = Agreement()
    worst = []
    for page, expected_path in corpus_cases(folder):
        court = court_of(page)
        expected = _expected(expected_path)
        parse = parser_for(report, court)
        try:
            ours = parse(page.read_bytes(), {"court_id": court})
        except NotTheReport as rejected:
            ours = {}
            assert rejected.problem.reason, page.name
        if expected:
            result = compare(ours, expected)
        else:
            result = Agreement(equal=int(ours == {}), total=1)
            if ours:
                result.differences.append(f"{page.name}: parsed a page the reference rejects")
        total.add(result)
        if result.ratio < 1:
            worst.append(f"{page.name} {result.ratio:.3f}: {result.differences[:2]}")
    return total, worst


@pytest.mark.parametrize("folder,report", FOLDERS)
def test_field_agreement(folder, report):
    _need_corpus()
    assert corpus_cases(folder), f"no pages in corpus folder {folder}"
    total, worst = _agreement(folder, report)
    line = f"{folder}: {total.ratio:.4%} of {total.total} fields equal ({total.equal})"
    print(f"\n[corpus agreement] {line}")
    assert total.ratio >= THRESHOLD, line + "\n" + "\n".join(worst[:15])


def test_not_dockets_are_all_recognised():
    _need_corpus()
    cases = corpus_cases("dockets/not_dockets")
    assert cases, "no pages in dockets/not_dockets"
    parse = parser_for("docket")
    reasons = {}
    for page, _expected_path in cases:
        with pytest.raises(NotTheReport) as rejected:
            parse(page.read_bytes(), {"court_id": court_of(page)})
        problem = rejected.value.problem
        assert problem.kind and problem.reason and "\n" not in problem.reason, page.name
        reasons[page.name] = str(problem)
    print("\n[corpus not_dockets] " + f"{len(reasons)}/{len(cases)} recognised")
    for name, reason in reasons.items():
        print(f"  {name}: {reason}")


def test_truncated_pages_parse_or_are_rejected_never_crash():
    """A download cut short still yields a dict (what arrived) or NotTheReport, never an exception."""
    _need_corpus()
    cases = corpus_cases("dockets/district")[::4] + corpus_cases("dockets/bankruptcy")[::25]
    outcomes = {"parsed": 0, "rejected": 0}
    for page, _expected in cases:
        body = page.read_bytes()
        for cut in (len(body) // 3, len(body) * 2 // 3):
            try:
                result = parser_for("docket", court_of(page))(body[:cut], {"court_id": court_of(page)})
            except NotTheReport as rejected:
                assert rejected.problem.reason
                outcomes["rejected"] += 1
            else:
                assert isinstance(result["docket_entries"], list) and "docket_number" in result
                outcomes["parsed"] += 1
    assert outcomes["parsed"] > 0
    print(f"\n[truncated pages] {outcomes}")

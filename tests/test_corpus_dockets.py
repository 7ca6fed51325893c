"""Docket and docket-history parsers on real PACER pages beyond the per-file comparison of
test_corpus_exact.py: pages cut short are refused."""

from __future__ import annotations

import json

import pytest

from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import parser_for
from pacer_spiders.testing.corpus import corpus_cases, corpus_root, court_of

pytestmark = pytest.mark.corpus



def _need_corpus():
    if corpus_root() is None:
        pytest.skip("PACER corpus not found: set PACER_CORPUS or put it in ../shared/pacer-corpus")


def _expected(path) -> dict:
    return json.loads(path.read_text("utf-8"))


def test_truncated_pages_are_refused_as_cut_short():
    """A download cut short is never a docket: every cut of real pages is refused as ``truncated``
    (the entries and parties after the cut would be missing from a docket stored as whole)."""
    _need_corpus()
    cases = corpus_cases("dockets/district")[::4] + corpus_cases("dockets/bankruptcy")[::25] \
        + corpus_cases("docket_history_reports")[::10]
    kinds = {}
    for page, expected in cases:
        if not _expected(expected):
            continue
        body = page.read_bytes()
        report = "history" if "history" in str(page) else "docket"
        for cut in (len(body) // 3, len(body) * 2 // 3, len(body) * 9 // 10):
            with pytest.raises(NotTheReport) as rejected:
                parser_for(report, court_of(page))(body[:cut], {"court_id": court_of(page)})
            kinds[rejected.value.problem.kind] = kinds.get(rejected.value.problem.kind, 0) + 1
    assert set(kinds) == {"truncated"}, kinds
    print(f"\n[truncated pages] {kinds}")

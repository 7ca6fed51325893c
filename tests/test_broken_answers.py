"""Billed answers that break off: counted at what PACER billed, never stored, bought again a bounded
number of times, never past PACER_MAX_COST; the summary states the ledger's figure."""

from __future__ import annotations

import pytest
from spider_helpers import COURT, crawl, first_case

from pacer_spiders.sandbox import Sandbox


@pytest.fixture(scope="module")
def sb():
    # One docket long enough to cost the most a report costs ($3.00, 30 pages).
    with Sandbox(seed=3, cases_per_court=4, entries=(4, 8), case_sizes={(COURT, 100001): 400}) as sandbox:
        yield sandbox


def _charges(sb, before):
    return sb.ledger.charges[before:]


def test_a_capped_crawl_with_broken_answers_stays_within_the_cap_and_tells_the_ledger(sb, tmp_path):
    sb.set_faults("truncate=1@DktRpt")
    try:
        before = len(sb.ledger)
        result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": 100001},
                       settings={"PACER_MAX_COST": "3"})
    finally:
        sb.set_faults("")
    billed = round(sum(c.cost for c in _charges(sb, before)), 2)
    assert billed == 3.00  # one report bought: the cap left no room to buy it again
    assert result.stat("pacer/spent") == billed and result.stat("pacer/spent_estimated") == billed
    assert "estimated for 1 billed answers that broke off" in result.log
    assert result.stat("pages/rejected/truncated") == 1 and not result.stat("archive/dockets_added")


def test_a_broken_answer_is_bought_again_once_then_given_up(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: c.pacer_case_id != "100001")
    sb.set_faults("truncate=1@DktRpt")
    try:
        before = len(sb.ledger)
        result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": case.pacer_case_id})
    finally:
        sb.set_faults("")
    charges = _charges(sb, before)
    assert [c.pacer_case_id for c in charges] == [case.pacer_case_id] * 2  # PACER_PAID_RETRIES=1
    assert result.stat("pacer/spent") == round(sum(c.cost for c in charges), 2)
    assert result.stat("pacer/errors/truncated") == 1 and result.stat("pages/rejected/truncated") == 2
    again = crawl(sb, "docket", tmp_path / "again", {"court": COURT, "pacer_case_id": case.pacer_case_id})
    assert again.stat("archive/dockets_added") == 1 and again.returncode == 0

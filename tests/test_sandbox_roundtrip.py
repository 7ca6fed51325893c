"""Round trip: synthetic sandbox pages of every type, parsed by our parsers, give back the generator's data.

The pages are fetched over real HTTP from the sandbox; the expected data comes from the generator
(``pacer_spiders.sandbox.expected``) and is compared field by field (``testing.corpus.compare``).
"""

from __future__ import annotations


import pytest
from parsel import Selector

from pacer_spiders.parsers import parser_for
from pacer_spiders.sandbox import Sandbox, expected
from pacer_spiders.testing.corpus import compare
from pacer_spiders.testing.sandbox_fixtures import SandboxClient


def parser(report: str, court_id: str):
    return parser_for(report, court_id)


def assert_agrees(ours, wanted):
    agreement = compare(ours, wanted)
    assert agreement.differences == [], "\n".join(agreement.differences[:20])


@pytest.fixture(scope="module")
def sb():
    with Sandbox(seed=5, case_sizes={("cand", 100009): 300}) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def client(sb):
    c = SandboxClient(sb)
    c.login()
    return c


def pick(sb, court_id, kind, predicate=lambda case: True):
    return next(c for c in sb.cases(court_id) if c.kind == kind and predicate(c))


CASES = [
    ("cand", "civil", lambda c: any(e.attachments for e in c.entries) and any(e.document_number is None for e in c.entries)),
    ("cand", "criminal", lambda c: True),
    ("nysd", "civil", lambda c: any(e.sealed for e in c.entries)),
    ("canb", "bankruptcy", lambda c: True),
    ("canb", "adversary", lambda c: True),
]


@pytest.mark.parametrize("court_id, kind, predicate", CASES, ids=[f"{c}-{k}" for c, k, _ in CASES])
def test_docket_report(sb, client, court_id, kind, predicate):
    parse = parser("docket", court_id)
    case = pick(sb, court_id, kind, predicate)
    body = client.docket(court_id, case.pacer_case_id).body
    ours = parse(body, {"court_id": court_id, "pacer_case_id": case.pacer_case_id})
    assert_agrees(ours, expected.docket(case, case.entries))


def test_filtered_docket_report_without_parties(sb, client):
    parse = parser("docket", "cand")
    case = sb.case("cand", 100009)
    body = client.docket("cand", 100009, documents_numbered_from_="10", documents_numbered_to_="40",
                         list_of_parties_and_counsel=None).body
    ours = parse(body, {"court_id": "cand", "pacer_case_id": "100009"})
    entries = [e for e in case.entries if e.document_number and 10 <= e.document_number <= 40]
    wanted = expected.docket(case, entries, parties=False)
    assert_agrees(ours, wanted)
    assert not ours.get("parties")


def test_refresh_with_nothing_new_is_an_empty_docket(sb, client):
    parse = parser("docket", "cand")
    case = sb.case("cand", 100001)
    body = client.docket("cand", 100001, date_from="01/01/2099").body
    ours = parse(body, {"court_id": "cand", "pacer_case_id": "100001"})
    assert_agrees(ours, expected.docket(case, []))
    assert ours["docket_entries"] == []


def test_docket_history(sb, client):
    parse = parser("history", "cand")
    case = sb.case("cand", 100001)
    body = client.post_form("cand", "/cgi-bin/HistDocQry.pl?100001", {"QueryType": "All"}).body
    assert_agrees(parse(body, {"court_id": "cand", "pacer_case_id": "100001"}), expected.history(case))


def test_attachment_page(sb, client):
    parse = parser("attachment_page", "cand")
    case = pick(sb, "cand", "civil", lambda c: any(e.attachments and not (e.restricted or e.unavailable) for e in c.entries))
    entry = next(e for e in case.entries if e.attachments and not (e.restricted or e.unavailable))
    body = client.get("cand", f"/doc1/{entry.pacer_doc_id}").body
    ours = parse(body, {"court_id": "cand", "pacer_doc_id": entry.pacer_doc_id})
    assert_agrees(ours, expected.attachment_page(case, entry))


def test_receipt_of_a_purchase(sb, client):
    parse = parser("receipt", "cand")
    case = sb.case("cand", 100001)
    entry = next(e for e in case.entries if e.pacer_doc_id and not (e.sealed or e.restricted or e.unavailable or e.attachments))
    body = client.get("cand", f"/doc1/{entry.pacer_doc_id}").body
    receipt = Selector(text=body.decode()).xpath("//font[contains(., 'Image')]/text()").get().strip()
    ours = parse(body, {"court_id": "cand"})
    assert_agrees(ours, expected.receipt(receipt, case.full_docket_number, min(entry.page_count, 30)))


def test_case_query(sb, client):
    parse = parser("case_query", "cand")
    case = sb.case("cand", 100002)
    body = client.get("cand", "/cgi-bin/iquery.pl?100002").body
    assert_agrees(parse(body, {"court_id": "cand", "pacer_case_id": "100002"}), expected.case_query(case))


def test_possible_case_numbers_picks_the_case_asked_for(sb, client):
    parse = parser("possible_case_numbers", "cand")
    criminal = pick(sb, "cand", "criminal")
    civil = next(c for c in sb.cases("cand") if c.kind == "civil" and c.serial == criminal.serial and c.year == criminal.year)
    number = f"{criminal.year % 100:02d}-{criminal.serial:05d}"
    body = client.get("cand", f"/cgi-bin/possible_case_numbers.pl?{number}").body
    ours = parse(body, {"court_id": "cand", "docket_number": civil.docket_number})
    assert_agrees(ours, expected.possible_case_number(civil))
    body = client.get("cand", f"/cgi-bin/possible_case_numbers.pl?{civil.docket_number}").body
    assert_agrees(parse(body, {"court_id": "cand"}), expected.possible_case_number(civil))


def test_rss_feed(sb, client):
    parse = parser("rss", "cand")
    body = client.get("cand", "/cgi-bin/rss_outside.pl").body
    ours = parse(body, {"court_id": "cand"})
    items = Selector(text=body.decode("latin-1"), type="xml").xpath("//item")
    assert len(ours) == len(items) > 0
    first_link = items[0].xpath("link/text()").get()
    case = sb.case("cand", first_link.rsplit("?", 1)[1])
    assert ours[0]["case_name"] == expected.case_name(case) and ours[0]["docket_number"] == case.docket_number


def test_every_synthetic_page_is_detected_as_its_report(sb, client):
    from pacer_spiders.reports import detect_report

    case = sb.case("cand", 100001)
    with_menu = next(e for c in sb.cases("cand") for e in c.entries
                     if e.attachments and not (e.restricted or e.unavailable))
    single = next(e for e in case.entries if e.pacer_doc_id and not (e.sealed or e.restricted or e.unavailable or e.attachments))
    pages = {
        "docket": client.docket("cand", 100001).body,
        "history": client.post_form("cand", "/cgi-bin/HistDocQry.pl?100001", {}).body,
        "attachment_page": client.get("cand", f"/doc1/{with_menu.pacer_doc_id}").body,
        "receipt": client.get("cand", f"/doc1/{single.pacer_doc_id}").body,
        "case_query": client.get("cand", "/cgi-bin/iquery.pl?100001").body,
        "possible_case_numbers": client.get("cand", f"/cgi-bin/possible_case_numbers.pl?{case.docket_number}").body,
        "rss": client.get("cand", "/cgi-bin/rss_outside.pl").body,
    }
    assert {report: detect_report(body) for report, body in pages.items()} == {report: report for report in pages}

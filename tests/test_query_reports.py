"""The advanced case query, the mobile query and the written opinions report through their public
entry points: the sandbox's pages read by their report units, ``pacer-spiders ingest --type`` into
SQLite and PostgreSQL, ``pacer-spiders parse`` giving the reference field set, pages of other
reports refused with a reason, and the court dates of the corpus's ``dates`` folder."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import create_engine, text

from pacer_spiders.cli import main
from pacer_spiders.courts import get_court
from pacer_spiders.db.archive import Archive
from pacer_spiders.items import RawPage
from pacer_spiders.parsers.common import harmonize_case_name
from pacer_spiders.reports import detect_report, read, unit_for
from pacer_spiders.reports.free_opinions import FreeOpinion, form_fields
from pacer_spiders.sandbox.server import is_opinion
from pacer_spiders.testing.corpus import corpus_root

COURT = "cand"
REPORT_URL = "/cgi-bin/WrtOpRpt.pl?1-L_1_0-1"
pytestmark = pytest.mark.sandbox(seed=11)


def _read(report: str, body: bytes, court: str = COURT):
    page = read(report, body, {"court_id": court, "url": "http://sandbox/x", "context": {}})
    assert page.problem is None, page.problem
    [item] = page.items
    assert type(item) is unit_for(report).item_class and unit_for(report).check(item) is None
    return item


def _ingest(capsys, tmp_path, database_url, body: bytes, report: str) -> dict:
    path = tmp_path / f"{report}.html"
    path.write_bytes(body)
    code = main(["ingest", str(path), "--court", COURT, "--type", report, "--database-url", database_url])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and not out["rejected"], out
    return out["counts"]


def _charges(sb) -> list:
    return sb.ledger.as_json(None)["charges"]


def _opinions_in(sb, court: str, start, end) -> list:
    found = [(case, entry) for case in sb.data.cases(court) if not case.sealed for entry in case.entries
             if is_opinion(entry) and start <= entry.date_filed <= end]
    return sorted(found, key=lambda pair: (pair[0].docket_number, pair[1].document_number))  # sorted by case number


def _busy_window(sb, court: str):
    """A 120-day window holding several opinions, one case with two of them among them."""
    entries = sorted((e.date_filed, case.pacer_case_id) for case in sb.data.cases(court) if not case.sealed
                     for e in case.entries if is_opinion(e))
    for start, _case in entries:
        found = _opinions_in(sb, court, start, start + timedelta(days=120))
        if max(Counter(case.pacer_case_id for case, _e in found).values()) > 1:
            return start, start + timedelta(days=120)
    pytest.fail("the sandbox court has no case with two opinions")


# -- mobile query ---------------------------------------------------------------------------------
def test_mobile_query_gives_the_entry_count_without_charge(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100002)
    before = len(_charges(pacer_sandbox))
    by_id = sandbox_client.get(COURT, f"/cgi-bin/mobile_query.pl?search=caseinfo&caseid={case.pacer_case_id}").body
    by_number = sandbox_client.get(
        COURT, f"/cgi-bin/mobile_query.pl?search=caseinfo&caseNum={case.docket_number}").body
    assert len(_charges(pacer_sandbox)) == before  # asked by case, the mobile query is free
    for body in (by_id, by_number):
        assert detect_report(body) == "mobile_query"
        item = _read("mobile_query", body)
        assert item["entry_count"] == len(case.entries)
        assert (item["pacer_case_id"], item["docket_number"]) == (case.pacer_case_id, case.docket_number)
        assert item["case_name"] == harmonize_case_name(case.case_name)
        assert item["date_filed"] == case.date_filed.isoformat()
        assert item["cost"] == 0.0


def test_mobile_query_merge_tells_whether_a_held_docket_moved(pacer_sandbox, sandbox_client, database_url, tmp_path,
                                                              capsys):
    case = pacer_sandbox.case(COURT, 100003)
    mobile = f"/cgi-bin/mobile_query.pl?search=caseinfo&caseid={case.pacer_case_id}"
    unit, archive = unit_for("mobile_query"), Archive(database_url)

    counts = _ingest(capsys, tmp_path, database_url, sandbox_client.get(COURT, mobile).body, "mobile_query")
    assert counts["dockets_added"] == 1  # a case we did not hold becomes a partial docket
    _ingest(capsys, tmp_path, database_url, sandbox_client.docket(COURT, case.pacer_case_id).body, "docket")
    result = unit.merge(archive, _read("mobile_query", sandbox_client.get(COURT, mobile).body))
    assert result.changes["entry_count"] == result.changes["entries_held"] == len(case.entries)

    pacer_sandbox.data.add_entries(COURT, case.pacer_case_id, 2)
    result = unit.merge(archive, _read("mobile_query", sandbox_client.get(COURT, mobile).body))
    assert result.changes["entry_count"] == result.changes["entries_held"] + 2


# -- written opinions report ------------------------------------------------------------------------
def test_free_opinions_report_lists_each_opinion_with_its_case_and_document(pacer_sandbox, sandbox_client):
    start, end = _busy_window(pacer_sandbox, COURT)
    form = sandbox_client.get(COURT, "/cgi-bin/WrtOpRpt.pl").body
    assert b'name="filed_from"' in form and b'name="filed_to"' in form
    before = len(_charges(pacer_sandbox))
    body = sandbox_client.post_form(COURT, REPORT_URL, form_fields(start, end)).body
    assert len(_charges(pacer_sandbox)) == before  # the report is free
    assert detect_report(body) == "free_opinions"
    opinions = _read("free_opinions", body)["opinions"]
    expected = _opinions_in(pacer_sandbox, COURT, start, end)
    assert [(o["pacer_case_id"], o["docket_number"], o["document_number"], o["pacer_doc_id"], o["pacer_seq_no"],
             o["date_filed"], o["description"]) for o in opinions] == [
        (case.pacer_case_id, case.docket_number, str(e.document_number), e.pacer_doc_id, str(e.pacer_seq_no),
         e.date_filed.isoformat(), e.text) for case, e in expected]
    # A second opinion of a case leaves the case cell blank: it still names its case.
    by_case = {case.pacer_case_id: case for case, _e in expected}
    assert all(o["case_name"] == harmonize_case_name(by_case[o["pacer_case_id"]].case_name) and o["court_id"] == COURT
               for o in opinions)
    assert all(o["nature_of_suit"] == by_case[o["pacer_case_id"]].nature_of_suit for o in opinions)


def test_free_opinions_ingest_merges_each_case_with_its_entry_and_document(pacer_sandbox, sandbox_client, database_url,
                                                                           tmp_path, capsys):
    start, end = _busy_window(pacer_sandbox, COURT)
    body = sandbox_client.post_form(COURT, REPORT_URL, form_fields(start, end)).body
    expected = _opinions_in(pacer_sandbox, COURT, start, end)
    counts = _ingest(capsys, tmp_path, database_url, body, "free_opinions")
    assert counts["dockets_added"] == len({case.pacer_case_id for case, _e in expected})
    assert counts["entries_added"] == len(expected)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        held = conn.execute(text(
            "SELECT k.pacer_case_id, e.document_number, e.pacer_doc_id, d.pacer_doc_id AS document "
            "FROM docket_entries e JOIN dockets k ON k.id = e.docket_id "
            "LEFT JOIN documents d ON d.docket_entry_id = e.id AND d.attachment_number IS NULL")).all()
    engine.dispose()
    assert sorted((r.pacer_case_id, r.document_number, r.pacer_doc_id, r.document) for r in held) == sorted(
        (case.pacer_case_id, str(e.document_number), e.pacer_doc_id, e.pacer_doc_id) for case, e in expected)
    again = _ingest(capsys, tmp_path, database_url, body, "free_opinions")
    assert again.get("entries_added", 0) == 0 and again.get("dockets_added", 0) == 0


# -- advanced case query ----------------------------------------------------------------------------
def test_advanced_case_query_lists_the_matching_cases_and_is_billed(pacer_sandbox, sandbox_client, database_url, tmp_path,
                                                                    capsys):
    names = Counter(word for case in pacer_sandbox.data.cases(COURT) if not case.sealed
                    for word in set(case.case_name.replace(",", " ").split()) if len(word) > 3 and word[0].isupper())
    name = names.most_common(1)[0][0]
    expected = [case for case in pacer_sandbox.data.cases(COURT)
                if not case.sealed and name.lower() in case.case_name.lower()]
    assert len(expected) > 1
    before = len(_charges(pacer_sandbox))
    body = sandbox_client.post_form(COURT, "/cgi-bin/iquery.pl?1-L_1_0-1", {"last_name": name}).body
    [charge] = _charges(pacer_sandbox)[before:]
    assert charge["report"] == "advanced_case_query" and charge["cost"] == 0.1
    assert detect_report(body) == "advanced_case_query"  # not the receipt at its foot
    cases = _read("advanced_case_query", body)["cases"]
    assert [(c["pacer_case_id"], c["docket_number"], c["case_name"], c["date_filed"], c["date_closed"])
            for c in cases] == [(case.pacer_case_id, case.docket_number, harmonize_case_name(case.case_name),
                                 case.date_filed.isoformat(),
                                 case.date_terminated.isoformat() if case.date_terminated else None)
                                for case in expected]
    counts = _ingest(capsys, tmp_path, database_url, body, "advanced_case_query")
    assert counts["dockets_added"] == len(expected)
    engine = create_engine(database_url)
    with engine.connect() as conn:
        held = {r.pacer_case_id: r for r in conn.execute(text(
            "SELECT pacer_case_id, docket_number, date_filed, date_terminated FROM dockets")).all()}
    engine.dispose()
    for case in expected:
        row = held[case.pacer_case_id]
        assert (row.docket_number, row.date_filed) == (case.docket_number, case.date_filed.isoformat())
        assert row.date_terminated == (case.date_terminated.isoformat() if case.date_terminated else None)


# -- refusals and the reference field set --------------------------------------------------------
def test_other_pages_are_refused_with_a_one_line_reason(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100001)
    others = {
        "docket": sandbox_client.docket(COURT, case.pacer_case_id).body,
        "case_query": sandbox_client.get(COURT, f"/cgi-bin/iquery.pl?{case.pacer_case_id}").body,
        "report_form": sandbox_client.get(COURT, "/cgi-bin/WrtOpRpt.pl").body,
        "not_found": sandbox_client.get(COURT, "/cgi-bin/mobile_query.pl?search=caseinfo&caseid=999999").body,
    }
    for report in ("advanced_case_query", "mobile_query", "free_opinions"):
        for name, body in others.items():
            page = read(report, body, {"court_id": COURT, "url": "http://sandbox/x", "context": {}})
            assert page.problem is not None, (report, name)
            assert page.problem.reason and "\n" not in page.problem.reason, (report, name)
            assert [type(item) for item in page.items] == [RawPage], (report, name)


def test_parse_command_writes_the_reference_field_sets(pacer_sandbox, sandbox_client, tmp_path, capsys):
    case = pacer_sandbox.case(COURT, 100004)
    start, end = _busy_window(pacer_sandbox, COURT)
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "cand_mobile.html").write_bytes(
        sandbox_client.get(COURT, f"/cgi-bin/mobile_query.pl?search=caseinfo&caseid={case.pacer_case_id}").body)
    report = sandbox_client.post_form(COURT, REPORT_URL, form_fields(start, end)).body
    (pages / "cand_opinions.html").write_bytes(report)
    assert main(["parse", str(pages), "-nw", "1"]) == 0
    capsys.readouterr()
    mobile = json.loads((tmp_path / "json" / "cand_mobile.json").read_text())
    assert mobile == {"cost": "", "court_id": COURT, "entry_count": len(case.entries)}
    opinions = json.loads((tmp_path / "json" / "cand_opinions.json").read_text())
    assert opinions and all(set(opinion) == set(FreeOpinion.fields) for opinion in opinions)


# -- the corpus's dates folder --------------------------------------------------------------------
def test_every_court_of_the_known_opinion_dates_can_be_asked_for_its_report(pacer_sandbox, sandbox_client):
    """``dates/valid_free_opinion_dates.json`` holds, per court, a day its written opinions report is
    known to list opinions: each court must be one we know, its day must go into the report form as
    PACER writes it, and the report of that day must read back at the court."""
    root = corpus_root()
    if root is None or not (root / "dates" / "valid_free_opinion_dates.json").exists():
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    known = json.loads((root / "dates" / "valid_free_opinion_dates.json").read_text("utf-8"))
    assert len(known) > 100
    for court_id, day in sorted(known.items()):
        court = get_court(court_id)
        when = datetime.strptime(day, "%m/%d/%Y").date()
        fields = form_fields(when, when)
        assert fields["filed_from"] == fields["filed_to"] == day, court_id
        if court_id in ("cand", "areb", "nysb", "dcd"):  # one report per kind of court is enough
            ten_years = form_fields(when, when + timedelta(days=3650))
            body = sandbox_client.post_form(court.court_id, REPORT_URL, ten_years).body
            assert _read("free_opinions", body, court.court_id)["opinions"], court_id


def test_dockets_made_up_from_rss_items_are_read_as_dockets(database_url, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FILES_STORE", str(tmp_path / "files"))  # never the checkout's ./pacer_files
    """``dockets/fake-rss``: docket pages a third-party uploader made from RSS items (a heading with
    the number, one entry).  The reference reads them as dockets; so does the docket unit."""
    root = corpus_root()
    if root is None or not (root / "dockets" / "fake-rss").is_dir():
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    body = (root / "dockets" / "fake-rss" / "mad.html").read_bytes()
    assert detect_report(body) == "docket"
    path = tmp_path / "mad.html"
    path.write_bytes(body)
    assert main(["ingest", str(path), "--court", "mad", "--type", "docket", "--database-url", database_url]) == 0
    counts = json.loads(capsys.readouterr().out)["counts"]
    assert counts["dockets_added"] == 1 and counts["entries_added"] == 1

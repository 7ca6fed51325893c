"""Every report unit through its public entry points: a page the sandbox serves, read into the
unit's typed item and ingested with ``pacer-spiders ingest --type`` into an archive."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from pacer_spiders.cli import main
from pacer_spiders.reports import REPORTS, detect_report, ingest_types, read, unit_for, units
from pacer_spiders.sandbox import Sandbox, acms, render
from pacer_spiders.testing.sandbox_fixtures import SandboxClient

COURT = "cand"
APPELLATE_BASE = "https://ecf.ca9.uscourts.gov"


@pytest.fixture(scope="module")
def sb():
    with Sandbox(seed=5) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def pages(sb):
    """One page of every report, as the sandbox serves it, and the case and documents they name."""
    client = SandboxClient(sb)
    client.login()
    case = sb.case(COURT, 100001)
    with_menu = next(e for e in case.entries if e.attachments and not (e.restricted or e.unavailable or e.sealed))
    single = next(e for e in case.entries if e.pacer_doc_id and not (e.sealed or e.restricted or e.unavailable
                                                                       or e.attachments))
    return {
        "case": case, "menu_entry": with_menu, "single": single,
        "docket": client.docket(COURT, 100001).body,
        "history": client.post_form(COURT, "/cgi-bin/HistDocQry.pl?100001", {}).body,
        "attachment_page": client.get(COURT, f"/doc1/{with_menu.pacer_doc_id}").body,
        "receipt": client.get(COURT, f"/doc1/{single.pacer_doc_id}").body,
        "case_query": client.get(COURT, "/cgi-bin/iquery.pl?100001").body,
        "possible_case_numbers": client.get(COURT, f"/cgi-bin/possible_case_numbers.pl?{case.docket_number}").body,
        "rss": client.get(COURT, "/cgi-bin/rss_outside.pl").body,
        "mobile_query": client.get(COURT, f"/cgi-bin/mobile_query.pl?search=caseinfo&caseid={case.pacer_case_id}").body,
        "free_opinions": client.post_form(COURT, "/cgi-bin/WrtOpRpt.pl?1-L_1_0-1", {
            "filed_from": f"{case.date_filed:%m/%d/%Y}", "filed_to": f"{case.entries[-1].date_filed:%m/%d/%Y}"}).body,
        "advanced_case_query": client.post_form(COURT, "/cgi-bin/iquery.pl?1-L_1_0-1", {
            "last_name": case.case_name.split()[0]}).body,
        # Appellate CM/ECF pages of the case as an appeal (render functions; no appellate court is routed yet).
        "appellate_docket": render.appellate_docket(case, APPELLATE_BASE).encode(),
        "appellate_attachment_page": render.appellate_attachment_page(case, with_menu, APPELLATE_BASE).encode(),
        "acms_docket": acms.docket_json(case),
        "acms_attachment_page": acms.attachment_list_json(case, next(e for e in acms.acms_entries(case) if e.attachments)),
        "nef": render.notice_email(case, single, sb.court_url(COURT)),
        "nda": render.notice_email(case, single, sb.court_url(COURT), kind="nda"),
        "ia_docket_xml": render.ia_docket_xml(case).encode(),
        **claims_pages(sb, client),
    }


BANKRUPTCY_COURT = "canb"


def claims_pages(sb, client) -> dict:
    """A bankruptcy case's claims register and list of creditors, and the court's claims activity."""
    case = next(c for c in sb.data.cases(BANKRUPTCY_COURT) if c.kind == "bankruptcy" and not c.sealed)
    return {
        "bankruptcy_case": case,
        "claims_register": client.post_form(BANKRUPTCY_COURT, f"/cgi-bin/SearchClaims.pl?{case.pacer_case_id}", {}).body,
        "claims_activity": client.post_form(BANKRUPTCY_COURT, "/cgi-bin/ClaimsActivity.pl",
                                            {"date_from": "01/01/1990", "date_to": "12/31/2099"}).body,
        "list_of_creditors": client.post_form(BANKRUPTCY_COURT, f"/cgi-bin/CreditorQry.pl?{case.pacer_case_id}", {}).body,
    }


def test_every_report_has_a_complete_unit():
    for unit in units():
        assert unit.name and unit.item_class is not None, unit
        assert unit_for(unit.name, COURT) is unit
        assert unit.item_class.__doc__
    assert set(REPORTS) <= {unit.name for unit in units()}


@pytest.mark.parametrize("report", [r for r in REPORTS])
def test_a_page_becomes_its_typed_item(pages, report):
    body = pages[report]
    assert detect_report(body) == report
    page = read(report, body, {"court_id": COURT, "url": "http://sandbox/x",
                               "context": {"docket_number": pages["case"].docket_number}})
    assert page.problem is None, page.problem
    [item] = page.items
    assert type(item) is unit_for(report).item_class and item["report_type"] == report
    assert item["body"] == body  # the pipelines store it, then drop it before any export
    assert unit_for(report).check(item) is None


def _ingest(capsys, tmp_path, body: bytes, report: str, *args) -> dict:
    path = tmp_path / f"{report}.page"
    path.write_bytes(body)
    code = main(["ingest", str(path), "--court", COURT, "--type", report, "--database-url",
                 f"sqlite:///{tmp_path / 'archive.sqlite3'}", *args])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and not out["rejected"], out
    return out["counts"]


def test_every_ingest_type_merges_into_the_archive(pages, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FILES_STORE", str(tmp_path / "files"))
    case, menu_entry = pages["case"], pages["menu_entry"]
    assert set(ingest_types()) == {"docket", "history", "attachment_page", "case_query", "rss", "pdf",
                                   "advanced_case_query", "mobile_query", "free_opinions",
                                   "claims_register", "claims_activity", "list_of_creditors",
                                   "appellate_docket", "appellate_attachment_page",
                                   "acms_docket", "acms_attachment_page",
                                   "nef", "nda", "ia_docket_xml"}
    counts = _ingest(capsys, tmp_path, pages["case_query"], "case_query", "--pacer-case-id", case.pacer_case_id)
    assert counts["dockets_added"] == 1
    counts = _ingest(capsys, tmp_path, pages["docket"], "docket", "--pacer-case-id", case.pacer_case_id)
    assert counts["entries_added"] == len(case.entries) and counts["parties_added"] == len(case.parties)
    counts = _ingest(capsys, tmp_path, pages["history"], "history", "--pacer-case-id", case.pacer_case_id)
    assert counts.get("dockets_added", 0) == 0  # the same case
    counts = _ingest(capsys, tmp_path, pages["attachment_page"], "attachment_page",
                     "--pacer-case-id", case.pacer_case_id, "--pacer-doc-id", menu_entry.pacer_doc_id)
    assert counts["documents_added"] == len(menu_entry.attachments)  # the main document came with the docket
    counts = _ingest(capsys, tmp_path, pages["rss"], "rss")
    assert counts["dockets_added"] + counts.get("dockets_changed", 0) + counts.get("dockets_unchanged", 0) >= 1
    engine = create_engine(f"sqlite:///{tmp_path / 'archive.sqlite3'}")
    with engine.connect() as conn:
        row = conn.execute(text("SELECT docket_number, case_name FROM dockets WHERE pacer_case_id = :c"),
                           {"c": case.pacer_case_id}).one()
        held = conn.execute(text("SELECT count(*) FROM docket_entries d JOIN dockets k ON k.id = d.docket_id "
                                 "WHERE k.pacer_case_id = :c"), {"c": case.pacer_case_id}).scalar()
    assert row.docket_number == case.docket_number and row.case_name and held == len(case.entries)

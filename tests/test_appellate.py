"""Appellate CM/ECF dockets and attachment pages: sandbox pages read into their items (with the
synthetic case's values), told apart from district pages, and ingested on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import json

import pytest

from pacer_spiders.cli import main
from pacer_spiders.pages import NotTheReport
from pacer_spiders.reports import builtin_unit, detect_report, read
from pacer_spiders.sandbox import Sandbox, render

BASE = "https://ecf.ca9.uscourts.gov"
COURT = "ca9"


@pytest.fixture(scope="module")
def appeal():
    """A synthetic district case shown as its appeal: the case, an entry with attachments, both pages."""
    with Sandbox(seed=5) as sandbox:
        case = sandbox.case("cand", 100001)
    entry = next(e for e in case.entries if e.attachments and e.pacer_doc_id and not e.sealed)
    return {"case": case, "entry": entry,
            "docket": render.appellate_docket(case, BASE).encode(),
            "attachment_page": render.appellate_attachment_page(case, entry, BASE).encode()}


def _read(report: str, body: bytes) -> dict:
    page = read(report, body, {"court_id": COURT, "url": BASE + "/x", "context": {}})
    assert page.problem is None, page.problem
    [item] = page.items
    assert item["report_type"] == report
    return item


def test_the_appellate_docket_reads_as_the_case(appeal):
    case = appeal["case"]
    item = _read("appellate_docket", appeal["docket"])
    assert item["docket_number"] == render.appellate_docket_number(case)
    assert item["case_name"] == case.case_name and item["appeal_from"] == case.court.name
    assert item["date_filed"] == case.date_filed.isoformat()
    origin = item["originating_court_information"]
    assert origin["court_id"] == "cand" and origin["docket_number"] == case.docket_number  # judges' initials off
    assert [p["name"] for p in item["parties"]] == [p.name for p in case.parties]
    assert [len(p["attorneys"]) for p in item["parties"]] == [len(p.attorneys) for p in case.parties]
    assert all(a["roles"] == ["COR NTC Retained"] for p in item["parties"] for a in p["attorneys"])
    entries = item["docket_entries"]
    assert [(e["date_filed"], e["pacer_seq_no"]) for e in entries] == [
        (e.date_filed.isoformat(), str(e.pacer_seq_no)) for e in case.entries]
    linked = [(e.document_number, e.pacer_doc_id) for e in case.entries if e.pacer_doc_id and not e.sealed]
    assert [(int(e["document_number"]), e["pacer_doc_id"]) for e in entries if e["pacer_doc_id"]] == linked
    [with_menu] = [e for e in entries if e["pacer_doc_id"] == appeal["entry"].pacer_doc_id]
    assert [(a["attachment_number"], a["pacer_doc_id"]) for a in with_menu["attachments"]] == [
        (number, doc_id) for number, doc_id, *_rest in render.appellate_documents(appeal["entry"])]


def test_the_appellate_attachment_page_reads_as_the_filing(appeal):
    case, entry = appeal["case"], appeal["entry"]
    item = _read("appellate_attachment_page", appeal["attachment_page"])
    assert item["pacer_doc_id"] == entry.pacer_doc_id
    assert item["pacer_seq_no"] == str(entry.pacer_seq_no) and item["pacer_case_id"] == case.pacer_case_id
    assert [(a["attachment_number"], a["pacer_doc_id"], a["description"], a["page_count"])
            for a in item["attachments"]] == render.appellate_documents(entry)


def test_appellate_pages_are_told_apart_from_district_pages(appeal):
    assert detect_report(appeal["docket"]) == "appellate_docket"
    assert detect_report(appeal["attachment_page"]) == "appellate_attachment_page"
    with pytest.raises(NotTheReport, match="appellate CM/ECF docket"):
        builtin_unit("docket").parse(appeal["docket"], {"court_id": COURT})
    with pytest.raises(NotTheReport, match="appellate_attachment_page"):
        builtin_unit("attachment_page").parse(appeal["attachment_page"], {"court_id": COURT})
    # And the other way round: each appellate unit refuses the other's page, with its reason.
    with pytest.raises(NotTheReport, match="appellate_attachment_page"):
        builtin_unit("appellate_docket").parse(appeal["attachment_page"], {"court_id": COURT})
    with pytest.raises(NotTheReport, match="not an appellate attachment page"):
        builtin_unit("appellate_attachment_page").parse(appeal["docket"], {"court_id": COURT})


def _ingest(capsys, tmp_path, database_url: str, body: bytes, report: str) -> dict:
    path = tmp_path / f"{report}.html"
    path.write_bytes(body)
    code = main(["ingest", str(path), "--court", COURT, "--type", report, "--database-url", database_url])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and not out["rejected"], out
    return out


def test_ingest_joins_the_attachment_page_once_its_docket_arrives(appeal, database_url, tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.setenv("FILES_STORE", str(tmp_path / "files"))
    monkeypatch.setenv("SOURCE_STORE", str(tmp_path / "source"))
    case, entry = appeal["case"], appeal["entry"]
    out = _ingest(capsys, tmp_path, database_url, appeal["attachment_page"], "appellate_attachment_page")
    assert out["orphans"] == 1  # its docket is not held yet
    out = _ingest(capsys, tmp_path, database_url, appeal["docket"], "appellate_docket")
    counts = out["counts"]
    assert counts["dockets_added"] == 1 and counts["appellate_cases_added"] == 1
    assert counts["entries_added"] == len(case.entries) and counts["orphans_joined"] == 1
    [case_id] = out["docket_ids"]

    # A second read of the same page changes nothing; a panel assigned later updates the appeal.
    out = _ingest(capsys, tmp_path, database_url, appeal["docket"], "appellate_docket")
    assert out["counts"]["appellate_cases_unchanged"] == 1 and "appellate_cases_changed" not in out["counts"]
    paneled = appeal["docket"].replace(b"Not available", b"<br><b>Panel:</b> AAA&nbsp;&nbsp;BBB&nbsp;&nbsp;CCC")
    out = _ingest(capsys, tmp_path, database_url, paneled, "appellate_docket")
    assert out["counts"]["appellate_cases_changed"] == 1

    assert main(["export", "case", str(case_id), "--database-url", database_url]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert exported["docket_number"] == render.appellate_docket_number(case)
    assert exported["appeal_from"] == case.court.name and exported["panel"] == ["AAA", "BBB", "CCC"]
    assert exported["originating_court_information"]["docket_number"] == case.docket_number
    [held] = [e for e in exported["docket_entries"] if e["pacer_doc_id"] == entry.pacer_doc_id]
    # The filing's list: its own document (1) and its attachments (2...), as ShowDoc numbers them.
    assert [(d["attachment_number"], d["pacer_doc_id"]) for d in held["attachments"]] == [
        (number, doc_id) for number, doc_id, *_rest in render.appellate_documents(entry)]


def test_a_short_appellate_docket_quoting_a_sealed_document_is_still_read(appeal):
    # PACER's "sealed" and "not available" messages are whole pages; a docket entry may say the same
    # words about one of its documents.
    case = dataclasses.replace(appeal["case"], entries=[
        dataclasses.replace(appeal["case"].entries[1], text="This document is SEALED by order of the court.")])
    body = render.appellate_docket(case, BASE).encode()
    assert len(body) < 20_000
    item = _read("appellate_docket", body)
    assert item["docket_entries"][0]["description"].startswith("This document is SEALED")


def test_an_attachment_list_naming_a_restricted_document_is_still_read(appeal):
    entry = dataclasses.replace(appeal["entry"], attachments=[
        dataclasses.replace(appeal["entry"].attachments[0], description="Document is restricted")])
    item = _read("appellate_attachment_page", render.appellate_attachment_page(appeal["case"], entry, BASE).encode())
    assert item["attachments"][1]["description"] == "Document is restricted"


def test_a_docket_saved_inside_a_layout_table_reads_the_same(appeal):
    unit = builtin_unit("appellate_docket")
    html = appeal["docket"].decode()
    framed = html.replace("<body>", "<body><table><tr><td>", 1).replace("</body>", "</td></tr></table></body>", 1)
    assert unit.parse(framed.encode(), {"court_id": COURT}) == unit.parse(appeal["docket"], {"court_id": COURT})

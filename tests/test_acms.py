"""ACMS (the courts of appeals' Appellate Case Management System): its API's JSON for a synthetic
case read into items, told apart from every other page, ingested into the archive (SQLite and
PostgreSQL) with its GUIDs, orphans joining by GUID."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from pacer_spiders.cli import main
from pacer_spiders.db.archive import Archive
from pacer_spiders.db.exports import case_json
from pacer_spiders.pages import NotTheReport
from pacer_spiders.reports import detect_report, read, units
from pacer_spiders.sandbox import Sandbox, acms
from pacer_spiders.sandbox.pdf import make_pdf

COURT = "ca9"


@pytest.fixture(scope="module")
def case():
    with Sandbox(seed=11) as sandbox:
        yield sandbox.case("cand", 100002)


def _entry_with_attachments(case):
    return next(e for e in acms.acms_entries(case) if e.attachments)


def test_the_docket_json_reads_back_the_case(case):
    body = acms.docket_json(case)
    assert detect_report(body) == "acms_docket"
    page = read("acms_docket", body, {"court_id": COURT, "url": "https://ca9-showdoc.azurewebsites.us/x"})
    assert page.problem is None, page.problem
    docket = page.parsed
    assert docket["pacer_case_id"] == acms.case_guid(case) and docket["docket_number"] == acms.case_number(case)
    assert docket["case_name"] == case.case_name and docket["date_filed"] == case.date_filed.isoformat()
    assert docket["appeal_from"] == case.court.name and docket["originating_court_information"]["name"] == case.court.name
    entries = acms.acms_entries(case)
    assert [e["document_number"] for e in docket["docket_entries"]] == [e.document_number for e in entries]
    assert [e["pacer_doc_id"] for e in docket["docket_entries"]] == [acms.entry_guid(case, e) for e in entries]
    first, ours = entries[0], docket["docket_entries"][0]
    assert ours["date_filed"] == f"{first.date_filed.isoformat()}T00:00:00"
    assert ours["date_entered"] == f"{first.date_entered.isoformat()}T10:15:00"
    assert ours["description"].startswith(first.text) and "<strong>" in ours["description_html"]
    assert [(p["name"], p["type"]) for p in docket["parties"]] == [(p.name.upper(), p.type) for p in case.parties]
    for party, theirs in zip(docket["parties"], case.parties):
        assert [(a["name"], a["roles"], a["contact"]) for a in party["attorneys"]] == [
            (a.name, a.roles, "\n".join(line for line in a.contact.splitlines() if line.strip()))
            for a in theirs.attorneys]
    assert set(docket) == set(page.items[0].keys()) - {"report_type", "url", "body", "context"} | {"court_id"}


def test_the_attachment_list_reads_every_document_with_its_guid(case):
    entry = _entry_with_attachments(case)
    body = acms.attachment_list_json(case, entry)
    assert detect_report(body) == "acms_attachment_page"
    listed = read("acms_attachment_page", body, {"court_id": COURT}).parsed
    assert listed["pacer_doc_id"] == acms.entry_guid(case, entry) and listed["entry_number"] == entry.document_number
    documents = acms.entry_documents(entry)
    assert [(a["attachment_number"], a["description"], a["page_count"], a["acms_document_guid"])
            for a in listed["attachments"]] == [
        (n, description, pages, acms.document_guid(case, entry, n)) for n, description, pages in documents]
    assert {a["pacer_doc_id"] for a in listed["attachments"]} == {listed["pacer_doc_id"]}


@pytest.mark.parametrize("body,says", [
    (b'{"results": [], "count": 0}', "JSON that is neither an ACMS docket nor an ACMS attachment list (keys: count, results)"),
    (b'[{"caseDetails": {}}]', "JSON that is neither an ACMS docket nor an ACMS attachment list (a list, not an object)"),
    (b'{"caseDetails": {"caseId": "x", ', "JSON cut short or malformed"),
])
def test_other_json_is_no_report_and_every_unit_says_why_in_one_line(body, says):
    assert detect_report(body) is None
    for unit in units():
        with pytest.raises(NotTheReport) as refused:
            unit.parse(body, {"court_id": COURT})
        reason = refused.value.problem.reason
        assert says in reason and "\n" not in reason, (unit.name, reason)


def test_acms_json_is_never_read_as_another_report(case):
    docket, listed = acms.docket_json(case), acms.attachment_list_json(case, _entry_with_attachments(case))
    for unit in units():
        for body, kind in ((docket, "acms_docket"), (listed, "acms_attachment_page")):
            if unit.name == kind:
                continue
            with pytest.raises(NotTheReport) as refused:
                unit.parse(body, {"court_id": COURT})
            assert "(JSON of ACMS's API)" in refused.value.problem.reason, (unit.name, refused.value.problem)


def test_parse_command_reads_acms_json_files_and_refuses_other_json(case, tmp_path, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "ca9_1.acms_json").write_bytes(acms.docket_json(case))
    (pages / "ca9_2.acms_json").write_bytes(b'{"docketEntries": []}')
    assert main(["parse", str(pages), "-o", str(tmp_path / "out"), "-nw", "1"]) == 0
    out = capsys.readouterr().out
    assert "parsed: 1" in out and "not the report: 1" in out
    assert "JSON that is neither an ACMS docket nor an ACMS attachment list (keys: docketEntries)" in out
    parsed = json.loads((tmp_path / "out" / "ca9_1.json").read_text())
    assert parsed["pacer_case_id"] == acms.case_guid(case) and parsed["court_id"] == "ca9"
    assert json.loads((tmp_path / "out" / "ca9_2.json").read_text()) == {}


def _ingest(capsys, path, database_url, kind, *args) -> dict:
    code = main(["ingest", str(path), "--court", COURT, "--type", kind, "--database-url", database_url, *args])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and not out["rejected"], out
    return out


def test_ingested_acms_pages_join_by_guid(case, tmp_path, capsys, monkeypatch, database_url):
    monkeypatch.setenv("FILES_STORE", str(tmp_path / "files"))
    monkeypatch.setenv("SOURCE_STORE", str(tmp_path / "sources"))
    entry = _entry_with_attachments(case)
    (tmp_path / "docket.json").write_bytes(acms.docket_json(case))
    (tmp_path / "list.json").write_bytes(acms.attachment_list_json(case, entry))
    documents = acms.entry_documents(entry)
    last_number, _description, pages = documents[-1]
    last_guid = acms.document_guid(case, entry, last_number)
    (tmp_path / "last.pdf").write_bytes(make_pdf("last", pages))

    # A PDF named by its GUID and the attachment list, both before their docket: they wait as
    # orphans and join when the docket comes (the list first, bringing the GUID the PDF waits for).
    out = _ingest(capsys, tmp_path / "last.pdf", database_url, "pdf", "--acms-document-guid", last_guid)
    assert out["orphans"] == 1
    out = _ingest(capsys, tmp_path / "list.json", database_url, "acms_attachment_page")
    assert out["orphans"] == 1
    out = _ingest(capsys, tmp_path / "docket.json", database_url, "acms_docket")
    assert out["counts"]["dockets_added"] == 1 and out["counts"]["orphans_joined"] == 2
    archive = Archive(database_url)
    [docket_id] = out["docket_ids"]
    held = case_json(archive.engine, docket_id)
    assert held["pacer_case_id"] == acms.case_guid(case) and len(held["docket_entries"]) == len(acms.acms_entries(case))
    [listed] = [e for e in held["docket_entries"] if e["pacer_doc_id"] == acms.entry_guid(case, entry)]
    assert [(a["attachment_number"], a["acms_document_guid"]) for a in listed["attachments"]] == [
        (n, acms.document_guid(case, entry, n)) for n, _d, _p in documents]

    with archive.engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT content_type, path FROM raw_pages WHERE report_type = 'acms_docket'")).one()
    assert kept.content_type == "application/json" and kept.path.endswith(".json")

    # A document is found by its GUID alone.
    located = archive.locate(COURT, {"acms_document_guid": last_guid})
    assert located["id"] == docket_id and located["attachment_number"] == last_number
    with archive.engine.connect() as conn:
        assert archive.find_entry(conn, COURT, acms_document_guid=last_guid)["docket_entry_id"] == located["docket_entry_id"]
    assert archive.locate(COURT, {"acms_document_guid": "00000000-0000-0000-0000-000000000000"}) is None

    with archive.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT filepath FROM documents WHERE acms_document_guid = :g"),
                              {"g": last_guid}).scalar()
    assert stored
    unknown = "11111111-2222-3333-4444-555555555555"
    (tmp_path / "other.pdf").write_bytes(make_pdf("other", 2))
    out = _ingest(capsys, tmp_path / "other.pdf", database_url, "pdf", "--acms-document-guid", unknown)
    assert out["orphans"] == 1
    [orphan] = archive.pending_orphans(court_id=COURT)
    assert orphan["acms_document_guid"] == unknown and orphan["report_type"] == "pdf"
    # Once a PDF's document is listed, it is found at once.
    out = _ingest(capsys, tmp_path / "last.pdf", database_url, "pdf", "--acms-document-guid", last_guid)
    assert out["orphans"] == 0


def test_upgrading_an_archive_keeps_its_rows_and_makes_room_for_guids(database_url):
    from pacer_spiders.db import make_engine, upgrade_database

    upgrade_database(database_url, "0002")
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO dockets (court_id, pacer_case_id, docket_number, created_at, updated_at) "
                                 "VALUES ('cand', '263146', '3:20-cv-01234', '2026-01-01', '2026-01-01')"))
            docket_id = conn.execute(sa.text("SELECT id FROM dockets")).scalar()
            conn.execute(sa.text("INSERT INTO docket_entries (docket_id, entry_key, created_at, updated_at) "
                                 "VALUES (:d, 'n:1', '2026-01-01', '2026-01-01')"), {"d": docket_id})
        upgrade_database(database_url)
        guid = "0199c58d-9e5c-ee11-a81c-001dd80ad0b3"
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO dockets (court_id, pacer_case_id, docket_number, created_at, updated_at) "
                                 "VALUES ('ca9', :g, '23-2413', '2026-01-01', '2026-01-01')"), {"g": guid})
            assert conn.execute(sa.text("SELECT count(*) FROM docket_entries WHERE docket_id = :d"),
                                {"d": docket_id}).scalar() == 1
            assert conn.execute(sa.text("SELECT pacer_case_id FROM dockets WHERE court_id = 'ca9'")).scalar() == guid
            if engine.dialect.name == "sqlite":
                assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        engine.dispose()

"""The pipeline chain end to end: rejected pages, orphans joined, PDFs stored once, ingest, exports."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from pacer_spiders.cli import main
from pacer_spiders.db.archive import Archive
from pacer_spiders.pages import PageProblem
from pacer_spiders.plugin_manager import get_plugin_manager
from pacer_spiders.hookspecs import hookimpl
from pipeline_support import KnownPages, chain_settings, crawl, docket, entry, party, pdf_bytes

COURT = "cand"
DOC_ID = "03501234567"
DOCKET = docket(entries=[entry(1, "COMPLAINT", doc_id=DOC_ID), entry(2, "MOTION", doc_id="03501234570")],
                parties=[party("Alpha Inc.", attorneys=["Jane Roe"])])
ATTACHMENTS = {"pacer_doc_id": "03501234570", "document_number": "2", "page_count": 3,
               "attachments": [{"attachment_number": 1, "description": "Exhibit A", "pacer_doc_id": "03501234571",
                                "page_count": 2},
                               {"attachment_number": 2, "description": "Exhibit B (sealed)",
                                "pacer_doc_id": "03501234572", "is_sealed": True}]}


class LoginPages:
    """What the parsers' classify_page does for PACER's login page (the hook the pipeline calls)."""

    @hookimpl
    def classify_page(self, court_id, report, text):
        if "login.jsf" in text:
            return PageProblem("login", "PACER answered its login page: the session has expired")
        return None


@pytest.fixture
def pages():
    plugins = [KnownPages(), LoginPages()]
    for plugin in plugins:
        get_plugin_manager().register(plugin)
    yield plugins[0]
    for plugin in plugins:
        get_plugin_manager().unregister(plugin)


@pytest.fixture
def settings(database_url, tmp_path):
    return chain_settings(database_url, tmp_path)


def _rows(settings, query, **params):
    with Archive.open(settings["DATABASE_URL"]).engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(query), params).mappings()]


@pytest.fixture
def ingest_env(settings, monkeypatch):
    monkeypatch.setenv("FILES_STORE", settings["FILES_STORE"])
    return settings


def test_rejected_page_has_a_reason_in_log_stats_and_database_and_keeps_its_raw_page(pages, settings, caplog):
    login = pages.page(COURT, "docket", None, body=b"<html><form action='/login.jsf'>Login</form></html>",
                       pacer_case_id="100")
    stats = crawl(settings, login)
    assert stats["pages/rejected/login"] == 1
    assert stats["dropped"] == ["login: PACER answered its login page: the session has expired"]
    assert any("rejected docket cand" in r.getMessage() and "login" in r.getMessage() for r in caplog.records)
    [row] = _rows(settings, "SELECT kind, reason, source_path FROM rejected_pages")
    assert row["kind"] == "login" and "session has expired" in row["reason"]
    assert Path(row["source_path"]).read_bytes() == login["body"]
    assert _rows(settings, "SELECT count(*) AS n FROM dockets")[0]["n"] == 0


def test_pdf_of_unknown_docket_waits_and_joins_when_the_docket_arrives(pages, settings):
    pdf = pages.page(COURT, "pdf", None, body=pdf_bytes(3), pacer_doc_id="03511234567")  # 4th digit not yet 0
    first = crawl(settings, pdf)
    assert first["archive/orphans_added"] == 1
    [orphan] = _rows(settings, "SELECT pacer_doc_id, joined_at, source_path FROM orphan_documents")
    assert orphan["pacer_doc_id"] == DOC_ID and orphan["joined_at"] is None
    assert Path(orphan["source_path"]).read_bytes() == pdf["body"]

    second = crawl(settings, pages.page(COURT, "docket", DOCKET, pacer_case_id="100"))
    assert second["archive/orphans_joined"] == 1
    [doc] = _rows(settings, "SELECT sha1, filepath, page_count FROM documents WHERE pacer_doc_id = :d", d=DOC_ID)
    assert doc["filepath"] == "pdf/gov.uscourts.cand.100.1.0.pdf" and doc["page_count"] == 3
    assert (Path(settings["FILES_STORE"]) / doc["filepath"]).read_bytes() == pdf["body"]
    assert _rows(settings, "SELECT joined_at FROM orphan_documents")[0]["joined_at"] is not None


def test_orphan_attachment_page_is_joined_by_the_sweep(pages, ingest_env, capsys):
    settings = ingest_env
    crawl(settings, pages.page(COURT, "attachment_page", ATTACHMENTS, pacer_doc_id="03501234570"))
    assert main(["orphans", "list", "--format", "json", "--database-url", settings["DATABASE_URL"]]) == 0
    [waiting] = json.loads(capsys.readouterr().out)
    assert waiting["report_type"] == "attachment_page" and "no docket entry known" in waiting["reason"]
    # The docket reaches the archive another way (another process, an older version): the sweep joins.
    Archive.open(settings["DATABASE_URL"]).merge_docket(COURT, DOCKET, {"pacer_case_id": "100"})
    assert main(["orphans", "sweep", "--all", "--database-url", settings["DATABASE_URL"]]) == 0
    assert json.loads(capsys.readouterr().out) == {"tried": 1, "joined": 1, "waiting": 0}
    rows = _rows(settings, "SELECT attachment_number, description, page_count FROM documents "
                           "WHERE attachment_number IS NOT NULL ORDER BY attachment_number")
    assert [(r["attachment_number"], r["description"]) for r in rows] == [(1, "Exhibit A"), (2, "Exhibit B (sealed)")]
    main(["orphans", "list", "--database-url", settings["DATABASE_URL"]])
    assert "0 orphans waiting" in capsys.readouterr().out


def test_sweep_backs_off_an_orphan_that_still_waits(pages, ingest_env, capsys):
    settings = ingest_env
    crawl(settings, pages.page(COURT, "pdf", None, body=pdf_bytes(1), pacer_doc_id="03509999999"))
    main(["orphans", "sweep", "--all", "--database-url", settings["DATABASE_URL"]])
    assert json.loads(capsys.readouterr().out) == {"tried": 1, "joined": 0, "waiting": 1}
    [row] = _rows(settings, "SELECT attempts, next_attempt_at FROM orphan_documents")
    assert row["attempts"] == 1
    next_attempt = row["next_attempt_at"]
    next_attempt = datetime.fromisoformat(next_attempt) if isinstance(next_attempt, str) else next_attempt
    assert next_attempt > datetime.now(timezone.utc).replace(tzinfo=None)
    main(["orphans", "sweep", "--database-url", settings["DATABASE_URL"]])  # not due yet
    assert json.loads(capsys.readouterr().out)["tried"] == 0


def test_pdf_with_the_same_sha1_is_stored_once_and_sealed_documents_never(pages, settings):
    body, sealed = pdf_bytes(2), pdf_bytes(1, "sealed")
    stats = crawl(settings,
                  pages.page(COURT, "docket", DOCKET, pacer_case_id="100"),
                  pages.page(COURT, "attachment_page", ATTACHMENTS, pacer_doc_id="03501234570"),
                  pages.page(COURT, "pdf", None, body=body, pacer_doc_id=DOC_ID),
                  pages.page(COURT, "pdf", None, body=body, pacer_doc_id="03501234571"),
                  pages.page(COURT, "pdf", None, body=sealed, pacer_doc_id="03501234572"))
    assert stats["files/stored"] == 1 and stats["files/deduplicated"] == 1
    assert stats["files/sealed_not_stored"] == 1
    stored = sorted(p.name for p in (Path(settings["FILES_STORE"]) / "pdf").iterdir())
    assert stored == ["gov.uscourts.cand.100.1.0.pdf"]
    rows = _rows(settings, "SELECT pacer_doc_id, sha1, filepath FROM documents WHERE sha1 IS NOT NULL "
                           "ORDER BY pacer_doc_id")
    assert [r["pacer_doc_id"] for r in rows] == [DOC_ID, "03501234571"]
    assert rows[0]["filepath"] == rows[1]["filepath"]
    assert all(p.read_bytes() != sealed for p in Path(settings["FILES_STORE"]).rglob("*") if p.is_file())


def test_sealed_notice_instead_of_a_pdf_is_rejected(pages, settings):
    class Sealed:
        @hookimpl
        def classify_page(self, court_id, report, text):
            return PageProblem("sealed", "the document is sealed") if "SEALED" in text else None

    plugin = Sealed()
    get_plugin_manager().register(plugin)
    try:
        stats = crawl(settings, pages.page(COURT, "pdf", None, body=b"<html>This document is SEALED</html>",
                                           pacer_doc_id=DOC_ID))
    finally:
        get_plugin_manager().unregister(plugin)
    assert stats["pages/rejected/sealed"] == 1
    assert not (Path(settings["FILES_STORE"]) / "pdf").exists()


# --- ingest ---------------------------------------------------------------------------------

def _ingest(capsys, settings, path, *args) -> dict:
    court = [] if "--court" in args else ["--court", COURT]
    code = main(["ingest", str(path), *court, "--database-url", settings["DATABASE_URL"], *args])
    captured = capsys.readouterr()
    assert code in (0, 1) and captured.out, (code, captured)
    report = json.loads(captured.out)
    report["exit"] = code
    return report


def test_ingest_docket_dry_run_writes_nothing_then_ingest_writes(pages, ingest_env, tmp_path, capsys):
    settings = ingest_env
    page = pages.page(COURT, "docket", DOCKET)
    path = tmp_path / "saved_docket.html"
    path.write_bytes(page["body"])
    dry = _ingest(capsys, settings, path, "--type", "docket", "--pacer-case-id", "100", "--dry-run")
    assert dry["dry_run"] and dry["counts"]["dockets_added"] == 1 and dry["counts"]["entries_added"] == 2
    assert _rows(settings, "SELECT count(*) AS n FROM dockets")[0]["n"] == 0
    assert _rows(settings, "SELECT count(*) AS n FROM raw_pages")[0]["n"] == 0
    assert not [p for p in Path(settings["FILES_STORE"]).rglob("*") if p.is_file()]  # no file written
    real = _ingest(capsys, settings, path, "--type", "docket", "--pacer-case-id", "100")
    assert real["counts"]["entries_added"] == 2 and real["exit"] == 0
    again = _ingest(capsys, settings, path, "--type", "docket", "--pacer-case-id", "100", "--dry-run")
    assert again["counts"].get("rows_written", 0) == 0 and again["counts"]["entries_unchanged"] == 2


def test_ingest_history_attachment_page_pdf_and_zip(pages, ingest_env, tmp_path, capsys):
    settings = ingest_env
    history = tmp_path / "history.html"
    history.write_bytes(pages.page(COURT, "history", docket(entries=[entry(1, "COMPLAINT", doc_id=DOC_ID),
                                                                     entry(2, "MOTION")]))["body"])
    assert _ingest(capsys, settings, history, "--type", "history", "--pacer-case-id", "100")["counts"][
        "entries_added"] == 2
    orphan_pdf = tmp_path / "unknown.pdf"
    orphan_pdf.write_bytes(pdf_bytes(1, "orphan"))
    report = _ingest(capsys, settings, orphan_pdf, "--type", "pdf", "--pacer-doc-id", "03508888888")
    assert report["orphans"] == 1 and report["counts"]["orphans_added"] == 1
    menu = tmp_path / "menu.html"
    menu.write_bytes(pages.page(COURT, "attachment_page", dict(ATTACHMENTS, pacer_doc_id=None))["body"])
    report = _ingest(capsys, settings, menu, "--type", "attachment_page", "--pacer-case-id", "100",
                     "--document-number", "2")
    # The main document came with the history (entry 2); the menu adds its page count and two attachments.
    assert report["counts"]["documents_added"] == 2 and report["counts"]["documents_changed"] == 1
    bundle = tmp_path / "entry2.zip"
    with zipfile.ZipFile(bundle, "w") as zf:
        zf.writestr("2-main.pdf", pdf_bytes(3, "main"))
        zf.writestr("2-1.pdf", pdf_bytes(2, "att1"))
    report = _ingest(capsys, settings, bundle, "--type", "zip", "--pacer-case-id", "100", "--document-number", "2")
    assert report["pages"] == 2 and report["counts"]["files_added"] == 2
    rows = _rows(settings, "SELECT attachment_number, filepath, page_count FROM documents WHERE filepath IS NOT NULL "
                           "ORDER BY attachment_number")
    assert {(r["attachment_number"], r["filepath"], r["page_count"]) for r in rows} == {
        (None, "pdf/gov.uscourts.cand.100.2.0.pdf", 3), (1, "pdf/gov.uscourts.cand.100.2.1.pdf", 2)}


# --- exports --------------------------------------------------------------------------------

def test_export_updated_case_and_source(pages, ingest_env, capsys):
    settings = ingest_env
    crawl(settings, pages.page(COURT, "docket", DOCKET, pacer_case_id="100"))
    newer = pages.page(COURT, "docket", docket(name="Alpha v. Beta et al", entries=[entry(3, "ANSWER", day="2024-02-02")]),
                       pacer_case_id="100")
    crawl(settings, newer)
    today = datetime.now(timezone.utc).date().isoformat()
    url = ["--database-url", settings["DATABASE_URL"]]
    assert main(["export", "updated", "--date", today, *url]) == 0
    [row] = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert row["court_id"] == COURT and row["pacer_case_id"] == "100" and row["case_name"] == "Alpha v. Beta et al"
    assert row["last_entry_date"] == "2024-02-02" and row["date_filed"] == "2024-01-02"
    assert "entries_added=3" in row["changes"] and "fields=case_name" in row["changes"]
    main(["export", "updated", "--date", "2001-01-01", "--format", "json", *url])
    assert json.loads(capsys.readouterr().out) == []

    assert main(["export", "case", row["case_id"], "--format", "json", *url]) == 0
    case = json.loads(capsys.readouterr().out)
    assert [e["document_number"] for e in case["docket_entries"]] == ["1", "2", "3"]
    assert case["parties"][0]["attorneys"][0]["name"] == "Jane Roe"
    assert case["docket_entries"][0]["documents"][0]["pacer_doc_id"] == DOC_ID

    assert main(["export", "case", row["case_id"], "--format", "scales", *url]) == 0
    scales = json.loads(capsys.readouterr().out)
    assert scales["ucid"] == "cand;;1:24-cv-00001" and [e["ind"] for e in scales["docket"]] == ["1", "2", "3"]
    assert scales["docket"][0]["documents"]["0"]["url"].endswith("/doc1/03501234567")

    assert main(["source", row["case_id"], *url]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.read_bytes() == newer["body"]


@pytest.mark.corpus
def test_real_attachment_page_waits_then_joins_its_docket(pages, ingest_env, capsys):
    """A real PACER attachment menu, parsed by the project's attachment-page parser."""
    from pacer_spiders.testing.corpus import corpus_root

    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    menu = root / "attachment_pages" / "akd_0230682806.html"
    expected = json.loads(menu.with_suffix(".json").read_text())
    report = _ingest(capsys, ingest_env, menu, "--type", "attachment_page", "--court", "akd",
                     "--pacer-doc-id", "0230682806")
    assert report["orphans"] == 1, report
    the_docket = docket("3:08-cv-00284", entries=[entry(expected["document_number"], "MOTION", doc_id="0230682806")])
    stats = crawl(ingest_env, pages.page("akd", "docket", the_docket, pacer_case_id=expected["pacer_case_id"]))
    assert stats["archive/orphans_joined"] == 1
    rows = _rows(ingest_env, "SELECT attachment_number, description, pacer_doc_id FROM documents "
                             "WHERE attachment_number IS NOT NULL ORDER BY attachment_number")
    assert [(r["attachment_number"], r["description"]) for r in rows] == [
        (a["attachment_number"], a["description"]) for a in expected["attachments"]]


@pytest.mark.corpus
def test_real_rss_feed_merges_each_case_it_names(pages, settings):
    """A real court RSS feed, parsed by the project's RSS parser: each case is a partial docket."""
    from pacer_spiders.testing.corpus import corpus_root

    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    feed = root / "rss_feeds" / "ca11.xml"
    cases = json.loads(feed.with_suffix(".json").read_text())
    page = pages.page("ca11", "rss", None, body=feed.read_bytes())
    first = crawl(settings, page)
    again = crawl(settings, page)
    numbers = {c["docket_number"] for c in cases}
    assert first["archive/dockets_added"] == len(numbers)
    assert again.get("archive/rows_written", 0) == 0
    assert {r["docket_number"] for r in _rows(settings, "SELECT docket_number FROM dockets")} == numbers


def test_a_crawl_retries_the_orphans_that_are_due_when_it_ends(pages, settings):
    crawl(settings, pages.page(COURT, "pdf", None, body=pdf_bytes(2), pacer_doc_id=DOC_ID))
    archive = Archive.open(settings["DATABASE_URL"])
    archive.merge_docket(COURT, DOCKET, {"pacer_case_id": "100"})  # arrived out of band
    assert crawl(settings).get("archive/orphans_joined", 0) == 0  # its backoff has not run out yet
    with archive.engine.begin() as conn:
        conn.execute(sa.text("UPDATE orphan_documents SET next_attempt_at = :t"), {"t": datetime(2000, 1, 1)})
    assert crawl(settings)["archive/orphans_joined"] == 1
    [doc] = _rows(settings, "SELECT filepath FROM documents WHERE pacer_doc_id = :d", d=DOC_ID)
    assert doc["filepath"] == "pdf/gov.uscourts.cand.100.1.0.pdf"

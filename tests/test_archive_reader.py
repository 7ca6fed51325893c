"""ArchiveReader, what the spiders ask before buying, on SQLite and the real PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from pacer_spiders.db.archive import Archive
from pacer_spiders.db.reader import ArchiveReader
from pipeline_support import docket, entry


def test_a_fresh_database_holds_nothing_and_stays_empty(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    reader = ArchiveReader(url)
    assert reader.find_docket("cand", pacer_case_id="100") is None
    assert reader.find_docket("cand", docket_number="1:24-cv-00001") is None
    assert reader.docket_by_id(1) is None
    assert reader.docket_documents(1) == []
    assert reader.held_document("cand", "03501234567") is None
    assert sa.inspect(sa.create_engine(url)).get_table_names() == []


def test_reader_answers_from_what_the_archive_merged(database_url):
    archive = Archive(database_url)
    page = docket(entries=[entry(1, "COMPLAINT", day="2024-01-03", doc_id="03511234567"),
                           entry(2, "ORDER", day="2024-02-09", doc_id="03501234568"),
                           entry(None, "Minute entry", day="2024-03-01"),
                           entry(3, "NOTICE (no document)", day="2024-02-10")])
    docket_id = archive.merge_docket("cand", page, {"pacer_case_id": "100"}).docket_id
    reader = ArchiveReader(database_url)
    by_case = reader.find_docket("cand", pacer_case_id="100")
    assert by_case == {"id": docket_id, "court_id": "cand", "pacer_case_id": "100",
                       "docket_number": "1:24-cv-00001", "last_entry_date": "2024-03-01", "entry_count": 4}
    assert reader.find_docket("cand", docket_number="1:24-cv-00001") == by_case
    assert reader.find_docket("nysd", pacer_case_id="100") is None
    assert reader.docket_by_id(docket_id) == {"id": docket_id, "court_id": "cand", "pacer_case_id": "100",
                                              "docket_number": "1:24-cv-00001"}
    assert [(d["document_number"], d["pacer_doc_id"]) for d in reader.docket_documents(docket_id)] == [
        (1, "03501234567"), (2, "03501234568")]
    assert [d["document_number"] for d in reader.docket_documents(docket_id, {2, 3})] == [2]
    assert reader.held_document("cand", "03501234567") is None  # listed, not bought
    document = archive.document_for_pdf("cand", {"pacer_doc_id": "03501234567"}).document
    archive.record_file(document["id"], "a" * 40, "pdf/one.pdf", 3)
    assert reader.held_document("cand", "03501234567") == {"id": document["id"], "filepath": "pdf/one.pdf",
                                                           "sha1": "a" * 40}
    archive.engine.dispose()
    reader.engine.dispose()

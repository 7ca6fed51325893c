"""Pages that show a few entries of a docket (an RSS feed's items, notices) and the docket report
bought later, merged through `pacer-spiders ingest` on SQLite and PostgreSQL: each line of the
docket is one row, whichever page came first."""

from __future__ import annotations

import json

import pytest

from sqlalchemy import text

from pacer_spiders.cli import main
from pacer_spiders.db.archive import Archive
from pacer_spiders.reports import read
from pacer_spiders.sandbox import Sandbox
from pacer_spiders.testing.sandbox_fixtures import SandboxClient

COURT = "cand"


def _ingest(capsys, tmp_path, database_url, body: bytes, report: str, *extra: str, court: str = COURT) -> dict:
    path = tmp_path / f"{report}.page"
    path.write_bytes(body)
    assert main(["ingest", str(path), "--court", court, "--type", report, *extra, "--database-url", database_url]) == 0
    return json.loads(capsys.readouterr().out)["counts"]


def test_an_rss_feed_then_the_docket_hold_each_line_once(tmp_path, capsys, database_url):
    with Sandbox(seed=7) as sb:
        client = SandboxClient(sb)
        client.login()
        feed = client.get(COURT, "/cgi-bin/rss_outside.pl").body
        cases = read("rss", feed, {"court_id": COURT, "context": {}}).parsed
        # The situation: the feed names minute entries by their kind alone (no number, no text).
        minute = [(c["pacer_case_id"], e) for c in cases for e in c["docket_entries"] if not e.get("document_number")]
        assert minute and all(not e.get("description") and e.get("short_description") for _, e in minute)
        counts = _ingest(capsys, tmp_path, database_url, feed, "rss")
        assert counts["entries_unidentified"] == len(minute)
        case_id = minute[0][0]
        docket = client.docket(COURT, case_id).body
        lines = read("docket", docket, {"court_id": COURT, "context": {}}).parsed["docket_entries"]
        _ingest(capsys, tmp_path, database_url, docket, "docket", "--pacer-case-id", case_id)
    with Archive.open(database_url).engine.connect() as conn:
        held = conn.execute(text("SELECT count(*) FROM docket_entries e JOIN dockets d ON d.id = e.docket_id "
                                 "WHERE d.pacer_case_id = :c"), {"c": case_id}).scalar()
        blank = conn.execute(text("SELECT count(*) FROM docket_entries WHERE document_number IS NULL "
                                  "AND pacer_seq_no IS NULL AND description IS NULL")).scalar()
    assert held == len(lines) and blank == 0



@pytest.fixture(scope="module")
def feed_and_docket():
    """The sandbox's feed, and the docket report of a case it names."""
    with Sandbox(seed=7) as sb:
        client = SandboxClient(sb)
        client.login()
        feed = client.get(COURT, "/cgi-bin/rss_outside.pl").body
        items = [(c["pacer_case_id"], e) for c in read("rss", feed, {"court_id": COURT, "context": {}}).parsed
                 for e in c["docket_entries"] if e.get("document_number")]
        case_id = next(case for case, _ in items)
        return feed, items, case_id, client.docket(COURT, case_id).body


@pytest.mark.parametrize("docket_first", [True, False], ids=["docket-then-rss", "rss-then-docket"])
def test_an_entry_keeps_the_docket_reports_filing_date_against_its_rss_item(tmp_path, capsys, database_url,
                                                                             feed_and_docket, docket_first):
    # An RSS item is dated the day its entry was entered (pubDate); the docket report says when it
    # was filed.  The sandbox enters some entries the day after they were filed.
    feed, items, case_id, docket = feed_and_docket
    lines = {e["document_number"]: (str(e["date_filed"])[:10], str(e["date_entered"])[:10])
             for e in read("docket", docket, {"court_id": COURT, "context": {}}).parsed["docket_entries"]
             if e.get("document_number")}
    fed = {e["document_number"]: e["date_filed"][:10] for case, e in items if case == case_id}
    assert all(day == lines[number][1] for number, day in fed.items()), "an item's date is its entry's day entered"
    assert any(day != lines[number][0] for number, day in fed.items()), "the situation: entered after filed"
    pages = [(docket, "docket", "--pacer-case-id", case_id), (feed, "rss")]
    for body, report, *extra in pages if docket_first else pages[::-1]:
        _ingest(capsys, tmp_path, database_url, body, report, *extra)
    for body, report, *extra in pages:  # again, in either order: nothing to write
        assert _ingest(capsys, tmp_path, database_url, body, report, *extra).get("rows_written", 0) == 0
    with Archive.open(database_url).engine.connect() as conn:
        held = {(case, number): (filed, entered) for case, number, filed, entered in conn.execute(text(
            "SELECT d.pacer_case_id, e.document_number, e.date_filed, e.date_entered FROM docket_entries e "
            "JOIN dockets d ON d.id = e.docket_id WHERE e.document_number IS NOT NULL"))}
    assert {number: dates for (case, number), dates in held.items() if case == case_id} == lines
    # The feed's other cases were never bought: their entries keep the feed's day until a docket report comes.
    assert {key: dates for key, dates in held.items() if key[0] != case_id} == {
        (case, e["document_number"]): (e["date_filed"][:10],) * 2 for case, e in items if case != case_id}


# A bankruptcy feed's item of an unnumbered entry that has a document (PACER links it "doc"): its
# sequence number (de_seq_num) names the docket line; its pubDate is the day it was entered, three
# days after the day the docket report says it was filed.
SEQ_FEED = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<rss version="2.0"><channel><title>U.S. Bankruptcy Court - Recent Entries</title>
<item>
<title>17-16111-abl Melanie Sample</title>
<link>https://ecf.nvb.uscourts.gov/cgi-bin/DktRpt.pl?368678</link>
<description>Type: bk Office: 2 Chapter: 7 Trustee: Doe, Jane [Notice of Prior Filing] (&#x3C;a href=&#x27;https://ecf.nvb.uscourts.gov/doc1/16613030368?pdf_header=&#x26;de_seq_num=21&#x26;caseid=368678&#x27;&#x3E;doc&#x3C;/a&#x3E;)</description>
<guid isPermaLink="true">https://ecf.nvb.uscourts.gov/cgi-bin/DktRpt.pl?368678-21</guid>
<pubDate>Mon, 18 Dec 2017 16:12:57 GMT</pubDate>
</item>
</channel></rss>
"""
SEQ_DOCKET = {  # the docket report's lines of that case, as its parser gives them
    "docket_number": "17-16111-abl", "pacer_case_id": "368678", "case_name": "Melanie Sample",
    "docket_entries": [
        {"document_number": "1", "pacer_seq_no": "1", "date_filed": "2017-11-20", "date_entered": "2017-11-20",
         "description": "Chapter 7 Voluntary Petition"},
        {"document_number": None, "pacer_seq_no": "21", "date_filed": "2017-12-15", "date_entered": "2017-12-18",
         "description": "Notice of Debtor's Prior Filing for debtor MELANIE SAMPLE Case Number 17-10001"}]}


@pytest.mark.parametrize("docket_first", [True, False], ids=["docket-then-rss", "rss-then-docket"])
def test_an_unnumbered_entry_is_one_line_by_its_sequence_number_whatever_its_day(tmp_path, capsys, database_url,
                                                                                 docket_first):
    item = read("rss", SEQ_FEED, {"court_id": "nvb", "context": {}}).parsed[0]["docket_entries"][0]
    assert (item["document_number"], item["pacer_seq_no"], item["date_filed"][:10]) == (None, "21", "2017-12-18")

    def rss():
        _ingest(capsys, tmp_path, database_url, SEQ_FEED, "rss", court="nvb")

    def docket():
        archive = Archive.open(database_url)
        archive.merge_docket("nvb", SEQ_DOCKET, {"pacer_case_id": "368678"})
        archive.engine.dispose()

    for merge in (docket, rss) if docket_first else (rss, docket):
        merge()
    assert _seq_lines(database_url) == [("21", "2017-12-15", "Notice of Debtor's Prior Filing", item["pacer_doc_id"])]


def _seq_lines(database_url):
    """The unnumbered lines held: sequence number, date filed, start of text, documents' ids."""
    with Archive.open(database_url).engine.connect() as conn:
        return [(str(seq), str(filed)[:10], (text_ or "")[:31], docs) for seq, filed, text_, docs in conn.execute(text(
            "SELECT e.pacer_seq_no, e.date_filed, e.description, "
            "(SELECT min(d.pacer_doc_id) FROM documents d WHERE d.docket_entry_id = e.id) "
            "FROM docket_entries e WHERE e.document_number IS NULL"))]


def test_an_archive_keyed_by_day_and_sequence_number_holds_the_line_once_after_upgrade(tmp_path, capsys,
                                                                                         database_url):
    """Before 0006 an unnumbered entry was keyed ``s:<day>:<seq>``: the feed's item (day entered)
    and the docket's line (day filed) were two rows.  `pacer-spiders db upgrade` makes them one,
    the docket's text and date with the feed's document, and both pages merge again writing nothing."""
    _ingest(capsys, tmp_path, database_url, SEQ_FEED, "rss", court="nvb")
    engine = Archive.open(database_url).engine
    with engine.begin() as conn:  # the feed's row as it was keyed then
        conn.execute(text("UPDATE docket_entries SET entry_key = 's:2017-12-18:21' WHERE entry_key = 's:21'"))
    archive = Archive.open(database_url)
    archive.merge_docket("nvb", SEQ_DOCKET, {"pacer_case_id": "368678"})
    archive.engine.dispose()
    with engine.begin() as conn:  # and the docket's
        conn.execute(text("UPDATE docket_entries SET entry_key = 's:2017-12-15:21' WHERE entry_key = 's:21'"))
        conn.execute(text("UPDATE alembic_version SET version_num = '0005_defects'"))
    assert len(_seq_lines(database_url)) == 2, "the situation: one line held twice"
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    capsys.readouterr()
    doc_id = read("rss", SEQ_FEED, {"court_id": "nvb", "context": {}}).parsed[0]["docket_entries"][0]["pacer_doc_id"]
    assert _seq_lines(database_url) == [("21", "2017-12-15", "Notice of Debtor's Prior Filing", doc_id)]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT entry_key FROM docket_entries WHERE document_number IS NULL")).scalars().all() \
            == ["s:21"]
        assert conn.execute(text("SELECT count(*) FROM documents")).scalar() == 2  # entry 1 and line 21
    assert _ingest(capsys, tmp_path, database_url, SEQ_FEED, "rss", court="nvb").get("rows_written", 0) == 0
    archive = Archive.open(database_url)
    assert archive.merge_docket("nvb", SEQ_DOCKET, {"pacer_case_id": "368678"}).counts.get("rows_written", 0) == 0
    archive.engine.dispose()

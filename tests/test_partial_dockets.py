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


def _ingest(capsys, tmp_path, database_url, body: bytes, report: str, *extra: str) -> dict:
    path = tmp_path / f"{report}.page"
    path.write_bytes(body)
    assert main(["ingest", str(path), "--court", COURT, "--type", report, *extra, "--database-url", database_url]) == 0
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

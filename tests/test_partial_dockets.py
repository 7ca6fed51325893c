"""Pages that show a few entries of a docket (an RSS feed's items, notices) and the docket report
bought later, merged through `pacer-spiders ingest` on SQLite and PostgreSQL: each line of the
docket is one row, whichever page came first."""

from __future__ import annotations

import json

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

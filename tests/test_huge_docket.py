"""A 10,000-entry docket crawled from the sandbox into the archive: every entry is stored, the
identical minute entries of one day included, and a refresh adds only what is new."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa

from pacer_spiders.sandbox import Sandbox
from spider_helpers import COURT, crawl

CASE_ID = "100003"
SIZE = 10000


def _stored(database_url: str) -> tuple[Counter, Counter]:
    """Numbered entries by number, unnumbered ones by day, as the archive holds them."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(sa.text(
            "SELECT e.document_number, e.date_filed FROM docket_entries e JOIN dockets d ON d.id = e.docket_id "
            "WHERE d.court_id = :court AND d.pacer_case_id = :case"), {"court": COURT, "case": CASE_ID}).all()
    engine.dispose()
    return (Counter(n for n, _ in rows if n), Counter(day[:10] for n, day in rows if not n))


def _served(case) -> tuple[Counter, Counter]:
    return (Counter(str(e.document_number) for e in case.entries if e.document_number is not None),
            Counter(e.date_filed.isoformat() for e in case.entries if e.document_number is None))


def test_a_10000_entry_docket_is_stored_whole_and_refreshed_without_loss(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    settings = {"DATABASE_URL": database_url, "FILES_STORE": str(tmp_path / "files"), "LOG_LEVEL": "INFO"}
    with Sandbox(seed=0, cases_per_court=8, entries=(4, 8), case_sizes={(COURT, CASE_ID): SIZE}) as sandbox:
        case = sandbox.data.get_case(COURT, CASE_ID)
        minute_texts = Counter((e.date_filed, e.text) for e in case.entries if e.document_number is None)
        # The sandbox docket has what lost entries before: identical minute entries on one day.
        assert max(minute_texts.values()) > 1
        first = crawl(sandbox, "docket", tmp_path / "first", {"court": COURT, "pacer_case_id": CASE_ID},
                      settings=settings, timeout=600)
        assert first.reason == "finished", first.log[-3000:]
        numbered, unnumbered = _stored(database_url)
        assert (numbered, unnumbered) == _served(case)
        assert sum(numbered.values()) + sum(unnumbered.values()) == SIZE
        assert first.stat("archive/entries_added") == SIZE

        # A refresh reads the last day again (a date-range report) and adds only the new entries.
        sandbox.data.add_entries(COURT, CASE_ID, count=3)
        refresh = crawl(sandbox, "docket", tmp_path / "refresh", {"court": COURT, "pacer_case_id": CASE_ID,
                                                                  "since": "last"}, settings=settings, timeout=600)
        assert refresh.reason == "finished", refresh.log[-3000:]
        assert _stored(database_url) == _served(case)
        assert refresh.stat("archive/entries_added") == 3

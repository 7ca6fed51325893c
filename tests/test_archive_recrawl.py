"""A docket crawled again through ``scrapy crawl`` against the sandbox writes no docket data."""

from __future__ import annotations

import sqlalchemy as sa

from spider_helpers import COURT, crawl, first_case, small_sandbox


def _rows(database_url: str, query: str) -> list:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(query)).all()
    finally:
        engine.dispose()


def test_recrawl_by_docket_number_writes_nothing(tmp_path):
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    settings = {"DATABASE_URL": database_url, "FILES_STORE": str(tmp_path / "files")}
    with small_sandbox() as sandbox:
        case = first_case(sandbox)
        # The docket report's form; possible_case_numbers.pl answers with the unpadded one.
        number = f"{case.office}:{case.year % 100:02d}-{case.case_type}-{case.serial:05d}"
        args = {"court": COURT, "docket_number": number}
        first = crawl(sandbox, "docket", tmp_path / "first", args, settings=settings)
        assert first.reason == "finished", first.log[-3000:]
        assert first.stat("archive/rows_written") > 0
        updates = _rows(database_url, "SELECT id FROM docket_updates")
        again = crawl(sandbox, "docket", tmp_path / "again", args, settings=settings)
    assert again.reason == "finished", again.log[-3000:]
    assert again.stat("pacer/pages/possible_case_numbers") == 1 and again.stat("pacer/pages/docket") == 1
    assert again.stat("archive/rows_written") == 0
    assert again.stat("archive/dockets_changed") == 0 and again.stat("archive/dockets_unchanged") == 2
    assert _rows(database_url, "SELECT id FROM docket_updates") == updates
    assert _rows(database_url, "SELECT docket_number, pacer_case_id FROM dockets") == [(number, case.pacer_case_id)]

"""A value longer or larger than its column is refused by name before anything is written,
the same on SQLite (which would keep it) and PostgreSQL (which would refuse it unnamed)."""

from __future__ import annotations

import sqlalchemy as sa

from pipeline_support import chain_settings, crawl, docket, entry

GUID = "1e399dc7-2462-ee11-a81c-001dd809b0dc"  # how ACMS names cases and documents


def rows(url: str, sql: str):
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(sa.text(sql)).all()
    engine.dispose()
    return found


def test_a_value_too_long_for_its_column_is_refused_by_name(database_url, tmp_path, pages):  # noqa: F811
    settings = chain_settings(database_url, tmp_path)
    good = pages.page("cand", "docket", docket("3:24-cv-00001", entries=[entry(1, "Complaint")]), pacer_case_id="100")
    long_number = pages.page("cand", "docket", docket("3:24-cv-00002", entries=[entry("9" * 400, "Motion")]),
                             pacer_case_id="200")
    big_attachment = pages.page("cand", "docket", docket("3:24-cv-00003", entries=[entry(1, "Order")],
                                                         federal_dn_case_type="c" * 17), pacer_case_id="300")
    stats = crawl(settings, good, long_number, big_attachment)
    assert stats["dropped"] == [
        "docket_entries.entry_key: 402 characters where the archive holds at most 120 ('n:" + "9" * 38 + "…'); "
        "docket_entries.document_number: 400 characters where the archive holds at most 32 ('" + "9" * 40 + "…')",
        "dockets.federal_dn_case_type: 17 characters where the archive holds at most 16 ('" + "c" * 17 + "')",
    ]
    # The refused pages wrote nothing (not even their docket row); the good one is whole.
    assert rows(database_url, "SELECT pacer_case_id FROM dockets") == [("100",)]
    assert rows(database_url, "SELECT document_number FROM docket_entries") == [("1",)]


def test_acms_guids_fit_the_id_columns(database_url, tmp_path, pages):  # noqa: F811
    page = pages.page("ca9", "docket", docket("24-1234", entries=[entry(1, "Brief", doc_id=GUID)]), pacer_case_id=GUID)
    assert crawl(chain_settings(database_url, tmp_path), page)["dropped"] == []
    assert rows(database_url, "SELECT pacer_case_id FROM dockets") == [(GUID,)]
    assert rows(database_url, "SELECT pacer_doc_id FROM docket_entries") == [(GUID,)]


def test_a_number_outside_the_integer_range_is_refused_by_name(database_url, tmp_path):
    from pacer_spiders.db import make_engine, upgrade_database
    from pacer_spiders.db.limits import ValueDoesNotFit
    from pacer_spiders.db.models import CrawlRunRow

    upgrade_database(database_url)
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            run = conn.execute(sa.insert(CrawlRunRow).values(spider="x", started_at=sa.func.now(), cost=0, pages=0,
                                                             rejected=0, errors=0).returning(CrawlRunRow.id)).scalar()
        try:
            with engine.begin() as conn:
                conn.execute(sa.update(CrawlRunRow).where(CrawlRunRow.id == run).values(pages=10**400))
        except ValueDoesNotFit as exc:
            message = str(exc)
        else:
            message = None
        assert message is not None and message.startswith("crawl_runs.pages: '1000000000") and \
            message.endswith("is outside the whole numbers the archive holds (-2147483648 to 2147483647)")
        with engine.connect() as conn:
            assert conn.execute(sa.select(CrawlRunRow.pages)).all() == [(0,)]
    finally:
        engine.dispose()

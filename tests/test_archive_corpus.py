"""Every real docket of the corpus through the pipelines (its expected JSON as the parse result):
all entries kept, a second pass writes zero rows, and each raw page is kept for an offline re-parse."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from pacer_spiders.db.archive import Archive, entry_keys
from pacer_spiders.plugin_manager import get_plugin_manager
from pacer_spiders.testing.corpus import corpus_cases, court_of
from pipeline_support import KnownPages, chain_settings, crawl

# Every third docket (about 110 pages) keeps the test short.
CASES = (corpus_cases("dockets/district") + corpus_cases("dockets/bankruptcy"))[::3]


@pytest.mark.corpus
@pytest.mark.skipif(not CASES, reason="the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
def test_corpus_dockets_are_archived_whole_and_a_second_pass_writes_nothing(tmp_path):
    pages = KnownPages()
    get_plugin_manager().register(pages)
    try:
        items, expected_entries = [], 0
        for index, (page, expected) in enumerate(CASES):
            parsed = json.loads(expected.read_text())
            if not parsed.get("docket_number"):
                continue
            expected_entries += len(set(entry_keys(parsed.get("docket_entries") or [])))
            items.append(lambda page=page, parsed=parsed, index=index: pages.page(
                court_of(page), "docket", parsed, body=page.read_bytes(), pacer_case_id=str(900000 + index)))
        settings = chain_settings(f"sqlite:///{tmp_path / 'corpus.sqlite3'}", tmp_path)
        first = crawl(settings, *(make() for make in items))
        second = crawl(settings, *(make() for make in items))
    finally:
        get_plugin_manager().unregister(pages)
    assert first["dropped"] == [] and first["archive/dockets_added"] == len(items)
    assert first["archive/entries_added"] == expected_entries
    assert second.get("archive/rows_written", 0) == 0
    assert second["archive/entries_unchanged"] == expected_entries
    with Archive.open(settings["DATABASE_URL"]).engine.connect() as conn:
        paths = conn.execute(sa.text("SELECT path FROM raw_pages WHERE report_type = 'docket'")).scalars().all()
    assert len(paths) == len(items) and all(Path(p).is_file() for p in paths)

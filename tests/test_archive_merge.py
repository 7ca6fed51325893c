"""The archive's merge rules, one by one, on SQLite and on the real PostgreSQL (through the pipelines)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pacer_spiders.db.archive import Archive
from pacer_spiders.db.exports import case_json
from pipeline_support import chain_settings, crawl, docket, entry, party


@pytest.fixture
def settings(database_url, tmp_path):
    return chain_settings(database_url, tmp_path)


def _case(settings, court="cand"):
    engine = Archive.open(settings["DATABASE_URL"]).engine
    with engine.connect() as conn:
        ids = conn.execute(sa.text("SELECT id FROM dockets WHERE court_id = :c ORDER BY id"), {"c": court}).scalars().all()
    assert len(ids) == 1, ids
    return case_json(engine, ids[0])


FULL = docket(
    entries=[entry(1, "COMPLAINT", doc_id="03501234567"), entry(2, "SUMMONS issued", day="2024-01-05")],
    parties=[party("Alpha Inc.", attorneys=["Jane Roe"]), party("Beta LLC", "Defendant", attorneys=["John Doe"])],
    cause="28:1331 Federal Question", nature_of_suit="890 Other",
)


def test_new_non_empty_value_wins_and_empty_never_erases(pages, settings):
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    later = docket(name="Alpha v. Beta Renamed", cause="", nature_of_suit=None, entries=FULL["docket_entries"],
                   parties=FULL["parties"])
    stats = crawl(settings, pages.page("cand", "docket", later, pacer_case_id="100"))
    case = _case(settings)
    assert case["case_name"] == "Alpha v. Beta Renamed"
    assert case["cause"] == "28:1331 Federal Question"
    assert case["nature_of_suit"] == "890 Other"
    assert stats["archive/dockets_changed"] == 1


def test_docket_fetched_without_parties_keeps_its_parties(pages, settings):
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    crawl(settings, pages.page("cand", "docket", docket(entries=FULL["docket_entries"]), pacer_case_id="100"))
    assert sorted(p["name"] for p in _case(settings)["parties"]) == ["Alpha Inc.", "Beta LLC"]


def test_date_range_docket_keeps_older_entries(pages, settings):
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    newer = docket(entries=[entry(3, "ANSWER", day="2024-02-01")])
    stats = crawl(settings, pages.page("cand", "docket", newer, pacer_case_id="100"))
    case = _case(settings)
    assert [e["document_number"] for e in case["docket_entries"]] == ["1", "2", "3"]
    assert stats["archive/entries_added"] == 1
    assert case["last_entry_date"] == "2024-02-01"


def test_changed_entry_text_updates_in_place(pages, settings):
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    engine = Archive.open(settings["DATABASE_URL"]).engine

    def row_id():
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT id FROM docket_entries WHERE entry_key = 'n:2'")).scalar()

    before = row_id()
    changed = docket(entries=[entry(2, "SUMMONS issued as to Beta LLC", day="2024-01-05")])
    stats = crawl(settings, pages.page("cand", "docket", changed, pacer_case_id="100"))
    assert row_id() == before
    assert stats["archive/entries_changed"] == 1
    texts = {e["document_number"]: e["description"] for e in _case(settings)["docket_entries"]}
    assert texts["2"] == "SUMMONS issued as to Beta LLC"
    assert len(texts) == 2


def test_terminated_parties_stay(pages, settings):
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    terminated = docket(parties=[party("Beta LLC", "Defendant", terminated="2024-03-01")])
    crawl(settings, pages.page("cand", "docket", terminated, pacer_case_id="100"))
    # A later page listing only the active parties: the terminated one stays, with its date.
    crawl(settings, pages.page("cand", "docket", docket(parties=[party("Alpha Inc.")]), pacer_case_id="100"))
    parties = {p["name"]: p for p in _case(settings)["parties"]}
    assert set(parties) == {"Alpha Inc.", "Beta LLC"}
    assert parties["Beta LLC"]["date_terminated"] == "2024-03-01"
    assert [a["name"] for a in parties["Beta LLC"]["attorneys"]] == ["John Doe"]


def test_attorneys_are_deduplicated_by_name_within_a_docket(pages, settings):
    parties = [party("Alpha Inc.", attorneys=["Jane Q. Roe"]), party("Gamma Corp.", attorneys=["JANE Q ROE"])]
    crawl(settings, pages.page("cand", "docket", docket(parties=parties), pacer_case_id="100"))
    crawl(settings, pages.page("cand", "docket", docket("1:24-cv-00002", parties=parties), pacer_case_id="200"))
    engine = Archive.open(settings["DATABASE_URL"]).engine
    with engine.connect() as conn:
        per_docket = conn.execute(sa.text("SELECT docket_id, count(*) FROM attorneys GROUP BY docket_id")).all()
        links = conn.execute(sa.text("SELECT count(*) FROM party_attorneys")).scalar()
    assert sorted(n for _d, n in per_docket) == [1, 1]  # one per docket, not shared across dockets
    assert links == 4  # each party keeps its link to the one attorney of its docket


def test_docket_first_known_by_number_adopts_its_case_id(pages, settings):
    crawl(settings, pages.page("cand", "docket", FULL))
    assert _case(settings)["pacer_case_id"] is None
    stats = crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    case = _case(settings)
    assert case["pacer_case_id"] == "100"
    assert stats.get("archive/dockets_added", 0) == 0
    # Known by case id now: a page asked by number alone lands on the same docket.
    crawl(settings, pages.page("cand", "docket", docket(entries=[entry(9, "ORDER", day="2024-03-01")])))
    assert [e["document_number"] for e in _case(settings)["docket_entries"]] == ["1", "2", "9"]


def test_same_docket_in_two_courts_stays_two_dockets(pages, settings):
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"),
          pages.page("nysd", "docket", FULL, pacer_case_id="100"))
    assert _case(settings, "cand")["court_id"] == "cand"
    assert _case(settings, "nysd")["court_id"] == "nysd"


def test_unnumbered_minute_entries_are_keyed_by_date_and_sequence_or_text(pages, settings):
    minutes = docket(entries=[entry(None, "Minute Entry: status conference held."),
                              entry(None, "Minute Entry: hearing set."),
                              entry(None, "Clerk's notice", seq="77")])
    first = crawl(settings, pages.page("cand", "docket", minutes, pacer_case_id="100"))
    again = crawl(settings, pages.page("cand", "docket", minutes, pacer_case_id="100"))
    assert first["archive/entries_added"] == 3
    assert again.get("archive/entries_added", 0) == 0 and again["archive/entries_unchanged"] == 3


def test_rerun_on_unchanged_pages_writes_zero_rows(pages, settings):
    first = crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    again = crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    assert first["archive/rows_written"] > 0 and first["archive/dockets_added"] == 1
    assert again.get("archive/rows_written", 0) == 0
    assert again["archive/entries_unchanged"] == 2 and again["archive/dockets_unchanged"] == 1


def test_keys_live_in_the_database(pages, settings):
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    engine = Archive.open(settings["DATABASE_URL"]).engine
    duplicates = [
        "INSERT INTO dockets (court_id, pacer_case_id, docket_number, created_at, updated_at) "
        "SELECT court_id, pacer_case_id, 'other', created_at, updated_at FROM dockets",
        "INSERT INTO docket_entries (docket_id, entry_key, created_at, updated_at) "
        "SELECT docket_id, entry_key, created_at, updated_at FROM docket_entries WHERE entry_key = 'n:1'",
        # A second main document (attachment_number NULL) for the same entry.
        "INSERT INTO documents (docket_entry_id, court_id, created_at, updated_at) "
        "SELECT docket_entry_id, court_id, created_at, updated_at FROM documents WHERE attachment_number IS NULL",
    ]
    for statement in duplicates:
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(sa.text(statement))


def test_a_script_name_is_never_stored_as_a_document_id(pages, settings):
    # Bankruptcy show_doc.pl links: the reference field set names the script ("sho0_doc.pl").
    page = docket(entries=[entry(1, "Voluntary petition", doc_id="sho0_doc.pl"), entry(2, "Order", doc_id="03511234567")])
    crawl(settings, pages.page("cand", "docket", page, pacer_case_id="100"))
    doc_ids = {e["document_number"]: e["pacer_doc_id"] for e in _case(settings)["docket_entries"]}
    assert doc_ids == {"1": None, "2": "03501234567"}


def test_a_docket_number_is_not_replaced_by_an_equivalent_form_of_itself(pages, settings):
    # possible_case_numbers.pl writes the sequence unpadded; the docket report pads it.
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    short = {"docket_number": "1:24-cv-1", "pacer_case_id": "100", "title": "Alpha v. Beta"}
    again = crawl(settings, pages.page("cand", "possible_case_numbers", short, pacer_case_id="100"))
    assert again.get("archive/rows_written", 0) == 0 and again["archive/dockets_unchanged"] == 1
    assert _case(settings)["docket_number"] == "1:24-cv-00001"
    # Another number (another office, another sequence) still replaces it.
    for number in ("2:24-cv-00001", "2:24-cv-00011"):
        moved = crawl(settings, pages.page("cand", "possible_case_numbers", dict(short, docket_number=number),
                                           pacer_case_id="100"))
        assert moved["archive/dockets_changed"] == 1
        assert _case(settings)["docket_number"] == number


def test_a_docket_first_known_by_its_short_number_takes_the_padded_one(pages, settings):
    short = {"docket_number": "1:24-cv-1", "pacer_case_id": "100", "title": "Alpha v. Beta"}
    crawl(settings, pages.page("cand", "possible_case_numbers", short, pacer_case_id="100"))
    assert _case(settings)["docket_number"] == "1:24-cv-1"
    crawl(settings, pages.page("cand", "docket", FULL, pacer_case_id="100"))
    assert _case(settings)["docket_number"] == "1:24-cv-00001"
    again = crawl(settings, pages.page("cand", "possible_case_numbers", short, pacer_case_id="100"),
                  pages.page("cand", "docket", FULL, pacer_case_id="100"))
    assert again.get("archive/rows_written", 0) == 0 and again["archive/dockets_unchanged"] == 2

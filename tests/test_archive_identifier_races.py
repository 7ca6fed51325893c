"""Pages that know a docket by different identifiers, merged by real processes at the same moment
on the real PostgreSQL: one known only by its case id, one only by its docket number, one by both
(which adopts the case id onto a docket first known by number).  No worker fails, every entry is
stored once on the docket and counted as added once."""

from __future__ import annotations

import json
import time

import pytest
import sqlalchemy as sa

from pacer_spiders.db.archive import Archive
from pacer_spiders.testing.crawls import run_python_together, start_allowance

NUMBER = "3:24-cv-00600"
CASE_ID = "600"
WORKERS = 4
ROUNDS = 3

WORKER = r"""
import json, sys, time
from pacer_spiders.db.archive import Archive

index, url, knows, start = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
archive = Archive(url, upgrade=False)
shared = [{"document_number": str(n), "date_filed": "2024-01-02", "description": f"shared {n}"} for n in range(1, 11)]
added = 0
time.sleep(max(0.0, start - time.time()))
for round_ in range(ROUNDS):
    mine = {"document_number": str(100 + index * 10 + round_), "date_filed": "2024-02-03", "description": "own"}
    parsed = {"docket_entries": shared + [mine], "parties": [{"name": "Alpha Inc.", "type": "Plaintiff"}]}
    context = {}
    if knows in ("number", "both"):
        parsed["docket_number"] = NUMBER
    if knows in ("case", "both"):
        context["pacer_case_id"] = CASE_ID
    added += archive.merge_docket("cand", parsed, context).counts["entries_added"]
print(json.dumps({"entries_added": added}))
""".replace("ROUNDS", str(ROUNDS)).replace("NUMBER", repr(NUMBER)).replace("CASE_ID", repr(CASE_ID))


@pytest.fixture
def fresh_postgres(postgres_url):
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield postgres_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_workers(url: str, knows: list[str]) -> list[dict]:
    start = time.time() + start_allowance()  # all import and connect first, then merge at once
    done = run_python_together([["-c", WORKER, str(i), url, kind, str(start)] for i, kind in enumerate(knows)],
                               timeout=240)
    for proc in done:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(proc.stdout.strip().splitlines()[-1]) for proc in done]


def entries_of(url: str) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(
                "SELECT d.pacer_case_id, d.docket_number, count(e.id), count(DISTINCT e.entry_key) FROM dockets d "
                "LEFT JOIN docket_entries e ON e.docket_id = d.id GROUP BY d.id ORDER BY d.id")).all()
    finally:
        engine.dispose()


def test_a_page_known_by_case_id_and_one_known_by_number_merge_one_after_the_other(fresh_postgres):
    archive = Archive(fresh_postgres)
    archive.merge_docket("cand", {"docket_number": NUMBER}, {"pacer_case_id": CASE_ID})
    archive.engine.dispose()

    totals = run_workers(fresh_postgres, ["case", "number"] * (WORKERS // 2))

    expected = 10 + WORKERS * ROUNDS
    assert entries_of(fresh_postgres) == [(CASE_ID, NUMBER, expected, expected)]
    # Each entry counted as added by exactly one worker: no two merges read the docket at once.
    assert sum(t["entries_added"] for t in totals) == expected


def test_adopting_a_case_id_races_a_page_known_only_by_that_case_id(fresh_postgres):
    archive = Archive(fresh_postgres)
    archive.merge_docket("cand", {"docket_number": NUMBER}, {})  # first known by number only
    archive.engine.dispose()

    totals = run_workers(fresh_postgres, ["both", "case"] * (WORKERS // 2))

    expected = 10 + WORKERS * ROUNDS
    rows = entries_of(fresh_postgres)
    # Every page knew the case id: all of them landed on the one docket that holds it.
    assert [r for r in rows if r[0] == CASE_ID] == [(CASE_ID, NUMBER, expected, expected)]
    assert [r for r in rows if r[0] != CASE_ID] in ([], [(None, NUMBER, 0, 0)])
    assert sum(t["entries_added"] for t in totals) == expected

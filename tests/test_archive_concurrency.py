"""Several real processes upserting the same docket at the same moment on the real PostgreSQL:
no duplicate row, no deadlock, nothing lost (each brings entries the others do not)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa

from pacer_spiders.db import upgrade_database
from pacer_spiders.testing.crawls import run_python_together, start_allowance

WORKER = r"""
import json, sys, time
sys.path.insert(0, {tests!r})
from pacer_spiders.plugin_manager import get_plugin_manager
from pipeline_support import KnownPages, crawl, docket, entry, party

index, url, files, start = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
pages = KnownPages()
get_plugin_manager().register(pages)
shared = [entry(n, f"shared entry {{n}}") for n in range(1, 21)]
totals = {{}}
time.sleep(max(0.0, start - time.time()))
for round_ in range(4):
    mine = [entry(100 + index * 10 + round_, f"worker {{index}} round {{round_}}")]
    parties = [party("Alpha Inc.", attorneys=["Jane Roe", f"Counsel {{index}}"]), party(f"Intervenor {{index}}")]
    # Half the workers know the case id, half only the docket number: the adoption races too.
    context = {{"pacer_case_id": "500"}} if index % 2 else {{}}
    page = pages.page("cand", "docket", docket("3:24-cv-00500", entries=shared + mine, parties=parties), **context)
    stats = crawl({{"DATABASE_URL": url, "FILES_STORE": files}}, page)
    assert not stats["dropped"], stats["dropped"]
    for key, value in stats.items():
        if key.startswith("archive/"):
            totals[key] = totals.get(key, 0) + value
print(json.dumps(totals))
"""

WORKERS = 4


def test_concurrent_processes_upsert_one_docket_without_duplicates_or_deadlock(postgres_url, tmp_path):
    import uuid

    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = postgres_url.rsplit("/", 1)[0] + "/" + name
    try:
        code = WORKER.format(tests=str(Path(__file__).parent))
        start = time.time() + 1.0 + start_allowance()  # every worker imports and connects first, then all write at once
        done = run_python_together([["-c", code, str(i), url, str(tmp_path / "files"), str(start)]
                                    for i in range(WORKERS)], timeout=240)
        for proc in done:
            assert proc.returncode == 0, proc.stderr[-3000:]
        totals = [json.loads(proc.stdout.strip().splitlines()[-1]) for proc in done]

        engine = sa.create_engine(url)
        with engine.connect() as conn:
            q = lambda sql: conn.execute(sa.text(sql)).all()  # noqa: E731
            assert q("SELECT court_id, pacer_case_id, docket_number FROM dockets") == [("cand", "500", "3:24-cv-00500")]
            assert q("SELECT count(*) FROM docket_entries") == [(20 + WORKERS * 4,)]
            assert q("SELECT count(*) FROM documents") == [(20 + WORKERS * 4,)]
            assert q("SELECT entry_key FROM docket_entries GROUP BY docket_id, entry_key HAVING count(*) > 1") == []
            assert q("SELECT count(*) FROM parties") == [(1 + WORKERS,)]
            assert q("SELECT count(*) FROM attorneys") == [(1 + WORKERS,)]
        engine.dispose()
        # Between them the workers added each row once.
        assert sum(t.get("archive/entries_added", 0) for t in totals) == 20 + WORKERS * 4
        assert sum(t.get("archive/dockets_added", 0) for t in totals) == 1
        upgrade_database(url)  # still at head, and a second upgrade is a no-op
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

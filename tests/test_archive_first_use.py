"""Several processes opening one new SQLite archive at once: the migrations run once, in turn."""

from __future__ import annotations

import time

import sqlalchemy as sa

from pacer_spiders.testing.crawls import run_python_together, start_allowance

PROCESSES = 6

UPGRADE = r"""
import sys, time
start = float(sys.argv[2])
from pacer_spiders.cli import main
time.sleep(max(0.0, start - time.time()))
sys.exit(main(["db", "upgrade", "--database-url", sys.argv[1]]))
"""


def test_processes_creating_one_new_sqlite_archive_at_once_all_succeed(tmp_path):
    database = tmp_path / "new.sqlite3"
    url = f"sqlite:///{database}"
    start = time.time() + start_allowance()  # every process has imported the project; then all open the file at once
    for done in run_python_together([["-c", UPGRADE, url, str(start)]] * PROCESSES, timeout=120):
        assert done.returncode == 0, done.stderr[-2000:]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
        tables = sa.inspect(conn).get_table_names()
    engine.dispose()
    assert len(versions) == 1 and "dockets" in tables and "crawl_runs" in tables

"""Several processes opening one new SQLite archive at once: the migrations run once, in turn."""

from __future__ import annotations

import subprocess
import sys
import time

import sqlalchemy as sa

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
    start = time.time() + 3.0  # every process has imported the project; then all open the file at once
    procs = [subprocess.Popen([sys.executable, "-c", UPGRADE, url, str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(PROCESSES)]
    outputs = [proc.communicate(timeout=120) for proc in procs]
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err[-2000:]
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        versions = conn.execute(sa.text("SELECT version_num FROM alembic_version")).all()
        tables = sa.inspect(conn).get_table_names()
    engine.dispose()
    assert len(versions) == 1 and "dockets" in tables and "crawl_runs" in tables

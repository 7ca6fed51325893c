"""Entries per second merging a 10,000-entry docket into the archive, on PostgreSQL and SQLite.

Three merges of the same docket through the database stage's merge (``Archive.merge_docket``):
the first time (every row new), unchanged (zero rows written), then with 100 new entries.

Reproduce:  .venv/bin/python bench/upsert_bench.py [--entries 10000] [--new 100]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from pacer_spiders.db.archive import Archive
from pacer_spiders.testing.services import ServiceUnavailable, postgres_server


def make_docket(entries: int, offset: int = 0) -> dict:
    rows = []
    for n in range(1, entries + 1):
        day = f"20{10 + n // 4000:02d}-{1 + (n // 300) % 12:02d}-{1 + n % 28:02d}"
        rows.append({"document_number": str(n), "date_filed": day, "date_entered": day,
                     "pacer_doc_id": f"035{offset + n:08d}", "pacer_seq_no": str(n),
                     "description": f"ORDER number {n} granting in part the motion filed by the parties."})
    parties = [{"name": f"Party {i}", "type": "Plaintiff" if i % 2 else "Defendant", "extra_info": "",
                "attorneys": [{"name": f"Attorney {i}", "contact": "Firm LLP", "roles": ["LEAD ATTORNEY"]}]}
               for i in range(20)]
    return {"docket_number": "1:10-cv-01234", "case_name": "Big v. Docket", "date_filed": "2010-01-04",
            "docket_entries": rows, "parties": parties}


def run(url: str, label: str, entries: int, new: int) -> list[tuple]:
    archive = Archive(url)
    base = make_docket(entries)
    more = make_docket(entries + new)
    figures = []
    for step, page in (("first time", base), ("unchanged", base), (f"+{new} new entries", more)):
        started = time.perf_counter()
        result = archive.merge_docket("cand", page, {"pacer_case_id": "424242"})
        seconds = time.perf_counter() - started
        count = len(page["docket_entries"])
        figures.append((label, step, count, seconds, count / seconds, result.rows_written))
    archive.engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=100)
    args = parser.parse_args()
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        figures += run(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", "SQLite", args.entries, args.new)
    try:
        with postgres_server() as url:
            figures += run(url, "PostgreSQL", args.entries, args.new)
    except ServiceUnavailable as exc:
        print(f"PostgreSQL skipped: {exc}")
    print(f"{'database':<11} {'merge':<18} {'entries':>8} {'seconds':>8} {'entries/s':>10} {'rows written':>13}")
    for label, step, count, seconds, rate, written in figures:
        print(f"{label:<11} {step:<18} {count:>8} {seconds:>8.2f} {rate:>10.0f} {written:>13}")
    by = {(f[0], f[1]): f[4] for f in figures}
    for label in ("SQLite", "PostgreSQL"):
        if (label, "unchanged") in by:
            print(f"{label}: an unchanged re-merge is {by[(label, 'unchanged')] / by[(label, 'first time')]:.1f}x "
                  f"the first merge's rate")
    print(f"reproduce: .venv/bin/python bench/upsert_bench.py --entries {args.entries} --new {args.new}")


if __name__ == "__main__":
    main()

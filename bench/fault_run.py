"""A distributed crawl under faults, as issue 16 ran it: what PACER billed and what the archive holds.

Dockets and PDFs of several district courts queued as work requests; docket and pdf workers (3 of
each by default) on one PostgreSQL; ``kill -9`` of a worker at several moments (each as the
sandbox's ledger passes a share of the purchases; a replacement of the same spider starts at once)
and one Redis restart (``appendonly yes``) half-way.  Then every worker is stopped the usual way
and the script prints, from the sandbox's ledger and the archive:

    extra charges     a docket or document billed more than once (and its dollars)
    paid pages lost   a billed docket not in the archive, a billed document with no stored PDF
    requests          the work requests' final statuses (any not successful is listed)
    duplicate rows    dockets, entries and documents held twice
    sessions left     PACER sessions never logged out (the killed workers' included)
    workers' exits    exit codes (-9: killed here; 0: stopped with SIGTERM and closed cleanly)

    .venv/bin/python bench/fault_run.py [--dockets 60] [--pdfs 55] [--courts 6] [--workers 3]
                                        [--kills 6] [--latency 300] [--seed 1] [--runs 1]
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import shlex
import signal
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PACER_SPIDERS_LOAD_ENTRYPOINTS", "0")

from pacer_spiders.courts import all_courts  # noqa: E402
from pacer_spiders.distributed.purchases import PurchaseIntents  # noqa: E402
from pacer_spiders.distributed.store import RedisStore  # noqa: E402
from pacer_spiders.distributed.work import enqueue_work, session_factory  # noqa: E402
from pacer_spiders.sandbox import Sandbox  # noqa: E402
from pacer_spiders.testing.services import free_port, postgres_server, redis_server  # noqa: E402
from pacer_spiders.testing.workers import start_worker, wait_for  # noqa: E402

FINAL = (2, 3, 6, 7)  # work request statuses that end it


def buyable(case):
    return [e for e in case.entries if e.pacer_doc_id and not e.sealed and not e.attachments
            and not getattr(e, "restricted", False) and not getattr(e, "unavailable", False)]


def work_of(sandbox, courts, dockets: int, pdfs: int):
    """(spider, court, params) of the dockets and documents asked for, spread over the courts."""
    cases = {court: sandbox.cases(court) for court in courts}
    docket_work = [("docket", court, {"pacer_case_id": case.pacer_case_id})
                   for i in range(dockets) for court in [courts[i % len(courts)]]
                   for case in [cases[court][i // len(courts)]]]
    documents = collections.deque((court, case, entry) for court in courts for case in cases[court]
                                  for entry in buyable(case))
    pdf_work = []
    by_court = collections.defaultdict(collections.deque)
    for court, case, entry in documents:
        by_court[court].append((case, entry))
    while len(pdf_work) < pdfs and any(by_court.values()):
        for court in courts:
            if by_court[court] and len(pdf_work) < pdfs:
                case, entry = by_court[court].popleft()
                pdf_work.append(("pdf", court, {"pacer_doc_id": entry.pacer_doc_id,
                                                "pacer_case_id": case.pacer_case_id}))
    return docket_work + pdf_work


def one_run(args, courts, seed: int) -> dict:
    from sqlalchemy import create_engine, func, select, text

    from pacer_spiders.db.work_requests import WorkRequest

    rng = random.Random(seed)
    cases_per_court = -(-args.dockets // len(courts)) + 2
    keep = Path(args.keep) / f"seed{seed}" if args.keep else None
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
    with Sandbox(latency=args.latency, cases_per_court=cases_per_court) as sandbox, \
            postgres_server() as database_url, tempfile.TemporaryDirectory(prefix="pacer-faults-") as tmp:
        tmp = str(keep or tmp)
        redis_dir, port = Path(tmp) / "redis", free_port()
        redis_dir.mkdir()
        persistence = ("--appendonly", "yes", "--appendfsync", "always")
        redis_cm = redis_server(*persistence, port=port, workdir=redis_dir)
        redis_url = redis_cm.__enter__()
        sessions = session_factory(database_url)
        store = RedisStore.from_url(redis_url)
        ids = [enqueue_work(sessions, store, spider, court, params)[0].id
               for spider, court, params in work_of(sandbox, courts, args.dockets, args.pdfs)]
        settings = {
            "REDIS_URL": redis_url, "DATABASE_URL": database_url, "FILES_STORE": f"{tmp}/files",
            "PACER_WORKER_IDLE_CLOSE": 0, "PACER_LEASE_SECONDS": args.lease, "PACER_COURT_INTERVAL": 0.1,
            "PACER_SERVICE_SECRET": "fault-run-secret", "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "INFO",
            **sandbox.settings,
        }
        env = sandbox.account_env("good")
        logs = iter(Path(tmp) / f"worker{n}.log" for n in range(1000))
        workers = [(spider, start_worker(spider, settings, env, next(logs)))
                   for spider in ("docket", "pdf") for _ in range(args.workers)]
        exits = []
        total_buys = args.dockets + args.pdfs
        # the moments: shares of the purchases, spread over the crawl, one Redis restart half-way
        kill_at = sorted(rng.uniform(0.05, 0.9) for _ in range(args.kills))
        restart_at = 0.5
        deadline = time.monotonic() + args.timeout

        def finished() -> int:
            with sessions() as session:
                return session.scalar(select(func.count()).select_from(WorkRequest)
                                      .where(WorkRequest.status.in_(FINAL)))

        while time.monotonic() < deadline:
            bought = sum(1 for c in sandbox.ledger.charges if c.report in ("docket", "document"))
            if kill_at and bought >= kill_at[0] * total_buys:
                kill_at.pop(0)
                index = rng.randrange(len(workers))
                spider, proc = workers.pop(index)
                proc.send_signal(signal.SIGKILL)
                exits.append(proc.wait())
                workers.append((spider, start_worker(spider, settings, env, next(logs))))
            if restart_at is not None and bought >= restart_at * total_buys:
                restart_at = None
                redis_cm.__exit__(None, None, None)
                time.sleep(1.5)
                redis_cm = redis_server(*persistence, port=port, workdir=redis_dir)
                redis_cm.__enter__()
            try:
                if finished() >= len(ids):
                    break
            except Exception:  # noqa: BLE001 (the database is busy: ask again)
                pass
            time.sleep(0.1)
        for _, proc in workers:
            proc.terminate()
        exits += wait_for([proc for _, proc in workers], 90)
        intents = PurchaseIntents(RedisStore.from_url(redis_url))
        bought_again, maybe = intents.bought_again(), intents.maybe_bought_again()
        redis_cm.__exit__(None, None, None)

        charges = collections.Counter(
            (c.report, c.court_id, c.pacer_case_id if c.report == "docket" else c.pacer_doc_id)
            for c in sandbox.ledger.charges)
        costs = collections.defaultdict(float)
        for c in sandbox.ledger.charges:
            costs[(c.report, c.court_id, c.pacer_case_id if c.report == "docket" else c.pacer_doc_id)] = c.cost
        extra = {key: n - 1 for key, n in charges.items() if n > 1}
        engine = create_engine(database_url)
        with engine.connect() as db:
            def rows(sql):
                return db.execute(text(sql)).fetchall()
            dockets_held = {(c, p) for c, p in rows("SELECT court_id, pacer_case_id FROM dockets")}
            pdfs_held = {(c, d) for c, d in rows("SELECT court_id, pacer_doc_id FROM documents "
                                                    "WHERE sha1 IS NOT NULL AND sha1 <> ''")}
            pdfs_held |= {(c, d) for c, d in rows("SELECT court_id, pacer_doc_id FROM orphan_documents "
                                                     "WHERE report_type = 'pdf' AND sha1 IS NOT NULL")}
            duplicates = {
                "dockets": rows("SELECT count(*) FROM (SELECT 1 FROM dockets GROUP BY court_id, pacer_case_id "
                                "HAVING count(*) > 1) d")[0][0],
                "entries": rows("SELECT count(*) FROM (SELECT 1 FROM docket_entries GROUP BY docket_id, entry_key "
                                "HAVING count(*) > 1) d")[0][0],
                "documents": rows("SELECT count(*) FROM (SELECT 1 FROM documents WHERE pacer_doc_id IS NOT NULL "
                                  "GROUP BY court_id, pacer_doc_id HAVING count(*) > 1) d")[0][0],
                "orphan PDFs": rows("SELECT count(*) FROM (SELECT 1 FROM orphan_documents WHERE report_type = 'pdf' "
                                    "GROUP BY court_id, pacer_doc_id HAVING count(*) > 1) d")[0][0],
            }
        engine.dispose()
        lost = [key for key in charges if (key[0] == "docket" and key[1:] not in dockets_held)
                or (key[0] == "document" and key[1:] not in pdfs_held)]
        with sessions() as session:
            statuses = collections.Counter(session.get(WorkRequest, i).status for i in ids)
            errors = [(r.id, r.kind, r.status, r.error_message) for r in
                      (session.get(WorkRequest, i) for i in ids) if r.status != 2]
        worker_logs = [p for p in Path(tmp).glob("worker*.log")]
        start_errors = sum("start_error" in p.read_text(errors="replace") for p in worker_logs)
        return {
            "seed": seed, "extra": extra, "extra_dollars": round(sum(costs[k] * n for k, n in extra.items()), 2),
            "lost": lost, "statuses": dict(statuses), "errors": errors, "duplicates": duplicates,
            "sessions_left": len(sandbox.auth.live_sessions()), "exits": collections.Counter(exits),
            "start_errors": start_errors, "bought_again": sum(bought_again.values()),
            "maybe_bought_again": sum(maybe.values()), "charges": sum(charges.values()),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dockets", type=int, default=60)
    parser.add_argument("--pdfs", type=int, default=55)
    parser.add_argument("--courts", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3, help="workers of each spider (docket, pdf)")
    parser.add_argument("--kills", type=int, default=6)
    parser.add_argument("--latency", type=float, default=300, help="ms the sandbox waits before each answer")
    parser.add_argument("--lease", type=float, default=5, help="PACER_LEASE_SECONDS")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", help="a folder to keep the workers' logs in (one folder a run)")
    args = parser.parse_args()
    courts = [c.court_id for c in all_courts() if c.kind == "district"][: args.courts]
    print(f"{args.dockets} dockets and {args.pdfs} PDFs over {len(courts)} courts, {args.workers} docket and "
          f"{args.workers} pdf workers on PostgreSQL, {args.kills} kill -9 and one Redis restart a run, "
          f"latency {args.latency:.0f} ms")
    for run in range(args.runs):
        r = one_run(args, courts, args.seed + run)
        print(f"run {run + 1} (seed {r['seed']}): {r['charges']} charges; extra charges {sum(r['extra'].values())} "
              f"(${r['extra_dollars']:.2f}; counted by the workers: {r['bought_again']} sure, "
              f"{r['maybe_bought_again']} possible); paid pages lost {len(r['lost'])}; "
              f"requests not successful {len(r['errors'])} {dict(sorted(r['statuses'].items()))}; "
              f"duplicate rows {r['duplicates']}; sessions left {r['sessions_left']}; "
              f"workers' exits {dict(sorted(r['exits'].items()))}; start_error {r['start_errors']}")
        for key in r["lost"]:
            print(f"    lost: {key}")
        for row in r["errors"]:
            print(f"    not successful: {row}")
        sys.stdout.flush()
    print("reproduce: .venv/bin/python bench/fault_run.py " + shlex.join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

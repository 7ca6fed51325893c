"""Dockets per minute of a distributed crawl against the sandbox, with 1, 2 and 4 worker processes.

The sandbox answers every request after an injected latency (800 ms by default), as PACER over
the Internet would.  Next to each measured rate the script prints the ceiling the limits allow:

    per court:  min(concurrency / latency, 1 / interval) requests a second
    per worker: CONCURRENT_REQUESTS / latency requests a second
    ceiling  =  min(courts x per court, workers x per worker) / R dockets a second

with R the requests a docket takes: 2 for the tests' probe spider (query form, then report), 1
for the project's docket spider given a case id (it posts the report form directly).

and the ratio measured / ceiling, plus the most requests the sandbox saw in flight at one court
(which must not pass the court's concurrency).  All the work is queued before the workers start;
the rate is timed from the first request the sandbox sees to the last docket stored (its work
request finished after the archive pipelines), so nothing bought before the clock starts counts.
The defaults keep the crawl I/O-bound (few courts, 800 ms latency): the court limits, not the
machine's cores, should decide the figure.

    .venv/bin/python bench/distributed_bench.py [--courts 6] [--cases 20] [--latency 800] [--workers 1 2 4]
                                                [--spider docket|dist_probe]
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PACER_SPIDERS_LOAD_ENTRYPOINTS", "0")

from pacer_spiders.courts import all_courts  # noqa: E402
from pacer_spiders.distributed.store import RedisStore  # noqa: E402
from pacer_spiders.distributed.work import enqueue_work, session_factory  # noqa: E402
from pacer_spiders.sandbox import Sandbox  # noqa: E402
from pacer_spiders.testing.services import redis_server  # noqa: E402
from pacer_spiders.testing.workers import PROBE_MODULE, count_inflight_per_court, start_worker, wait_for  # noqa: E402


def first_request_clock(sandbox) -> dict:
    """Make the sandbox note when the first court request arrives (``clock["first"]``, monotonic)."""
    clock: dict = {}
    base = sandbox._server.RequestHandlerClass

    class ClockedHandler(base):
        def _handle(self, method):
            if self.path.startswith("/court/"):
                clock.setdefault("first", time.monotonic())
            return super()._handle(method)

    sandbox._server.RequestHandlerClass = ClockedHandler
    return clock


def run(workers: int, args, courts: list[str]) -> dict:
    from sqlalchemy import func, select

    from pacer_spiders.db.work_requests import SUCCESS, WorkRequest

    with Sandbox(latency=args.latency, cases_per_court=args.cases) as sandbox, redis_server() as redis_url, \
            tempfile.TemporaryDirectory(prefix="pacer-bench-") as tmp:
        peaks = count_inflight_per_court(sandbox)
        clock = first_request_clock(sandbox)
        database_url = f"sqlite:///{tmp}/archive.sqlite3"
        sessions, store = session_factory(database_url), RedisStore.from_url(redis_url)
        total = len(courts) * args.cases
        settings = {
            "REDIS_URL": redis_url, "DATABASE_URL": database_url,
            "PACER_WORKER_IDLE_CLOSE": 0, "PACER_COURT_CONCURRENCY": args.concurrency,
            "PACER_COURT_INTERVAL": args.interval, "CONCURRENT_REQUESTS": args.worker_concurrency,
            "LOG_LEVEL": "WARNING", "FILES_STORE": f"{tmp}/files", **sandbox.settings,
        }
        if args.spider == "dist_probe":
            settings["SPIDER_MODULES"] = PROBE_MODULE
            settings["ITEM_PIPELINES"] = "{}"  # its raw pages are no archive rows
        # all the work is queued first; the clock starts at the first request PACER sees
        for court in courts:
            for case in sandbox.cases(court)[: args.cases]:
                enqueue_work(sessions, store, args.spider, court, {"pacer_case_id": case.pacer_case_id})
        procs = [start_worker(args.spider, settings, sandbox.account_env("good"), Path(tmp) / f"w{i}.log")
                 for i in range(workers)]
        last = None
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            # a work request succeeds once its docket went through the pipelines (stored)
            with sessions() as session:
                stored = session.scalar(select(func.count()).select_from(WorkRequest)
                                        .where(WorkRequest.status == SUCCESS))
            if stored >= total:
                last = time.monotonic()
                break
            time.sleep(0.02)
        for proc in procs:  # stopped the usual way: they finish what they hold
            proc.terminate()
        wait_for(procs, 60)
        if last is None:
            raise SystemExit(f"{workers} workers: only {stored} of {total} dockets stored after {args.timeout}s")
        charges = [c for c in sandbox.ledger.charges if c.report == "docket"]
        seconds = last - clock["first"]
        return {
            "workers": workers, "dockets": total, "bought": len(charges),
            "unique": len({(c.court_id, c.pacer_case_id) for c in charges}),
            "seconds": seconds, "per_minute": total / seconds * 60,
            "peak_per_court": max(peaks.values()) if peaks else 0,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courts", type=int, default=6)
    parser.add_argument("--cases", type=int, default=20, help="dockets per court")
    parser.add_argument("--latency", type=float, default=800, help="ms the sandbox waits before each answer")
    parser.add_argument("--concurrency", type=int, default=1, help="PACER_COURT_CONCURRENCY")
    parser.add_argument("--interval", type=float, default=0.5, help="PACER_COURT_INTERVAL (seconds)")
    parser.add_argument("--worker-concurrency", type=int, default=16, help="CONCURRENT_REQUESTS of a worker")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--spider", default="docket",
                        help="dist_probe (the tests' small docket spider) or docket (the project's)")
    args = parser.parse_args()
    courts = [c.court_id for c in all_courts() if c.kind == "district"][: args.courts]
    per_docket = 2 if args.spider == "dist_probe" else 1
    latency = args.latency / 1000
    per_court = min(args.concurrency / latency, 1 / args.interval if args.interval else float("inf"))
    per_worker = args.worker_concurrency / latency
    print(f"{len(courts)} courts x {args.cases} dockets, latency {args.latency:.0f} ms, per court "
          f"{args.concurrency} in flight and {args.interval:g} s between starts, {args.worker_concurrency} "
          f"requests in flight per worker; {per_docket} request(s) a docket ({args.spider} spider)")
    print(f"court limits allow {len(courts) * per_court / per_docket * 60:.0f} dockets/min in all "
          f"({per_court / per_docket * 60:.0f} per court)")
    print("workers  dockets/min  ceiling/min  measured/ceiling  bought  unique  peak in flight at a court")
    for workers in args.workers:
        result = run(workers, args, courts)
        ceiling = min(len(courts) * per_court, workers * per_worker) / per_docket * 60
        print(f"{workers:>7}  {result['per_minute']:>11.0f}  {ceiling:>11.0f}  {result['per_minute'] / ceiling:>16.2f}"
              f"  {result['bought']:>6}  {result['unique']:>6}  {result['peak_per_court']:>4} (limit {args.concurrency})")
        sys.stdout.flush()
    print("reproduce: .venv/bin/python bench/distributed_bench.py " + shlex.join(sys.argv[1:]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

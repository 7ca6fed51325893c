"""Requests a second the service answers: reads of the archive, and fetch submissions.

    .venv/bin/python bench/service_bench.py [--workers 2] [--clients 8] [--seconds 10] [--cases 20]
                                            [--database-url URL]

An archive is filled by ingesting ``--cases`` sandbox dockets (the crawl's pipelines), then
``pacer-spiders serve --workers N`` runs on loopback with crawling off (submissions are queued,
nothing is bought) and ``--clients`` threads with keep-alive connections call it for
``--seconds`` each: first ``GET /api/rest/v3/dockets/?court=…`` and ``/docket-entries/?docket=…``
(pages of 20), then ``POST /api/rest/v3/recap-fetch/`` of distinct cases (each a request row, its
owner and its outbox entry in one transaction).  Prints requests a second and latency percentiles.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacer_spiders.commands.ingest import ingest  # noqa: E402
from pacer_spiders.sandbox import Sandbox  # noqa: E402
from pacer_spiders.testing.sandbox_fixtures import SandboxClient  # noqa: E402
from pacer_spiders.testing.service_support import create_token  # noqa: E402
from pacer_spiders.testing.services import free_port, wait_for_port  # noqa: E402

COURTS = ("cand", "nysd", "ilnd", "txsd")


def fill_archive(database_url: str, workdir: Path, cases: int) -> list[tuple[str, str]]:
    """Ingest sandbox dockets; (court, pacer_case_id) of each."""
    held = []
    with Sandbox(seed=1, cases_per_court=max(1, cases // len(COURTS) + 1)) as sandbox:
        client = SandboxClient(sandbox)
        client.login("good")
        for number in range(cases):
            court = COURTS[number % len(COURTS)]
            case = sandbox.cases(court)[number // len(COURTS)]
            page = workdir / f"{court}-{case.pacer_case_id}.html"
            page.write_bytes(client.docket(court, case.pacer_case_id).body)
            ingest(page, "docket", {"court_id": court, "pacer_case_id": case.pacer_case_id},
                   {"DATABASE_URL": database_url, "FILES_STORE": str(workdir / "files")})
            held.append((court, case.pacer_case_id))
    return held


def hammer(port: int, token: str, clients: int, seconds: float, next_call) -> tuple[int, list[float], int]:
    """``clients`` threads calling ``next_call(n) -> (method, path, body)`` for ``seconds``."""
    done, failures, latencies = [0], [0], []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def run(index):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        count = 0
        while time.monotonic() < deadline:
            method, path, body = next_call(index * 1_000_000 + count)
            headers = {"Authorization": f"Token {token}"}
            if body is not None:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                done[0] += 1
                failures[0] += response.status >= 400
            count += 1
        connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return done[0], latencies, failures[0]


def report(name: str, count: int, latencies: list[float], failures: int, seconds: float) -> None:
    ordered = sorted(latencies) or [0.0]
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    print(f"{name:<20} {count / seconds:8.1f} requests/s   p50 {p(0.5):6.1f} ms   p95 {p(0.95):6.1f} ms   "
          f"mean {statistics.fmean(ordered) * 1000:6.1f} ms   errors {failures}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--seconds", type=float, default=10.0, help="per phase")
    parser.add_argument("--cases", type=int, default=20, help="dockets in the archive")
    parser.add_argument("--database-url", help="default: an SQLite file in a temp dir")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="service-bench-") as tmp:
        workdir = Path(tmp)
        database_url = args.database_url or f"sqlite:///{workdir / 'archive.sqlite3'}"
        held = fill_archive(database_url, workdir, args.cases)
        token = create_token(database_url, "bench")
        port = free_port()
        env = {**os.environ, "DATABASE_URL": database_url, "PACER_SERVICE_SECRET": "bench",
               "PACER_SERVICE_THROTTLE": "100000000/minute", "PACER_SERVICE_RUN_CRAWLS": "0",
               "PACER_USERNAME": "bench-account", "PACER_PASSWORD": "never-used", "FILES_STORE": str(workdir / "files"),
               "PACER_SPIDERS_LOAD_ENTRYPOINTS": "0"}
        env.pop("REDIS_URL", None)
        server = subprocess.Popen([sys.executable, "-m", "pacer_spiders", "serve", "--port", str(port),
                                   "--workers", str(args.workers)], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            wait_for_port(port, timeout=60)
            time.sleep(2.0 if args.workers > 1 else 0.5)  # every worker process up
            print(f"service: {args.workers} worker process(es), {args.clients} clients, {args.seconds:.0f} s a phase, "
                  f"{len(held)} dockets, {database_url.split(':', 1)[0]}")

            def read(n):
                court, _ = held[n % len(held)]
                if n % 2:
                    return "GET", f"/api/rest/v3/docket-entries/?docket={n % len(held) + 1}", None
                return "GET", f"/api/rest/v3/dockets/?court={court}", None

            def submit(n):
                body = {"request_type": 1, "court": COURTS[n % len(COURTS)], "pacer_case_id": str(500000 + n)}
                return "POST", "/api/rest/v3/recap-fetch/", json.dumps(body)

            for name, call in (("reads", read), ("fetch submissions", submit)):
                count, latencies, failures = hammer(port, token, args.clients, args.seconds, call)
                report(name, count, latencies, failures, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Worker processes for the distributed tests and benchmark: ``scrapy crawl`` as a user runs it.

Also a sandbox handler that counts the requests each court has in flight at the server, so
that the per-court limit is checked where PACER would feel it, not in our own bookkeeping.
"""

from __future__ import annotations

import collections
import os
import re
import subprocess
import threading
import time
from pathlib import Path

from pacer_spiders.processes import STDOUT, ChildProcess, start_python_module

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PROBE_MODULE = "pacer_spiders.testing.distributed_probe"


def start_worker(spider: str, settings: dict, env: dict | None = None,
                 log_path: str | os.PathLike | None = None) -> ChildProcess:
    """One worker process, ``scrapy crawl <spider> -s …`` (its output in ``log_path``); the caller
    stops or waits for it.  Started by pacer_spiders.processes: a new interpreter unless the tests
    chose forks of their preloaded one."""
    full_env = {**os.environ, "PACER_SPIDERS_LOAD_ENTRYPOINTS": "0", **(env or {})}
    args = ["crawl", spider]
    for name, value in settings.items():
        args += ["-s", f"{name}={value}"]
    return start_python_module("scrapy", args, cwd=PROJECT_ROOT, env=full_env, stdout=log_path or os.devnull,
                               stderr=STDOUT)


def wait_for(procs, timeout: float) -> list[int]:
    deadline = time.monotonic() + timeout
    codes = []
    for proc in procs:
        try:
            codes.append(proc.wait(timeout=max(0.1, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            proc.kill()
            codes.append(proc.wait())
    return codes


def dequeued(log_path) -> int:
    """How many requests a worker took from Redis (its Scrapy stats dump)."""
    found = re.findall(r"'scheduler/dequeued/redis': (\d+)", Path(log_path).read_text(errors="replace"))
    return int(found[-1]) if found else 0


def count_inflight_per_court(sandbox):
    """Make the sandbox count, per court, the requests it is serving at once; returns the peaks."""
    peaks: dict[str, int] = collections.defaultdict(int)
    current: dict[str, int] = collections.defaultdict(int)
    lock = threading.Lock()
    from pacer_spiders.sandbox.server import Handler  # what the sandbox serves with

    class CountingHandler(Handler):
        def _handle(self, method):
            match = re.match(r"^/court/([a-z0-9-]+)/", self.path)
            if not match:
                return super()._handle(method)
            court = match.group(1)
            with lock:
                current[court] += 1
                peaks[court] = max(peaks[court], current[court])
            try:
                return super()._handle(method)
            finally:
                with lock:
                    current[court] -= 1

    sandbox._server.RequestHandlerClass = CountingHandler
    return peaks


def empty_redis_database(redis_url: str, db: int) -> str:
    """The URL of database ``db`` of the same redis-server, emptied (tests share one server)."""
    import redis

    url = redis_url.rsplit("/", 1)[0] + f"/{db}"
    redis.Redis.from_url(url).flushdb()
    return url

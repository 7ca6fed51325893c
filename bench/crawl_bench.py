"""A docket crawl against the sandbox: pages a second, logins, what PACER would bill, refresh savings.

    .venv/bin/python bench/crawl_bench.py [--cases 20] [--accounts 2]
    .venv/bin/python bench/crawl_bench.py --relaxed [--cases 200]
    .venv/bin/python bench/crawl_bench.py --huge 10000

One ``scrapy crawl docket -a input=cases.csv -a attachments=1`` over N cases (every account logs
in once, however many pages), then the same cases again with ``since=last`` after three new
entries each: the refresh's bill against the first crawl's is the saving of incremental crawls
(it needs the archive pipelines; without them every refresh fetches the whole docket).

``--relaxed``: politeness off (16 requests at once, no delay) against a sandbox answering after
300 ms, the same dockets crawled with no pipeline, with every pipeline, and with every pipeline and
ARCHIVE_WRITER_PROCESS (the merges in a process of their own): dockets a minute and CPU seconds of
each (and the CPU seconds the crawl's process and its reactor thread used from the engine's start to
the close: steadier than the wall time on a busy machine), the ratios to none (goal >= 0.9) and the longest time the reactor thread was kept from its loop
(goal < 100 ms).

``--huge N``: one docket of N entries crawled into the archive: entries served and stored, the
longest reactor stall (goal < 100 ms; with the CPU time the process got during it, and the longest
stall in which the process ran half of the time or more: on a busy machine, a stall in which it
hardly ran was the other processes') and the crawl's peak RSS against the page's size (goal <= 20x),
whole and above the peak of the same crawl of a small docket (the process's own size: Scrapy,
Twisted, SQLAlchemy, lxml take about 120 MiB before any page).

``--stacks``: what each thread was running whenever the reactor was kept 100 ms from its loop.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacer_spiders.sandbox import Sandbox  # noqa: E402
from pacer_spiders.testing.crawls import run_crawl  # noqa: E402

COURT = "okwd"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--accounts", type=int, default=2, choices=(1, 2))
    parser.add_argument("--relaxed", action="store_true", help="every pipeline against none, politeness off")
    parser.add_argument("--huge", type=int, metavar="N", help="one docket of N entries, every pipeline")
    parser.add_argument("--stacks", action="store_true",
                        help="print what each thread ran when the reactor was kept 100 ms from its loop")
    args = parser.parse_args()
    if args.stacks:
        STALL_SETTINGS["PACER_STALL_STACKS"] = "1"
    if args.huge:
        return huge(args.huge)
    if args.relaxed:
        return relaxed(args.cases if args.cases != 20 else 200)
    workdir = Path(tempfile.mkdtemp(prefix="pacer-crawl-bench-"))
    with Sandbox(seed=0, cases_per_court=args.cases, entries=(10, 30)) as sb:
        cases = [c for c in sb.data.cases(COURT) if not c.sealed][: args.cases]
        (workdir / "cases.csv").write_text("court,pacer_case_id\n" + "".join(f"{COURT},{c.pacer_case_id}\n"
                                                                               for c in cases))
        env = sb.account_env("good")
        if args.accounts == 2:
            env.update({k + "_2": v for k, v in sb.account_env("good2").items()})
        settings = {**sb.settings, "LOG_LEVEL": "INFO", "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
                    "DATABASE_URL": f"sqlite:///{workdir / 'archive.sqlite3'}", "FILES_STORE": str(workdir / "files")}
        logins = sb.auth.logins
        started = time.perf_counter()
        first = run_crawl("docket", workdir / "first", {"input": str(workdir / "cases.csv"), "attachments": "1"},
                          settings=settings, env=env, timeout=1200)
        seconds = time.perf_counter() - started
        first_bill, first_pages = sb.ledger.total(), sb.ledger.pages()
        first_logins = sb.auth.logins - logins
        for case in cases:
            sb.data.add_entries(COURT, case.pacer_case_id, count=3)
        before = len(sb.ledger)
        refresh = run_crawl("docket", workdir / "refresh", {"input": str(workdir / "cases.csv"), "since": "last"},
                            settings=settings, env=env, timeout=1200)
        refresh_charges = sb.ledger.charges[before:]
    pages = sum(v for k, v in first.stats.items() if k.startswith("pacer/pages/"))
    refresh_bill = round(sum(c.cost for c in refresh_charges), 2)
    print(f"first crawl: {len(cases)} dockets with attachment pages, {pages} pages in {seconds:.1f} s "
          f"({pages / seconds:.1f} pages/s, including Scrapy's start-up), {first.reason}")
    print(f"  logins: {first_logins} for {args.accounts} account(s); PACER bill ${first_bill:.2f} "
          f"({first_pages} billed pages)")
    print(f"refresh since=last after 3 new entries a docket: PACER bill ${refresh_bill:.2f} "
          f"({sum(c.pages for c in refresh_charges)} billed pages), "
          f"{refresh_bill / first_bill:.0%} of the first crawl's, {refresh.reason}")
    print(f"reproduce: .venv/bin/python bench/crawl_bench.py --cases {args.cases} --accounts {args.accounts}")
    return 0


STALL_EXTENSIONS = {"scrapy.extensions.telnet.TelnetConsole": None, "scrapy.extensions.remote_control.RemoteControl": None,
                    "pacer_spiders.summary.CrawlSummary": 100, "pacer_spiders.testing.stall.ReactorStallMeter": 0}
STALL_SETTINGS = {"EXTENSIONS": json.dumps(STALL_EXTENSIONS)}


def print_stalls(result) -> None:
    """The stacks ReactorStallMeter logged (``--stacks``)."""
    lines = result.log.splitlines()
    for number, line in enumerate(lines):
        if "reactor kept from its loop" in line:
            print(line.split("] ", 1)[-1])
            for more in lines[number + 1:]:
                if not more.startswith("  "):
                    break
                print(more)


def huge(size: int) -> int:
    import resource

    import sqlalchemy as sa

    workdir = Path(tempfile.mkdtemp(prefix="pacer-crawl-bench-huge-"))
    case_id = "100003"
    with Sandbox(seed=0, cases_per_court=8, entries=(4, 8), case_sizes={(COURT, case_id): size}) as sb:
        database_url = f"sqlite:///{workdir / 'archive.sqlite3'}"
        settings = {**sb.settings, "LOG_LEVEL": "INFO", **STALL_SETTINGS,
                    "DATABASE_URL": database_url, "FILES_STORE": str(workdir / "files")}
        # The same crawl of a small docket first: what a crawl process takes whatever the page.
        small = next(c.pacer_case_id for c in sb.data.cases(COURT) if not c.sealed and c.pacer_case_id != case_id)
        run_crawl("docket", workdir / "small", {"court": COURT, "pacer_case_id": small},
                  settings={**settings, "DATABASE_URL": f"sqlite:///{workdir / 'small.sqlite3'}"},
                  env=sb.account_env("good"), timeout=600)
        base_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result = run_crawl("docket", workdir / "crawl", {"court": COURT, "pacer_case_id": case_id},
                           settings=settings, env=sb.account_env("good"), timeout=1800)
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print_stalls(result)
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM docket_entries")).scalar()
    page = max((p.stat().st_size for p in (workdir / "files" / "raw").rglob("*.html")), default=0)
    growth = (peak_kib - base_kib) * 1024
    print(f"{size}-entry docket ({page / 1e6:.1f} MB page): {stored} entries stored; "
          f"{result.stats.get('elapsed_time_seconds', 0):.1f} s; longest reactor stall "
          f"{result.stats.get('reactor/longest_stall_ms')} ms ({result.stats.get('reactor/stalls_over_100ms', 0)} "
          f"over 100 ms; the process ran {result.stats.get('reactor/longest_stall_cpu_ms')} CPU-ms of it; longest "
          f"stall with the process busy {result.stats.get('reactor/longest_busy_stall_ms')} ms); peak RSS {peak_kib / 1024:.0f} MiB = {peak_kib * 1024 / max(page, 1):.0f}x the page, "
          f"{growth / 2**20:.0f} MiB = {growth / max(page, 1):.1f}x the page above the same crawl of a small docket "
          f"({base_kib / 1024:.0f} MiB); {result.reason}")
    print(f"reproduce: .venv/bin/python bench/crawl_bench.py --huge {size}")
    return 0


def relaxed(count: int) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="pacer-crawl-bench-relaxed-"))
    with Sandbox(seed=0, cases_per_court=count, entries=(10, 30), faults="latency=300") as sb:
        cases = [c for c in sb.data.cases(COURT) if not c.sealed][:count]
        (workdir / "cases.csv").write_text("court,pacer_case_id\n" + "".join(f"{COURT},{c.pacer_case_id}\n"
                                                                               for c in cases))
        env = sb.account_env("good")
        rates = {}
        for label, pipelines, process in (("none", {}, False), ("every pipeline", None, False),
                                          ("merge process", None, True)):
            settings = {**sb.settings, "LOG_LEVEL": "INFO", "CONCURRENT_REQUESTS": "16",
                        "CONCURRENT_REQUESTS_PER_DOMAIN": "16", "DOWNLOAD_DELAY": "0",
                        **STALL_SETTINGS,
                        "DATABASE_URL": f"sqlite:///{workdir / label.replace(' ', '-')}.sqlite3",
                        "FILES_STORE": str(workdir / label.replace(" ", "-") / "files")}
            if pipelines is not None:
                settings["ITEM_PIPELINES"] = json.dumps(pipelines)
            # Either way on purpose: the default ("auto") would choose the process for 200 cases.
            settings["ARCHIVE_WRITER_PROCESS"] = str(process)
            import resource

            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            result = run_crawl("docket", workdir / label.replace(" ", "-"), {"input": str(workdir / "cases.csv")},
                               settings=settings, env=env, timeout=1800)
            now = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime
            print_stalls(result)
            seconds = float(result.stats.get("elapsed_time_seconds") or 0) or float("nan")
            dockets = result.stats.get("pacer/pages/docket", 0)
            rates[label] = dockets / seconds * 60
            print(f"{label:>15}: {dockets} dockets in {seconds:.1f} s = {rates[label]:.0f} dockets/min; "
                  f"{cpu:.1f} CPU-s (start-up included), in the crawl {result.stats.get('reactor/process_cpu_s')} "
                  f"CPU-s of the crawl's process, {result.stats.get('reactor/thread_cpu_s')} of its reactor thread; "
                  f"longest reactor stall {result.stats.get('reactor/longest_stall_ms')} ms, "
                  f"{result.stats.get('reactor/stalls_over_100ms', 0)} over 100 ms; "
                  f"archive entries added {result.stats.get('archive/entries_added', 0)}; {result.reason}")
    print(f"every pipeline / none: {rates['every pipeline'] / rates['none']:.2f}, with ARCHIVE_WRITER_PROCESS "
          f"{rates['merge process'] / rates['none']:.2f} (goal >= 0.9; the default, ARCHIVE_WRITER_PROCESS=auto, "
          f"merges a crawl of {count} cases {'in the process' if count >= 50 else 'in the writer thread'})")
    print(f"reproduce: .venv/bin/python bench/crawl_bench.py --relaxed --cases {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

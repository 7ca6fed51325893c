"""A docket crawl against the sandbox: pages a second, logins, what PACER would bill, refresh savings.

    .venv/bin/python bench/crawl_bench.py [--cases 20] [--accounts 2]

One ``scrapy crawl docket -a input=cases.csv -a attachments=1`` over N cases (every account logs
in once, however many pages), then the same cases again with ``since=last`` after three new
entries each: the refresh's bill against the first crawl's is the saving of incremental crawls
(it needs the archive pipelines; without them every refresh fetches the whole docket).
"""

from __future__ import annotations

import argparse
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
    args = parser.parse_args()
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


if __name__ == "__main__":
    sys.exit(main())

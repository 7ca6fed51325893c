"""What a refresh costs against the least it could: free sources first (issue 14).

    .venv/bin/python bench/refresh_bench.py [--dockets 50] [--changed 5] [--court cand]

N dockets are crawled whole into an archive; k of them get new entries in the sandbox.  Then, on
copies of that archive: ``scrapy crawl refresh -a all=1`` (the measured run), and ``scrapy crawl
docket -a since=last`` over every docket (what the refresh used to do).  The minimum is k docket
reports each filtered to exactly its new entries (by document number, no parties), bought from the
sandbox directly.  Prints the ledger's cost of each, their ratio (goal: <= 1.05) and what the
unchanged dockets cost (goal: $0.00).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import requests  # noqa: E402

from pacer_spiders.sandbox import Sandbox  # noqa: E402
from pacer_spiders.testing.crawls import run_crawl  # noqa: E402


def least_cost(sb: Sandbox, court: str, added: dict) -> float:
    """The sandbox's bill for k reports filtered to exactly the new entries (logged in as the crawls are)."""
    session = requests.Session()
    account = sb.accounts["good"]
    answer = session.post(sb.settings["PACER_LOGIN_URL"], json={"loginId": account.login,
                                                                "password": account.password}).json()
    session.cookies.set("NextGenCSO", answer["nextGenCSO"])
    before = len(sb.ledger)
    for case_id, entries in added.items():
        numbers = [e.document_number for e in entries]
        session.post(f"{sb.court_url(court)}/cgi-bin/DktRpt.pl",
                     files={"all_case_ids": (None, case_id), "documents_numbered_from_": (None, str(min(numbers))),
                            "documents_numbered_to_": (None, str(max(numbers))), "output_format": (None, "html")})
    return round(sum(c.cost for c in sb.ledger.charges[before:]), 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dockets", type=int, default=50)
    parser.add_argument("--changed", type=int, default=5)
    parser.add_argument("--court", default="cand")
    parser.add_argument("--new-entries", type=int, default=2)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="pacer-refresh-bench-"))
    court = args.court
    with Sandbox(seed=0, cases_per_court=args.dockets + 8, entries=(10, 40)) as sb:
        cases = [c for c in sb.cases(court) if not c.sealed][: args.dockets]
        (workdir / "cases.csv").write_text("court,pacer_case_id\n" + "".join(f"{court},{c.pacer_case_id}\n"
                                                                               for c in cases))
        env = sb.account_env("good")
        settings = {**sb.settings, "LOG_LEVEL": "INFO", "CONCURRENT_REQUESTS_PER_DOMAIN": "8"}
        first = run_crawl("docket", workdir / "first", {"input": str(workdir / "cases.csv")},
                          settings=settings, env=env, timeout=1800)
        assert first.reason == "finished", first.log[-2000:]
        # every case spread over the list, so that the changed ones are not all the newest
        step = max(1, len(cases) // max(1, args.changed))
        moved = cases[::step][: args.changed]
        added = {c.pacer_case_id: sb.add_entries(court, c.pacer_case_id, args.new_entries) for c in moved}
        for name in ("refresh", "every"):
            (workdir / name).mkdir()
            shutil.copy(workdir / "first" / "archive.sqlite3", workdir / name / "archive.sqlite3")

        before = len(sb.ledger)
        started = time.perf_counter()
        refresh = run_crawl("refresh", workdir / "refresh", {"court": court, "all": "1"}, settings=settings, env=env,
                            timeout=1800)
        seconds = time.perf_counter() - started
        refresh_charges = sb.ledger.charges[before:]
        before = len(sb.ledger)
        run_crawl("docket", workdir / "every", {"input": str(workdir / "cases.csv"), "since": "last"},
                          settings=settings, env=env, timeout=1800)
        every_cost = round(sum(c.cost for c in sb.ledger.charges[before:]), 2)
        minimum = least_cost(sb, court, added)
    refresh_cost = round(sum(c.cost for c in refresh_charges), 2)
    moved_ids = set(added)
    unchanged_cost = round(sum(c.cost for c in refresh_charges if c.pacer_case_id not in moved_ids), 2)
    ratio = refresh_cost / minimum if minimum else float("inf")
    print(f"{args.dockets} held {court} dockets, {len(moved_ids)} given {args.new_entries} new entries each")
    print(f"refresh (scrapy crawl refresh -a all=1): ${refresh_cost:.2f} on the ledger, {len(refresh_charges)} "
          f"charges, {seconds:.1f} s, {refresh.reason}; stats checked/changed/bought "
          f"{refresh.stat('pacer/refresh/checked')}/{refresh.stat('pacer/refresh/changed')}/"
          f"{refresh.stat('pacer/refresh/bought')}")
    print(f"minimum (each changed docket filtered to its new entries): ${minimum:.2f}")
    print(f"ratio refresh/minimum: {ratio:.3f} (goal <= 1.05)")
    print(f"unchanged dockets cost: ${unchanged_cost:.2f} (goal $0.00)")
    print(f"buying every docket (docket -a since=last): ${every_cost:.2f}; saved ${every_cost - refresh_cost:.2f}")
    return 0 if ratio <= 1.05 and unchanged_cost == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

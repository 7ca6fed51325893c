"""How fast the PACER sandbox answers: requests a second, per page type, over loopback HTTP.

    .venv/bin/python bench/sandbox_bench.py [--seconds 3] [--clients 4]

Each client thread keeps one HTTP/1.1 connection (as Scrapy does) and repeats one request type;
the figures are requests per second summed over the clients, and the ratio to the simplest
request (the free case-query page) shows what each page type costs the sandbox.
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pacer_spiders.sandbox import Sandbox  # noqa: E402


def login(sb: Sandbox) -> str:
    conn = http.client.HTTPConnection(sb.host, sb.port)
    conn.request("POST", "/services/cso-auth", json.dumps({"loginId": "sandbox-user", "password": "sandbox-pass",
                                                          "redactFlag": "1"}), {"Content-Type": "application/json"})
    return json.loads(conn.getresponse().read())["nextGenCSO"]


def run(sb: Sandbox, token: str, method: str, path: str, body: str | None, seconds: float, clients: int) -> float:
    counts = [0] * clients
    stop = time.monotonic() + seconds
    headers = {"Cookie": f"NextGenCSO={token}", "Content-Type": "application/x-www-form-urlencoded"}

    def work(index: int):
        conn = http.client.HTTPConnection(sb.host, sb.port)
        while time.monotonic() < stop:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise SystemExit(f"{path}: HTTP {response.status}")
            counts[index] += 1
        conn.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    with Sandbox(seed=0, case_sizes={("cand", 100005): 1000}) as sb:
        token = login(sb)
        case = sb.case("cand", 100001)
        doc = next(e for e in case.entries if e.pacer_doc_id and not (e.sealed or e.restricted or e.unavailable))
        cases = [
            ("case query (iquery.pl)", "GET", "/court/cand/cgi-bin/iquery.pl?100001", None),
            ("possible_case_numbers.pl", "GET", f"/court/cand/cgi-bin/possible_case_numbers.pl?{case.docket_number}", None),
            (f"docket report, {len(case.entries)} entries", "POST", "/court/cand/cgi-bin/DktRpt.pl?1-L_1_0-1",
             "all_case_ids=100001&list_of_parties_and_counsel=on"),
            ("docket report, 1,000 entries", "POST", "/court/cand/cgi-bin/DktRpt.pl?1-L_1_0-1",
             "all_case_ids=100005&list_of_parties_and_counsel=on"),
            ("doc1 purchase (iframe page)", "POST", f"/court/cand/doc1/{doc.pacer_doc_id}", "got_receipt=1"),
        ]
        print(f"PACER sandbox on {sb.url}: {args.clients} keep-alive clients, {args.seconds:g} s a row")
        reference = None
        for label, method, path, body in cases:
            rate = run(sb, token, method, path, body, args.seconds, args.clients)
            reference = reference or rate
            print(f"  {label:32} {rate:8.0f} requests/s   ratio to case query {rate / reference:5.2f}")
        print(f"ledger: {len(sb.ledger)} charges, ${sb.ledger.total():,.2f}")
    print(f"reproduce: .venv/bin/python bench/sandbox_bench.py --seconds {args.seconds:g} --clients {args.clients}")


if __name__ == "__main__":
    main()

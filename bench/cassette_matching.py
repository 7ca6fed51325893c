"""How long a cassette takes to find the recorded answer of a request, as cassettes grow.

    .venv/bin/python bench/cassette_matching.py [--sizes 100,500,2000]

A cassette of N docket-report POSTs (multipart, one case each) is replayed in a shuffled order
with fresh boundaries, through betamax's ``Cassette.find_match`` and the project's matchers
(method, pacer-uri, pacer-body).  The reference is betamax's own matchers (method, uri, body) on
the same cassette asked with the recorded bodies byte for byte (they cannot ignore a boundary).
betamax scans every interaction for every request, so a lookup grows with N; the ratio shows what
parsing body fields costs over comparing bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scrapy  # noqa: E402

from pacer_spiders.cassettes import open_cassette, prepared_request  # noqa: E402

URL = "https://ecf.okwd.uscourts.gov/cgi-bin/DktRpt.pl?1-L_1_0-1"


def multipart(boundary: str, case_id: int) -> bytes:
    fields = {"all_case_ids": case_id, "date_range_type": "Filed", "date_from": "", "date_to": "",
              "list_of_parties_and_counsel": "on", "output_format": "html", "sort1": "oldest date first"}
    return b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ) + f"--{boundary}--\r\n".encode()


def write_cassette(path: Path, size: int) -> None:
    interactions = []
    for case_id in range(100000, 100000 + size):
        interactions.append({
            "request": {"method": "POST", "uri": URL, "headers": {"Content-Type": ["multipart/form-data; boundary=rec"]},
                        "body": {"encoding": "utf-8", "string": multipart("rec", case_id).decode()}},
            "response": {"status": {"code": 200, "message": "OK"}, "url": URL, "headers": {},
                         "body": {"encoding": "utf-8", "string": f"<h3>{case_id}</h3>"}},
            "recorded_at": "2026-01-01T00:00:00",
        })
    path.write_text(json.dumps({"http_interactions": interactions, "recorded_with": "betamax/0.9.0"}))


def lookups(path: Path, size: int, matchers: list[str], boundary: str) -> float:
    cassette = open_cassette(path, "none")
    cassette.match_options = set(matchers)
    order = list(range(100000, 100000 + size))
    random.Random(0).shuffle(order)
    requests = [prepared_request(scrapy.Request(URL, method="POST", body=multipart(boundary, case_id),
                                                headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}))
                for case_id in order]
    start = time.perf_counter()
    for request in requests:
        if cassette.find_match(request) is None:
            raise SystemExit(f"no match with {matchers}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,500,2000")
    args = parser.parse_args()
    print(f"{'interactions':>12} {'pacer ms/lookup':>16} {'betamax bytes ms/lookup':>24} {'ratio':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            path = Path(tmp) / f"c{size}.json"
            write_cassette(path, size)
            ours = lookups(path, size, ["method", "pacer-uri", "pacer-body"], "fresh-boundary")
            reference = lookups(path, size, ["method", "uri", "body"], "rec")
            print(f"{size:>12} {ours / size * 1000:>16.3f} {reference / size * 1000:>24.3f} {ours / reference:>6.2f}")
    print("reproduce: .venv/bin/python bench/cassette_matching.py --sizes " + args.sizes)


if __name__ == "__main__":
    main()

"""Docket parsing speed and memory: our parser against the reference parser (juriscraper), same files, same run.

Not a test.  Prints documents/s and MB/s over the corpus dockets (district + bankruptcy) for both
parsers, the speed ratio (goal: ours >= 3x juriscraper), and our peak memory (tracemalloc) while
parsing the largest docket, against that docket's size (goal: < 10x).

    pip install -e '.[bench]'        # juriscraper, for the comparison only
    python bench/parse_bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import tracemalloc
from pathlib import Path

from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import parser_for
from pacer_spiders.parsers.common import decode
from pacer_spiders.testing.corpus import corpus_cases, corpus_root, court_of

FOLDERS = ("dockets/district", "dockets/bankruptcy")


def load_pages() -> list[tuple[str, bytes]]:
    pages = []
    for folder in FOLDERS:
        for page, _expected in corpus_cases(folder):
            pages.append((court_of(page), page.read_bytes()))
    return pages


def run_ours(pages) -> None:
    for court, body in pages:
        try:
            parser_for("docket", court)(body, {"court_id": court})
        except NotTheReport:
            pass


def run_juriscraper(pages) -> None:
    from juriscraper.pacer import DocketReport

    for court, body in pages:
        report = DocketReport(court)
        report._parse_text(decode(body))
        report.data


def timed(function, pages, rounds: int) -> float:
    """Best CPU seconds of this process over ``rounds`` runs (CPU, not wall time, so that other
    work on a shared machine does not tilt the comparison)."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        function(pages)
        best = min(best, time.process_time() - start)
    return best


def peak_memory(function, page) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    function([page])
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per parser; the best counts")
    args = parser.parse_args(argv)
    if corpus_root() is None:
        print("PACER corpus not found: set PACER_CORPUS or put it in ../shared/pacer-corpus", file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)  # juriscraper logs per page
    pages = load_pages()
    megabytes = sum(len(body) for _, body in pages) / 1e6
    run_ours(pages[:5])  # imports and caches warm for both
    try:
        run_juriscraper(pages[:5])
        have_reference = True
    except ImportError:
        have_reference = False
        print("juriscraper is not installed (pip install -e '.[bench]'); timing ours only")

    ours = timed(run_ours, pages, args.rounds)
    print(f"corpus: {len(pages)} dockets, {megabytes:.1f} MB ({', '.join(FOLDERS)}), best CPU time of {args.rounds} rounds")
    print(f"pacer_spiders : {len(pages) / ours:8.1f} docs/s  {megabytes / ours:6.2f} MB/s  ({ours:.2f} CPU s)")
    if have_reference:
        reference = timed(run_juriscraper, pages, args.rounds)
        print(f"juriscraper   : {len(pages) / reference:8.1f} docs/s  {megabytes / reference:6.2f} MB/s  ({reference:.2f} CPU s)")
        print(f"speed ratio   : {reference / ours:.2f}x juriscraper (goal >= 3x)")

    largest = max(pages, key=lambda p: len(p[1]))
    peak = peak_memory(run_ours, largest)
    size = len(largest[1])
    # tracemalloc sees Python's allocations, not libxml2's own (the tree itself).
    print(f"peak memory   : {peak / 1e6:.1f} MB (tracemalloc) parsing the largest docket ({size / 1e6:.2f} MB) = "
          f"{peak / size:.1f}x its size (goal < 10x)")
    if have_reference:
        reference_peak = peak_memory(run_juriscraper, largest)
        print(f"               juriscraper on the same docket: {reference_peak / 1e6:.1f} MB = {reference_peak / size:.1f}x")
    print(f"reproduce     : {Path(sys.executable).name} bench/parse_bench.py --rounds {args.rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

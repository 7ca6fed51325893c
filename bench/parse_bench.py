"""Parsing speed per report type: our report units against the reference parser (juriscraper), same files, same run.

Not a test.  For every report unit that names corpus folders, prints pages/s and MB/s of ours and of
the reference parser over those folders' pages, and the speed ratio per type (goal: ours >= 10x the
reference for dockets).  Each side's clock covers its whole work on a page: from the page's bytes
(decoding included) to its complete data (ours: the unit's parser, found through ``parser_for`` as
the spiders find it; the reference: the report object built, the text parsed, every field of
``data`` computed).  The sides take turns page by page (ours, the reference, for dockets lxml alone
building the same page's tree), so that both meet the machine in the same state: on a shared VM the
same work's CPU time swings by half within seconds, and sides timed one after the other compare the
machine's moments, not the parsers.  Each round sums each side's times over the pages; the ratio is the
median of the rounds' ratios, the speeds those of each side's best round.  Then our peak memory
(tracemalloc) while parsing the largest docket, against that docket's size (goal: < 10x).  For dockets
ours against lxml alone (goal: ours >= 25% of its MB/s), by the same rounds.  ``--process`` adds whole
processes, alternated and compared by their medians: ``pacer-spiders parse DIR -nw 1`` on the corpus
dockets against a process of the reference parsing the same files into JSON (goal >= 6x), and the
start-up of ``pacer-spiders parse`` on one docket (goal <= 0.3 CPU-s).  Both sides run from
byte-compiled modules, as an installed package does (the package is byte-compiled first).

    pip install -e '.[bench]'        # juriscraper, for the comparison only
    python bench/parse_bench.py [--rounds N] [--type NAME ...] [--process]
"""

from __future__ import annotations

import argparse
import compileall
import logging
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from lxml import etree

from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import parser_for
from pacer_spiders.parsers.common import decode
from pacer_spiders.reports import units
from pacer_spiders.testing.corpus import corpus_cases, corpus_root, court_of


def _reference_report(class_name: str):
    """The reference's whole work on one page: its report object, the text parsed, ``data``."""
    def run(court: str, body: bytes, context: dict):
        import juriscraper.pacer as reference

        report = getattr(reference, class_name)(court)
        report._parse_text(decode(body))
        return report.data
    return run


def _reference_any(class_name: str):
    """The reference's work for the reports whose classes take a court (and, for some, a session)
    and expose ``data`` as a property or a method."""
    def run(court: str, body: bytes, context: dict):
        import juriscraper.pacer as reference

        cls = getattr(reference, class_name)
        try:
            report = cls(court)
        except TypeError:
            report = cls(court, None)
        report._parse_text(decode(body))
        data = report.data
        return data() if callable(data) else data
    return run


def _reference_possible_case_numbers(court: str, body: bytes, context: dict):
    from juriscraper.pacer import PossibleCaseNumberApi

    report = PossibleCaseNumberApi(court)
    report._parse_text(decode(body).encode("utf-8"))
    return report.data(case_name=context.get("case_name"))


# Report unit name -> the reference's work on a page of that type.
REFERENCE = {
    "docket": _reference_report("DocketReport"),
    "history": _reference_report("DocketHistoryReport"),
    "attachment_page": _reference_report("AttachmentPage"),
    "receipt": _reference_report("DownloadConfirmationPage"),
    "case_query": _reference_report("CaseQuery"),
    "rss": _reference_report("PacerRssFeed"),
    "possible_case_numbers": _reference_possible_case_numbers,
    "appellate_docket": _reference_any("AppellateDocketReport"),
    "appellate_attachment_page": _reference_any("AppellateAttachmentPage"),
    "acms_docket": _reference_any("ACMSDocketReport"),
    "acms_attachment_page": _reference_any("ACMSAttachmentPage"),
    "claims_register": _reference_any("ClaimsRegister"),
    "claims_activity": _reference_any("ClaimsActivity"),
    "list_of_creditors": _reference_any("ListOfCreditors"),
    "advanced_case_query": _reference_any("CaseQueryAdvancedBankruptcy"),
    "mobile_query": _reference_any("MobileQuery"),
    "free_opinions": _reference_any("FreeOpinionReport"),
    "nef": _reference_any("NotificationEmail"),
    "nda": _reference_any("NotificationEmail"),
    "ia_docket_xml": _reference_any("InternetArchive"),
}


def load_pages(unit) -> list[tuple[str, bytes, dict]]:
    """(court, bytes, context) of every corpus page of the unit's folders, as the corpus test reads them."""
    pages = []
    for folder in unit.corpus_folders:
        for page, _expected in corpus_cases(folder):
            context = unit.corpus_context(page) if unit.corpus_context else {"court_id": court_of(page)}
            context.setdefault("court_id", court_of(page))
            pages.append((court_of(page), page.read_bytes(), context))
    return pages


def ours_on(report: str):
    """Our whole work on one page; True when our parser refused it (NotTheReport)."""
    def run(court: str, body: bytes, context: dict) -> bool:
        try:
            parser_for(report, court)(body, dict(context))
        except NotTheReport:
            return True
        return False
    return run


def reference_on(report: str):
    """The reference's whole work on one page; True when it raised (pages it cannot read)."""
    work = REFERENCE[report]

    def run(court: str, body: bytes, context: dict) -> bool:
        try:
            work(court, body, context)
        except Exception:  # the reference raises on pages it cannot read (not-a-docket pages...)
            return True
        return False
    return run


def lxml_alone(court: str, body: bytes, context: dict) -> bool:
    """lxml alone building the page's tree (libxml2's HTML parser on the bytes)."""
    if body.strip():
        etree.fromstring(body, parser=_LXML_PARSER)
    return False


_LXML_PARSER = etree.HTMLParser(recover=True, huge_tree=True)


def run_ours(report: str, pages) -> int:
    """Our parser over ``pages``; the number it refused."""
    run = ours_on(report)
    return sum(run(court, body, context) for court, body, context in pages)


def rounds_taking_turns(sides: list, pages, rounds: int) -> tuple[list[list[float]], list[int]]:
    """CPU seconds of each side in each round, the sides taking turns on every ``TURN`` pages, and
    the pages each side gave up on (refused or raised).  CPU time of this process, not wall time, so
    that other processes' work is not counted; short turns, so that the machine's slow moments (which
    last seconds) fall on every side alike, each side still parsing pages one after another as a
    batch does (turns of one page would hand each side caches the other just filled)."""
    clock = time.process_time
    times = [[0.0] * len(sides) for _ in range(rounds)]
    misses = [0] * len(sides)
    for side in sides:  # imports and caches warm for every side
        for court, body, context in pages[:3]:
            side(court, body, context)
    for round_times in times:
        misses = [0] * len(sides)
        for first in range(0, len(pages), TURN):
            turn = pages[first:first + TURN]
            for index, side in enumerate(sides):
                start = clock()
                for court, body, context in turn:
                    misses[index] += side(court, body, context)
                round_times[index] += clock() - start
    return times, misses


TURN = 16  # pages a side parses in one turn: about 50 ms of ours, half a second of the reference's


def ratio(times: list[list[float]], slower: int, faster: int) -> float:
    """Median over the rounds of one side's time over another's (both measured in the same turns)."""
    return statistics.median(round_times[slower] / round_times[faster] for round_times in times)


def peak_memory(function, report: str, page) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    function(report, [page])
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def run_reference(report: str, pages) -> int:
    """The reference's parser over ``pages``; the number it raised on."""
    run = reference_on(report)
    return sum(run(court, body, context) for court, body, context in pages)


# The reference's whole process on a folder: the same work as ``pacer-spiders parse`` (each page
# read, parsed, its data written as JSON), by the reference's docket report.
REFERENCE_PROCESS = """
import json, logging, sys
from pathlib import Path
logging.disable(logging.WARNING)
from juriscraper.pacer import DocketReport
out = Path(sys.argv[2])
for page in sorted(Path(sys.argv[1]).iterdir()):
    court = page.name.split("_")[0]
    report = DocketReport(court)
    try:
        text = page.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        text = page.read_bytes().decode("cp1252", errors="replace")
    try:
        report._parse_text(text)
        data = report.data
    except Exception:
        data = {}
    (out / (page.stem + ".json")).write_text(json.dumps(data, indent=2, default=str))
"""


def child_cpu(command: list[str]) -> float:
    """User + system CPU seconds of one child process run to its end."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def whole_processes(unit, rounds: int, reference: bool) -> None:
    """Whole processes, alternated, medians of ``rounds``: ours and the reference's on the corpus
    dockets, and our start-up on one docket."""
    import pacer_spiders

    package = Path(pacer_spiders.__file__).parent
    for folder in (package, package.parent / "plugins"):
        if folder.is_dir():
            compileall.compile_dir(str(folder), quiet=1)  # as an installed package has them
    script = [str(Path(sys.executable).with_name("pacer-spiders"))]
    if not Path(script[0]).exists():
        script = [sys.executable, "-m", "pacer_spiders.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        folder, out, one = Path(tmp, "pages"), Path(tmp, "out"), Path(tmp, "one")
        for path in (folder, out, one):
            path.mkdir()
        count = 0
        for sub in unit.corpus_folders:
            for page, _expected in corpus_cases(sub):
                if page.suffix.lower() in (".html", ".htm"):
                    shutil.copy(page, folder / f"{court_of(page)}_{count:04d}{page.suffix}")
                    count += 1
        largest_first = sorted(folder.iterdir(), key=lambda p: -p.stat().st_size)
        shutil.copy(largest_first[len(largest_first) // 2], one)  # a docket of median size
        ours_command = script + ["parse", str(folder), "-o", str(out), "-f", "-nw", "1"]
        start_command = script + ["parse", str(one), "-o", str(out), "-f", "-nw", "1"]
        theirs_command = [sys.executable, "-c", REFERENCE_PROCESS, str(folder), str(out)]
        ours, theirs, starts = [], [], []
        for _ in range(rounds):
            ours.append(child_cpu(ours_command))
            if reference:
                theirs.append(child_cpu(theirs_command))
            starts.append(child_cpu(start_command))
        line = f"whole process, {count} dockets: pacer-spiders parse -nw 1 {statistics.median(ours):.2f} CPU s"
        if reference:
            line += (f", reference process {statistics.median(theirs):.2f} CPU s: "
                     f"{statistics.median(theirs) / statistics.median(ours):.2f}x (goal >= 6x)")
        print(line + f"  [medians of {rounds} alternated runs]")
        print(f"start-up: pacer-spiders parse on one docket ({next(one.iterdir()).stat().st_size / 1e3:.0f} kB) "
              f"{statistics.median(starts):.3f} CPU s (runs {', '.join(f'{t:.2f}' for t in starts)}; goal <= 0.3)")


def have_reference() -> bool:
    try:
        import juriscraper.pacer  # noqa: F401
    except ImportError:
        return False
    return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds per type, the sides taking turns on each page (default 3)")
    parser.add_argument("--type", action="append", dest="types", metavar="NAME",
                        help="only this report type (repeatable); default: every unit with corpus folders")
    parser.add_argument("--process", action="store_true",
                        help="also whole processes: pacer-spiders parse against the reference's process, and start-up")
    args = parser.parse_args(argv)
    if corpus_root() is None:
        print("PACER corpus not found: set PACER_CORPUS or put it in ../shared/pacer-corpus", file=sys.stderr)
        return 2
    logging.disable(logging.WARNING)  # the reference logs per page
    reference = have_reference()
    if not reference:
        print("juriscraper is not installed (pip install -e '.[bench]'); timing ours only")
    chosen = [u for u in units() if u.corpus_folders and (not args.types or u.name in args.types)]
    print(f"{args.rounds} rounds, the sides taking turns page by page; ratio = reference time / our time "
          "(median of the rounds' ratios); pages/s and MB/s: each side's best round")
    print(f"{'type':<22}{'pages':>6}{'MB':>7}  {'ours pages/s':>12}{'MB/s':>7}  {'ref pages/s':>11}{'MB/s':>7}  {'ratio':>6}  notes")
    totals = [0.0, 0.0]
    lxml_line = None
    for unit in chosen:
        pages = load_pages(unit)
        if not pages:
            print(f"{unit.name:<22} no corpus pages in {', '.join(unit.corpus_folders)}")
            continue
        megabytes = sum(len(body) for _, body, _ in pages) / 1e6
        sides = [ours_on(unit.name)]
        compared = reference and unit.name in REFERENCE
        if compared:
            sides.append(reference_on(unit.name))
        if unit.name == "docket":
            sides.append(lxml_alone)
        times, misses = rounds_taking_turns(sides, pages, args.rounds)
        ours = min(round_times[0] for round_times in times)
        line = f"{unit.name:<22}{len(pages):>6}{megabytes:>7.2f}  {len(pages) / ours:>12.1f}{megabytes / ours:>7.2f}  "
        notes = [f"ours refused {misses[0]}"] if misses[0] else []
        if compared:
            theirs = min(round_times[1] for round_times in times)
            totals[0] += ours
            totals[1] += theirs
            line += f"{len(pages) / theirs:>11.1f}{megabytes / theirs:>7.2f}  {ratio(times, 1, 0):>5.2f}x"
            notes.append("rounds " + " ".join(f"{t[1] / t[0]:.2f}" for t in times))
            if misses[1]:
                notes.append(f"reference raised on {misses[1]}")
        else:
            line += f"{'-':>11}{'-':>7}  {'-':>6}"
            if reference:
                notes.append("no reference parser mapped")
        print(line + ("  " + "; ".join(notes) if notes else ""))
        if unit.name == "docket":
            lxml_seconds = min(round_times[-1] for round_times in times)
            shares = [round_times[-1] / round_times[0] for round_times in times]
            lxml_line = (f"dockets: lxml alone {megabytes / lxml_seconds:.2f} MB/s, ours {megabytes / ours:.2f} MB/s = "
                         f"{100 * statistics.median(shares):.0f}% of lxml alone (goal >= 25%; median of the rounds: "
                         f"{' '.join(f'{100 * share:.0f}%' for share in shares)})")
    if reference and totals[0]:
        print(f"{'all types':<22}{'':>13}  ours {totals[0]:.2f} CPU s, reference {totals[1]:.2f} CPU s: "
              f"{totals[1] / totals[0]:.2f}x")

    docket = next((u for u in chosen if u.name == "docket"), None)
    if docket is not None:
        if lxml_line:
            print(lxml_line)
        if args.process:
            whole_processes(docket, args.rounds, reference)
        largest = max(load_pages(docket), key=lambda p: len(p[1]))
        size = len(largest[1])
        peak = peak_memory(run_ours, "docket", largest)
        # tracemalloc sees Python's allocations, not libxml2's own (the tree itself).
        print(f"peak memory: {peak / 1e6:.1f} MB (tracemalloc) parsing the largest docket ({size / 1e6:.2f} MB) = "
              f"{peak / size:.1f}x its size (goal < 10x)")
        if reference:
            reference_peak = peak_memory(run_reference, "docket", largest)
            print(f"             reference on the same docket: {reference_peak / 1e6:.1f} MB = {reference_peak / size:.1f}x")
    print(f"reproduce: {Path(sys.executable).name} bench/parse_bench.py --rounds {args.rounds}"
          + (" --process" if args.process else "") + "".join(f" --type {t}" for t in args.types or ()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``pacer-spiders parse``: parse saved PACER pages in a folder into JSON files, offline.

Every .html/.htm/.xml/.txt page of INPUT_DIR becomes ``<stem>.json`` in OUTPUT_DIR (default
``INPUT_DIR/../json``): the reference field set (``--format json``) or the SCALES schema
(``--format scales``).  A page that is not the report asked for is written as ``{}`` and its reason
logged.  Existing outputs are kept unless ``-f``; ``--force-ucids CSV`` redoes only the cases whose
ucid (``<court>;;<docket number>``) the CSV's ``ucid`` column lists.  The court is ``-c`` or the file
name before its first ``_``; the report is ``-r`` or detected from the page.  ``-nw N`` worker
processes share the files (they receive file paths and send back plain dicts); they are forked
from this process once its parsers are imported, so no worker pays the imports again.  The
default is one worker for up to WORKER_THRESHOLD files (a second process gains nothing on a
short batch) and the number of cores above.  ``-d`` parses in this process and logs full
tracebacks.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
import traceback
from collections import Counter
from pathlib import Path

from pacer_spiders.cli import positive_int, read_text_file
from pacer_spiders.courts import get_court
from pacer_spiders.pages import NotTheReport
from pacer_spiders.reports import REPORTS, builtin_unit, detect_report, undetected_reason
from pacer_spiders.testing.corpus import PAGE_SUFFIXES, court_of

logger = logging.getLogger("pacer_spiders.parse")
FORMATS = ("json", "scales")
# Up to this many files one process is as fast as two: a forked worker costs about 0.05 CPU-s,
# twenty docket pages about 0.3.
WORKER_THRESHOLD = 20


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "parse", help="parse saved PACER pages into JSON (reference fields or SCALES)", description=__doc__
    )
    parser.add_argument("input_dir", metavar="INPUT_DIR", type=Path, help="folder of saved pages")
    parser.add_argument("-o", "--output-dir", type=Path, help="where the JSON goes (default INPUT_DIR/../json)")
    parser.add_argument("-c", "--court", help="court id of every page (default: file name before its first _)")
    parser.add_argument("-r", "--report", choices=REPORTS, help="report type of every page (default: detected)")
    parser.add_argument("--format", choices=FORMATS, default="json", help="reference field set or SCALES schema")
    parser.add_argument("-f", "--force-rerun", action="store_true", help="parse again pages whose output exists")
    parser.add_argument("--force-ucids", type=Path, metavar="CSV", help="parse again only these cases (ucid column)")
    parser.add_argument("-nw", "--workers", type=positive_int, default=None,
                        help=f"worker processes (default: 1 up to {WORKER_THRESHOLD} files, else the number of cores)")
    parser.add_argument("-d", "--debug", action="store_true", help="one process, full tracebacks")
    # exit_at_once: the console script ends the process without freeing what the batch left (cli.main)
    parser.set_defaults(func=run, exit_at_once=True)


def run(args) -> int:
    input_dir: Path = args.input_dir
    if not input_dir.is_dir():
        raise ValueError(f"{input_dir} is not a folder")
    if args.court:
        args.court = get_court(args.court).court_id  # an unknown id stops here, naming the closest ones
    output_dir: Path = args.output_dir or input_dir.resolve().parent / "json"
    output_dir.mkdir(parents=True, exist_ok=True)
    force_ucids = read_ucids(args.force_ucids) if args.force_ucids else None

    pages = sorted(p for p in input_dir.iterdir() if p.suffix.lower() in PAGE_SUFFIXES and p.is_file())
    summary = Summary()
    tasks = []
    for page in pages:
        output = output_dir / f"{page.stem}.json"
        if not args.force_rerun and output.exists():
            if force_ucids is None or output_ucid(output, args.court or court_of(page)) not in force_ucids:
                summary.skipped += 1
                continue
        tasks.append(
            {
                "page": str(page),
                "output": str(output),
                "court_id": args.court or court_of(page),
                "report": args.report,
                "format": args.format,
                "debug": args.debug,
            }
        )

    progress = Progress(len(tasks)) if sys.stderr.isatty() else None
    workers = 1 if args.debug else max(1, min(default_workers(len(tasks)) if args.workers is None else args.workers,
                                             len(tasks) or 1))
    _parsers.clear()  # a court plugin registered since the last run is asked again
    if workers == 1:
        outcomes = map(parse_file, tasks)
        _collect(outcomes, summary, progress)
    else:
        import multiprocessing

        # Forked after the parsers are imported (the report units below), a worker starts at once;
        # spawned ones (where fork is unavailable) import them again.
        for name in REPORTS if args.report is None else (args.report,):
            builtin_unit(name)
        method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        with multiprocessing.get_context(method).Pool(workers) as pool:
            _collect(pool.imap_unordered(parse_file, tasks, chunksize=4), summary, progress)
    if progress:
        progress.close()
    print(summary.render())
    return 1 if summary.failed else 0


def default_workers(files: int) -> int:
    """One process for a short batch, every core for a long one."""
    return 1 if files <= WORKER_THRESHOLD else (os.cpu_count() or 1)


def _collect(outcomes, summary: "Summary", progress) -> None:
    for outcome in outcomes:
        summary.add(outcome)
        if outcome["status"] == "not_the_report":
            logger.warning("%s: not the report: %s", outcome["file"], outcome["reason"])
        elif outcome["status"] == "failed":
            logger.error("%s: failed: %s", outcome["file"], outcome["reason"])
        if progress:
            progress.step()


def parse_file(task: dict) -> dict:
    """Parse one page and write its JSON; a plain-dict outcome (safe to send between processes)."""
    page = Path(task["page"])
    outcome = {"file": page.name, "status": "parsed", "reason": None}
    try:
        result = parse_page(page.read_bytes(), task["court_id"], task["report"], task["format"])
    except NotTheReport as exc:
        outcome.update(status="not_the_report", reason=exc.problem.reason)
        result = {}
    except Exception as exc:  # one bad page must not stop the batch; the summary counts it
        if task.get("debug"):
            logger.error("%s:\n%s", page.name, traceback.format_exc())
        return {**outcome, "status": "failed", "reason": f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"}
    write_json(Path(task["output"]), result)
    return outcome


def parse_page(body: bytes, court_id: str | None, report: str | None, fmt: str = "json"):
    """One page -> its JSON (reference fields or SCALES); raises NotTheReport for other pages."""
    from pacer_spiders.pages import PageProblem

    report = report or detect_report(body)
    if report is None:
        raise NotTheReport(PageProblem("undetected", undetected_reason(body)))
    context = {"court_id": court_id}
    data = _parser(report, court_id)(body, context)
    if fmt == "json":
        return data
    from pacer_spiders.scales import to_scales

    receipt = None
    if report in ("docket", "history"):  # a billed report ends with its transaction receipt
        try:
            receipt = _parser("receipt", court_id)(body, context)
        except NotTheReport:
            receipt = None
    return to_scales(report, data, court_id, receipt)


# (report, court id) -> its parser, for one run: the plugin hooks that choose it are asked once per
# court, not once per page.
_parsers: dict = {}


def _parser(report: str, court_id: str | None):
    parser = _parsers.get((report, court_id))
    if parser is None:
        from pacer_spiders.parsers import parser_for

        parser = _parsers[report, court_id] = parser_for(report, court_id)
    return parser


def write_json(path: Path, data) -> None:
    """The page's JSON, written under a temporary name and renamed: an output is whole or absent."""
    partial = f"{path}.part"
    text = json_text(data, "\n").encode("utf-8")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    try:
        view = memoryview(text)
        while view:
            view = view[os.write(descriptor, view):]
    finally:
        os.close(descriptor)
    os.replace(partial, path)


def json_text(data, end: str = "") -> str:
    """``json.dumps(data, indent=2, ensure_ascii=False, default=str)``, the same text made by one
    recursive function: with ``indent`` the json module leaves its C encoder for generators in
    Python, which cost a parse of many pages more than writing them.  (The C encoder itself, given
    the separators of each depth for the dicts of scalars, is slower on Python 3.11: measured.)
    ``end`` is appended (a file's final newline, without copying the text again)."""
    parts: list[str] = []
    _json_parts(data, parts.append, "\n")
    parts.append(end)
    return "".join(parts)


def _json_parts(value, append, newline: str) -> None:
    kind = type(value)
    if kind is str:
        append(_quote(value))
    elif value is None:
        append("null")
    elif value is True:
        append("true")
    elif value is False:
        append("false")
    elif kind is int:
        append(int.__repr__(value))
    elif kind is dict and _STR_ONLY.issuperset(map(type, value)):
        if not value:
            append("{}")
            return
        inner = newline + "  "
        separator, next_separator = "{" + inner, "," + inner
        for key, item in value.items():
            append(separator)
            quoted = _quoted_keys.get(key)
            if quoted is None:
                quoted = _quote_key(key)
            append(quoted)
            if type(item) is str:  # the common leaves without a call
                append(": ")
                append(_quote(item))
            elif item is None:
                append(": null")
            else:
                append(": ")
                _json_parts(item, append, inner)
            separator = next_separator
        append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            append("[]")
            return
        inner = newline + "  "
        separator, next_separator = "[" + inner, "," + inner
        for item in value:
            append(separator)
            _json_parts(item, append, inner)
            separator = next_separator
        append(newline + "]")
    else:  # floats, other keys, other types: the json module's own text, indented where it stands
        append(json.dumps(value, indent=2, ensure_ascii=False, default=str).replace("\n", newline))


_quote = json.encoder.encode_basestring
_STR_ONLY = frozenset((str,))
# The quoted text of the keys met: the same few field names on every entry and party of every page
# (a bounded cache: a dict keyed by data would otherwise grow it without end).
_quoted_keys: dict[str, str] = {}


def _quote_key(key: str) -> str:
    if len(_quoted_keys) >= 4096:
        _quoted_keys.clear()
    quoted = _quoted_keys[key] = _quote(key)
    return quoted


def read_ucids(path: Path) -> set[str]:
    reader = csv.DictReader(read_text_file(path).splitlines())
    if not reader.fieldnames or "ucid" not in reader.fieldnames:
        raise ValueError(f"{path} has no 'ucid' column")
    return {row["ucid"].strip() for row in reader if (row.get("ucid") or "").strip()}


def output_ucid(output: Path, court_id: str) -> str | None:
    """The ucid of the case an existing output describes (None when it names no case)."""
    from pacer_spiders.scales import ucid

    try:
        data = json.loads(output.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return data.get("ucid") or ucid(data.get("court_id") or court_id, data.get("docket_number"))


class Summary:
    def __init__(self):
        self.parsed = 0
        self.skipped = 0
        self.not_the_report: Counter = Counter()
        self.failures: Counter = Counter()

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    def add(self, outcome: dict) -> None:
        if outcome["status"] == "parsed":
            self.parsed += 1
        elif outcome["status"] == "not_the_report":
            self.not_the_report[outcome["reason"]] += 1
        else:
            self.failures[outcome["reason"]] += 1

    def render(self) -> str:
        lines = [
            f"parsed: {self.parsed}",
            f"skipped: {self.skipped}",
            f"not the report: {sum(self.not_the_report.values())}",
        ]
        lines += [f"  {count} x {reason}" for reason, count in self.not_the_report.most_common()]
        lines.append(f"failed: {self.failed}")
        lines += [f"  {count} x {reason}" for reason, count in self.failures.most_common()]
        return "\n".join(lines)


class Progress:
    """A one-line progress bar on stderr (only when stderr is a terminal)."""

    WIDTH = 30

    def __init__(self, total: int):
        self.total, self.done = total, 0
        self._draw()

    def step(self) -> None:
        self.done += 1
        self._draw()

    def _draw(self) -> None:
        filled = self.WIDTH * self.done // self.total if self.total else self.WIDTH
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total}")
        sys.stderr.flush()

    def close(self) -> None:
        sys.stderr.write("\n")
        sys.stderr.flush()

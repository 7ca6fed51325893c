"""``pacer-spiders cassettes``: record flows from the sandbox, replay a cassette, check it holds no secret."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def run_list(args) -> int:
    from pacer_spiders.cassette_flows import FLOWS, cassettes_dir

    folder = Path(args.dir) if args.dir else cassettes_dir()
    for flow in FLOWS:
        path = folder / f"{flow.name}.json"
        state = "recorded" if path.exists() else "not recorded"
        print(f"{flow.name:28} {state:13} {flow.description}")
    return 0


def run_record(args) -> int:
    from pacer_spiders.cassette_flows import FLOWS, cassettes_dir, flow_named, record_flow
    from pacer_spiders.cassettes import find_secrets

    folder = Path(args.dir) if args.dir else cassettes_dir()
    flows = FLOWS if args.all or not args.flows else [flow_named(name) for name in args.flows]
    failed = 0
    for flow in flows:
        path = record_flow(flow, folder)
        problems = find_secrets(path)
        for problem in problems:
            print(problem, file=sys.stderr)
        failed += bool(problems)
        print(f"{path}: {flow.description}")
    return 1 if failed else 0


def run_replay(args) -> int:
    from pacer_spiders.cassette_flows import replay

    if not Path(args.cassette).is_file():
        raise FileNotFoundError(f"no such cassette: {args.cassette}")
    try:
        result = replay(args.cassette, workdir=args.workdir, database_url=args.database_url,
                        files_store=args.files_store)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{args.cassette}: not a cassette (JSON): {exc}") from None
    for number, step in enumerate(result.results, 1):
        lines = [line for line in step.log.splitlines() if "ERROR" in line or "cassette" in line.lower()]
        print(f"step {number}: exit {step.returncode}")
        for line in lines[-20:]:
            print(f"  {line}")
    print(f"archive: {result.database_url}\nfiles: {result.files_store}\nlogs: {result.workdir}")
    return max((r.returncode for r in result.results), default=0) and 1


def run_check(args) -> int:
    from pacer_spiders.cassette_flows import cassettes_dir
    from pacer_spiders.cassettes import configured_secrets, find_secrets
    from pacer_spiders.settings_access import project_settings

    paths = [Path(p) for p in args.paths] or sorted(cassettes_dir().glob("*.json"))
    known = list(configured_secrets(project_settings()))
    problems = []
    for path in paths:
        if not path.is_file():
            raise FileNotFoundError(f"no such cassette: {path}")
        try:
            problems += find_secrets(path, known=known)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: not a cassette (JSON): {exc}") from None
    for problem in problems:
        print(problem)
    print(f"{len(paths)} cassettes checked, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("cassettes", help="record, replay and check betamax cassettes of crawls",
                                   description=__doc__)
    commands = parser.add_subparsers(dest="cassettes_command", metavar="ACTION", required=True)

    listing = commands.add_parser("list", help="the flows kept in cassettes/ and whether they are recorded")
    listing.add_argument("--dir", help="cassette folder (default: the repository's cassettes/)")
    listing.set_defaults(func=run_list)

    record = commands.add_parser("record", help="(re)record flows from a fresh sandbox")
    record.add_argument("flows", nargs="*", help="flow names (default: all)")
    record.add_argument("--all", action="store_true", help="every flow")
    record.add_argument("--dir", help="cassette folder (default: the repository's cassettes/)")
    record.set_defaults(func=run_record)

    play = commands.add_parser("replay", help="run a cassette's crawl again offline (CASSETTE_MODE=none, dummy credentials)")
    play.add_argument("cassette")
    play.add_argument("--workdir", help="where logs, the archive and files go (default: a temp folder)")
    play.add_argument("--database-url", help="the archive (default: an SQLite file in the workdir)")
    play.add_argument("--files-store", help="where PDFs go (default: files/ in the workdir)")
    play.set_defaults(func=run_replay)

    check = commands.add_parser("check", help="fail on any credential, token or real cookie value in cassettes")
    check.add_argument("paths", nargs="*", help="cassette files (default: every cassettes/*.json)")
    check.set_defaults(func=run_check)

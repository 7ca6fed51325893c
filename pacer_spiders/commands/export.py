"""``pacer-spiders export updated|case``: the cases updated on a day; one whole case."""

from __future__ import annotations

import csv
import json
import sys
from datetime import date

from pacer_spiders.settings_access import project_settings


def _engine(args):
    from pacer_spiders.db.archive import Archive

    settings = project_settings({"DATABASE_URL": args.database_url} if args.database_url else None)
    return Archive(settings.get("DATABASE_URL")).engine


def run_updated(args) -> int:
    from pacer_spiders.db.exports import UPDATED_FIELDS, updated_on

    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        raise ValueError(f"--date {args.date!r} is not a date (YYYY-MM-DD)") from None
    rows = updated_on(_engine(args), day)
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        writer = csv.DictWriter(sys.stdout, fieldnames=UPDATED_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return 0


def run_case(args) -> int:
    from pacer_spiders.db.exports import case_json

    case = case_json(_engine(args), args.case_id)
    if args.format == "scales":
        from pacer_spiders.scales import to_scales

        case = to_scales("docket", case, case["court_id"])
    json.dump(case, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("export", help="export from the archive", description=__doc__)
    actions = parser.add_subparsers(dest="export_command", metavar="WHAT", required=True)
    updated = actions.add_parser("updated", help="cases updated on a UTC date (the daily file)")
    updated.add_argument("--date", required=True, help="YYYY-MM-DD (UTC)")
    updated.add_argument("--format", choices=("csv", "json"), default="csv")
    updated.set_defaults(func=run_updated)
    case = actions.add_parser("case", help="one case as JSON")
    case.add_argument("case_id", type=int, help="our case id (the case_id column of export updated)")
    case.add_argument("--format", choices=("json", "scales"), default="json")
    case.set_defaults(func=run_case)
    for action in (updated, case):
        action.add_argument("--database-url", help="default: the DATABASE_URL setting")

"""``pacer-spiders costs``: what PACER billed, from the archive's receipts."""

from __future__ import annotations

import datetime as dt


def run(args) -> int:
    from pacer_spiders.budgets import Receipts, summary
    from pacer_spiders.settings_access import project_settings

    since = None
    if args.since:
        try:
            since = dt.datetime.combine(dt.date.fromisoformat(args.since), dt.time(0))
        except ValueError:
            print(f"pacer-spiders costs: --since must be a date (YYYY-MM-DD), not {args.since!r}")
            return 2
    settings = project_settings({"DATABASE_URL": args.database_url} if args.database_url else None)
    print(summary(Receipts(settings.get("DATABASE_URL")), since, args.by))
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("costs", help="what PACER billed, from the receipts the archive keeps, and the "
                                                 "quarter's total against PACER's $30 quarterly waiver")
    parser.add_argument("--since", help="only charges from this day on (YYYY-MM-DD)")
    parser.add_argument("--by", choices=("court", "account", "report"), help="totals by court, account or report")
    parser.add_argument("--database-url", help="the archive (default: DATABASE_URL)")
    parser.set_defaults(func=run)

"""``pacer-spiders orphans list|sweep``: PDFs and attachment pages waiting for their docket."""

from __future__ import annotations

import json
import sys

from pacer_spiders.settings_access import project_settings

FIELDS = ("id", "court_id", "report_type", "pacer_doc_id", "pacer_case_id", "document_number",
          "attachment_number", "attempts", "next_attempt_at", "reason")


def _archive(args):
    from pacer_spiders.courts import get_court
    from pacer_spiders.db.archive import Archive

    if args.court:  # an unknown id would silently match nothing
        args.court = get_court(args.court).court_id
    settings = project_settings({"DATABASE_URL": args.database_url} if args.database_url else None)
    return settings, Archive(settings.get("DATABASE_URL"))


def run_list(args) -> int:
    _settings, archive = _archive(args)
    rows = [{k: (str(r[k]) if k == "next_attempt_at" else r[k]) for k in FIELDS}
            for r in archive.pending_orphans(court_id=args.court)]
    if args.format == "json":
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for row in rows:
            print("  ".join(str(row[k]) if row[k] is not None else "-" for k in FIELDS))
        print(f"{len(rows)} orphans waiting")
    return 0


def run_sweep(args) -> int:
    from pacer_spiders.pipelines.base import DictStats
    from pacer_spiders.pipelines.files import PdfWriter, files_store

    settings, archive = _archive(args)
    stats = DictStats()
    from pacer_spiders.pipelines.orphans import sweep

    outcome = sweep(archive, PdfWriter(files_store(settings), archive, stats, settings=settings), stats,
                    court_id=args.court, due_only=not args.all)
    print(json.dumps(outcome))
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("orphans", help="documents waiting for their docket", description=__doc__)
    actions = parser.add_subparsers(dest="orphans_command", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="what waits and why")
    listing.add_argument("--format", choices=("table", "json"), default="table")
    sweeping = actions.add_parser("sweep", help="try to join the orphans that are due (backoff)")
    sweeping.add_argument("--all", action="store_true", help="every waiting orphan, due or not")
    for action in (listing, sweeping):
        action.add_argument("--court")
        action.add_argument("--database-url", help="default: the DATABASE_URL setting")
    listing.set_defaults(func=run_list)
    sweeping.set_defaults(func=run_sweep)

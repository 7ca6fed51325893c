"""``pacer-spiders requests list|show|deliver``: work requests, their states, results and webhooks."""

from __future__ import annotations

import json
import sys

from pacer_spiders.db.work_requests import FINAL_STATUSES, STATUS_NAMES, WorkRequest


def _status(value: str) -> int:
    if value.isdigit() and int(value) in STATUS_NAMES:
        return int(value)
    for code, name in STATUS_NAMES.items():
        if value.lower().replace("-", " ") in name:
            return code
    raise ValueError(f"unknown status {value!r}: one of " + ", ".join(f"{c} ({n})" for c, n in STATUS_NAMES.items()))


def _sessions(args):
    from pacer_spiders.distributed.work import session_factory
    from pacer_spiders.settings_access import project_settings

    settings = project_settings({"DATABASE_URL": args.database_url} if args.database_url else None)
    return session_factory(settings.get("DATABASE_URL"))


def run_list(args) -> int:
    from pacer_spiders.distributed.work import list_requests

    with _sessions(args)() as session:
        rows = list_requests(session, status=_status(args.status) if args.status else None,
                             kind=args.kind, limit=args.limit)
        if args.format == "json":
            json.dump([row.as_dict() for row in rows], sys.stdout, indent=2)
            sys.stdout.write("\n")
            return 0
        for row in rows:
            what = " ".join(f"{k}={v}" for k, v in sorted((row.params or {}).items()))
            error = f"  {row.error_message}" if row.error_message else ""
            print(f"{row.id}\t{row.status} {row.status_name}\t{row.kind}\t{row.court_id}\t{what}{error}")
    return 0


def run_show(args) -> int:
    with _sessions(args)() as session:
        row = session.get(WorkRequest, args.id)
        if row is None:
            raise ValueError(f"no work request {args.id}")
        json.dump(row.as_dict(), sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0


def run_deliver(args) -> int:
    """Retry the webhooks of finished requests that were never delivered."""
    from sqlalchemy import select

    from pacer_spiders.distributed.work import WebhookSender

    sessions = _sessions(args)
    with sessions() as session:
        ids = list(session.scalars(select(WorkRequest.id).where(
            WorkRequest.webhook_url.is_not(None), WorkRequest.webhook_delivered_at.is_(None),
            WorkRequest.status.in_(FINAL_STATUSES))))
    sender = WebhookSender(sessions)
    for work_id in ids:
        sender.deliver(work_id, wait=True)
    print(f"{len(ids)} webhooks retried", file=sys.stderr)
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("requests", help="work requests and their states", description=__doc__)
    parser.add_argument("--database-url", help="default: the DATABASE_URL setting")
    sub = parser.add_subparsers(dest="requests_command", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="the latest work requests")
    listing.add_argument("--status", help="a code (1-7) or a name (error, awaiting...)")
    listing.add_argument("--kind", choices=("docket", "attachment_page", "pdf"))
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--format", choices=("table", "json"), default="table")
    listing.set_defaults(func=run_list)
    show = sub.add_parser("show", help="one work request as JSON")
    show.add_argument("id", type=int)
    show.set_defaults(func=run_show)
    deliver = sub.add_parser("deliver", help="retry undelivered webhooks of finished requests")
    deliver.set_defaults(func=run_deliver)

"""``pacer-spiders enqueue docket|attachment_page|pdf``: queue work for the workers (Redis + a row).

One case or document from the options, or many from a CSV (header row) or JSONL file whose
fields are the option names (court_id, pacer_case_id, docket_number, pacer_doc_id, date_from,
date_to, webhook_url).  Each becomes a work request (``pacer-spiders requests list``); one that is
already open is not queued twice.
"""

from __future__ import annotations

import csv
import json
import sys

from pacer_spiders.cli import read_text_file
from pacer_spiders.db.work_requests import KINDS, STATUS_NAMES

PARAM_FIELDS = ("pacer_case_id", "docket_number", "pacer_doc_id", "document_number", "attachment_number",
                "date_from", "date_to", "documents_numbered_from", "documents_numbered_to", "since")


def read_rows(path: str) -> list[dict]:
    """Rows of a CSV (with a header) or JSONL file; '-' is standard input."""
    text = sys.stdin.read() if path == "-" else read_text_file(path)
    stripped = text.lstrip()
    if path.endswith((".jsonl", ".ndjson", ".json")) or stripped.startswith("{"):
        rows = []
        for number, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}:{number}: not a JSON object: {exc.msg}") from None
        return rows
    return [dict(row) for row in csv.DictReader(text.splitlines())]


def distributed_context(args):
    """The store and sessions of this deployment (REDIS_URL and DATABASE_URL settings)."""
    from pacer_spiders.distributed.store import RedisStore
    from pacer_spiders.distributed.work import session_factory
    from pacer_spiders.settings_access import project_settings

    overrides = {}
    for pair in getattr(args, "set", None) or ():
        name, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"-s wants NAME=VALUE, not {pair!r}")
        overrides[name] = value
    if getattr(args, "redis_url", None):
        overrides["REDIS_URL"] = args.redis_url
    if getattr(args, "database_url", None):
        overrides["DATABASE_URL"] = args.database_url
    settings = project_settings(overrides)
    if not settings.get("REDIS_URL"):
        raise ValueError("no REDIS_URL: set it (or --redis-url) to the Redis the workers share")
    return settings, RedisStore.from_settings(settings), session_factory(settings.get("DATABASE_URL"))


def run(args) -> int:
    if args.file:  # read (and refused when it is not text) before anything is opened
        rows = read_rows(args.file)
    else:
        rows = [{name: getattr(args, name) for name in ("court_id", *PARAM_FIELDS)}]
    _, store, sessions = distributed_context(args)
    from pacer_spiders.distributed.work import enqueue_work

    queued = existing = failed = 0
    for number, row in enumerate(rows, 1):
        court = row.get("court_id") or row.get("court") or args.court_id
        params = {name: str(row[name]).strip() for name in PARAM_FIELDS if row.get(name) not in (None, "")}
        where = f"row {number}: " if args.file else ""
        if not court:
            print(f"{where}skipped: no court_id", file=sys.stderr)
            failed += 1
            continue
        try:
            work, created = enqueue_work(sessions, store, args.kind, court, params,
                                         webhook_url=row.get("webhook_url") or args.webhook,
                                         bulk=args.bulk, source="file" if args.file else "cli")
        except ValueError as exc:  # unknown court, bad webhook URL
            print(f"{where}skipped: {exc}", file=sys.stderr)
            failed += 1
            continue
        queued += created
        existing += not created
        state = STATUS_NAMES[work.status] + (f": {work.error_message}" if work.error_message else "")
        print(f"{work.id}\t{work.kind}\t{work.court_id}\t{json.dumps(work.params, sort_keys=True)}\t"
              f"{'queued' if created else 'already open'} ({state})")
    print(f"{queued} queued, {existing} already open, {failed} skipped", file=sys.stderr)
    return 1 if failed and not queued and not existing else 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("enqueue", help="queue dockets, attachment pages or PDFs for the workers",
                                   description=__doc__)
    parser.add_argument("kind", choices=KINDS)
    parser.add_argument("--court", dest="court_id", help="CourtListener court id (nysd, arb, ...)")
    parser.add_argument("--pacer-case-id")
    parser.add_argument("--docket-number")
    parser.add_argument("--pacer-doc-id")
    parser.add_argument("--document-number")
    parser.add_argument("--attachment-number")
    parser.add_argument("--date-from", help="docket entries filed on or after (YYYY-MM-DD)")
    parser.add_argument("--date-to")
    parser.add_argument("--documents-numbered-from")
    parser.add_argument("--documents-numbered-to")
    parser.add_argument("--since", choices=("last",), help="docket: only entries from the last one the archive holds")
    parser.add_argument("--file", help="CSV (with a header) or JSONL of many; '-' reads standard input")
    parser.add_argument("--webhook", help="URL POSTed (JSON) when each request ends")
    parser.add_argument("--bulk", action="store_true", help="run only in PACER's night window (6 p.m.-6 a.m. Central)")
    parser.add_argument("--redis-url", help="default: the REDIS_URL setting")
    parser.add_argument("--database-url", help="default: the DATABASE_URL setting")
    parser.set_defaults(func=run)

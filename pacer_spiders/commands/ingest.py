"""``pacer-spiders ingest FILE``: put a page or PDF saved elsewhere through the crawl's pipelines.

The same chain as a crawl (source, parse, validate, orphans, database, files); ``--dry-run``
reports what would change and writes nothing.  A PDF whose docket is unknown becomes an orphan.
"""

from __future__ import annotations

import json
import re
import sys
import zipfile
from datetime import datetime, timezone
from pathlib import Path


_ATTACHMENT_SUFFIX = re.compile(r"[-_](\d+)\.pdf$", re.IGNORECASE)
_CONTENT_TYPES = {"pdf": "application/pdf", "acms_docket": "application/json", "acms_attachment_page": "application/json"}


def types() -> tuple[str, ...]:
    """``--type`` names: every report unit's ingest type, and ``zip`` (an entry's documents, or dockets)."""
    from pacer_spiders.reports import ingest_types

    return (*ingest_types(), "zip")


def pages_of(path: Path, report_type: str, context: dict) -> list:
    """The items a file stands for (a zip holds several), each page read once by its report unit."""
    from pacer_spiders.reports import read

    now = datetime.now(timezone.utc).isoformat()

    def page(body: bytes, report: str, ctx: dict, name: str):
        provenance = {"court_id": context["court_id"], "url": f"file://{name}", "status": 200,
                      "content_type": _CONTENT_TYPES.get(report, "text/html"),
                      "context": {k: v for k, v in ctx.items() if v is not None and k != "court_id"}, "cost": 0.0, "fetched_at": now}
        return read(report, body, provenance).items[0]

    if report_type != "zip":
        return [page(path.read_bytes(), report_type, context, str(path.resolve()))]
    items = []
    with zipfile.ZipFile(path) as archive:
        for member in sorted(archive.namelist()):
            if member.endswith("/"):
                continue
            body = archive.read(member)
            if member.lower().endswith(".pdf"):
                # Zips of an entry's documents: ``<anything>-<n>.pdf`` is attachment n, else the main document.
                match = _ATTACHMENT_SUFFIX.search(member)
                ctx = dict(context, attachment_number=int(match.group(1)) if match else context.get("attachment_number"))
                items.append(page(body, "pdf", ctx, f"{path.resolve()}!{member}"))
            elif member.lower().endswith((".html", ".htm")):
                items.append(page(body, "docket", context, f"{path.resolve()}!{member}"))
    return items


def ingest(path: Path, report_type: str, context: dict, overrides: dict | None = None) -> dict:
    """Put a saved page, PDF or zip through the crawl's pipelines; what happened, as a JSON-able dict.

    ``context`` holds ``court_id`` (required, a known court id) and what is known of the page:
    ``pacer_case_id``, ``pacer_doc_id``, ``document_number``, ``attachment_number``, ``acms_document_guid``.  ``overrides``
    are settings (``DATABASE_URL``, ``ARCHIVE_DRY_RUN`` ...).  The command and the service's upload
    API both come here.
    """
    from pacer_spiders.pipelines.chain import PipelineChain

    settings = {"ARCHIVE_RUN_NAME": "ingest", **(overrides or {})}
    with PipelineChain(settings) as chain:
        items = pages_of(path, report_type, context)
        if not items:
            raise ValueError(f"{path}: nothing to ingest")
        for item in items:
            chain.process(item)
    return {
        "file": str(path), "dry_run": bool(settings.get("ARCHIVE_DRY_RUN")), "pages": len(items),
        "rejected": [reason for _item, reason in chain.dropped],
        "orphans": sum(1 for i in items if i.get("orphan_id")),
        "docket_ids": sorted({i["docket_id"] for i in items if i.get("docket_id")}),
        "counts": {k.split("/", 1)[1]: v for k, v in sorted(chain.archive_stats().items())
                   if k.startswith("archive/")},
    }


def run(args) -> int:
    from pacer_spiders.courts import check_identifiers, get_court

    path = Path(args.file)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    court_id = get_court(args.court).court_id  # an unknown id stops here, naming the closest ones
    # Ids of PACER's forms only ("abc" is no case id): a BadValue is one line, nothing is stored.
    checked = check_identifiers(court_id, {"pacer_case_id": args.pacer_case_id, "pacer_doc_id": args.pacer_doc_id})
    context = {"court_id": court_id, **checked,
               "document_number": args.document_number, "attachment_number": args.attachment_number,
               "acms_document_guid": args.acms_document_guid}
    overrides = {"ARCHIVE_DRY_RUN": args.dry_run}
    if args.database_url:
        overrides["DATABASE_URL"] = args.database_url
    report = ingest(path, args.type, context, overrides)
    json.dump(report, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 1 if report["rejected"] and len(report["rejected"]) == report["pages"] else 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("ingest", help="put a saved PACER page or PDF through the pipelines",
                                   description=__doc__)
    parser.add_argument("file")
    parser.add_argument("--court", required=True, help="court id (CourtListener's, e.g. cand)")
    parser.add_argument("--type", required=True, choices=types())
    parser.add_argument("--pacer-case-id")
    parser.add_argument("--pacer-doc-id")
    parser.add_argument("--document-number")
    parser.add_argument("--attachment-number", type=int)
    parser.add_argument("--acms-document-guid", help="an ACMS document's GUID (a PDF of an ACMS court)")
    parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    parser.add_argument("--database-url", help="default: the DATABASE_URL setting")
    parser.set_defaults(func=run)

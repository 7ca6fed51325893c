"""``pacer-spiders source CASE_ID``: where the newest raw docket page of a case is kept.

A path for a local SOURCE_STORE; a presigned GET URL valid 60 minutes for an s3:// one.
"""

from __future__ import annotations

from pacer_spiders.settings_access import project_settings


def run(args) -> int:
    from pacer_spiders.db.archive import Archive
    from pacer_spiders.db.exports import newest_source
    from pacer_spiders.source_store import shareable

    settings = project_settings({"DATABASE_URL": args.database_url} if args.database_url else None)
    page = newest_source(Archive(settings.get("DATABASE_URL")).engine, args.case_id, args.type)
    if page is None:
        raise LookupError(f"no raw {args.type} page kept for case {args.case_id}")
    print(shareable(settings, page["path"]))
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("source", help="path (or signed URL) of a case's newest raw docket page", description=__doc__)
    parser.add_argument("case_id", type=int)
    parser.add_argument("--type", default="docket", help="report type of the page (default docket)")
    parser.add_argument("--database-url", help="default: the DATABASE_URL setting")
    parser.set_defaults(func=run)

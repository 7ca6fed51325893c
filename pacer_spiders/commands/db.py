"""``pacer-spiders db upgrade``: apply the archive's migrations to DATABASE_URL."""

from __future__ import annotations

from pacer_spiders.db import upgrade_database
from pacer_spiders.settings_access import project_settings


def run_upgrade(args) -> int:
    url = args.database_url or project_settings().get("DATABASE_URL")
    upgrade_database(url, args.revision)
    print(f"database at revision {args.revision}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("db", help="manage the archive database", description=__doc__)
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = actions.add_parser("upgrade", help="apply the migrations (to head by default)")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.add_argument("--database-url", help="default: the DATABASE_URL setting")
    upgrade.set_defaults(func=run_upgrade)

"""``pacer-spiders tokens create|list|revoke``: API tokens of the service's users (stored hashed)."""

from __future__ import annotations

import argparse
import sys


def _sessions(args):
    from pacer_spiders.distributed.work import session_factory
    from pacer_spiders.settings_access import project_settings

    settings = project_settings({"DATABASE_URL": args.database_url} if args.database_url else None)
    return session_factory(settings.get("DATABASE_URL")), settings


def run_create(args) -> int:
    from pacer_spiders.service.security import create_token
    from pacer_spiders.service.webhooks import user_webhook_key

    sessions, settings = _sessions(args)
    with sessions() as session:
        row, token = create_token(session, args.name)
        user_id = row.user_id
    secret = settings.get("PACER_SERVICE_SECRET")
    if secret:
        print(f"webhook signing key of {args.name}: {user_webhook_key(secret, user_id)}", file=sys.stderr)
    print(f"token {row.id} for {args.name} (shown once):", file=sys.stderr)
    print(token)
    return 0


def run_list(args) -> int:
    from sqlalchemy import select

    from pacer_spiders.service.models import ServiceToken, ServiceUser

    sessions, _ = _sessions(args)
    with sessions() as session:
        for token, user in session.execute(select(ServiceToken, ServiceUser).join(ServiceUser)
                                           .order_by(ServiceToken.id)):
            state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
            print(f"{token.id}\t{user.name}\t{token.prefix}...\t{token.created_at:%Y-%m-%d %H:%M}\t{state}")
    return 0


def run_revoke(args) -> int:
    from pacer_spiders.service.security import revoke_tokens

    sessions, _ = _sessions(args)
    with sessions() as session:
        count = revoke_tokens(session, args.which)
    print(f"{count} token(s) revoked", file=sys.stderr)
    return 0 if count else 1


def register(subparsers) -> None:
    parser = subparsers.add_parser("tokens", help="API tokens of the service's users", description=__doc__)
    parser.add_argument("--database-url", help="default: the DATABASE_URL setting")
    sub = parser.add_subparsers(dest="tokens_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="a new token for user NAME (printed once, as the last line)")
    create.add_argument("name")
    create.set_defaults(func=run_create)
    listing = sub.add_parser("list", help="every token: id, user, prefix, created, state")
    listing.set_defaults(func=run_list)
    revoke = sub.add_parser("revoke", help="revoke a token by id or prefix, or every token of a user")
    revoke.add_argument("which")
    revoke.set_defaults(func=run_revoke)
    for action in (create, listing, revoke):  # after the action too: `tokens create NAME --database-url URL`
        action.add_argument("--database-url", default=argparse.SUPPRESS, help="default: the DATABASE_URL setting")

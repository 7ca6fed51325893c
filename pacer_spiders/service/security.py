"""Tokens of the API's users, signed links, and the encrypted PACER sessions."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from urllib.parse import urlencode

from sqlalchemy import select

from pacer_spiders.db.work_requests import utcnow
from pacer_spiders.service import clock
from pacer_spiders.service.models import ServiceSession, ServiceToken, ServiceUser

TOKEN_BYTES = 32


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session, name: str) -> tuple[ServiceToken, str]:
    """A new token for user ``name`` (created when new); the clear token is returned once."""
    name = name.strip()
    if not name:
        raise ValueError("a user name is required")
    user = session.scalars(select(ServiceUser).where(ServiceUser.name == name)).first()
    if user is None:
        user = ServiceUser(name=name)
        session.add(user)
        session.flush()
    token = secrets.token_hex(TOKEN_BYTES)
    row = ServiceToken(user_id=user.id, token_sha256=token_digest(token), prefix=token[:8])
    session.add(row)
    session.commit()
    return row, token


def revoke_tokens(session, which: str) -> int:
    """Revoke the token of that id or prefix, or every token of that user name; how many."""
    query = select(ServiceToken).join(ServiceUser).where(ServiceToken.revoked_at.is_(None))
    if which.isdigit():
        query = query.where(ServiceToken.id == int(which))
    else:
        query = query.where((ServiceToken.prefix == which[:8]) | (ServiceUser.name == which))
    rows = list(session.scalars(query))
    for row in rows:
        row.revoked_at = utcnow()
    session.commit()
    return len(rows)


def user_of_token(session, token: str) -> ServiceUser | None:
    row = session.scalars(select(ServiceToken).where(ServiceToken.token_sha256 == token_digest(token),
                                                     ServiceToken.revoked_at.is_(None))).first()
    if row is None:
        return None
    return session.get(ServiceUser, row.user_id)


# -- links valid a limited time ------------------------------------------------------------
def sign_link(config, path: str, params: dict, seconds: int | None = None) -> tuple[str, dt.datetime]:
    """``path?params&expires=...&signature=...``: anyone holding it may GET it until it expires."""
    expires = int(clock.now().timestamp()) + int(seconds or config.link_seconds)
    params = {**{k: str(v) for k, v in params.items()}, "expires": str(expires)}
    params["signature"] = _link_signature(config, path, params)
    return f"{path}?{urlencode(params)}", dt.datetime.fromtimestamp(expires, dt.timezone.utc)


def check_link(config, path: str, params: dict) -> str | None:
    """None when the link is genuine and fresh, else why it is refused."""
    params = dict(params)
    signature = params.pop("signature", "")
    expected = _link_signature(config, path, params)
    if not hmac.compare_digest(signature, expected):
        return "this link is not valid"
    try:
        expires = int(params.get("expires", "0"))
    except ValueError:
        return "this link is not valid"
    if clock.now().timestamp() > expires:
        return "this link has expired (links are valid 60 minutes): ask for a new one"
    return None


def _link_signature(config, path: str, params: dict) -> str:
    text = path + "?" + urlencode(sorted(params.items()))
    return hmac.new(config.key("links"), text.encode(), hashlib.sha256).hexdigest()


# -- PACER sessions of per-request credentials ----------------------------------------------
def fernet_for(secret: str):
    """The cipher of kept PACER sessions (a key of its own derived from the service's secret)."""
    import base64

    from cryptography.fernet import Fernet

    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(f"pacer-session\0{secret}".encode()).digest()))


def keep_session(session, config, work_request_id: int, token: str, client_code: str | None) -> None:
    sealed = fernet_for(config.secret).encrypt(json.dumps({"token": token, "client_code": client_code}).encode()).decode()
    session.add(ServiceSession(work_request_id=work_request_id, encrypted=sealed,
                               expires_at=utcnow() + dt.timedelta(seconds=config.session_seconds)))


def open_session(session, config, work_request_id: int) -> dict | None:
    """{"token", "client_code"} of a request's PACER session, or None (none, or older than allowed)."""
    row = session.get(ServiceSession, work_request_id)
    if row is None:
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.timezone.utc)
    if expires <= utcnow():
        session.delete(row)
        session.commit()
        return None
    from cryptography.fernet import InvalidToken

    try:
        return json.loads(fernet_for(config.secret).decrypt(row.encrypted.encode()))
    except InvalidToken:  # another secret: as good as expired
        return None


def drop_expired_sessions(session) -> int:
    rows = list(session.scalars(select(ServiceSession).where(ServiceSession.expires_at <= utcnow())))
    for row in rows:
        session.delete(row)
    session.commit()
    return len(rows)

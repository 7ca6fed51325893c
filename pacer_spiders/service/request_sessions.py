"""PACER sessions of per-request credentials when the work goes to Redis workers.

The service keeps a request's session (encrypted) in its database until the relay pushes the
request; the relay then moves it to Redis under ``<prefix>:service-session:<work request id>``,
still encrypted, expiring when its hour is up, and the worker that takes a request of that id
(and its follow-ups) uses it instead of its own accounts.  Workers need ``PACER_SERVICE_SECRET``.
"""

from __future__ import annotations

import datetime as dt
import json


def redis_key(prefix: str, work_request_id) -> str:
    return f"{prefix}:service-session:{work_request_id}"


def move_to_redis(session, server, prefix: str, work_request_id: int) -> bool:
    """Move a request's kept session from the database to Redis (same ciphertext, same expiry)."""
    from pacer_spiders.service.models import ServiceSession

    row = session.get(ServiceSession, work_request_id)
    if row is None:
        return False
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.timezone.utc)
    seconds = int((expires - dt.datetime.now(dt.timezone.utc)).total_seconds())
    if seconds > 0:
        server.set(redis_key(prefix, work_request_id), row.encrypted, ex=seconds)
    session.delete(row)
    return seconds > 0


class RequestSessions:
    """A worker's reader of the sessions the service moved to Redis (decrypted in memory only)."""

    def __init__(self, server, prefix: str, secret: str):
        from pacer_spiders.service.security import fernet_for

        self.server, self.prefix, self.fernet = server, prefix, fernet_for(secret)

    @classmethod
    def from_settings(cls, settings) -> "RequestSessions | None":
        if not settings.get("REDIS_URL") or not settings.get("PACER_SERVICE_SECRET"):
            return None
        import redis

        return cls(redis.Redis.from_url(settings.get("REDIS_URL")), settings.get("PACER_REDIS_PREFIX") or "pacer",
                   settings.get("PACER_SERVICE_SECRET"))

    def get(self, work_request_id) -> dict | None:
        """{"token", "client_code"} of that request, or None (none given, expired, or another secret)."""
        from cryptography.fernet import InvalidToken

        sealed = self.server.get(redis_key(self.prefix, work_request_id))
        if not sealed:
            return None
        try:
            return json.loads(self.fernet.decrypt(sealed))
        except InvalidToken:
            return None

"""Webhook signatures and destinations.

Every webhook the service sends carries ``X-Pacer-Timestamp`` (Unix seconds) and
``X-Pacer-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`` keyed with the user's
webhook key (``pacer-spiders tokens create`` prints it), plus an ``Idempotency-Key`` that stays
the same on every retry of one event.  Loopback, private and link-local destinations are refused
unless ``PACER_WEBHOOK_ALLOW_PRIVATE`` is on (a webhook must not reach into the deployment's network).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
import urllib.parse

SIGNATURE_HEADER = "X-Pacer-Signature"
TIMESTAMP_HEADER = "X-Pacer-Timestamp"


def user_webhook_key(secret: str, user_id: int) -> str:
    """The key a user verifies their webhooks with (derived: nothing more to store)."""
    return hmac.new(secret.encode(), f"webhook-key:{user_id}".encode(), hashlib.sha256).hexdigest()


def signature_headers(key: str, body: bytes, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(key.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: f"sha256={digest}"}


def verify(key: str, body: bytes, headers) -> bool:
    """What a receiver does: recompute the signature of the timestamp and body."""
    timestamp = headers.get(TIMESTAMP_HEADER, "")
    expected = signature_headers(key, body, int(timestamp) if timestamp.isdigit() else 0)[SIGNATURE_HEADER]
    return hmac.compare_digest(expected, headers.get(SIGNATURE_HEADER, ""))


def destination_problem(url: str | None, allow_private: bool) -> str | None:
    """None when ``url`` may receive webhooks, else why not (one line)."""
    if not url:
        return None
    split = urllib.parse.urlsplit(url)
    if split.scheme not in ("http", "https") or not split.hostname:
        return f"webhook URL must be http:// or https:// with a host, not {url!r}"
    if allow_private:
        return None
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(split.hostname, split.port or 80)}
    except OSError:
        return f"webhook host {split.hostname!r} does not resolve"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified or ip.is_reserved \
                or ip.is_multicast:
            return (f"webhook URL {url!r} points at a loopback, private or link-local address "
                    "(set PACER_WEBHOOK_ALLOW_PRIVATE to allow it)")
    return None


def post_signed(url: str, body: bytes, key: str, idempotency_key: str, config) -> bool:
    """POST a signed JSON body, retried with backoff (the same key on every attempt); True when answered 2xx."""
    import logging
    import urllib.error
    import urllib.request

    problem = destination_problem(url, config.allow_private_webhooks)
    if problem:
        logging.getLogger(__name__).warning("webhook not sent: %s", problem)
        return False
    for attempt in range(1, config.webhook_attempts + 1):
        headers = {"Content-Type": "application/json", "Idempotency-Key": idempotency_key,
                   "User-Agent": "pacer_spiders webhook", **signature_headers(key, body)}
        try:
            with urllib.request.urlopen(urllib.request.Request(url, data=body, method="POST", headers=headers),
                                        timeout=10) as response:
                response.read()
            return True
        except (urllib.error.URLError, OSError):
            if attempt < config.webhook_attempts:
                time.sleep(config.webhook_backoff * 2 ** (attempt - 1))
    return False

"""Every worker's PACER sessions, known to the fleet, so that a killed worker's are logged out by another.

A worker stopped the usual way logs its sessions out itself (login.py).  One killed outright
(``kill -9``, the machine lost) cannot: so each worker, with ``PACER_SERVICE_SECRET`` set, keeps
its live tokens in Redis, sealed (encrypted as the service keeps sessions, never in clear):
``<p>:sessions:<worker>`` (a hash, one field per token), and says it lives with a key that expires
a lease and a half after its last word (``<p>:alive:<worker>``, renewed every quarter of a lease).
Every worker looks, as often, for workers whose key expired and logs their sessions out
(``take_dead``: each session is taken by one worker only).  Not in the first two leases after
Redis started: a restart stops every worker's word, and their keys may have expired meanwhile.

A dead worker's session that bought a document is kept a while (``PACER_DEAD_SESSION_HOLD``,
PACER's temporary PDF link lives about that long): the worker taking the purchase over fetches
the PDF with it (purchases.py), adopts it and logs it out at its end.  Once that PDF is received and
kept for replay (scheduler.py), the purchase's hold ends (each purchase of a session holds it).
"""

from __future__ import annotations

import hashlib
import json
import logging

from pacer_spiders.distributed import this_process

logger = logging.getLogger(__name__)

# ARGV: prefix.  Takes (removes) the sessions of every worker whose alive key is gone, except those
# a purchase still holds (``<p>:holds:<field>``: purchase -> until, ms); returns {worker, sealed, ...}.
TAKE_DEAD = """
local P = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local out = {}
for _, worker in ipairs(redis.call('SMEMBERS', P .. ':session_workers')) do
  local h = P .. ':sessions:' .. worker
  if redis.call('EXISTS', P .. ':alive:' .. worker) == 0 then
    local fields = redis.call('HGETALL', h)
    for i = 1, #fields, 2 do
      local name = fields[i]
      local holds = P .. ':holds:' .. name
      redis.call('ZREMRANGEBYSCORE', holds, '-inf', now)
      if redis.call('ZCARD', holds) == 0 then
        table.insert(out, worker)
        table.insert(out, fields[i + 1])
        redis.call('HDEL', h, name)
      end
    end
  end
  if redis.call('EXISTS', h) == 0 then redis.call('SREM', P .. ':session_workers', worker) end
end
return out
"""

# ARGV: prefix, field, new owner.  Moves one sealed session from whichever worker holds it to the
# new owner (a take-over that borrows it); returns 1 when found.
ADOPT = """
local P, name, owner = ARGV[1], ARGV[2], ARGV[3]
for _, worker in ipairs(redis.call('SMEMBERS', P .. ':session_workers')) do
  local h = P .. ':sessions:' .. worker
  local sealed = redis.call('HGET', h, name)
  if sealed then
    redis.call('HDEL', h, name)
    redis.call('DEL', P .. ':holds:' .. name)
    redis.call('HSET', P .. ':sessions:' .. owner, name, sealed)
    redis.call('SADD', P .. ':session_workers', owner)
    return 1
  end
end
return 0
"""

# ARGV: prefix, field, seconds, purchase.  That purchase holds the session past its worker's death
# (see the module's docstring); several purchases of one session hold it each.
HOLD = """
local P, name, ms, purchase = ARGV[1], ARGV[2], math.floor(tonumber(ARGV[3]) * 1000), ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local holds = P .. ':holds:' .. name
redis.call('ZADD', holds, now + ms, purchase)
if redis.call('PTTL', holds) < ms then redis.call('PEXPIRE', holds, ms + 1000) end
return 1
"""


def field_of(token: str) -> str:
    """A session's field name: a digest of its token (the token itself only sealed)."""
    return hashlib.sha256(token.encode()).hexdigest()[:24]


class FleetSessions:
    """This worker's sessions in Redis, and the dead workers' to log out."""

    def __init__(self, store, cipher, lease_seconds: float, worker: str | None = None):
        self.store, self.cipher, self.worker = store, cipher, worker or this_process()
        self.alive_ms = max(1, int(lease_seconds * 1500))
        self.quiet_seconds = 2 * lease_seconds  # after Redis started: no worker is judged dead yet
        server = store.server
        self._take_dead = server.register_script(TAKE_DEAD)
        self._adopt = server.register_script(ADOPT)
        self._hold = server.register_script(HOLD)

    @classmethod
    def from_settings(cls, settings) -> "FleetSessions | None":
        """None without Redis, or without PACER_SERVICE_SECRET (no token enters Redis in clear)."""
        if not settings.get("REDIS_URL"):
            return None
        from pacer_spiders.distributed.purchases import session_cipher
        from pacer_spiders.distributed.store import RedisStore

        cipher = session_cipher(settings)
        if cipher is None:
            return None
        return cls(RedisStore.from_settings(settings), cipher, settings.getfloat("PACER_LEASE_SECONDS", 60.0))

    def _key(self, name: str) -> str:
        return f"{self.store.prefix}:{name}"

    def beat(self) -> None:
        """This worker lives (for a lease more)."""
        self.store.server.set(self._key(f"alive:{self.worker}"), "1", px=self.alive_ms)

    def add(self, token: str, client_code: str | None = None) -> None:
        sealed = self.cipher.encrypt(json.dumps({"token": token, "client_code": client_code}).encode()).decode()
        pipe = self.store.server.pipeline()
        pipe.set(self._key(f"alive:{self.worker}"), "1", px=self.alive_ms)
        pipe.hset(self._key(f"sessions:{self.worker}"), field_of(token), sealed)
        pipe.sadd(self._key("session_workers"), self.worker)
        pipe.execute()

    def hold(self, token: str, purchase: str, seconds: float) -> None:
        """``purchase``'s follow-ups need this session: not logged out by others for ``seconds``."""
        self._hold(args=[self.store.prefix, field_of(token), seconds, purchase])

    def release(self, token: str, purchase: str) -> None:
        """``purchase`` needs the session no more (its PDF is kept for replay)."""
        self.store.server.zrem(self._key(f"holds:{field_of(token)}"), purchase)

    def adopt(self, token: str) -> bool:
        """A dead worker's session this worker now uses: its own to log out (or to leave to the fleet)."""
        return bool(self._adopt(args=[self.store.prefix, field_of(token), self.worker]))

    def take_dead(self) -> list[tuple[str, dict]]:
        """(worker, {"token", "client_code"}) of each session of a dead worker, taken to be logged out."""
        from cryptography.fernet import InvalidToken

        if int(self.store.server.info("server").get("uptime_in_seconds", 0)) < self.quiet_seconds:
            return []
        raw = self._take_dead(args=[self.store.prefix])
        taken = []
        for worker, sealed in zip(raw[::2], raw[1::2]):
            worker = worker.decode() if isinstance(worker, bytes) else str(worker)
            try:
                taken.append((worker, json.loads(self.cipher.decrypt(sealed))))
            except (InvalidToken, ValueError):  # sealed with another secret: not ours to read
                logger.warning("a PACER session of dead worker %s could not be opened (another "
                               "PACER_SERVICE_SECRET?): left to expire", worker)
        return taken

    def forget(self) -> None:
        """This worker ends, its sessions logged out: nothing of it is left to reap."""
        pipe = self.store.server.pipeline()
        pipe.delete(self._key(f"sessions:{self.worker}"), self._key(f"alive:{self.worker}"))
        pipe.srem(self._key("session_workers"), self.worker)
        pipe.execute()

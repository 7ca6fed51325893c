"""Everything the workers share in Redis: request queues per court, leases, court limits, work items.

Each operation that several workers race on is one Lua script, so it is atomic on the server:

* requests wait in one sorted set per (spider, court) (``<p>:<spider>:q:<court>``), ordered by
  Scrapy priority then arrival; their JSON lives in ``<p>:req:<id>``;
* taking a request gives a *lease* (``<p>:<spider>:leases``, deadline in ms) that the worker renews
  while the request is in its engine and acks when it is done; a lease that expires (the worker
  was killed) puts the request back in its queue, so nothing is lost;
* a court is handed out only while its in-flight requests (``<p>:court:<court>:active``, for all
  spiders and workers) are below its concurrency limit and its minimum interval between request
  starts has passed (``<p>:court:<court>:next``), so the limit holds across every machine;
* work items (what ``pacer-spiders enqueue`` asked for) wait in ``<p>:<spider>:work`` (and
  ``:bulk`` for pulls kept to PACER's night window, ``:delayed`` for retries); each counts as
  pending for its work request (``<p>:wr:<id>:pending``) until its seed requests are queued, and
  each queued request counts until acked, so the last ack tells that the work request is over.

Redis time (``TIME``) is the only clock, so workers on machines with skewed clocks agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import redis

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# Put expired request leases of one spider back in their court queues.
_RECOVER = """
local function recover(P, spider, now)
  local leases = P .. ':' .. spider .. ':leases'
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now)
  for _, id in ipairs(expired) do
    local req = P .. ':req:' .. id
    redis.call('ZREM', leases, id)
    local court = redis.call('HGET', req, 'court')
    if court then
      redis.call('ZREM', P .. ':court:' .. court .. ':active', id)
      redis.call('HDEL', req, 'lease')
      redis.call('HINCRBY', req, 'recovered', 1)
      redis.call('ZADD', P .. ':' .. spider .. ':q:' .. court, redis.call('HGET', req, 'score'), id)
      redis.call('SADD', P .. ':' .. spider .. ':courts', court)
    end
  end
  return #expired
end
"""

PUSH_REQUEST = """
local P, spider, court, priority, data, work = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local id = redis.call('INCR', P .. ':seq')
-- higher Scrapy priority first, then first come first served
local score = -priority * 1000000000 + id
redis.call('HSET', P .. ':req:' .. id, 'spider', spider, 'court', court, 'score', score, 'data', data, 'work', work)
redis.call('ZADD', P .. ':' .. spider .. ':q:' .. court, score, id)
redis.call('SADD', P .. ':' .. spider .. ':courts', court)
if work ~= '' then redis.call('INCR', P .. ':wr:' .. work .. ':pending') end
return id
"""

# ARGV: prefix, spider, lease_ms, default concurrency, default interval ms, overrides JSON
# ({court: [concurrency, interval_ms]}), offset (which court to try first).
# Returns {id, court, data, work, token} or {0, ms until a court may be ready or -1}.
# The per-court gate: may a request start at ``court`` now?  ``gate`` returns 0 (go), a wait in ms
# (interval not over) or -1 (all its slots busy); ``take`` marks the start.
_COURT_GATE = """
local function limits(court, default_conc, default_interval, overrides)
  local o = overrides[court]
  if o then return tonumber(o[1]) or default_conc, tonumber(o[2]) or default_interval end
  return default_conc, default_interval
end
local function gate(P, court, now, conc)
  local active = P .. ':court:' .. court .. ':active'
  redis.call('ZREMRANGEBYSCORE', active, '-inf', now)
  if redis.call('ZCARD', active) >= conc then return -1 end
  local next_at = tonumber(redis.call('GET', P .. ':court:' .. court .. ':next') or '0')
  if now < next_at then return next_at - now end
  return 0
end
local function take(P, court, id, now, deadline, interval)
  local active = P .. ':court:' .. court .. ':active'
  redis.call('ZADD', active, deadline, id)
  if interval > 0 then
    redis.call('SET', P .. ':court:' .. court .. ':next', now + interval, 'PX', interval + 60000)
  end
  -- the most requests ever in flight at this court at once (what tests and bench check)
  local inflight = redis.call('ZCARD', active)
  if inflight > tonumber(redis.call('HGET', P .. ':stats:peak', court) or '0') then
    redis.call('HSET', P .. ':stats:peak', court, inflight)
  end
end
"""

# ARGV: prefix, spider, lease_ms, default concurrency, default interval ms, overrides JSON
# ({court: [concurrency, interval_ms]}), offset (which court to try first).
# Returns {id, court, data, work, token} or {0, ms until a court may be ready or -1}.
POP_REQUEST = _NOW + _RECOVER + _COURT_GATE + """
local P, spider, lease_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local default_conc, default_interval = tonumber(ARGV[4]), tonumber(ARGV[5])
local overrides = cjson.decode(ARGV[6])
local offset = tonumber(ARGV[7])
recover(P, spider, now)
local courts_key = P .. ':' .. spider .. ':courts'
local courts = redis.call('SMEMBERS', courts_key)
table.sort(courts)
local n = #courts
local soonest = -1
for i = 0, n - 1 do
  local court = courts[((offset + i) % n) + 1]
  local q = P .. ':' .. spider .. ':q:' .. court
  if redis.call('ZCARD', q) == 0 then
    redis.call('SREM', courts_key, court)
  else
    local conc, interval = limits(court, default_conc, default_interval, overrides)
    local wait = gate(P, court, now, conc)
    if wait == 0 then
      local id = redis.call('ZRANGE', q, 0, 0)[1]
      redis.call('ZREM', q, id)
      local req = P .. ':req:' .. id
      local data = redis.call('HGET', req, 'data')
      if data then
        local token = tostring(redis.call('INCR', P .. ':seq'))
        local deadline = now + lease_ms
        redis.call('HSET', req, 'lease', token)
        redis.call('ZADD', P .. ':' .. spider .. ':leases', deadline, id)
        take(P, court, id, now, deadline, interval)
        return {id, court, data, redis.call('HGET', req, 'work') or '', token}
      end
    elseif wait > 0 and (soonest < 0 or wait < soonest) then
      soonest = wait
    end
  end
end
return {0, soonest}
"""

# A request that must stay with this worker (it needs this worker's PACER session): recorded and
# leased to the caller at once, never queued.  If the worker dies, the lease expiring puts it in
# the court's queue like any other (where another worker's session fails it, and the work request
# is retried).  ARGV: prefix, spider, court, priority, data, work, lease_ms.  Returns {id, token}.
PUSH_PINNED = _NOW + """
local P, spider, court, priority, data, work = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4]), ARGV[5], ARGV[6]
local id = redis.call('INCR', P .. ':seq')
local token = tostring(redis.call('INCR', P .. ':seq'))
redis.call('HSET', P .. ':req:' .. id, 'spider', spider, 'court', court, 'score', -priority * 1000000000 + id,
           'data', data, 'work', work, 'lease', token)
redis.call('ZADD', P .. ':' .. spider .. ':leases', now + tonumber(ARGV[7]), id)
if work ~= '' then redis.call('INCR', P .. ':wr:' .. work .. ':pending') end
return {id, token}
"""

# May this worker's pinned request start now?  ARGV: prefix, id, token, lease_ms, default
# concurrency, default interval ms, overrides JSON.  Returns 0 (started), else as ``gate``.
START_PINNED = _NOW + _COURT_GATE + """
local P, id, token = ARGV[1], ARGV[2], ARGV[3]
local req = P .. ':req:' .. id
if redis.call('HGET', req, 'lease') ~= token then return -2 end
local court = redis.call('HGET', req, 'court')
local conc, interval = limits(court, tonumber(ARGV[5]), tonumber(ARGV[6]), cjson.decode(ARGV[7]))
local wait = gate(P, court, now, conc)
if wait == 0 then take(P, court, id, now, now + tonumber(ARGV[4]), interval) end
return wait
"""

# The end both acks share: the work request has one piece less to wait for; the last piece queues
# it for finishing.  Needs the locals P, spider and work.
_COUNT_DOWN_WORK = """
if work ~= '' then
  local left = redis.call('DECR', P .. ':wr:' .. work .. ':pending')
  if left <= 0 then
    redis.call('DEL', P .. ':wr:' .. work .. ':pending')
    -- to be finished by this worker; by another one if this one dies first (see stale_finishing)
    local t = redis.call('TIME')
    redis.call('ZADD', P .. ':' .. spider .. ':finishing', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), work)
    return {1, work}
  end
end
return {0, work}
"""

# ARGV: prefix, spider, id, token.  Returns {done (1 when the work request has nothing left), work}
# or {-1, ''} when the lease is no longer this worker's.
ACK_REQUEST = """
local P, spider, id, token = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local req = P .. ':req:' .. id
if redis.call('HGET', req, 'lease') ~= token then return {-1, ''} end
local court = redis.call('HGET', req, 'court')
local work = redis.call('HGET', req, 'work') or ''
redis.call('ZREM', P .. ':' .. spider .. ':leases', id)
redis.call('ZREM', P .. ':court:' .. court .. ':active', id)
redis.call('DEL', req, P .. ':resp:' .. id)
""" + _COUNT_DOWN_WORK

# Give a leased request back (a worker closing with it unfinished).
NACK_REQUEST = """
local P, spider, id, token = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local req = P .. ':req:' .. id
if redis.call('HGET', req, 'lease') ~= token then return 0 end
local court = redis.call('HGET', req, 'court')
redis.call('ZREM', P .. ':' .. spider .. ':leases', id)
redis.call('ZREM', P .. ':court:' .. court .. ':active', id)
redis.call('HDEL', req, 'lease')
redis.call('ZADD', P .. ':' .. spider .. ':q:' .. court, redis.call('HGET', req, 'score'), id)
redis.call('SADD', P .. ':' .. spider .. ':courts', court)
return 1
"""

# The download is over: free the court's concurrency slot (the lease lives on until the ack).
RELEASE_COURT = """
local P, id, token = ARGV[1], ARGV[2], ARGV[3]
local req = P .. ':req:' .. id
if redis.call('HGET', req, 'lease') ~= token then return 0 end
return redis.call('ZREM', P .. ':court:' .. redis.call('HGET', req, 'court') .. ':active', id)
"""

# ARGV: prefix, spider, lease_ms, then id, token pairs.  Extends the leases still held.
RENEW = _NOW + """
local P, spider, lease_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local renewed = 0
for i = 4, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local req = P .. ':req:' .. id
  if redis.call('HGET', req, 'lease') == token then
    redis.call('ZADD', P .. ':' .. spider .. ':leases', 'XX', now + lease_ms, id)
    redis.call('ZADD', P .. ':court:' .. redis.call('HGET', req, 'court') .. ':active', 'XX', now + lease_ms, id)
    renewed = renewed + 1
  end
end
return renewed
"""

# ARGV: prefix, spider, list (work|bulk), item JSON, delay ms (0: now), work request id
PUSH_WORK = _NOW + """
local P, spider, list, item, delay = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
if delay > 0 then
  redis.call('ZADD', P .. ':' .. spider .. ':delayed', now + delay, list .. '|' .. item)
else
  redis.call('RPUSH', P .. ':' .. spider .. ':' .. list, item)
end
return 1
"""

# ARGV: prefix, spider, lease_ms, allow_bulk (1/0).  Returns {wid, item JSON} or {0}.
POP_WORK = _NOW + """
local P, spider, lease_ms, allow_bulk = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == '1'
local base = P .. ':' .. spider
-- retries whose delay is over
for _, entry in ipairs(redis.call('ZRANGEBYSCORE', base .. ':delayed', '-inf', now)) do
  redis.call('ZREM', base .. ':delayed', entry)
  local sep = string.find(entry, '|', 1, true)
  redis.call('RPUSH', base .. ':' .. string.sub(entry, 1, sep - 1), string.sub(entry, sep + 1))
end
-- work items of killed workers go back to the front
for _, wid in ipairs(redis.call('ZRANGEBYSCORE', base .. ':wleases', '-inf', now)) do
  local key = P .. ':witem:' .. wid
  local item, list, work = redis.call('HGET', key, 'item'), redis.call('HGET', key, 'list'), redis.call('HGET', key, 'work')
  redis.call('ZREM', base .. ':wleases', wid)
  redis.call('DEL', key)
  if item then
    redis.call('LPUSH', base .. ':' .. list, item)
    if work and work ~= '' then redis.call('DECR', P .. ':wr:' .. work .. ':pending') end
  end
end
local list = 'work'
local item = redis.call('LPOP', base .. ':work')
if not item and allow_bulk then
  list = 'bulk'
  item = redis.call('LPOP', base .. ':bulk')
end
if not item then return {0} end
local wid = tostring(redis.call('INCR', P .. ':seq'))
local ok, decoded = pcall(cjson.decode, item)
local work = ''
if ok and type(decoded) == 'table' and decoded['work_request_id'] then work = tostring(decoded['work_request_id']) end
redis.call('HSET', P .. ':witem:' .. wid, 'item', item, 'list', list, 'work', work)
redis.call('ZADD', base .. ':wleases', now + lease_ms, wid)
if work ~= '' then redis.call('INCR', P .. ':wr:' .. work .. ':pending') end
return {wid, item}
"""

# ARGV: prefix, spider, wid.  Returns {done, work} like ACK_REQUEST.
ACK_WORK = """
local P, spider, wid = ARGV[1], ARGV[2], ARGV[3]
local key = P .. ':witem:' .. wid
local work = redis.call('HGET', key, 'work')
if not work then return {-1, ''} end
redis.call('DEL', key)
redis.call('ZREM', P .. ':' .. spider .. ':wleases', wid)
""" + _COUNT_DOWN_WORK

# Work requests whose finishing worker died (entries older than a lease): claimed for the caller.
STALE_FINISHING = _NOW + """
local key = ARGV[1] .. ':' .. ARGV[2] .. ':finishing'
local stale = redis.call('ZRANGEBYSCORE', key, '-inf', now - tonumber(ARGV[3]))
for _, work in ipairs(stale) do redis.call('ZADD', key, now, work) end
return stale
"""

RENEW_WORK = _NOW + """
local P, spider, lease_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
for i = 4, #ARGV do
  redis.call('ZADD', P .. ':' .. spider .. ':wleases', 'XX', now + lease_ms, ARGV[i])
end
return 1
"""

# ARGV: prefix, spider.  Requests queued or leased plus work items waiting or being seeded.
OUTSTANDING = """
local P, spider = ARGV[1], ARGV[2]
local base = P .. ':' .. spider
local total = redis.call('ZCARD', base .. ':leases') + redis.call('ZCARD', base .. ':wleases')
  + redis.call('ZCARD', base .. ':finishing')
  + redis.call('LLEN', base .. ':work') + redis.call('LLEN', base .. ':bulk') + redis.call('ZCARD', base .. ':delayed')
for _, court in ipairs(redis.call('SMEMBERS', base .. ':courts')) do
  total = total + redis.call('ZCARD', base .. ':q:' .. court)
end
return total
"""


RESPONSE_KEPT_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Lease:
    """A request (or work item) this worker holds until it acks it."""

    id: str
    token: str
    court: str
    work_request_id: str


@dataclass(frozen=True)
class CourtLimits:
    """How hard one court may be asked, by all workers together."""

    concurrency: int = 2
    interval: float = 0.5  # seconds between two request starts at one court
    overrides: tuple = ()  # ((court_id, concurrency, interval), ...)

    @classmethod
    def from_settings(cls, settings) -> "CourtLimits":
        overrides = []
        for court, limit in (settings.getdict("PACER_COURT_LIMITS") or {}).items():
            overrides.append((court, int(limit.get("concurrency", 0)) or None, limit.get("interval")))
        return cls(
            concurrency=settings.getint("PACER_COURT_CONCURRENCY", 2),
            interval=settings.getfloat("PACER_COURT_INTERVAL", 0.5),
            overrides=tuple(overrides),
        )

    def for_court(self, court: str) -> tuple[int, float]:
        for name, concurrency, interval in self.overrides:
            if name == court:
                return concurrency or self.concurrency, self.interval if interval is None else float(interval)
        return self.concurrency, self.interval

    def overrides_json(self) -> str:
        data = {}
        for court, concurrency, interval in self.overrides:
            data[court] = [concurrency or self.concurrency,
                           int(round(1000 * (self.interval if interval is None else float(interval))))]
        return json.dumps(data) if data else "{}"


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisStore:
    """The shared state of every worker (see the module docstring); one per process and prefix."""

    def __init__(self, server: redis.Redis, prefix: str = "pacer", lease_seconds: float = 60.0,
                 limits: CourtLimits | None = None):
        self.server = server
        self.prefix = prefix
        self.lease_ms = int(lease_seconds * 1000)
        self.limits = limits or CourtLimits()
        self._overrides = self.limits.overrides_json()
        self._offset = 0
        register = server.register_script
        self._push = register(PUSH_REQUEST)
        self._pop = register(POP_REQUEST)
        self._push_pinned = register(PUSH_PINNED)
        self._start_pinned = register(START_PINNED)
        self._ack = register(ACK_REQUEST)
        self._nack = register(NACK_REQUEST)
        self._release = register(RELEASE_COURT)
        self._renew = register(RENEW)
        self._push_work = register(PUSH_WORK)
        self._pop_work = register(POP_WORK)
        self._ack_work = register(ACK_WORK)
        self._renew_work = register(RENEW_WORK)
        self._outstanding = register(OUTSTANDING)
        self._stale_finishing = register(STALE_FINISHING)

    @classmethod
    def from_url(cls, url: str, **kwargs) -> "RedisStore":
        return cls(redis.Redis.from_url(url), **kwargs)

    @classmethod
    def from_settings(cls, settings, server=None) -> "RedisStore":
        server = server or redis.Redis.from_url(settings.get("REDIS_URL"))
        return cls(
            server,
            prefix=settings.get("PACER_REDIS_PREFIX", "pacer"),
            lease_seconds=settings.getfloat("PACER_LEASE_SECONDS", 60.0),
            limits=CourtLimits.from_settings(settings),
        )

    # -- requests --------------------------------------------------------------------------
    def push_request(self, spider: str, court: str, data: str, priority: int = 0, work_request_id="") -> str:
        return _text(self._push(args=[self.prefix, spider, court, int(priority), data, str(work_request_id or "")]))

    def pop_request(self, spider: str) -> tuple[Lease, str] | float | None:
        """A leased request and its JSON; else seconds until a court may be ready (None: nothing queued)."""
        self._offset += 1
        result = self._pop(args=[self.prefix, spider, self.lease_ms, self.limits.concurrency,
                                 int(round(self.limits.interval * 1000)), self._overrides, self._offset])
        if _text(result[0]) == "0":
            wait = int(result[1])
            return None if wait < 0 else wait / 1000
        request_id, court, data, work, token = (_text(value) for value in result)
        return Lease(request_id, token, court, work), data

    def push_pinned(self, spider: str, court: str, data: str, priority: int = 0, work_request_id="") -> Lease:
        """Record a request this worker keeps (session-bound), leased to it already."""
        request_id, token = self._push_pinned(args=[self.prefix, spider, court, int(priority), data,
                                                    str(work_request_id or ""), self.lease_ms])
        return Lease(_text(request_id), _text(token), court, str(work_request_id or ""))

    def start_pinned(self, lease: Lease) -> int:
        """0 when the court's limits let this worker's pinned request start now (its slot taken);
        -2 when the lease is no longer this worker's; else not yet."""
        return int(self._start_pinned(args=[self.prefix, lease.id, lease.token, self.lease_ms, self.limits.concurrency,
                                            int(round(self.limits.interval * 1000)), self._overrides]))

    def ack(self, spider: str, lease: Lease) -> str | None:
        """Done with a request: the work request id when that was its last pending request."""
        done, work = self._ack(args=[self.prefix, spider, lease.id, lease.token])
        return _text(work) if int(done) == 1 else None

    def nack(self, spider: str, lease: Lease) -> bool:
        return bool(self._nack(args=[self.prefix, spider, lease.id, lease.token]))

    def release_court(self, lease: Lease) -> None:
        self._release(args=[self.prefix, lease.id, lease.token])

    def renew(self, spider: str, leases) -> int:
        args: list[str | int] = [self.prefix, spider, self.lease_ms]
        for lease in leases:
            args += [lease.id, lease.token]
        return int(self._renew(args=args)) if len(args) > 3 else 0

    def save_response(self, lease: Lease, data: str) -> None:
        """Keep a received response until its request is acked (the ack deletes it): if this worker
        dies before, the next holder replays it instead of buying the page again.  The expiry only
        bounds what a crawl abandoned for good leaves behind."""
        self.server.set(f"{self.prefix}:resp:{lease.id}", data, ex=RESPONSE_KEPT_SECONDS)

    def saved_response(self, lease: Lease) -> str | None:
        data = self.server.get(f"{self.prefix}:resp:{lease.id}")
        return _text(data) if data is not None else None

    # -- work items ------------------------------------------------------------------------
    def push_work(self, spider: str, item: dict, bulk: bool = False, delay: float = 0.0) -> None:
        self._push_work(args=[self.prefix, spider, "bulk" if bulk else "work", json.dumps(item, sort_keys=True),
                              int(delay * 1000)])

    def pop_work(self, spider: str, allow_bulk: bool = True) -> tuple[str, dict] | None:
        result = self._pop_work(args=[self.prefix, spider, self.lease_ms, "1" if allow_bulk else "0"])
        if _text(result[0]) == "0":
            return None
        return _text(result[0]), json.loads(result[1])

    def ack_work(self, spider: str, work_lease_id: str) -> str | None:
        done, work = self._ack_work(args=[self.prefix, spider, work_lease_id])
        return _text(work) if int(done) == 1 else None

    def renew_work(self, spider: str, work_lease_ids) -> None:
        if work_lease_ids:
            self._renew_work(args=[self.prefix, spider, self.lease_ms, *work_lease_ids])

    def finished(self, spider: str, work_request_id) -> None:
        """The work request's final state is written: nobody needs to finish it again."""
        self.server.zrem(f"{self.prefix}:{spider}:finishing", str(work_request_id))

    def stale_finishing(self, spider: str) -> list[str]:
        return [_text(w) for w in self._stale_finishing(args=[self.prefix, spider, self.lease_ms])]

    # -- what is left, and what happened -----------------------------------------------------
    def outstanding(self, spider: str) -> int:
        return int(self._outstanding(args=[self.prefix, spider]))

    def peak_inflight(self) -> dict[str, int]:
        """The most requests ever in flight at once at each court (all workers, all spiders)."""
        return {_text(k): int(v) for k, v in self.server.hgetall(f"{self.prefix}:stats:peak").items()}

    # -- who is working ------------------------------------------------------------------------
    def register_worker(self, name: str) -> None:
        import datetime as dt

        self.server.hset(f"{self.prefix}:workers", name, dt.datetime.now(dt.timezone.utc).isoformat())

    def unregister_worker(self, name: str) -> None:
        self.server.hdel(f"{self.prefix}:workers", name)

    def workers(self) -> dict[str, str]:
        """Worker processes with their spider open: ``spider:host:pid`` -> when it started."""
        return {_text(k): _text(v) for k, v in self.server.hgetall(f"{self.prefix}:workers").items()}

    # -- per work request facts gathered by the workers ---------------------------------------
    def record_error(self, work_request_id: str, status: int, message: str) -> None:
        """The first error of a work request wins (it is the cause; later ones follow from it)."""
        key = f"{self.prefix}:wr:{work_request_id}:error"
        if self.server.hsetnx(key, "status", int(status)):
            self.server.hset(key, "message", message[:1000])

    def add_result(self, work_request_id: str, result: dict) -> None:
        self.server.sadd(f"{self.prefix}:wr:{work_request_id}:results", json.dumps(result, sort_keys=True))

    def take_outcome(self, work_request_id: str) -> tuple[dict | None, list[dict]]:
        """The error and results recorded for a finished work request, removed from Redis."""
        error_key = f"{self.prefix}:wr:{work_request_id}:error"
        results_key = f"{self.prefix}:wr:{work_request_id}:results"
        pipe = self.server.pipeline()
        pipe.hgetall(error_key)
        pipe.smembers(results_key)
        pipe.delete(error_key, results_key)
        error, results, _ = pipe.execute()
        error = {_text(k): _text(v) for k, v in error.items()} or None
        return error, sorted((json.loads(r) for r in results), key=lambda r: json.dumps(r, sort_keys=True))

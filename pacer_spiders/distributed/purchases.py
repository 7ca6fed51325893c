"""Purchases across worker deaths: the intent is recorded before PACER is asked, so nothing is paid twice unseen.

A billed request (a docket report, a document purchase) carries ``meta["pacer_purchase"]``: what is
bought, as a key (``docket:<court>:<case>:<filters>:<work request>:<attempt>``,
``document:<court>:<doc id>:<work request>:<attempt>``).  Just before it is sent, this worker
records the intent in Redis (``<p>:intent:<key>``: worker, Redis time, state ``sent``, then
``answered``).  Every page received is kept until its ack (the scheduler), so a worker that takes a
dead worker's request over replays what was paid for.  What cannot be replayed:

* the temporary PDF link of a document bought by a dead worker (``show_temp.pl`` answers only in the
  session that bought it, for a few minutes).  PACER has no free second look at a bought
  document: each access is billed per page, whatever is done with it (the Electronic Public Access
  Fee Schedule, and pacer.uscourts.gov's fee FAQ: the $0.10 a page applies to each document
  accessed, not to printing it).  The only free way to the paid-for PDF is the buying session's
  temporary link itself: with ``PACER_SERVICE_SECRET`` set, the
  buying worker seals its session (encrypted, as the service keeps sessions) in the intent, and
  the worker taking over fetches the link with it ("borrowed"), then logs that session out;
* a page whose answer had not arrived when its worker died.

Those are bought again (as is a purchase its own worker asks again, a retry), and each is logged
as a warning, never hidden.  How sure we are that PACER billed the first purchase decides where it
is counted: when the intent says ``answered`` (PACER's page arrived), PACER billed it, and the
second purchase is a second charge
(stats ``pacer/bought_again``, Redis ``<p>:stats:bought_again``); when it says only ``sent`` the
worker died between recording the intent and PACER's answer, and whether the request left the
process before it died cannot be known here (killed before its bytes were written, PACER billed
nothing): it is counted as a possible second charge (``pacer/maybe_bought_again``,
``<p>:stats:maybe_bought_again``).  PACER's own billing history is the judge of those.
"""

from __future__ import annotations

import json
import logging

from pacer_spiders.distributed import this_process

logger = logging.getLogger(__name__)

PURCHASE_META = "pacer_purchase"  # on the billed request: what it buys
PURCHASED_META = "pacer_purchased"  # on the follow-ups of a purchase (its temporary PDF link)
BORROWED_META = "pacer_borrowed_session"  # the purchase whose sealed session a take-over uses
INTENT_SECONDS = 24 * 3600

# ARGV: prefix, key, worker, ttl ms, sealed session ('' for none).  Returns {} or, when this purchase
# was asked for before (by another worker, or by this one and answered or never answered), the
# previous {worker, state, at, counted}: counted 'sure' (state 'answered': PACER billed it) or
# 'maybe' (state 'sent': no answer came; the request may or may not have reached PACER).  State
# 'failed' (PACER answered an error or a login page: nothing billed) counts nothing.
RECORD_INTENT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local P, key, worker = ARGV[1], ARGV[2], ARGV[3]
local intent = P .. ':intent:' .. key
local before = redis.call('HMGET', intent, 'worker', 'state', 'at')
redis.call('HSET', intent, 'worker', worker, 'state', 'sent', 'at', now)
if ARGV[5] ~= '' then redis.call('HSET', intent, 'session', ARGV[5]) else redis.call('HDEL', intent, 'session') end
redis.call('PEXPIRE', intent, tonumber(ARGV[4]))
if not before[1] or before[2] == 'failed' then return {} end
local counted = (before[2] == 'answered') and 'sure' or 'maybe'
redis.call('HINCRBY', P .. ((counted == 'sure') and ':stats:bought_again' or ':stats:maybe_bought_again'), key, 1)
return {before[1], before[2] or '', before[3] or '0', counted}
"""


def purchase_key(kind: str, court_id: str, what, filters: dict | None = None) -> str:
    """What one purchase buys (``meta[PURCHASE_META]``): kind, court, object, and a digest of the filters."""
    import hashlib

    parts = [kind, court_id, str(what)]
    if filters is not None:
        text = json.dumps({k: v for k, v in filters.items() if v not in (None, "")}, sort_keys=True, default=str)
        parts.append(hashlib.sha1(text.encode()).hexdigest()[:12])
    return ":".join(parts)


def intent_key(meta) -> str | None:
    """The intent's key of a billed request: what it buys, for which work request and attempt (a
    retry of the work request may buy again; a worker taking over the same attempt may not)."""
    what = meta.get(PURCHASE_META)
    if not what:
        return None
    return f"{what}:{meta.get('work_request_id') or '-'}:{meta.get('work_attempt') or 0}"


def claim_name(meta) -> str | None:
    """What a purchase request (or the follow-up of one) stands for in the queue: asked once.

    A page replayed from a dead worker's keeping makes its callback yield again what that worker
    may have queued already; a purchase is ``dont_filter`` (the duplicate filter lets it through),
    so its claim is what keeps it from being bought twice."""
    key = intent_key(meta)
    if key:
        return key
    bought = meta.get(PURCHASED_META)
    return f"{bought}:follow" if bought else None


def session_cipher(settings):
    """The cipher of sealed sessions (the service's), or None without PACER_SERVICE_SECRET."""
    secret = settings.get("PACER_SERVICE_SECRET")
    if not secret:
        return None
    from pacer_spiders.service.security import fernet_for

    return fernet_for(secret)


class PurchaseIntents:
    """The intents in Redis, and the sessions sealed in them."""

    def __init__(self, store, cipher=None):
        self.store, self.cipher = store, cipher
        self._record = store.server.register_script(RECORD_INTENT)

    def _key(self, key: str) -> str:
        return f"{self.store.prefix}:intent:{key}"

    def record(self, key: str, session: dict | None = None) -> dict | None:
        """This worker is about to buy ``key``: the previous intent when this is a second purchase."""
        sealed = ""
        if session and self.cipher is not None:
            sealed = self.cipher.encrypt(json.dumps(session).encode()).decode()
        before = self._record(args=[self.store.prefix, key, this_process(), INTENT_SECONDS * 1000, sealed])
        if not before:
            return None
        worker, state, at, counted = (v.decode() if isinstance(v, bytes) else str(v) for v in before)
        return {"worker": worker, "state": state, "at_ms": int(at or 0), "counted": counted}

    def claim(self, name: str) -> bool:
        """True for the first request queued under ``name`` (see ``claim_name``)."""
        return bool(self.store.server.set(f"{self.store.prefix}:claim:{name}", this_process(), nx=True,
                                          ex=INTENT_SECONDS))

    def release(self, meta) -> None:
        """A purchase is asked anew (its session is gone): its claims go, so the new asks are queued."""
        key = intent_key(meta) or meta.get(PURCHASED_META)
        if key:
            self.store.server.delete(f"{self.store.prefix}:claim:{key}", f"{self.store.prefix}:claim:{key}:follow")

    def answered(self, key: str, billed: bool = True) -> None:
        """PACER answered the purchase: with the page bought, or (``billed`` False) with an error or
        its login page, which bill nothing."""
        self.store.server.hset(self._key(key), "state", "answered" if billed else "failed")

    def session(self, key: str) -> dict | None:
        """The sealed session of the worker that bought ``key`` ({"token", "client_code"}), or None."""
        if self.cipher is None:
            return None
        sealed = self.store.server.hget(self._key(key), "session")
        if not sealed:
            return None
        from cryptography.fernet import InvalidToken

        try:
            return json.loads(self.cipher.decrypt(sealed))
        except InvalidToken:
            return None

    def bought_again(self) -> dict[str, int]:
        """Purchases made a second time after PACER had answered (so billed) the first: {key: times}."""
        return self._counted("bought_again")

    def maybe_bought_again(self) -> dict[str, int]:
        """Purchases made again after a first one whose worker died before PACER's answer: {key: times}
        (a second charge only if the first request had left that worker)."""
        return self._counted("maybe_bought_again")

    def _counted(self, name: str) -> dict[str, int]:
        raw = self.store.server.hgetall(f"{self.store.prefix}:stats:{name}")
        return {(k.decode() if isinstance(k, bytes) else k): int(v) for k, v in raw.items()}


class PurchaseIntentDownloaderMiddleware:
    """Records the intent of each billed request as it is sent (after the login middleware, so the
    session it goes with is known), and that it was answered."""

    def __init__(self, crawler, intents: PurchaseIntents, fleet=None):
        self.crawler, self.intents, self.fleet = crawler, intents, fleet
        self.hold_seconds = crawler.settings.getfloat("PACER_DEAD_SESSION_HOLD", 600.0)

    @classmethod
    def from_crawler(cls, crawler):
        from pacer_spiders.distributed.sessions import FleetSessions
        from pacer_spiders.distributed.store import RedisStore

        return cls(crawler, PurchaseIntents(RedisStore.from_settings(crawler.settings),
                                            session_cipher(crawler.settings)),
                   FleetSessions.from_settings(crawler.settings))

    async def process_request(self, request):
        key = intent_key(request.meta)
        if not key:
            return None
        import asyncio

        from pacer_spiders.distributed.outage import REDIS_DOWN, RedisOutage

        outage = RedisOutage.for_crawler(self.crawler)
        while True:  # nothing is bought before its intent is recorded: Redis down, the purchase waits
            try:
                return self._record(request, key)
            except REDIS_DOWN as exc:
                await asyncio.sleep(outage.failed(exc))

    @staticmethod
    def _session(request) -> dict | None:
        """The PACER session a request goes with ({"token", "client_code"}), from its cookies."""
        from pacer_spiders.login import CLIENT_CODE_COOKIE, TOKEN_COOKIES, _split_cookie_header

        cookies = dict(_split_cookie_header(request.headers.get("Cookie")))
        token = next((cookies[name] for name in TOKEN_COOKIES if cookies.get(name)), None)
        return {"token": token, "client_code": cookies.get(CLIENT_CODE_COOKIE)} if token else None

    def _record(self, request, key):
        before = self.intents.record(key, self._session(request))
        if before is None:
            return None
        who = "this worker" if before["worker"] == this_process() else f"worker {before['worker']}"
        if before["counted"] == "sure":
            self.crawler.stats.inc_value("pacer/bought_again")
            logger.warning("buying %s again: %s bought it first and its page was not kept; PACER bills it "
                           "twice", key, who)
        else:
            self.crawler.stats.inc_value("pacer/maybe_bought_again")
            logger.warning("buying %s again: %s asked PACER for it and got no answer; PACER bills it twice if "
                           "that request had reached it", key, who)
        return None

    def _keep(self, request, response) -> None:
        from pacer_spiders.distributed.scheduler import keep_for_replay

        try:
            keep_for_replay(self.crawler, self.intents.store, request, response)
        except (OSError, ValueError):  # SOURCE_STORE unusable: the scheduler tries again, and says so
            pass

    def process_response(self, request, response):
        key = intent_key(request.meta)
        if key:
            from pacer_spiders.distributed.outage import REDIS_DOWN
            from pacer_spiders.login import PacerLoginMiddleware

            billed = response.status < 400 and not PacerLoginMiddleware.logged_out(response)
            try:
                if billed:  # kept before it is said answered: a worker dying now leaves it to replay
                    self._keep(request, response)
                self.intents.answered(key, billed)
                session = self._session(request)
                if billed and session and self.fleet is not None and request.meta.get("pacer_session_bound"):
                    # its follow-ups need this session: should this worker die, the one taking
                    # them over borrows it, so the fleet does not log it out at once
                    self.fleet.hold(session["token"], key, self.hold_seconds)
            except REDIS_DOWN:  # "sent" stays: a second purchase would still be counted
                pass
        return response

"""The shared Redis pieces on a real redis-server: JSON requests, PACER-identity dupefilter,
leases that survive a killed worker, and the per-court limit."""

from __future__ import annotations

import json
import uuid

import pytest
import redis
from scrapy import Request, Spider
from scrapy.http import FormRequest
from scrapy.settings import Settings

from pacer_spiders.distributed.dupefilter import PacerDupeFilter, pacer_identity
from pacer_spiders.distributed.serializer import UnsafeRequestError, request_from_json, request_to_json
from pacer_spiders.distributed.store import CourtLimits, RedisStore

pytestmark = pytest.mark.service


class DocketProbe(Spider):
    name = "probe"

    def parse_form(self, response):
        pass

    def parse_report(self, response):
        pass


@pytest.fixture
def store(redis_url):
    return RedisStore.from_url(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}", lease_seconds=30)


def test_request_round_trips_as_json_with_callbacks_by_name_and_bytes_in_base64():
    spider = DocketProbe()
    request = FormRequest(
        "https://ecf.nysd.uscourts.gov/cgi-bin/DktRpt.pl?1-L_1_0-1",
        formdata={"all_case_ids": "500123", "date_from": "01/02/2024"},
        callback=spider.parse_report,
        meta={"court_id": "nysd", "pacer_case_id": "500123", "raw": b"\x00\xff"},
        cb_kwargs={"attempt": 2},
        priority=5,
    )
    text = request_to_json(request, spider)
    document = json.loads(text)
    assert document["callback"] == "parse_report"
    assert document["body"] == {"$b64": "YWxsX2Nhc2VfaWRzPTUwMDEyMyZkYXRlX2Zyb209MDElMkYwMiUyRjIwMjQ="}
    rebuilt = request_from_json(text, spider)
    assert type(rebuilt) is FormRequest
    assert rebuilt.callback == spider.parse_report
    assert rebuilt.body == request.body
    assert rebuilt.meta["raw"] == b"\x00\xff"
    assert rebuilt.headers == request.headers
    assert rebuilt.cb_kwargs == {"attempt": 2} and rebuilt.priority == 5


def test_queue_entries_cannot_name_arbitrary_classes_or_private_methods():
    spider = DocketProbe()
    text = request_to_json(Request("https://ecf.nysd.uscourts.gov/x", callback=spider.parse_form), spider)
    evil = json.loads(text)
    evil["_class"] = "os.system"
    with pytest.raises(UnsafeRequestError, match="os.system"):
        request_from_json(json.dumps(evil), spider)
    evil = json.loads(text)
    evil["callback"] = "__init__"
    with pytest.raises(UnsafeRequestError, match="__init__"):
        request_from_json(json.dumps(evil), spider)
    with pytest.raises(TypeError, match="JSON only"):
        request_to_json(Request("https://x", meta={"when": object()}), spider)


def test_dupefilter_keys_on_court_and_case_not_on_session_nonces(redis_url):
    spider = DocketProbe()
    settings = Settings({"REDIS_URL": redis_url})
    spider.settings = settings
    dupefilter = PacerDupeFilter(redis.Redis.from_url(redis_url), key=f"df:{uuid.uuid4().hex}")
    meta = {"court_id": "nysd", "pacer_case_id": "500123", "work_request_id": 7}
    first = Request("https://ecf.nysd.uscourts.gov/cgi-bin/DktRpt.pl?1-L_1_0-1&nonce=abc", callback=spider.parse_report, meta=meta)
    again = Request("https://ecf.nysd.uscourts.gov/cgi-bin/DktRpt.pl?1-L_5_0-1&nonce=xyz", callback=spider.parse_report, meta=dict(meta))
    other_case = Request(first.url, callback=spider.parse_report, meta=dict(meta, pacer_case_id="500124"))
    other_step = Request(first.url, callback=spider.parse_form, meta=dict(meta))
    other_court = Request(first.url, callback=spider.parse_report, meta=dict(meta, court_id="cand"))
    assert pacer_identity(first)["pacer_case_id"] == "500123"
    assert dupefilter.request_seen(first) is False
    assert dupefilter.request_seen(again) is True
    assert [dupefilter.request_seen(r) for r in (other_case, other_step, other_court)] == [False, False, False]
    # requests that name no PACER object fall back to the URL
    assert pacer_identity(Request("https://example.com/a")) is None
    assert dupefilter.request_seen(Request("https://example.com/a")) is False
    assert dupefilter.request_seen(Request("https://example.com/a")) is True
    dupefilter.close("finished")  # a stopping worker keeps the shared fingerprints
    assert dupefilter.request_seen(again) is True


def test_a_request_taken_by_a_killed_worker_comes_back_after_its_lease(redis_url):
    short = RedisStore.from_url(redis_url, prefix=f"t{uuid.uuid4().hex[:8]}", lease_seconds=0.3,
                                limits=CourtLimits(concurrency=5, interval=0))
    short.push_request("probe", "nysd", '{"url": "https://a"}', work_request_id="1")
    lease, data = short.pop_request("probe")
    assert data == '{"url": "https://a"}'
    assert short.pop_request("probe") is None  # leased, not queued
    import time

    time.sleep(0.4)  # the holder died: no renewal, no ack
    again, data_again = short.pop_request("probe")
    assert data_again == data and again.id == lease.id and again.token != lease.token
    assert short.ack("probe", lease) is None  # the dead holder's late ack changes nothing
    assert short.outstanding("probe") == 1
    assert short.ack("probe", again) == "1"  # the last request of work request 1
    assert short.outstanding("probe") == 1  # work request 1 is yet to be written as finished
    time.sleep(0.4)  # ... and the worker that should write it died: another one claims it
    assert short.stale_finishing("probe") == ["1"]
    assert short.stale_finishing("probe") == []  # claimed once
    short.finished("probe", "1")
    assert short.outstanding("probe") == 0


def test_court_concurrency_and_interval_hold_for_every_taker(store):
    limited = RedisStore(store.server, prefix=store.prefix, lease_seconds=30,
                         limits=CourtLimits(concurrency=2, interval=0, overrides=(("cand", 1, 0.5),)))
    for court in ("nysd", "cand"):
        for n in range(3):
            limited.push_request("probe", court, json.dumps({"url": f"https://{court}/{n}"}))
    taken = []
    while isinstance(got := limited.pop_request("probe"), tuple):
        taken.append(got[0])
    courts = sorted(lease.court for lease in taken)
    assert courts == ["cand", "nysd", "nysd"]  # 2 in flight at nysd, 1 at cand
    wait = limited.pop_request("probe")
    assert wait is None or wait > 0
    limited.release_court(next(lease for lease in taken if lease.court == "nysd"))
    got = limited.pop_request("probe")
    assert isinstance(got, tuple) and got[0].court == "nysd"
    # cand: its slot is free again, but its 0.5 s interval has not passed
    limited.release_court(next(lease for lease in taken if lease.court == "cand"))
    assert not isinstance(limited.pop_request("probe"), tuple)
    assert limited.peak_inflight() == {"nysd": 2, "cand": 1}


def test_work_items_are_leased_and_a_work_request_ends_with_its_last_request(store):
    store.push_work("probe", {"work_request_id": 9, "court_id": "nysd", "params": {"pacer_case_id": "1"}})
    wid, item = store.pop_work("probe")
    assert item["params"] == {"pacer_case_id": "1"}
    store.push_request("probe", "nysd", '{"url": "https://a"}', work_request_id="9")
    assert store.ack_work("probe", wid) is None  # its request is still queued
    lease, _ = store.pop_request("probe")
    store.record_error("9", 6, "failed validity checks: not a docket")
    store.record_error("9", 3, "a later error")
    assert store.ack("probe", lease) == "9"
    error, results = store.take_outcome("9")
    assert error == {"status": "6", "message": "failed validity checks: not a docket"}
    # bulk work waits for the night window
    store.push_work("probe", {"work_request_id": 10}, bulk=True)
    assert store.pop_work("probe", allow_bulk=False) is None
    assert store.pop_work("probe", allow_bulk=True)[1] == {"work_request_id": 10}


def test_courts_and_dates_travel_by_name():
    import datetime as dt

    from pacer_spiders.courts import get_court

    spider = DocketProbe()
    request = Request("https://ecf.azb.uscourts.gov/x", callback=spider.parse_form,
                      cb_kwargs={"court": get_court("arb"), "since": dt.date(2026, 1, 2),
                                 "at": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.timezone.utc)})
    text = request_to_json(request, spider)
    assert '{"$court":"arb"}' in text
    assert request_from_json(text, spider).cb_kwargs == request.cb_kwargs


def test_a_work_item_seeds_the_spiders_own_start_with_its_arguments():
    from pacer_spiders.distributed.spider import DistributedSpiderMixin

    class Counting(DistributedSpiderMixin, Spider):
        name = "counting"

        def __init__(self, court=None, pacer_case_id=None, date_start=None, **kwargs):
            super().__init__(**kwargs)
            self.court_arg, self.pacer_case_id, self.date_start = court, pacer_case_id, date_start
            self.promised = 0

        async def start(self):
            self.promised += 3  # a counter of the spider, shared by every work item
            yield Request(f"https://ecf.{self.court_arg}.uscourts.gov/{self.pacer_case_id}?from={self.date_start}",
                          callback=self.parse_form)

        def parse_form(self, response):
            pass

    import asyncio

    spider = Counting(court="nysd", pacer_case_id="1")

    async def seeds(params):
        return [r async for r in spider.seed_requests(params)]

    first = asyncio.run(seeds({"court_id": "cand", "pacer_case_id": "77", "date_from": "2026-01-02"}))
    second = asyncio.run(seeds({"court_id": "ilnd", "pacer_case_id": "78"}))
    assert [r.url for r in first + second] == ["https://ecf.cand.uscourts.gov/77?from=2026-01-02",
                                               "https://ecf.ilnd.uscourts.gov/78?from=None"]
    assert first[0].callback.__func__ is Counting.parse_form
    assert json.loads(request_to_json(first[0], spider))["callback"] == "parse_form"
    assert (spider.court_arg, spider.pacer_case_id, spider.promised) == ("nysd", "1", 6)


def test_bulk_pulls_wait_for_six_pm_to_six_am_central_time():
    import datetime as dt

    from pacer_spiders.distributed.spider import in_bulk_window

    utc = dt.timezone.utc
    assert in_bulk_window(dt.datetime(2026, 7, 1, 23, 30, tzinfo=utc))  # 18:30 CDT
    assert not in_bulk_window(dt.datetime(2026, 1, 15, 23, 30, tzinfo=utc))  # 17:30 CST
    assert in_bulk_window(dt.datetime(2026, 1, 15, 11, 59, tzinfo=utc))  # 05:59 CST
    assert not in_bulk_window(dt.datetime(2026, 7, 1, 11, 0, tzinfo=utc))  # 06:00 CDT
    assert not in_bulk_window(dt.datetime(2026, 3, 10, 18, 0, tzinfo=utc))  # 13:00 CDT


def test_distribution_is_switched_on_by_redis_url_only(redis_url):
    from scrapy.utils.misc import load_object

    from pacer_spiders.settings_access import project_settings

    def applied(**overrides):
        settings = project_settings(overrides)
        for path in settings.getdict("ADDONS"):  # what Scrapy's add-on manager does for a crawl
            load_object(path)().update_settings(settings)
        return settings

    alone = applied()
    assert alone.get("SCHEDULER") == "scrapy.core.scheduler.Scheduler"
    shared = applied(REDIS_URL=redis_url)
    assert shared.get("SCHEDULER") == "pacer_spiders.distributed.scheduler.DistributedScheduler"
    assert shared.get("DUPEFILTER_CLASS") == "pacer_spiders.distributed.dupefilter.PacerDupeFilter"
    assert shared.get("SCHEDULER_SERIALIZER") == "pacer_spiders.distributed.serializer"
    assert shared.getbool("SCHEDULER_PERSIST") is True
    assert "pacer_spiders.distributed.middlewares.WorkStateExtension" in shared.getdict("EXTENSIONS")

"""Work requests through the console script: enqueue, states, webhooks, and the schedules on a
frozen clock.  Real redis-server, real SQLite/PostgreSQL, a real HTTP receiver on loopback."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from pacer_spiders.cli import main
from pacer_spiders.db.work_requests import SUCCESS, WorkRequest
from pacer_spiders.distributed.schedules import WEEKDAYS, load_config
from pacer_spiders.distributed.store import RedisStore
from pacer_spiders.distributed.work import dedupe_key, session_factory
from pacer_spiders.testing.workers import empty_redis_database

pytestmark = pytest.mark.service


_databases = itertools.cycle(range(1, 8))


@pytest.fixture
def deployment(redis_url, database_url):
    # a Redis database of its own per test (the key prefix is a process-wide setting)
    redis_url = empty_redis_database(redis_url, next(_databases))
    args = ["--redis-url", redis_url, "--database-url", database_url]
    return {"args": args, "store": RedisStore.from_url(redis_url), "redis_url": redis_url,
            "sessions": session_factory(database_url), "database_url": database_url}


class Receiver:
    """A webhook receiver on loopback that fails its first ``fail_first`` calls with HTTP 500."""

    def __init__(self, fail_first: int = 1):
        self.calls: list[tuple[int, dict, dict]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status = 500 if len(receiver.calls) < receiver.fail_first else 200
                receiver.calls.append((status, dict(self.headers), body))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_enqueue_one_case_a_file_and_list_them(deployment, tmp_path, capsys):
    args = deployment["args"]
    assert main(["enqueue", "docket", "--court", "nysd", "--pacer-case-id", "500123", *args]) == 0
    out = capsys.readouterr().out
    assert "queued (awaiting processing)" in out
    # the same open request is not queued twice
    assert main(["enqueue", "docket", "--court", "nysd", "--pacer-case-id", "500123", *args]) == 0
    assert "already open" in capsys.readouterr().out

    rows = tmp_path / "cases.csv"
    rows.write_text("court_id,pacer_case_id,docket_number\ncand,41,\narb,,2:24-bk-00012\nnowhere,1,\nilnd,,\n")
    assert main(["enqueue", "docket", "--file", str(rows), *args]) == 0
    captured = capsys.readouterr()
    assert "row 3: skipped: unknown court" in captured.err
    assert "insufficient metadata: a docket request needs pacer_case_id or docket_number" in captured.out
    assert "3 queued, 0 already open, 1 skipped" in captured.err

    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text('{"court_id": "nysd", "pacer_doc_id": "127012345678"}\n')
    assert main(["enqueue", "pdf", "--file", str(jsonl), *args]) == 0
    capsys.readouterr()

    assert main(["requests", "--database-url", deployment["database_url"], "list", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(r["kind"], r["court_id"], r["status"]) for r in listed] == [
        ("pdf", "nysd", 1), ("docket", "ilnd", 7), ("docket", "arb", 1), ("docket", "cand", 1), ("docket", "nysd", 1)]
    store = deployment["store"]
    # the workers' queues hold exactly the workable requests, JSON only
    assert store.server.llen(f"{store.prefix}:docket:work") == 3
    assert store.server.llen(f"{store.prefix}:pdf:work") == 1
    assert json.loads(store.server.lindex(f"{store.prefix}:docket:work", 2)) == {
        "attempt": 0, "court_id": "arb", "kind": "docket", "params": {"docket_number": "2:24-bk-00012"},
        "work_request_id": listed[2]["id"]}

    assert main(["requests", "--database-url", deployment["database_url"], "show", str(listed[1]["id"])]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["status_name"] == "insufficient metadata" and shown["finished_at"]
    assert main(["requests", "--database-url", deployment["database_url"], "list", "--status", "awaiting"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 4


def test_webhook_is_delivered_once_when_the_receiver_fails_the_first_time(deployment, capsys):
    receiver = Receiver(fail_first=1)
    try:
        assert main(["enqueue", "attachment_page", "--court", "nysd", "--webhook", receiver.url,
                     *deployment["args"]]) == 0
    finally:
        receiver.close()
    assert [status for status, _, _ in receiver.calls] == [500, 200]
    keys = {headers["Idempotency-Key"] for _, headers, _ in receiver.calls}
    assert len(keys) == 1 and keys == {body["idempotency_key"] for _, _, body in receiver.calls}
    body = receiver.calls[-1][2]
    assert body["status"] == 7 and body["kind"] == "attachment_page" and body["court_id"] == "nysd"
    with deployment["sessions"]() as session:
        row = session.get(WorkRequest, body["id"])
        assert row.webhook_attempts == 2 and row.webhook_delivered_at is not None and row.webhook_error is None
    # nothing left to deliver: `requests deliver` sends it no second time
    assert main(["requests", "--database-url", deployment["database_url"], "deliver"]) == 0
    assert "0 webhooks retried" in capsys.readouterr().err
    assert main(["enqueue", "pdf", "--court", "nysd", "--pacer-doc-id", "1", "--webhook", "file:///etc/passwd",
                 *deployment["args"]]) == 1
    assert "webhook URL must be http:// or https://" in capsys.readouterr().err


def test_schedule_times_follow_the_seed():
    config = load_config()
    daily, weekly, refresh = (config.schedules[name] for name in ("daily", "weekly", "refresh"))
    monday_noon = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
    assert daily.next_run(monday_noon) == dt.datetime(2026, 11, 24, 5, 0, tzinfo=dt.timezone.utc)  # Tuesday
    friday_late = dt.datetime(2026, 11, 27, 6, 0, tzinfo=dt.timezone.utc)
    assert daily.next_run(friday_late) == dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.timezone.utc)  # next Tuesday
    assert weekly.next_run(monday_noon) == dt.datetime(2026, 11, 28, 5, 0, tzinfo=dt.timezone.utc)  # Saturday
    assert (daily.lookback_days, weekly.lookback_days, refresh.until_days_after_filing) == (4, 14, 60)
    custom = load_config({"courts": ["nysd"], "schedules": {"weekly": None, "daily": {"at": "07:30", "days": ["mon"]}}})
    assert set(custom.schedules) == {"daily", "refresh"}
    assert custom.schedules["daily"].next_run(monday_noon) == dt.datetime(2026, 11, 30, 7, 30, tzinfo=dt.timezone.utc)
    with pytest.raises(ValueError, match="unknown day"):
        load_config({"schedules": {"daily": {"days": ["someday"]}}})


def _held(sessions, court, case_id, date_filed, last_entry):
    params = {"pacer_case_id": case_id}
    with sessions() as session:
        session.add(WorkRequest(kind="docket", court_id=court, params=params, status=SUCCESS,
                                dedupe_key=dedupe_key("docket", court, params), source="cli",
                                result=[{"court_id": court, "pacer_case_id": case_id, "report_type": "docket",
                                         "date_filed": date_filed, "last_entry_date": last_entry}]))
        session.commit()


def test_refresh_enqueues_cases_until_60_days_after_filing_from_their_last_entry(deployment, tmp_path, capsys):
    sessions = deployment["sessions"]
    _held(sessions, "nysd", "100", "2026-10-01", "2026-11-20")  # filed 53 days before: refreshed
    _held(sessions, "nysd", "101", "2026-09-01", "2026-11-02")  # 83 days: left alone
    _held(sessions, "cand", "7", "2026-09-24", None)  # exactly 60 days: refreshed, whole docket
    config = tmp_path / "schedules.toml"
    config.write_text('courts = ["nysd", "cand"]\n[schedules.refresh]\nat = "06:00"\n')
    argv = ["schedule", "--config", str(config), *deployment["args"], "once", "refresh", "--now", "2026-11-23T06:00:00+00:00"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["enqueued"]) == 2
    with sessions() as session:
        queued = [session.get(WorkRequest, i) for i in report["enqueued"]]
    # one refresh crawl a court holding a case filed within the window (the spider picks the dockets)
    assert sorted((r.kind, r.court_id, r.params) for r in queued) == [
        ("refresh", "cand", {"filed_within_days": 60, "as_of": "2026-11-23"}),
        ("refresh", "nysd", {"filed_within_days": 60, "as_of": "2026-11-23"})]
    assert {r.source for r in queued} == {"schedule:refresh"}
    # the slot is claimed: cron calling it again the same day enqueues nothing
    assert main(argv) == 0
    assert "already ran on 2026-11-23" in capsys.readouterr().err
    # forced, the open requests are not queued twice
    assert main([*argv, "--force"]) == 0
    assert json.loads(capsys.readouterr().out)["already_known"] == 2


def test_new_case_jobs_enqueue_what_the_rss_feeds_show_and_report_what_they_could_not(deployment, tmp_path, capsys):
    from pacer_spiders import sandbox as sandbox_module

    with sandbox_module.Sandbox(cases_per_court=3, entries=(4, 6)) as sb:
        opened = {(court, case.pacer_case_id): case.date_filed for court in ("nysd", "cand") for case in sb.cases(court)}
        config = tmp_path / "schedules.json"
        config.write_text(json.dumps({"courts": ["nysd", "cand", "nyed"], "sources": ["rss"]}))
        # nyed publishes no feed here: its whole window is reported as not seen
        sb.faults = sandbox_module.Faults.parse("500=1@/court/nyed/cgi-bin/rss_outside.pl")

        def once(job, now, *extra):
            argv = ["schedule", "--config", str(config), *deployment["args"],
                    "-s", f"PACER_COURT_URL_TEMPLATE={sb.settings['PACER_COURT_URL_TEMPLATE']}",
                    "-s", "PACER_COURT_INTERVAL=0.05",  # the failing feed's retries come at once
                    "once", job, "--now", now, *extra]
            assert main(argv) == 0
            captured = capsys.readouterr()
            return json.loads(captured.out), captured.err

        def enqueued(report):
            with deployment["sessions"]() as session:
                rows = [session.get(WorkRequest, i) for i in report["enqueued"]]
            assert {r.source for r in rows} <= {f"schedule:{report['job']}"}
            return sorted((r.court_id, r.params["pacer_case_id"]) for r in rows)

        daily, err = once("daily", "2016-09-09T05:00:00+00:00")  # a Friday: filings of Sep 5 to 9
        expected = sorted(key for key, filed in opened.items()
                          if dt.date(2016, 9, 5) <= filed <= dt.date(2016, 9, 9))
        assert expected == [("nysd", "100001")]
        assert enqueued(daily) == expected
        assert daily["not_seen"] == ["nyed: rss did not see cases filed 2016-09-05 to 2016-09-09 (rss: no feed: Internal Server Error)"]
        assert "not seen: nyed" in err

        weekly, _ = once("weekly", "2016-08-13T05:00:00+00:00")  # a Saturday: the last two weeks
        assert enqueued(weekly) == [("nysd", "100002")]
        oldest_nysd = min(opened[("nysd", c)] for c in ("100001", "100002", "100003"))
        # nysd's feed starts with its oldest entry (Aug 4): the days before it were not seen
        assert f"nysd: rss did not see cases filed 2016-07-30 to {oldest_nysd - dt.timedelta(days=1)}" in weekly["not_seen"][0]

        # first pulls only: a case asked for before is not enqueued again
        again, _ = once("daily", "2016-09-09T05:00:00+00:00", "--force")
        assert again["enqueued"] == [] and again["already_known"] == 1


def test_case_query_sweep_finds_cases_after_the_highest_known_id_where_no_feed_helps(deployment, tmp_path, capsys):
    from pacer_spiders import sandbox as sandbox_module

    with sandbox_module.Sandbox(cases_per_court=3, entries=(4, 6)) as sb:
        sb.faults = sandbox_module.Faults.parse(
            "500=1@/court/nysd/cgi-bin/rss_outside.pl,500=1@/court/nyed/cgi-bin/rss_outside.pl")
        _held(deployment["sessions"], "nysd", "100001", sb.case("nysd", "100001").date_filed.isoformat(), None)
        new_case = sb.case("nysd", "100003")
        now = dt.datetime.combine(new_case.date_filed + dt.timedelta(days=1), dt.time(5), tzinfo=dt.timezone.utc)
        config = tmp_path / "schedules.json"
        config.write_text(json.dumps({"courts": ["nysd", "nyed"], "sources": ["rss", "case_query"]}))
        account = sb.account_env("good")
        settings = [f"PACER_COURT_URL_TEMPLATE={sb.settings['PACER_COURT_URL_TEMPLATE']}",
                    f"PACER_LOGIN_URL={sb.settings['PACER_LOGIN_URL']}",
                    f"PACER_LOGOUT_URL={sb.settings['PACER_LOGOUT_URL']}",
                    f"PACER_USERNAME={account['PACER_USERNAME']}", f"PACER_PASSWORD={account['PACER_PASSWORD']}",
                    "PACER_COURT_INTERVAL=0.05"]  # the sweep's probes one after the other, without the real pause
        argv = ["schedule", "--config", str(config), *deployment["args"]]
        for setting in settings:
            argv += ["-s", setting]
        logins = sb.logins
        assert main([*argv, "once", "daily", "--now", now.isoformat()]) == 0
        # the sweep is a crawl: one login through the login middleware, logged out at its end
        assert sb.logins - logins == 1 and sb.auth._sessions == {}
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    with deployment["sessions"]() as session:
        rows = [session.get(WorkRequest, i) for i in report["enqueued"]]
    # 100002 answers too but was filed before the window; 100004 on are not cases: the sweep stops
    assert [(r.court_id, r.params) for r in rows] == [("nysd", {"pacer_case_id": "100003"})]
    # nysd: no feed, but the sweep saw every case since 100001; nyed: nothing to count from
    assert len(report["not_seen"]) == 1
    assert report["not_seen"][0].startswith(f"nyed: rss/case_query did not see cases filed "
                                            f"{(now.date() - dt.timedelta(days=4)).isoformat()} to {now.date().isoformat()}")
    assert "case_query: no known case id to count from" in report["not_seen"][0]
    assert account["PACER_PASSWORD"] not in captured.out + captured.err
    # what the sweep received is in the archive like any crawl's pages (the source store keeps them)
    with deployment["sessions"]() as session:
        pages = session.execute(text("SELECT court_id, report_type FROM raw_pages")).all()
    assert sorted(set(pages)) == [("nysd", "case_query")] and len(pages) == 2  # 100002 and 100003


@pytest.mark.fresh_interpreters  # the discovery crawl as users get it: python anew, its request on stdin
def test_a_refused_login_is_a_problem_of_the_job_and_its_window_stays_unseen(deployment, tmp_path, capsys):
    from pacer_spiders import sandbox as sandbox_module

    with sandbox_module.Sandbox(cases_per_court=3, entries=(4, 6)) as sb:
        _held(deployment["sessions"], "nysd", "100001", sb.case("nysd", "100001").date_filed.isoformat(), None)
        config = tmp_path / "schedules.json"
        config.write_text(json.dumps({"courts": ["nysd"], "sources": ["case_query"]}))
        argv = ["schedule", "--config", str(config), *deployment["args"]]
        for name, value in {**sb.settings, "PACER_USERNAME": sb.accounts["good"].login,
                            "PACER_PASSWORD": "not-the-password"}.items():
            argv += ["-s", f"{name}={value}"]
        assert main([*argv, "once", "daily", "--now", "2016-09-09T05:00:00+00:00"]) == 0
        assert sb.auth._sessions == {}
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["enqueued"] == []
    assert report["problems"] == ["case_query: the discovery crawl ended pacer_bad_credentials"]
    assert report["not_seen"] == ["nysd: case_query did not see cases filed 2016-09-05 to 2016-09-09 "
                                  "(case_query: case query failed at id 100002: no PACER account can log in)"]
    assert "not-the-password" not in captured.out + captured.err


def test_schedule_run_discovers_through_the_spiders_and_leaves_no_session_logged_in(deployment):
    from pacer_spiders import sandbox as sandbox_module
    from pacer_spiders.distributed.schedules import run_forever
    from pacer_spiders.settings_access import project_settings

    with sandbox_module.Sandbox(cases_per_court=3, entries=(4, 6)) as sb:
        _held(deployment["sessions"], "nysd", "100001", sb.case("nysd", "100001").date_filed.isoformat(), None)
        new_case = sb.case("nysd", "100003")
        due = dt.datetime.combine(new_case.date_filed + dt.timedelta(days=1), dt.time(5), tzinfo=dt.timezone.utc)
        config = load_config({"courts": ["nysd"], "sources": ["rss", "case_query"],
                              "schedules": {"weekly": None, "refresh": None, "daily": {"days": list(WEEKDAYS)}}})
        settings = project_settings({**sb.settings_for("good"), "REDIS_URL": deployment["redis_url"],
                                     "DATABASE_URL": deployment["database_url"], "PACER_COURT_INTERVAL": 0.05})
        now = [due - dt.timedelta(hours=1)]

        def sleep(seconds):
            now[0] += dt.timedelta(seconds=seconds)

        reports, logins, requests_before = [], sb.logins, len(sb.requests)
        run_forever(config, deployment["sessions"], deployment["store"], settings=settings, clock=lambda: now[0],
                    sleep=sleep, on_report=reports.append, max_runs=1)
        asked = [r["path"] for r in list(sb.requests)[requests_before:]]
        assert sb.logins - logins == 1 and sb.auth._sessions == {}
    (report,) = reports
    assert report.ran_at == due and report.problems == []
    with deployment["sessions"]() as session:
        rows = [session.get(WorkRequest, i) for i in report.enqueued]
    assert [(r.court_id, r.params) for r in rows] == [("nysd", {"pacer_case_id": "100003"})]
    # the feed (no login) and the sweep past the newest case the feed named, through the crawls
    assert asked.count("/court/nysd/cgi-bin/rss_outside.pl") == 1
    assert [path for path in asked if "iquery.pl" in path] == [  # five misses in a row end it
        f"/court/nysd/cgi-bin/iquery.pl?{case_id}" for case_id in range(100004, 100009)]


def test_schedule_run_fires_each_job_at_its_slot_once_over_a_week(deployment):
    from pacer_spiders.distributed.schedules import run_forever

    config = load_config({"courts": ["nysd"], "sources": []})
    now = [dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.timezone.utc)]  # a Monday, midnight

    def sleep(seconds):
        now[0] += dt.timedelta(seconds=seconds)

    ran = []
    run_forever(config, deployment["sessions"], deployment["store"], clock=lambda: now[0], sleep=sleep,
                on_report=lambda report: ran.append((report.job, report.ran_at.strftime("%a %H:%M"))),
                max_runs=12)
    assert ran == [("refresh", "Mon 06:00"),
                   ("daily", "Tue 05:00"), ("refresh", "Tue 06:00"),
                   ("daily", "Wed 05:00"), ("refresh", "Wed 06:00"),
                   ("daily", "Thu 05:00"), ("refresh", "Thu 06:00"),
                   ("daily", "Fri 05:00"), ("refresh", "Fri 06:00"),
                   ("weekly", "Sat 05:00"), ("refresh", "Sat 06:00"),
                   ("refresh", "Sun 06:00")]
    # a second scheduler over the same week finds every slot claimed and enqueues nothing
    now[0] = dt.datetime(2026, 11, 23, 0, 0, tzinfo=dt.timezone.utc)
    again = []
    run_forever(config, deployment["sessions"], deployment["store"], clock=lambda: now[0], sleep=sleep,
                on_report=again.append, max_runs=12)
    assert again == []

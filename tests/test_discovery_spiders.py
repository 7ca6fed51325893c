"""The discovery spiders (``rss``, ``case_query_sweep``) crawling the sandbox over real HTTP into an
archive: what they find, what they say they could not see, the cost cap, and the PACER sessions they
leave (none)."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3

import pytest

from pacer_spiders import sandbox as sandbox_module
from spider_helpers import crawl, small_sandbox

WINDOW = {"date_start": "2016-01-01", "date_end": "2016-12-31"}


@pytest.fixture(scope="module")
def sb():
    with small_sandbox(cases_per_court=4, entries=(3, 5)) as sandbox:
        yield sandbox


def rows(result, sql: str, *params):
    with sqlite3.connect(result.workdir / "archive.sqlite3") as conn:
        return conn.execute(sql, params).fetchall()


def opened_in_2016(sb, court_id):
    return sorted(c.pacer_case_id for c in sb.cases(court_id)
                  if not c.sealed and dt.date(2016, 1, 1) <= c.date_filed <= dt.date(2016, 12, 31))


def test_rss_reads_each_feed_without_logging_in_and_says_what_it_could_not_see(sb, tmp_path):
    logins = sb.logins
    sb.faults = sandbox_module.Faults.parse("500=1@/court/nyed/cgi-bin/rss_outside.pl")
    try:
        result = crawl(sb, "rss", tmp_path, {"court": "okwd,nyed", **WINDOW})
    finally:
        sb.faults = sandbox_module.Faults.parse(None)
    assert result.reason == "finished", result.log[-3000:]
    assert sb.logins == logins  # a feed is public: no session opened
    assert result.stat("pacer/pages/rss") == 1
    # the feed is kept (raw page in the source store) and its cases are in the archive
    assert rows(result, "SELECT court_id, report_type FROM raw_pages") == [("okwd", "rss")]
    feed_cases = {case_id for (case_id,) in rows(result, "SELECT pacer_case_id FROM dockets WHERE court_id = 'okwd'")}
    found = int(re.search(r"rss okwd: (\d+) cases found", result.log).group(1))
    assert 0 < found <= len(feed_cases) and result.stat("pacer/discovery/found") == found
    # retried, then reported: nyed's whole window was not seen, with the reason
    assert "rss nyed: 0 cases found; not seen: 2016-01-01 to 2016-12-31 (no feed: Internal Server Error)" in result.log
    assert result.stat("pacer/errors/http_500") == 1


def test_case_query_sweep_asks_the_ids_after_the_start_until_the_numbering_ends(sb, tmp_path):
    cases = sorted(sb.cases("okwd"), key=lambda c: int(c.pacer_case_id))
    start = cases[0]
    logins, requests_before = sb.logins, len(sb.requests)
    result = crawl(sb, "case_query_sweep", tmp_path,
                   {"court": "okwd,nyed", "after": f"okwd:{start.pacer_case_id}",
                    "after_filed": f"okwd:{start.date_filed.isoformat()}", "max_misses": "3", **WINDOW})
    assert result.reason == "finished", result.log[-3000:]
    probed = [r["path"] for r in list(sb.requests)[requests_before:] if "iquery.pl" in r["path"]]
    last = int(cases[-1].pacer_case_id)
    assert len(probed) == last - int(start.pacer_case_id) + 3  # every id after the start, then 3 misses
    # one login for the whole sweep, logged out at the end: no session left in the sandbox
    assert sb.logins - logins == 1 and result.stat("pacer/logout/count") == 1
    assert sb.auth._sessions == {}
    # each case query page is archived (the misses are rejected pages, kept with their reason)
    archived = sorted(case_id for (case_id,) in rows(result, "SELECT pacer_case_id FROM dockets WHERE court_id = 'okwd'"))
    assert archived == sorted(c.pacer_case_id for c in cases[1:] if not c.sealed)
    assert rows(result, "SELECT count(*) FROM raw_pages WHERE report_type = 'case_query'") == [(len(archived),)]
    assert result.stat("pages/rejected/not_found") == 3
    found = opened_in_2016(sb, "okwd")
    found = [case_id for case_id in found if case_id != start.pacer_case_id]
    assert result.stat("pacer/discovery/found", 0) == len(found)
    seen = f"ids {int(start.pacer_case_id) + 1} to {last} asked"
    assert re.search(rf"case_query okwd: {len(found)} cases found.*\({seen}\)", result.log), result.log[-3000:]
    # a court with no known case id is reported, not guessed at
    assert "case_query nyed: 0 cases found; not seen: 2016-01-01 to 2016-12-31 (no known case id to count from)" \
        in result.log


def test_case_query_sweep_never_passes_the_cost_cap(sb, tmp_path):
    requests_before = len(sb.requests)
    result = crawl(sb, "case_query_sweep", tmp_path, {"court": "okwd", "after": "100001", **WINDOW},
                   settings={"PACER_MAX_COST": "0.05"})
    assert result.reason == "cost_cap", result.log[-3000:]
    assert result.returncode == 0  # a budget, not a failure
    assert not [r for r in list(sb.requests)[requests_before:] if "iquery.pl" in r["path"]]
    assert "(stopped at PACER_MAX_COST before id 100002)" in result.log
    assert sb.auth._sessions == {}


def test_a_refused_login_ends_the_sweep_with_its_reason_and_no_session(sb, tmp_path):
    env = {"PACER_USERNAME": sb.accounts["good"].login, "PACER_PASSWORD": "not-the-password"}
    result = crawl(sb, "case_query_sweep", tmp_path, {"court": "okwd", "after": "100001", **WINDOW}, roles=(), env=env)
    assert result.reason == "pacer_bad_credentials" and result.returncode == 1
    assert "case query failed at id 100002: no PACER account can log in" in result.log
    assert "not-the-password" not in result.log
    assert sb.auth._sessions == {}


@pytest.mark.parametrize("args, reason", [
    ({"court": "okwd,nysd", "after": "100001"}, "after: with several courts, name each court's value"),
    ({"court": "okwd", "date_start": "2016-13-01"}, "date_start must be a date (YYYY-MM-DD), not '2016-13-01'"),
])
def test_bad_sweep_arguments_fail_before_anything_is_fetched(sb, tmp_path, args, reason):
    requests_before = len(sb.requests)
    result = crawl(sb, "case_query_sweep", tmp_path, args)
    assert result.returncode == 1 and result.reason == "bad_argument"
    assert reason in result.log
    assert len(sb.requests) == requests_before

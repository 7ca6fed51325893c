"""Every setting is checked before a crawl or command starts: one line naming it, no traceback."""

from __future__ import annotations

import socket

import pytest

from pacer_spiders.db import make_engine
from pacer_spiders.scrapy_commands.crawl import database_problem, redis_problem
from pacer_spiders.settings_access import SettingsError, project_settings, settings_problem


def problem_of(tmp_path, **overrides):
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'archive.sqlite3'}", "FILES_STORE": str(tmp_path / "files")}
    settings = project_settings(base)
    settings.setdict({k: v for k, v in overrides.items()}, priority="cmdline")
    return settings_problem(settings)


@pytest.mark.parametrize("name, value, expected", [
    ("CONCURRENT_REQUESTS", "abc", "CONCURRENT_REQUESTS must be a whole number, not 'abc'"),
    ("CONCURRENT_REQUESTS", "2.5", "CONCURRENT_REQUESTS must be a whole number, not '2.5'"),
    ("RETRY_TIMES", "-1", "RETRY_TIMES must not be negative, not '-1'"),
    ("DOWNLOAD_DELAY", "soon", "DOWNLOAD_DELAY must be a number, not 'soon'"),
    ("DOWNLOAD_TIMEOUT", "inf", "DOWNLOAD_TIMEOUT must be a finite number, not 'inf'"),
    ("PACER_COURT_INTERVAL", "abc", "PACER_COURT_INTERVAL must be a number, not 'abc'"),
    ("PACER_COURT_CONCURRENCY", "two", "PACER_COURT_CONCURRENCY must be a whole number, not 'two'"),
    ("PACER_LEASE_SECONDS", "nan", "PACER_LEASE_SECONDS must be a finite number, not 'nan'"),
    ("PACER_MAX_COST", "nan", "PACER_MAX_COST must be a finite number, not 'nan'"),
    ("PACER_MAX_COST", "inf", "PACER_MAX_COST must be a finite number, not 'inf'"),
    ("PACER_MAX_COST", "-3", "PACER_MAX_COST must not be negative, not '-3'"),
    ("PACER_MAX_COST", "three dollars", "PACER_MAX_COST must be a number, not 'three dollars'"),
    ("PACER_TOKEN_MAX_AGE", "an hour", "PACER_TOKEN_MAX_AGE must be a number, not 'an hour'"),
    ("ROBOTSTXT_OBEY", "maybe", "ROBOTSTXT_OBEY must be true or false (1 or 0), not 'maybe'"),
    ("PACER_COURT_URL_TEMPLATE", "https://ecf.{nosuch}.uscourts.gov",
     "PACER_COURT_URL_TEMPLATE 'https://ecf.{nosuch}.uscourts.gov' cannot be filled in (KeyError: 'nosuch'); "
     "its placeholders are {subdomain} and {court_id}"),
    ("PACER_COURT_URL_TEMPLATE", "https://ecf.{0}.uscourts.gov", "PACER_COURT_URL_TEMPLATE 'https://ecf.{0}.uscourts.gov' "
     "cannot be filled in (IndexError: Replacement index 0 out of range for positional args tuple); "
     "its placeholders are {subdomain} and {court_id}"),
    ("PACER_COURT_URL_TEMPLATE", "ecf.{subdomain}.uscourts.gov",
     "PACER_COURT_URL_TEMPLATE must give an http(s):// URL, not 'ecf.{subdomain}.uscourts.gov'"),
    ("DATABASE_URL", "mysql://me:hunter2@db/archive",
     "DATABASE_URL must be an SQLite or PostgreSQL database (sqlite:///<file> or postgresql://...), "
     "not 'mysql://me:***@db/archive'"),
    ("DATABASE_URL", "an archive", "DATABASE_URL must be sqlite:///<file> or postgresql://<user>@<host>/<database>, "
                                   "not 'an archive'"),
    ("PACER_COURT_LIMITS", '{"nysd": {"interval": "slow"}}',
     "PACER_COURT_LIMITS['nysd'].interval must be a number, not 'slow'"),
])
def test_a_bad_setting_is_named_in_one_line(tmp_path, name, value, expected):
    assert problem_of(tmp_path, **{name: value}) == expected


def test_good_settings_pass(tmp_path):
    assert problem_of(tmp_path) is None
    assert problem_of(tmp_path, CONCURRENT_REQUESTS="4", DOWNLOAD_DELAY="0.5", PACER_MAX_COST="3",
                      ROBOTSTXT_OBEY="true", RETRY_PRIORITY_ADJUST="-2", PACER_STATS_FILE=str(tmp_path / "s.json"),
                      PACER_COURT_URL_TEMPLATE="http://127.0.0.1:8123/court/{court_id}",
                      DATABASE_URL="postgresql://me:pw@db/archive") is None


def test_paths_that_are_not_what_the_setting_needs(tmp_path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("notes")
    assert problem_of(tmp_path, FILES_STORE=str(a_file)) == f"FILES_STORE must be a folder; {str(a_file)!r} is a file"
    assert problem_of(tmp_path, SOURCE_STORE=f"file://{a_file}") == f"SOURCE_STORE must be a folder; {str(a_file)!r} is a file"
    assert problem_of(tmp_path, PACER_STATS_FILE=str(tmp_path)) == \
        f"PACER_STATS_FILE must name a file, not the folder {str(tmp_path)!r}"
    assert problem_of(tmp_path, PACER_STATS_FILE=str(tmp_path / "gone" / "s.json")) == \
        f"PACER_STATS_FILE {str(tmp_path / 'gone' / 's.json')!r}: no folder {str(tmp_path / 'gone')!r} to write it in"
    assert problem_of(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}") == \
        f"DATABASE_URL must name a file, not the folder {str(tmp_path)!r}"


def test_commands_settings_are_checked_when_read(tmp_path):
    with pytest.raises(SettingsError, match="^PACER_MAX_COST must be a finite number, not 'nan'$"):
        project_settings({"PACER_MAX_COST": "nan"})


def test_an_unsupported_database_is_refused_before_any_driver_is_loaded():
    with pytest.raises(ValueError, match="^DATABASE_URL must be an SQLite or PostgreSQL database"):
        make_engine("mysql://me@db/archive")
    assert database_problem("mysql://me:hunter2@db/archive").endswith("not 'mysql://me:***@db/archive'")


def test_unreachable_redis_is_one_line_before_the_crawl(redis_url):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    problem = redis_problem(f"redis://:secret@127.0.0.1:{port}/0")
    assert problem.startswith(f"cannot reach REDIS_URL redis://:***@127.0.0.1:{port}/0: ") and "secret" not in problem
    assert redis_problem("http://127.0.0.1/0").startswith("REDIS_URL must be redis://host:port/db")
    assert redis_problem(redis_url) is None


def test_a_crawl_with_an_unreachable_redis_stops_in_one_line(tmp_path):
    from pacer_spiders.testing.crawls import run_crawl

    result = run_crawl("docket", tmp_path / "crawl", args={"court": "okwd", "pacer_case_id": "100001"},
                       settings={"REDIS_URL": "redis://127.0.0.1:1/0", "PACER_COURT_INTERVAL": "0.5"})
    errors = [line for line in result.log.splitlines() if line.startswith("scrapy crawl: error")]
    assert result.returncode == 1 and "Traceback" not in result.log and "Engine slot" not in result.log
    assert errors == ["scrapy crawl: error: cannot reach REDIS_URL redis://127.0.0.1:1/0: Error 111 connecting to "
                      "127.0.0.1:1. Connection refused."], errors


def test_a_crawl_with_a_bad_interval_and_redis_names_the_setting(tmp_path, redis_url):
    from pacer_spiders.testing.crawls import run_crawl

    result = run_crawl("docket", tmp_path / "crawl", args={"court": "okwd", "pacer_case_id": "100001"},
                       settings={"REDIS_URL": redis_url, "PACER_COURT_INTERVAL": "abc"})
    errors = [line for line in result.log.splitlines() if line.startswith("scrapy crawl: error")]
    assert result.returncode == 1 and "Traceback" not in result.log
    assert errors == ["scrapy crawl: error: PACER_COURT_INTERVAL must be a number, not 'abc'"]

"""Bad input on the command line: one line saying why, a non-zero exit, never a traceback."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from pacer_spiders.cli import main
from pacer_spiders.testing.crawls import run_crawl


def unreachable_postgres_url() -> str:
    """A PostgreSQL URL on a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://nobody@127.0.0.1:{port}/nothing"


def error_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize("argv", [
    ["db", "upgrade"],
    ["export", "updated", "--date", "2026-01-01"],
    ["orphans", "list"],
    ["source", "1"],
])
def test_unreachable_database_is_one_line(argv, capsys):
    url = unreachable_postgres_url()
    assert main([*argv, "--database-url", url]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"pacer-spiders {argv[0]}: error: ")
    assert "127.0.0.1" in lines[0] and "Traceback" not in lines[0]


def test_ingest_refuses_an_unknown_court(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text("<html></html>")
    database = tmp_path / "archive.sqlite3"
    assert main(["ingest", str(page), "--court", "cnad", "--type", "docket",
                 "--database-url", f"sqlite:///{database}"]) == 1
    lines = error_lines(capsys)
    assert lines == [lines[0]] and lines[0].startswith("pacer-spiders ingest: error: unknown court id 'cnad'")
    assert "cand" in lines[0]  # the closest known ids are named
    assert not database.exists()  # refused before anything was opened


def test_parse_refuses_an_unknown_court(tmp_path, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "page.html").write_text("<html></html>")
    assert main(["parse", str(pages), "-c", "xxx", "-o", str(tmp_path / "json"), "-d"]) == 1
    lines = error_lines(capsys)
    assert lines == [lines[0]] and lines[0].startswith("pacer-spiders parse: error: unknown court id 'xxx'")
    assert not (tmp_path / "json").exists()


@pytest.mark.parametrize("argv", [
    ["ingest", "missing.html", "--court", "cand", "--type", "docket"],
    ["parse", "missing-folder"],
])
def test_missing_input_is_one_line(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and "missing" in lines[0], lines


# -- scrapy crawl --------------------------------------------------------------------------------
def crawl_errors(result) -> list[str]:
    return [line for line in result.log.splitlines() if " ERROR: " in line or line.startswith("scrapy crawl: error")]


@pytest.mark.parametrize("content, reason", [
    (b"court,docket_number\nokwd,\xff\xfe1:16-cv-00100\n", "cannot be read as cases"),
    (b"court,number\nokwd,1:16-cv-00100\n", "no docket_number or pacer_case_id"),
])
def test_malformed_cases_csv_is_one_line(tmp_path, content, reason):
    cases = tmp_path / "cases.csv"
    cases.write_bytes(content)
    result = run_crawl("docket", tmp_path / "crawl", args={"input": str(cases)})
    assert result.returncode == 1
    assert "Traceback" not in result.log
    errors = crawl_errors(result)
    assert len(errors) == 1 and reason in errors[0] and str(cases) in errors[0], errors


def test_malformed_cases_jsonl_is_one_line(tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"court": "okwd", "docket_number": "1:16-cv-00100"}\n{"court": "okwd",\n')
    result = run_crawl("docket", tmp_path / "crawl", args={"input": str(cases)})
    assert result.returncode == 1 and "Traceback" not in result.log
    errors = crawl_errors(result)
    assert len(errors) == 1 and f"{cases}:2: cannot be read as cases" in errors[0], errors


def test_cases_input_that_is_a_folder_is_one_line(tmp_path):
    result = run_crawl("docket", tmp_path / "crawl", args={"input": str(tmp_path)})
    assert result.returncode == 1 and "Traceback" not in result.log
    assert [f"input file not found: {tmp_path}" in line for line in crawl_errors(result)] == [True]


def test_crawl_with_an_unreachable_database_is_one_line(tmp_path):
    url = unreachable_postgres_url().replace("nobody@", "nobody:hunter2@")
    result = run_crawl("docket", tmp_path / "crawl", args={"court": "okwd", "docket_number": "1:16-cv-00100"},
                       settings={"DATABASE_URL": url})
    assert result.returncode == 1 and "Traceback" not in result.log
    errors = crawl_errors(result)
    assert len(errors) == 1 and errors[0].startswith("scrapy crawl: error: cannot open DATABASE_URL"), errors
    assert "hunter2" not in result.log  # the password in the URL is not echoed


def test_unknown_spider_is_one_line(tmp_path):
    result = run_crawl("dockets", tmp_path / "crawl")
    assert result.returncode == 1 and "Traceback" not in result.log
    errors = crawl_errors(result)
    assert len(errors) == 1 and "no spider 'dockets'" in errors[0] and "docket" in errors[0], errors


def test_pacer_case_id_that_is_not_a_number_is_refused_before_any_request(tmp_path):
    result = run_crawl("docket", tmp_path / "crawl", args={"court": "okwd", "pacer_case_id": "1:16-cv-00100"})
    assert result.returncode == 1 and result.reason == "bad_argument"
    assert result.stats.get("downloader/request_count") is None  # nothing was asked of PACER
    errors = crawl_errors(result)
    assert len(errors) == 1 and "pacer_case_id must be PACER's case id" in errors[0], errors


@pytest.mark.parametrize("argv, reason", [
    (["orphans", "list", "--court", "cnad"], "unknown court id 'cnad'"),
    (["orphans", "sweep", "--court", "cnad"], "unknown court id 'cnad'"),
    (["export", "updated", "--date", "2026-13-01"], "--date '2026-13-01' is not a date (YYYY-MM-DD)"),
])
def test_archive_commands_refuse_bad_arguments(argv, reason, tmp_path, capsys):
    assert main([*argv, "--database-url", f"sqlite:///{tmp_path / 'archive.sqlite3'}"]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and reason in lines[0], lines


@pytest.mark.parametrize("action", ["check", "replay"])
def test_cassettes_command_names_a_file_that_is_not_a_cassette(action, tmp_path, capsys):
    not_json = tmp_path / "notes.json"
    not_json.write_text("these are notes, not a cassette")
    assert main(["cassettes", action, str(not_json)]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and f"{not_json}: not a cassette (JSON)" in lines[0], lines
    assert main(["cassettes", action, str(tmp_path / "missing.json")]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and "no such cassette" in lines[0], lines


def test_a_setting_that_must_be_a_number_is_one_line(tmp_path):
    result = run_crawl("docket", tmp_path / "crawl", args={"court": "okwd", "pacer_case_id": "100001"},
                       settings={"PACER_MAX_COST": "three dollars"})
    assert result.returncode == 1 and "Traceback" not in result.log
    assert crawl_errors(result) == ["scrapy crawl: error: PACER_MAX_COST must be a number, not 'three dollars'"]


def test_an_environment_number_that_is_not_one_is_one_line(tmp_path):
    env = {**os.environ, "PACER_TOKEN_MAX_AGE": "an hour", "SCRAPY_SETTINGS_MODULE": "pacer_spiders.settings"}
    for command in (["-m", "scrapy", "list"], ["-m", "pacer_spiders", "courts"]):
        proc = subprocess.run([sys.executable, *command], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 1, command
        assert proc.stderr.strip() == "PACER_TOKEN_MAX_AGE must be a number, not 'an hour'", proc.stderr

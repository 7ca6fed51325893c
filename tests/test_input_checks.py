"""Values given by users are checked at the edge: ids of PACER's forms and lengths, dates within
PACER's era, docket numbers of PACER's forms, text files that are text.  One line, naming the field
or the file; nothing queued, nothing fetched."""

from __future__ import annotations

from datetime import date

import pytest

from pacer_spiders.cli import main
from pacer_spiders.courts import check_identifiers, check_pacer_case_id, check_pacer_doc_id
from pacer_spiders.parsers.common import BadValue, check_date, check_docket_number
from pacer_spiders.testing.crawls import run_crawl
from pacer_spiders.testing.workers import empty_redis_database

NEXT_YEAR = date.today().year + 1
BINARY = bytes(range(256)) * 4  # what a zip or an image looks like to a text reader


def error_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize("params, message", [
    ({"pacer_case_id": "abc"}, "pacer_case_id must be PACER's case id (1 to 9 digits, or an ACMS GUID), not 'abc'"),
    ({"pacer_case_id": "1" * 26}, f"pacer_case_id must be PACER's case id (1 to 9 digits, or an ACMS GUID), not '{'1' * 26}'"),
    ({"pacer_case_id": "0"}, "pacer_case_id must be PACER's case id (1 to 9 digits, or an ACMS GUID), not '0'"),
    ({"pacer_doc_id": "12ab34"}, "pacer_doc_id must be PACER's document id (8 to 13 digits, or an ACMS GUID), not '12ab34'"),
    # Once padded silently into another document (12305); now refused.
    ({"pacer_doc_id": "12345"}, "pacer_doc_id must be PACER's document id (8 to 13 digits, or an ACMS GUID), not '12345'"),
    ({"pacer_doc_id": "1" * 14}, f"pacer_doc_id must be PACER's document id (8 to 13 digits, or an ACMS GUID), not '{'1' * 14}'"),
    ({"pacer_doc_id": "035012345678"}, "pacer_doc_id '035012345678' is not a document of nysd: its document ids begin 127"),
    ({"date_from": "2019-13-45"}, "date_from '2019-13-45' is not a date (YYYY-MM-DD)"),
    ({"date_to": "9999-12-31"}, f"date_to '9999-12-31' is outside PACER's years (1900 to {NEXT_YEAR})"),
    ({"date_from": "1899-12-31"}, f"date_from '1899-12-31' is outside PACER's years (1900 to {NEXT_YEAR})"),
    ({"docket_number": "3:18-cr-18446744073709551616"},
     "docket_number must be a docket number of PACER's forms (1:16-cv-00100, 13-07422), not '3:18-cr-18446744073709551616'"),
    ({"docket_number": "civil case 12"},
     "docket_number must be a docket number of PACER's forms (1:16-cv-00100, 13-07422), not 'civil case 12'"),
    ({"document_number": "12a"}, "document_number must be a whole number from 1 to 99999, not '12a'"),
    ({"attachment_number": "9" * 400}, f"attachment_number must be a whole number from 1 to 99999, not '{'9' * 40}'"),
])
def test_values_not_of_pacers_forms_are_refused_by_name(params, message):
    with pytest.raises(BadValue) as refused:
        check_identifiers("nysd", params)
    assert str(refused.value) == message


def test_values_of_pacers_forms_pass():
    guid = "1e399dc7-2462-ee11-a81c-001dd809b0dc"
    assert check_identifiers("nysd", {
        "pacer_case_id": "500123", "pacer_doc_id": "127012345678", "docket_number": "1:16-cv-00100-ABC-2",
        "date_from": "01/02/2020", "date_to": f"{NEXT_YEAR}-12-31", "document_number": "7", "since": "last",
    }) == {"pacer_case_id": "500123", "pacer_doc_id": "127012345678", "docket_number": "1:16-cv-00100-ABC-2",
           "date_from": "2020-01-02", "date_to": f"{NEXT_YEAR}-12-31", "document_number": "7", "since": "last"}
    assert check_pacer_case_id(guid) == guid and check_pacer_doc_id(guid, "ca9") == guid
    assert check_pacer_doc_id("06103402", "hid") == "06103402"  # an old 8-digit id of a real docket
    assert check_docket_number("13-07422") == "13-07422" and check_docket_number("24-1234") == "24-1234"
    assert check_date("3/4/19", "date_start") == date(2019, 3, 4)


@pytest.fixture
def deployment(redis_url, tmp_path):
    redis_url = empty_redis_database(redis_url, 11)
    return ["--redis-url", redis_url, "--database-url", f"sqlite:///{tmp_path / 'archive.sqlite3'}"]


@pytest.mark.parametrize("option, value, message", [
    ("--pacer-case-id", "abc", "pacer_case_id must be PACER's case id"),
    ("--pacer-case-id", "1" * 26, "pacer_case_id must be PACER's case id"),
    ("--date-from", "2019-13-45", "date_from '2019-13-45' is not a date (YYYY-MM-DD)"),
    ("--date-to", "9999-12-31", "date_to '9999-12-31' is outside PACER's years"),
])
def test_enqueue_refuses_bad_values_and_queues_nothing(deployment, capsys, option, value, message):
    assert main(["enqueue", "docket", "--court", "nysd", "--pacer-case-id", "500123", option, value, *deployment]) == 1
    lines = error_lines(capsys)
    assert lines[0] == f"skipped: {lines[0][len('skipped: '):]}" and message in lines[0], lines
    assert lines[1:] == ["0 queued, 0 already open, 1 skipped"]


@pytest.mark.parametrize("doc_id", ["12ab34", "12345"])
def test_enqueue_refuses_a_document_id_not_of_pacers_form(deployment, capsys, doc_id):
    assert main(["enqueue", "pdf", "--court", "nysd", "--pacer-doc-id", doc_id, *deployment]) == 1
    assert f"pacer_doc_id must be PACER's document id (8 to 13 digits, or an ACMS GUID), not '{doc_id}'" in \
        error_lines(capsys)[0]


# -- binary files -----------------------------------------------------------------------------------
def binary_file(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BINARY)
    return path


def test_enqueue_names_a_binary_file(tmp_path, capsys):
    path = binary_file(tmp_path, "cases.csv")
    assert main(["enqueue", "docket", "--file", str(path)]) == 1
    assert error_lines(capsys) == [f"pacer-spiders enqueue: error: {path}: not a UTF-8 text file (byte 0x80 at offset 128)"]


def test_parse_names_a_binary_ucids_file(tmp_path, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    path = binary_file(tmp_path, "ucids.csv")
    assert main(["parse", str(pages), "--force-ucids", str(path), "-o", str(tmp_path / "json")]) == 1
    assert error_lines(capsys) == [f"pacer-spiders parse: error: {path}: not a UTF-8 text file (byte 0x80 at offset 128)"]


def test_schedule_names_a_binary_config(tmp_path, capsys):
    path = binary_file(tmp_path, "schedules.toml")
    assert main(["schedule", "--config", str(path), "show"]) == 1
    assert error_lines(capsys) == [f"pacer-spiders schedule: error: {path}: not a UTF-8 text file (byte 0x80 at offset 128)"]


@pytest.mark.parametrize("action", ["check", "replay"])
def test_cassettes_names_a_binary_cassette(tmp_path, capsys, action):
    path = binary_file(tmp_path, "flow.json")
    assert main(["cassettes", action, str(path)]) == 1
    assert error_lines(capsys) == [f"pacer-spiders cassettes: error: {path}: not a UTF-8 text file (byte 0x80 at offset 128)"]


def test_a_text_file_with_nul_bytes_is_not_text(tmp_path, capsys):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"court_id,pacer_case_id\nnysd,1\x00\x00\n")
    assert main(["enqueue", "docket", "--file", str(path)]) == 1
    assert error_lines(capsys) == [f"pacer-spiders enqueue: error: {path}: not a text file (it holds NUL bytes at offset 29)"]


@pytest.mark.parametrize("workers", ["0", "-4", "two"])
def test_parse_wants_at_least_one_worker(tmp_path, capsys, workers):
    with pytest.raises(SystemExit) as exited:
        main(["parse", str(tmp_path), f"-nw={workers}"])
    assert exited.value.code == 2
    assert error_lines(capsys)[-1].startswith("pacer-spiders parse: error: argument -nw/--workers: ")


# -- crawl arguments --------------------------------------------------------------------------------
def test_a_docket_crawl_for_a_date_outside_pacers_era_fetches_nothing(tmp_path):
    result = run_crawl("docket", tmp_path / "crawl", args={"court": "okwd", "pacer_case_id": "100001",
                                                            "date_start": "9999-12-31"})
    assert result.returncode == 1 and result.reason == "bad_argument" and "Traceback" not in result.log
    assert result.stats.get("downloader/request_count") is None  # nothing was asked of PACER, nothing billed
    assert f"date_start '9999-12-31' is outside PACER's years (1900 to {NEXT_YEAR})" in result.log

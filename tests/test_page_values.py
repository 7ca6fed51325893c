"""Values read from pages: impossible dates never become dates; pages saved as UTF-16/32 are read."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from pacer_spiders.parsers import parser_for
from pacer_spiders.parsers.common import decode, parse_date, parse_datetime, parse_docket_number

CORPUS = Path(os.environ.get("PACER_CORPUS", Path(__file__).resolve().parents[2] / "shared" / "pacer-corpus"))
DOCKET = CORPUS / "dockets" / "district" / "akd.html"
needs_corpus = pytest.mark.skipif(not DOCKET.exists(), reason="PACER_CORPUS not available")


@pytest.mark.parametrize("text, expected", [
    ("12/31/0001", None),  # once stored as 2001-12-31
    ("12/31/99999", None),  # once 9999-12-31
    ("01/01/10000", None),  # once 1000-01-01
    ("12/31/1899", None),
    (f"01/01/{date.today().year + 2}", None),
    ("02/30/2020", None),
    ("12/31/201", None),
    ("12/31/1900", "1900-12-31"),
    (f"12/31/{date.today().year + 1}", f"{date.today().year + 1}-12-31"),
    ("Filed: 3/4/19", "2019-03-04"),
    (f"03/04/{(date.today().year + 1) % 100:02d}", f"{date.today().year + 1}-03-04"),
    (f"03/04/{(date.today().year + 2) % 100:02d}", f"{date.today().year + 2 - 100}-03-04"),
])
def test_parse_date_keeps_pacer_era_dates_only(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("12/31/0001 10:00:00", None),
    ("01/02/2020 10:11:12", "2020-01-02T10:11:12"),
])
def test_parse_datetime_keeps_pacer_era_stamps_only(text, expected):
    assert parse_datetime(text) == expected


@needs_corpus
@pytest.mark.parametrize("written", ["12/31/0001", "12/31/99999", "01/01/10000"])
def test_a_docket_with_an_impossible_filing_date_keeps_its_other_data(written):
    page = DOCKET.read_bytes()
    assert b"Date Filed: 12/23/2008" in page
    parse = parser_for("docket", "akd")
    whole = parse(page, {"court_id": "akd"})
    changed = parse(page.replace(b"Date Filed: 12/23/2008", f"Date Filed: {written}".encode()), {"court_id": "akd"})
    assert whole["date_filed"] == "2008-12-23" and changed["date_filed"] is None
    assert changed["docket_number"] == whole["docket_number"] == "3:08-cv-00284"
    assert changed["docket_entries"] == whole["docket_entries"] and changed["case_name"] == whole["case_name"]


@pytest.mark.parametrize("encoding, bom", [
    ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("utf-32-le", b"\xff\xfe\x00\x00"), ("utf-32-be", b"\x00\x00\xfe\xff"), ("utf-8", b"\xef\xbb\xbf"),
])
def test_decode_reads_a_page_by_its_byte_order_mark(encoding, bom):
    text = "<h3>CIVIL DOCKET FOR CASE #: 1:20-cv-00001</h3> Señor Müller ¶"
    assert decode(bom + text.encode(encoding)) == text


def test_decode_without_a_mark_is_utf8_then_cp1252():
    assert decode("Müller".encode("utf-8")) == "Müller"
    assert decode("Müller ÿþ".encode("cp1252")) == "Müller ÿþ"
    assert decode(b"\xff\xfeM\x00\xfc") == "ÿþM\x00ü"  # no UTF-16 text after the mark: cp1252


@needs_corpus
@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_docket_saved_as_utf16_or_utf32_parses_as_the_original(encoding):
    page = DOCKET.read_bytes()
    parse = parser_for("docket", "akd")
    converted = decode(page).encode(encoding)  # Python writes the mark first
    assert parse(converted, {"court_id": "akd"}) == parse(page, {"court_id": "akd"})


@pytest.mark.parametrize("text, expected", [
    ("3:18-cr-18446744073709551616", None),  # once cut to 3:18-cr-1844674407, another case
    ("13-123456789012", None),
    ("2:17-cv-04442-SMM-BP-3", "2:17-cv-04442"),
    ("13-07422-RLM-7A", "13-07422"),
])
def test_a_docket_number_is_whole_or_none(text, expected):
    assert parse_docket_number(text)[0] == expected


@needs_corpus
def test_a_docket_whose_number_runs_past_pacers_form_is_not_read_as_another_case():
    from pacer_spiders.pages import NotTheReport

    parse = parser_for("docket", "akd")
    assert parse(DOCKET.read_bytes(), {"court_id": "akd"})["docket_number"] == "3:08-cv-00284"
    page = DOCKET.read_bytes().replace(b"3:08-cv-00284", b"3:18-cr-18446744073709551616")
    with pytest.raises(NotTheReport) as refused:  # once stored as 3:18-cr-1844674407, another case
        parse(page, {"court_id": "akd"})
    assert "names no case" in refused.value.problem.reason

"""Feed exports of a crawl (`-O dockets.jsonl`, `-O dockets.csv`): the parsed reports, no raw bytes.

Each page item names its raw page by ``sha1``; the bytes stay in SOURCE_STORE (PDFs in FILES_STORE).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from spider_helpers import COURT, crawl, first_case, small_sandbox

from pacer_spiders.sandbox import expected


@pytest.fixture(scope="module")
def sb():
    with small_sandbox() as sandbox:
        yield sandbox


def test_jsonl_export_holds_the_parsed_reports_and_no_bytes(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: any(e.attachments for e in c.entries))
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "docket_number": case.docket_number, "attachments": 1},
                   options=["-O", "out.jsonl"])
    assert result.returncode == 0, result.log[-3000:]
    text = (tmp_path / "out.jsonl").read_text("utf-8")
    assert "<html" not in text.lower() and '"body"' not in text
    items = [json.loads(line) for line in text.splitlines()]
    by_report = {}
    for item in items:
        by_report.setdefault(item["report_type"], []).append(item)
    assert set(by_report) == {"possible_case_numbers", "docket", "attachment_page"}
    [choice] = by_report["possible_case_numbers"]
    assert choice["pacer_case_id"] == case.pacer_case_id
    assert any(c["pacer_case_id"] == case.pacer_case_id for c in choice["candidates"])
    [docket] = by_report["docket"]
    assert docket["case_name"] == expected.case_name(case) and docket["court_id"] == COURT
    assert len(docket["docket_entries"]) == len(case.entries)
    assert {p["name"] for p in docket["parties"]} == {p.name for p in case.parties}
    assert docket["cost"] > 0 and docket["receipt"]["billable_pages"]
    menus = by_report["attachment_page"]
    assert menus and all(m["attachments"] for m in menus)
    for item in items:  # every item names its raw page, kept in SOURCE_STORE by sha1
        path = Path(item["source_path"])
        assert path.is_file() and path.stem == item["sha1"] and path.parent.parent == tmp_path / "files" / "raw"


def test_csv_export_writes_nested_values_as_json(sb, tmp_path):
    case = first_case(sb)
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": case.pacer_case_id},
                   options=["-O", "out.csv"])
    assert result.returncode == 0, result.log[-3000:]
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["docket_number"] and row["report_type"] == "docket" and "body" not in row
    assert not any("<html" in value.lower() or value.startswith("b'") for value in row.values())
    entries = json.loads(row["docket_entries"])
    assert len(entries) == len(case.entries) and all(e["date_filed"] for e in entries)
    assert json.loads(row["parties"])[0]["name"]


def test_pdf_crawl_exports_the_receipt_and_the_stored_document(sb, tmp_path):
    def buyable(entry):  # no attachments: PACER shows the purchase page with its receipt
        return entry.pacer_doc_id and not (entry.sealed or entry.restricted or entry.attachments)

    case = first_case(sb, predicate=lambda c: any(buyable(e) for e in c.entries))
    entry = next(e for e in case.entries if buyable(e))
    crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": case.pacer_case_id})
    result = crawl(sb, "pdf", tmp_path, {"court": COURT, "pacer_doc_id": entry.pacer_doc_id,
                                         "pacer_case_id": case.pacer_case_id}, options=["-O", "pdf.jsonl"])
    assert result.returncode == 0, result.log[-3000:]
    items = [json.loads(line) for line in (tmp_path / "pdf.jsonl").read_text("utf-8").splitlines()]
    reports = [item["report_type"] for item in items]
    assert sorted(reports) == ["pdf", "receipt"] and "%PDF" not in json.dumps(items)
    document = next(item for item in items if item["report_type"] == "pdf")
    assert document["filepath"] and (tmp_path / "files" / document["filepath"]).is_file()
    assert document["page_count"] == entry.page_count and document["cost"] > 0
    receipt = next(item for item in items if item["report_type"] == "receipt")
    assert float(receipt["receipt"]["cost"]) == document["cost"] and receipt["cost"] == 0.0


def test_a_feed_that_cannot_be_stored_fails_the_crawl(sb, tmp_path):
    case = first_case(sb)
    # Nothing listens on port 1: the FTP feed storage fails when the crawl closes.
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": case.pacer_case_id},
                   options=["-O", "ftp://user:pass@127.0.0.1:1/out.jsonl"])
    assert result.returncode == 1
    assert "the feed export failed" in result.log
    assert result.stat("feedexport/failed_count/FTPFeedStorage") == 1

"""Every flow of cassettes/ replayed offline: the sandbox is not running, nothing listens where the
cassette's origin points, the credentials are dummies; the archive it builds is checked.

Each replay must repeat the recording exactly: every recorded answer used once, no request the
cassette lacks, and the same outcome stats (pages, logins, purchases, cost, archive rows, why it
ended) as the live crawl that recorded it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from pathlib import Path

import pytest

from pacer_spiders.cassette_flows import FLOWS, cassettes_dir, outcome, replay
from pacer_spiders.cassettes import RECIPE, header_value, body_bytes, load_interactions, multipart_fields

NAMES = [flow.name for flow in FLOWS]


def cassette(name: str) -> Path:
    return cassettes_dir() / f"{name}.json"


def recipe(name: str) -> dict:
    return json.loads(cassette(name).read_text())[RECIPE]


@pytest.fixture(scope="module")
def replays(tmp_path_factory):
    done = {}

    def get(name):
        if name not in done:
            done[name] = replay(cassette(name), workdir=tmp_path_factory.mktemp(name))
        return done[name]

    return get


def rows(result, sql: str, *params):
    path = result.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        return conn.execute(sql, params).fetchall()


def pdf_bodies(name: str) -> list[bytes]:
    return [body_bytes(i["response"]["body"]) for i in load_interactions(cassette(name))
            if body_bytes(i["response"]["body"]).startswith(b"%PDF")]


def stored_files(result) -> list[Path]:
    return [p for p in result.files_store.rglob("*.pdf") if p.is_file()] if result.files_store.exists() else []


@pytest.mark.parametrize("name", NAMES)
def test_replay_repeats_the_recorded_crawl(name, replays):
    result = replays(name)
    steps = recipe(name)["steps"]
    assert [r.returncode for r in result.results] == [0] * len(steps), result.log[-3000:]
    assert len(result.stats) == len(steps)
    # Every recorded answer was used, once, and nothing was asked that the cassette lacks.
    assert result.total("cassette/replayed") == len(load_interactions(cassette(name)))
    assert result.total("cassette/unrecorded") == 0
    for step, stats in zip(steps, result.stats):
        assert outcome(stats) == step["recorded_stats"]


def test_login_docket_attachment_pages_and_pdf_purchase(replays):
    name = "okwd_docket_attachments_pdf"
    result = replays(name)
    case_id = recipe(name)["steps"][0]["arguments"]["pacer_case_id"]
    dockets = rows(result, "SELECT id FROM dockets WHERE court_id = 'okwd' AND pacer_case_id = ?", case_id)
    assert len(dockets) == 1
    entries = rows(result, "SELECT count(*) FROM docket_entries WHERE docket_id = ?", dockets[0][0])[0][0]
    assert entries == 3
    attachments = rows(result, "SELECT count(*) FROM documents WHERE attachment_number > 0")[0][0]
    assert attachments >= 1
    # The PDF bought is stored byte for byte as the cassette holds it.
    (pdf,) = pdf_bodies(name)
    digest = hashlib.sha1(pdf).hexdigest()
    assert [hashlib.sha1(p.read_bytes()).hexdigest() for p in stored_files(result)] == [digest]
    doc_id = recipe(name)["steps"][1]["arguments"]["pacer_doc_id"]
    assert rows(result, "SELECT sha1 FROM documents WHERE pacer_doc_id = ?", doc_id) == [(digest,)]
    assert result.stats[1]["pacer/purchases"] == 1


def test_login_with_mfa(replays):
    name = "okwd_login_mfa"
    result = replays(name)
    assert "PACER_TOTP_SECRET" in recipe(name)["credentials"]
    login = load_interactions(cassette(name))[0]
    assert json.loads(body_bytes(login["request"]["body"]))["otpCode"] == "<OTP_CODE>"
    assert result.stats[0]["pacer/login/count"] == 1
    assert rows(result, "SELECT count(*) FROM dockets WHERE court_id = 'okwd'") == [(1,)]


def test_relogin_after_an_expired_session(replays):
    name = "okwd_relogin_expired_session"
    result = replays(name)
    statuses = [i["response"]["status"]["code"] for i in load_interactions(cassette(name))]
    assert 302 in statuses  # PACER's login redirect, in the middle of the crawl
    assert result.stats[0]["pacer/login/count"] == 2 and result.stats[0]["pacer/relogin"] == 1
    # Nothing lost to the expiry: the docket and every attachment page are in the archive.
    assert rows(result, "SELECT count(*) FROM dockets") == [(1,)]
    assert rows(result, "SELECT count(*) FROM docket_entries") == [(3,)]
    assert result.stats[0]["pacer/pages/attachment_page"] == 2


def test_a_sealed_document_is_not_stored(replays):
    name = "okwd_sealed_document"
    result = replays(name)
    assert result.stats[0]["pacer/skipped/sealed"] == 1
    assert result.stats[0].get("pacer/purchases", 0) == 0 and stored_files(result) == []
    assert pdf_bodies(name) == []
    doc_id = recipe(name)["steps"][0]["arguments"]["pacer_doc_id"]
    held = rows(result, "SELECT sha1 FROM documents WHERE pacer_doc_id = ?", doc_id) if rows(
        result, "SELECT name FROM sqlite_master WHERE name = 'documents'") else []
    assert all(sha1 is None for (sha1,) in held)


def test_a_bankruptcy_docket(replays):
    result = replays("okwb_bankruptcy_docket")
    (row,) = rows(result, "SELECT court_id, docket_number, case_name FROM dockets")
    assert row[0] == "okwb" and re.match(r"^\d{2}-\d{5}$", row[1]) and row[2]  # a bankruptcy number: 20-10020
    assert rows(result, "SELECT count(*) FROM docket_entries") == [(3,)]


def test_an_incremental_refresh_asks_only_for_new_entries(replays):
    name = "okwd_incremental_refresh"
    result = replays(name)
    reports = [i for i in load_interactions(cassette(name)) if "DktRpt.pl" in i["request"]["uri"]]
    date_from = []
    for report in reports:
        fields = multipart_fields(body_bytes(report["request"]["body"]), header_value(report["request"]["headers"], "Content-Type"))
        date_from.append(dict((n, v) for n, _, v in fields)["date_from"])
    assert date_from[0] == b"" and date_from[1] != b""  # the refresh names a start date
    assert [r.get("pacer_spiders_step") for r in reports] == [1, 2]
    assert result.stats[1]["archive/entries_added"] == 2
    assert rows(result, "SELECT count(*) FROM docket_entries") == [(5,)]


def test_a_cost_cap_stops_the_crawl(replays):
    name = "okwd_cost_cap_stop"
    result = replays(name)
    cap = recipe(name)["steps"][0]["settings"]["PACER_MAX_COST"]
    assert result.stats[0]["finish_reason"] == "cost_cap"
    assert result.stats[0].get("pacer/cost", 0) <= cap
    assert 0 < recipe(name)["sandbox_cost"] <= cap  # what the sandbox billed the recording
    assert result.stats[0]["pacer/skipped/cost_cap"] >= 1
    # The document bought before the cap was reached is stored, not dropped with the crawl.
    assert result.stats[0]["pacer/purchases"] == 1
    assert result.stats[0]["archive/orphans_added"] == 1  # kept with its file until its docket arrives


def test_discovery_rss_then_case_query_sweep(replays):
    name = "okwd_discovery"
    result = replays(name)
    rss, sweep = result.stats
    uris = [i["request"]["uri"] for i in load_interactions(cassette(name))]
    # the feed is free and public: asked with no login; the sweep logs in once and out at the end
    assert "rss_outside.pl" in uris[0] and "cso-auth" in uris[1] and "cso-logout" in uris[-1]
    assert rss.get("pacer/login/count", 0) == 0 and rss["pacer/pages/rss"] == 1
    assert sweep["pacer/login/count"] == 1 and sweep["pacer/logout/count"] == 1
    # every id after the start asked in order until two in a row were no case
    after = int(recipe(name)["steps"][1]["arguments"]["after"])
    probed = [int(u.rsplit("?", 1)[1]) for u in uris if "iquery.pl" in u]
    assert probed == list(range(after + 1, after + 1 + len(probed)))
    assert sweep["pages/rejected/not_found"] == 2 and sweep["pacer/pages/case_query"] == len(probed)
    found = [int(case_id) for (case_id,) in rows(result, "SELECT pacer_case_id FROM dockets WHERE court_id = 'okwd' "
                                                         "AND date_filed IS NOT NULL")]
    assert sorted(found) == probed[:-2]  # the case query pages are in the archive, with their filing dates
    assert sweep["pacer/discovery/found"] == len(probed) - 2
    # the raw pages stay in the source store: the feed and each case query page
    assert [r for (r,) in rows(result, "SELECT report_type FROM raw_pages ORDER BY id")] == \
        ["rss"] + ["case_query"] * (len(probed) - 2)
    assert re.search(rf"case_query okwd: {len(probed) - 2} cases found.*\(ids {after + 1} to {probed[-3]} asked\)",
                     result.log)


@pytest.mark.parametrize("name", ["ca1_appellate_docket_pdf", "ca9_acms_docket_pdf"])
def test_a_court_of_appeals_docket_its_filings_and_a_pdf(name, replays):
    result = replays(name)
    court = name[:3]
    number = recipe(name)["steps"][0]["arguments"]["docket_number"]
    (docket,) = rows(result, "SELECT id FROM dockets WHERE court_id = ? AND docket_number = ?", court, number)
    assert rows(result, "SELECT count(*) FROM docket_entries WHERE docket_id = ?", docket[0])[0][0] == 3
    (pdf,) = pdf_bodies(name)
    digest = hashlib.sha1(pdf).hexdigest()
    assert [hashlib.sha1(p.read_bytes()).hexdigest() for p in stored_files(result)] == [digest]
    document = recipe(name)["steps"][1]["arguments"]["pacer_doc_id"]
    key = "acms_document_guid" if court == "ca9" else "pacer_doc_id"
    assert rows(result, f"SELECT sha1 FROM documents WHERE {key} = ? AND sha1 IS NOT NULL", document) == [(digest,)]
    # what the crawls spent is what the recording was billed, read from the receipts
    assert round(result.total("pacer/spent"), 2) == recipe(name)["sandbox_cost"]
    if court == "ca9":  # ACMS's own session: one SAML sign-in per crawl, after PACER's login
        assert [s.get("pacer/acms/sign_ins") for s in result.stats] == [1, 1]

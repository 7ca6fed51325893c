"""Bankruptcy claims registers, claims activity reports and lists of creditors: sandbox pages read
into their items, ingested (``pacer-spiders ingest --type``) into the archive on SQLite and on
PostgreSQL, shown by ``pacer-spiders export case``."""

from __future__ import annotations

import json

import pytest

from pacer_spiders.cli import main
from pacer_spiders.reports import detect_report, read
from pacer_spiders.sandbox.render import sandbox_claims
from pacer_spiders.testing.sandbox_fixtures import SandboxClient
from pacer_spiders.sandbox import Sandbox
from test_report_units import BANKRUPTCY_COURT as COURT, claims_pages


@pytest.fixture(scope="module")
def sb():
    with Sandbox(seed=5) as sandbox:  # the sandbox of test_report_units, whose claims_pages read it
        yield sandbox



@pytest.fixture(scope="module")
def pages(sb):
    client = SandboxClient(sb)
    client.login()
    return claims_pages(sb, client)


def _ingest(capsys, tmp_path, url: str, body: bytes, report: str, *args, exit_code: int = 0) -> dict:
    path = tmp_path / f"{report}.html"
    path.write_bytes(body)
    code = main(["ingest", str(path), "--court", COURT, "--type", report, "--database-url", url, *args])
    out = json.loads(capsys.readouterr().out)
    assert code == exit_code, out
    return out


def _export(capsys, url: str, case_id: int) -> dict:
    assert main(["export", "case", str(case_id), "--format", "json", "--database-url", url]) == 0
    return json.loads(capsys.readouterr().out)


def test_each_page_is_recognised_before_its_receipt_and_read_into_its_item(pages):
    case = pages["bankruptcy_case"]
    claims = sandbox_claims(case)
    register = read("claims_register", pages["claims_register"], {"court_id": COURT})
    assert detect_report(pages["claims_register"]) == "claims_register"
    [item] = register.items
    assert type(item).__name__ == "ClaimsRegister" and register.problem is None
    assert item["docket_number"] == case.docket_number and item["case_name"] == case.case_name
    assert [c["claim_number"] for c in item["claims"]] == [c["number"] for c in claims]
    assert [c["amount_claimed"] for c in item["claims"]] == [c["amount"] for c in claims]
    assert item["claims"][0]["history"][0] == {
        "type": "claim", "id": claims[0]["claim_id"], "document_number": 1, "attachment_number": 1,
        "pacer_case_id": case.pacer_case_id, "date_filed": claims[0]["filed"].isoformat(),
        "description": f"Claim #1 filed by {claims[0]['creditor']}, Amount claimed: {claims[0]['amount']} (EPOC Filer)"}

    assert detect_report(pages["claims_activity"]) == "claims_activity"
    [activity] = read("claims_activity", pages["claims_activity"], {"court_id": COURT}).items
    mine = [c for c in activity["cases"] if c["claim"]["pacer_case_id"] == case.pacer_case_id]
    assert [c["claim"]["claim_number"] for c in mine] == [f"{c['number']}-1" for c in claims]
    assert all(c["docket_number"] == case.short_number and c["case_name"] == case.case_name for c in mine)

    assert detect_report(pages["list_of_creditors"]) == "list_of_creditors"
    [creditors] = read("list_of_creditors", pages["list_of_creditors"], {"court_id": COURT}).items
    assert creditors["docket_number"] == case.docket_number
    assert {c["name"] for c in creditors["creditors"]} >= {c["creditor"] for c in claims}
    assert creditors["data"].startswith("1|Label Matrix for local noticing|")


def test_claims_and_creditors_merge_into_their_docket_once(pages, tmp_path, capsys, database_url):
    case = pages["bankruptcy_case"]
    claims = sandbox_claims(case)
    first = _ingest(capsys, tmp_path, database_url, pages["claims_register"], "claims_register")
    assert first["counts"]["dockets_added"] == 1  # the docket is created from the page's case
    assert first["counts"]["claims_added"] == len(claims) and first["counts"]["claim_history_added"] == len(claims)
    [docket_id] = first["docket_ids"]
    again = _ingest(capsys, tmp_path, database_url, pages["claims_register"], "claims_register")
    assert "rows_written" not in again["counts"] and again["counts"]["claims_unchanged"] == len(claims)

    activity = _ingest(capsys, tmp_path, database_url, pages["claims_activity"], "claims_activity")
    # The register's claims again (unchanged: the report's own forms stay on the version's line);
    # the court's other cases are new dockets.
    assert activity["counts"]["claims_unchanged"] == len(claims) and not activity["counts"].get("claims_changed")
    [listed] = read("claims_activity", pages["claims_activity"], {"court_id": COURT}).items
    assert activity["counts"]["dockets_added"] == len({c["claim"]["pacer_case_id"] for c in listed["cases"]}) - 1
    again = _ingest(capsys, tmp_path, database_url, pages["claims_activity"], "claims_activity")
    assert "rows_written" not in again["counts"]

    creditors = _ingest(capsys, tmp_path, database_url, pages["list_of_creditors"], "list_of_creditors",
                        "--pacer-case-id", case.pacer_case_id)
    assert creditors["docket_ids"] == [docket_id] and creditors["counts"]["creditors_added"] >= len(claims)
    again = _ingest(capsys, tmp_path, database_url, pages["list_of_creditors"], "list_of_creditors",
                    "--pacer-case-id", case.pacer_case_id)
    assert "rows_written" not in again["counts"]

    shown = _export(capsys, database_url, docket_id)
    assert shown["pacer_case_id"] == case.pacer_case_id and shown["case_name"] == case.case_name
    assert [c["claim_number"] for c in shown["claims"]] == [str(c["number"]) for c in claims]
    first_claim = shown["claims"][0]
    assert first_claim["amounts"]["amount_claimed"] == claims[0]["amount"]
    assert first_claim["creditor_id"] == claims[0]["creditor_id"]
    assert first_claim["date_original_filed"] == claims[0]["filed"].isoformat()
    [line] = first_claim["history"]
    assert (line["type"], line["pacer_claim_id"], line["attachment_number"]) == ("claim", claims[0]["claim_id"], 1)
    assert line["details"]["creditor_name_address"] == ", ".join([claims[0]["creditor"], *claims[0]["address"]])
    names = {c["name"]: c for c in shown["creditors"]}
    assert names[claims[0]["creditor"]]["address"] == "\n".join(claims[0]["address"])


def test_a_register_without_claims_is_refused_with_pacers_reason(tmp_path, capsys):
    # PACER's answer when the case has no claims in the range asked (its receipt still follows).
    page = (b"<html><body><div id='cmecfMainContent'><BR><B>&nbsp&nbsp No claims found for this case using "
            b"selection criteria entered.</B><BR><HR><TABLE><TR><TH COLSPAN=4>Transaction Receipt</TH></TR>"
            b"<TR><TH>Description:</TH><TD><FONT> Claims Register </FONT></TD><TH>Search Criteria:</TH>"
            b"<TD>17-11375-BLS</TD></TR><TR><TH>Billable Pages:</TH><TD>1</TD><TH>Cost:</TH><TD>0.10</TD></TR>"
            b"</TABLE></div></body></html>")
    assert detect_report(page) == "claims_register"
    out = _ingest(capsys, tmp_path, f"sqlite:///{tmp_path / 'a.sqlite3'}", page, "claims_register", exit_code=1)
    assert out["rejected"] == ["no_claims: the claims register says: No claims found for this case using "
                               "selection criteria entered."]
    assert not out["docket_ids"]

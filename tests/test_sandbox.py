"""The PACER sandbox over real HTTP on loopback: login, sessions, reports, documents, billing."""

from __future__ import annotations

import json
import math
import re
import time

import pyotp
import pytest
from parsel import Selector

from pacer_spiders.sandbox import MAX_PAGES, Sandbox
from pacer_spiders.sandbox.pdf import pdf_page_count
from pacer_spiders.testing.corpus import corpus_root
from pacer_spiders.testing.sandbox_fixtures import SandboxClient

COURT = "cand"


def entry_rows(html: str) -> list:
    """Docket-entry rows of a district docket report: the rows whose first cell is a date."""
    rows = Selector(text=html).xpath("//table[@rules='all']//tr[td[1][re:test(normalize-space(.), '^\\d\\d/\\d\\d/\\d{4}$')]]")
    return rows


def number_cell(row) -> str:
    return row.xpath("normalize-space(td[2])").get().replace("\xa0", "").strip()


def receipt_fields(html: str) -> dict:
    sel = Selector(text=html)
    cells = [re.sub(r"\s+", " ", c).strip() for c in sel.xpath("//table[.//th[contains(., 'Transaction Receipt')]]//th/font/text() | //table[.//th[contains(., 'Transaction Receipt')]]//td/font/text()").getall()]
    fields = {}
    for label, value in zip(cells, cells[1:]):
        if label.endswith(":"):
            fields[label[:-1]] = value
    return fields


# -- login ------------------------------------------------------------------------------------
def test_settings_for_a_crawl(pacer_sandbox):
    settings = pacer_sandbox.settings_for("mfa")
    assert settings["PACER_LOGIN_URL"] == f"{pacer_sandbox.url}/services/cso-auth"
    assert settings["PACER_COURT_URL_TEMPLATE"].format(subdomain="azb") == f"{pacer_sandbox.url}/court/azb"
    assert settings["PACER_TOTP_SECRET"] == pacer_sandbox.accounts["mfa"].totp_secret
    assert pacer_sandbox.court_url("arb") == f"{pacer_sandbox.url}/court/azb"  # CourtListener id -> subdomain


def test_good_login_gives_a_token(pacer_sandbox):
    answer = SandboxClient(pacer_sandbox).login("good")
    assert answer["loginResult"] == "0"
    assert answer["errorDescription"] == ""
    assert len(answer["nextGenCSO"]) == 128


@pytest.mark.parametrize("role, message", [
    ("wrong_password", "Invalid username, password, or one-time passcode."),
    ("expired_password", "password has expired"),
    ("disabled", "has been disabled"),
])
def test_failed_logins_answer_pacers_codes(pacer_sandbox, role, message):
    answer = SandboxClient(pacer_sandbox).login(role)
    assert answer["loginResult"] == "13"
    assert message in answer["errorDescription"]
    assert answer["nextGenCSO"] == ""


def test_mfa_account_needs_a_valid_totp_code(pacer_sandbox):
    secret = pacer_sandbox.accounts["mfa"].totp_secret
    client = SandboxClient(pacer_sandbox)
    assert client.login("mfa", otpCode="")["loginResult"] == "13"
    wrong = f"{(int(pyotp.TOTP(secret).now()) + 1) % 1000000:06d}"
    assert client.login("mfa", otpCode=wrong)["loginResult"] == "13"
    ok = client.login("mfa")
    assert ok["loginResult"] == "0" and ok["nextGenCSO"]


def test_client_code_account_without_code_cannot_search(pacer_sandbox):
    client = SandboxClient(pacer_sandbox)
    answer = client.login("client_code", clientCode="")
    assert answer["loginResult"] == "0"
    assert "Client Code" in answer["errorDescription"]
    page = client.docket(COURT, 100001)
    assert "client code is required" in page.text
    assert len(pacer_sandbox.ledger) == 0
    client.login("client_code")
    assert "Transaction Receipt" in client.docket(COURT, 100001).text


def test_filer_must_send_redact_flag(pacer_sandbox):
    client = SandboxClient(pacer_sandbox)
    assert client.login("filer", redactFlag="")["loginResult"] == "13"
    assert client.login("filer")["loginResult"] == "0"


def test_malformed_login_body_is_refused(pacer_sandbox):
    client = SandboxClient(pacer_sandbox)
    answer = client.request("POST", pacer_sandbox.settings["PACER_LOGIN_URL"], b"not json",
                            {"Content-Type": "application/json"})
    assert answer.status == 400 and answer.json()["loginResult"] != "0"


def test_logout_ends_the_session(pacer_sandbox, sandbox_client):
    assert sandbox_client.get(COURT, "/cgi-bin/DktRpt.pl?100001").status == 200
    answer = sandbox_client.request("POST", pacer_sandbox.settings["PACER_LOGOUT_URL"],
                                    json.dumps({"nextGenCSO": sandbox_client.token}).encode(),
                                    {"Content-Type": "application/json"})
    assert answer.json()["loginResult"] == "0"
    assert sandbox_client.get(COURT, "/cgi-bin/DktRpt.pl?100001").status == 302


# -- sessions ---------------------------------------------------------------------------------
def test_court_without_token_redirects_to_pacers_login_page(pacer_sandbox):
    client = SandboxClient(pacer_sandbox)
    answer = client.get(COURT, "/cgi-bin/DktRpt.pl?100001")
    assert answer.status == 302
    assert "/csologin/login.jsf" in answer.headers["Location"]
    followed = SandboxClient(pacer_sandbox, follow_redirects=True).get(COURT, "/cgi-bin/DktRpt.pl?100001")
    assert followed.status == 200 and "<title>PACER: Login</title>" in followed.text


def test_token_is_found_among_other_cookies(pacer_sandbox, sandbox_client):
    answer = sandbox_client.request("GET", sandbox_client.court(COURT, "/cgi-bin/iquery.pl?100001"), headers={
        "Cookie": 'PacerPref={"a":1}; NextGenCSO=' + sandbox_client.token + "; PacerClientCode="})
    assert answer.status == 200


def test_tokens_expire_after_the_ttl():
    with Sandbox(token_ttl=0.3) as sb:
        client = SandboxClient(sb)
        client.login()
        assert client.get(COURT, "/cgi-bin/DktRpt.pl?100001").status == 200
        time.sleep(0.5)
        assert client.get(COURT, "/cgi-bin/DktRpt.pl?100001").status == 302
        client.login()
        assert client.get(COURT, "/cgi-bin/DktRpt.pl?100001").status == 200


def test_rss_needs_no_login(pacer_sandbox):
    answer = SandboxClient(pacer_sandbox).get(COURT, "/cgi-bin/rss_outside.pl")
    assert answer.status == 200
    items = Selector(text=answer.text, type="xml").xpath("//item")
    assert items and all(i.xpath("link/text()").get().startswith(pacer_sandbox.court_url(COURT)) for i in items)


# -- docket report ----------------------------------------------------------------------------
def test_docket_query_form_has_pacers_fields(pacer_sandbox, sandbox_client):
    answer = sandbox_client.get(COURT, "/cgi-bin/DktRpt.pl?100001")
    form = Selector(text=answer.text).xpath("//form[@name='GetPass']")
    assert form.attrib["enctype"] == "multipart/form-data"
    assert form.attrib["action"].endswith("-L_1_0-1")
    names = set(form.xpath(".//input/@name | .//select/@name").getall())
    assert {"all_case_ids", "date_range_type", "date_from", "date_to", "documents_numbered_from_",
            "documents_numbered_to_", "list_of_parties_and_counsel", "terminated_parties",
            "list_of_member_cases", "output_format", "sort1"} <= names
    assert form.xpath(".//input[@name='all_case_ids']/@value").get() == "100001"
    assert len(pacer_sandbox.ledger) == 0  # the form is free


def test_full_docket_lists_every_entry(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100001)
    html = sandbox_client.docket(COURT, 100001).text
    rows = entry_rows(html)
    assert len(rows) == len(case.entries)
    assert f"CIVIL DOCKET FOR CASE #: {case.full_docket_number}" in html
    first = rows[0]
    assert first.xpath("td[1]/text()").get() == case.entries[0].date_filed.strftime("%m/%d/%Y")
    assert first.xpath("td[2]/a/text()").get() == "1"
    assert f"/doc1/{case.entries[0].pacer_doc_id}" in first.xpath("td[2]/a/@href").get()


def test_docket_filters_by_document_numbers(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100001)
    html = sandbox_client.docket(COURT, 100001, documents_numbered_from_="2", documents_numbered_to_="4").text
    numbers = [number_cell(r) for r in entry_rows(html)]
    expected = [str(e.document_number) for e in case.entries if e.document_number and 2 <= e.document_number <= 4]
    assert numbers == expected


def test_docket_filters_by_dates_filed_and_entered(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100002)
    middle = case.entries[len(case.entries) // 2]
    start = middle.date_filed
    html = sandbox_client.docket(COURT, 100002, date_from=start.strftime("%m/%d/%Y")).text
    assert len(entry_rows(html)) == sum(1 for e in case.entries if e.date_filed >= start)
    html = sandbox_client.docket(COURT, 100002, date_range_type="Entered", date_to=start.strftime("%m/%d/%Y")).text
    assert len(entry_rows(html)) == sum(1 for e in case.entries if e.date_entered <= start)
    html = sandbox_client.docket(COURT, 100002, date_from="01/01/2099").text  # nothing new: header, no entries
    assert entry_rows(html) == [] and case.full_docket_number in html and "Transaction Receipt" in html


def test_docket_sorts_most_recent_first(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100001)
    html = sandbox_client.docket(COURT, 100001, sort1="most recent date first").text
    dates = [r.xpath("td[1]/text()").get() for r in entry_rows(html)]
    assert dates == [e.date_filed.strftime("%m/%d/%Y") for e in reversed(case.entries)]


def test_docket_parties_on_off_and_terminated(pacer_sandbox, sandbox_client):
    case = next(c for c in pacer_sandbox.cases(COURT) if c.kind == "civil" and any(p.date_terminated for p in c.parties))
    terminated = [p.name for p in case.parties if p.date_terminated]
    html = sandbox_client.docket(COURT, case.pacer_case_id).text
    assert all(name in html for name in terminated) and "represented&nbsp;by" in html
    html = sandbox_client.docket(COURT, case.pacer_case_id, terminated_parties=None).text
    assert not any(f"<B>{name}</B>" in html for name in terminated)
    html = sandbox_client.docket(COURT, case.pacer_case_id, list_of_parties_and_counsel=None).text
    assert "represented&nbsp;by" not in html


def test_minute_entries_have_no_number_and_sealed_entries_no_link(pacer_sandbox, sandbox_client):
    case = next(c for c in pacer_sandbox.cases(COURT)
                if any(e.sealed for e in c.entries) and any(e.document_number is None for e in c.entries))
    rows = entry_rows(sandbox_client.docket(COURT, case.pacer_case_id).text)
    for entry, row in zip(case.entries, rows):
        cell = number_cell(row)
        if entry.document_number is None:
            assert cell == ""
        elif entry.sealed:
            assert cell == str(entry.document_number) and not row.xpath("td[2]/a")


def test_docket_report_is_billed_by_bytes_with_a_receipt(pacer_sandbox, sandbox_client):
    answer = sandbox_client.docket(COURT, 100001)
    charge = pacer_sandbox.ledger.charges[-1]
    start = answer.body.index(b"<HR><CENTER>")
    end = answer.body.index(b"</TABLE></CENTER>\n", start) + len(b"</TABLE></CENTER>\n")
    printed = len(answer.body) - (end - start)  # the page without its receipt
    assert charge.pages == min(MAX_PAGES, max(1, math.ceil(printed / 4320))) > 1
    receipt = receipt_fields(answer.text)
    assert receipt["Billable Pages"] == str(charge.pages)
    assert receipt["Cost"] == f"{charge.pages * 0.10:.2f}"
    assert receipt["Description"] == "Docket Report"
    assert receipt["PACER Login"] == "sandbox-user"


def test_huge_docket_costs_at_most_three_dollars():
    with Sandbox(case_sizes={("cand", 100001): 10000}) as sb:
        client = SandboxClient(sb)
        client.login()
        answer = client.docket(COURT, 100001)
        assert len(entry_rows(answer.text)) == 10000
        assert len(answer.body) > 30 * 4320
        assert sb.ledger.total() == 3.00 and sb.ledger.charges[0].pages == 30


def test_added_entries_show_up_in_a_refresh(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100001)
    last = max(e.document_number or 0 for e in case.entries)
    added = pacer_sandbox.add_entries(COURT, 100001, 3)
    html = sandbox_client.docket(COURT, 100001, documents_numbered_from_=str(last + 1)).text
    numbers = [number_cell(r) for r in entry_rows(html)]
    assert numbers == [str(e.document_number) for e in added] == [str(last + 1), str(last + 2), str(last + 3)]
    new_case = pacer_sandbox.add_case(COURT, entries=5)
    assert len(entry_rows(sandbox_client.docket(COURT, new_case.pacer_case_id).text)) == 5


def test_unknown_case_says_so_and_costs_nothing(pacer_sandbox, sandbox_client):
    assert "Case not found" in sandbox_client.docket(COURT, 999999).text
    assert len(pacer_sandbox.ledger) == 0


# -- other reports ----------------------------------------------------------------------------
def test_possible_case_numbers_lists_every_candidate(pacer_sandbox, sandbox_client):
    criminal = next(c for c in pacer_sandbox.cases(COURT) if c.kind == "criminal")
    number = f"{criminal.year % 100:02d}-{criminal.serial:05d}"
    xml = sandbox_client.get(COURT, f"/cgi-bin/possible_case_numbers.pl?{number}").text
    nodes = Selector(text=xml, type="xml").xpath("//case")
    ids = {n.attrib["id"] for n in nodes}
    assert criminal.pacer_case_id in ids and len(ids) >= 2  # the civil case sharing the number too
    defendants = [n.attrib["defendant"] for n in nodes if n.attrib["id"] == criminal.pacer_case_id]
    assert defendants == [str(i) for i in range(1, len(criminal.defendants) + 1)]
    narrowed = sandbox_client.get(COURT, f"/cgi-bin/possible_case_numbers.pl?{criminal.docket_number}").text
    assert {n.attrib["id"] for n in Selector(text=narrowed, type="xml").xpath("//case")} == {criminal.pacer_case_id}
    missing = sandbox_client.get(COURT, "/cgi-bin/possible_case_numbers.pl?99-99999").text
    assert "Cannot find case 99-99999" in missing
    pacer_sandbox.seal_case(COURT, criminal.pacer_case_id)
    assert "Case Under Seal" in sandbox_client.get(COURT, f"/cgi-bin/possible_case_numbers.pl?{criminal.docket_number}").text
    assert len(pacer_sandbox.ledger) == 0


def test_case_query_page(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100002)
    html = sandbox_client.get(COURT, "/cgi-bin/iquery.pl?100002").text
    assert case.full_docket_number in html and f"{case.assigned_to[0]}, presiding" in html
    assert f'DktRpt.pl?{case.pacer_case_id}"' in html
    found = sandbox_client.post_form(COURT, "/cgi-bin/iquery.pl?1-L_1_0-1", {"case_num": case.docket_number}).text
    assert case.case_name.replace("&", "&amp;") in found
    by_id = sandbox_client.post_form(COURT, "/cgi-bin/iquery.pl?1-L_1_0-1", {"all_case_ids": "100002"}).text
    assert case.full_docket_number in by_id
    assert "Case not found" in sandbox_client.get(COURT, "/cgi-bin/iquery.pl?999999").text


def test_history_report_is_billed(pacer_sandbox, sandbox_client):
    case = pacer_sandbox.case(COURT, 100001)
    form = sandbox_client.get(COURT, "/cgi-bin/HistDocQry.pl?100001").text
    assert 'HistDocQry.pl?100001"' in form and len(pacer_sandbox.ledger) == 0
    html = sandbox_client.post_form(COURT, "/cgi-bin/HistDocQry.pl?100001", {"QueryType": "All"}).text
    rows = Selector(text=html).xpath("//table[@border='1']/tbody/tr[@valign='top']")
    assert len(rows) == len(case.entries)
    assert pacer_sandbox.ledger.charges[-1].report == "history"
    assert "Transaction Receipt" in html


# -- documents --------------------------------------------------------------------------------
def _document(sb, predicate):
    for case in sb.cases(COURT):
        for entry in case.entries:
            if predicate(entry):
                return case, entry
    raise AssertionError("no such synthetic document")


def test_attachment_menu_is_free(pacer_sandbox, sandbox_client):
    case, entry = _document(pacer_sandbox, lambda e: e.attachments and not (e.sealed or e.restricted or e.unavailable))
    html = sandbox_client.get(COURT, f"/doc1/{entry.pacer_doc_id}").text
    assert "Document Selection Menu" in html
    links = Selector(text=html).xpath("//a[contains(@href, '/doc1/')]/@href").getall()
    assert [link.rsplit("/", 1)[1] for link in links] == [entry.pacer_doc_id] + [a.pacer_doc_id for a in entry.attachments]
    assert len(pacer_sandbox.ledger) == 0


def test_document_purchase_flow_serves_a_pdf_in_an_iframe(pacer_sandbox, sandbox_client):
    case, entry = _document(pacer_sandbox, lambda e: e.pacer_doc_id and not e.attachments
                            and not (e.sealed or e.restricted or e.unavailable) and e.page_count > 1)
    confirmation = sandbox_client.get(COURT, f"/doc1/{entry.pacer_doc_id}").text
    form = Selector(text=confirmation).xpath("//form[.//input[@value='View Document']]")
    assert form.attrib["action"].endswith(f"/doc1/{entry.pacer_doc_id}")
    fields = dict(zip(form.xpath(".//input[@type='hidden']/@name").getall(),
                      form.xpath(".//input[@type='hidden']/@value").getall()))
    assert fields["got_receipt"] == "1" and fields["caseid"] == case.pacer_case_id
    assert receipt_fields(confirmation)["Billable Pages"] == str(min(entry.page_count, 30))
    assert len(pacer_sandbox.ledger) == 0  # seeing the price costs nothing
    page = sandbox_client.post_form(COURT, f"/doc1/{entry.pacer_doc_id}", fields).text
    src = Selector(text=page).xpath("//iframe/@src").get()
    assert "/cgi-bin/show_temp.pl?file=" in src
    pdf = sandbox_client.request("GET", src)
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.body.startswith(b"%PDF-") and pdf.body.rstrip().endswith(b"%%EOF")
    assert pdf_page_count(pdf.body) == entry.page_count
    charge = pacer_sandbox.ledger.charges[-1]
    assert (charge.report, charge.pacer_doc_id, charge.pages) == ("document", entry.pacer_doc_id, min(entry.page_count, 30))
    assert charge.cost == round(min(entry.page_count, 30) * 0.1, 2)
    # Another session cannot read this purchase's temp file.
    other = SandboxClient(pacer_sandbox)
    other.login("good2")
    assert other.request("GET", src).status == 404


def test_fourth_digit_one_buys_directly(pacer_sandbox, sandbox_client):
    case, entry = _document(pacer_sandbox, lambda e: e.attachments and not (e.sealed or e.restricted or e.unavailable))
    buy_id = entry.pacer_doc_id[:3] + "1" + entry.pacer_doc_id[4:]
    page = sandbox_client.get(COURT, f"/doc1/{buy_id}").text
    assert Selector(text=page).xpath("//iframe/@src").get()
    assert pacer_sandbox.ledger.charges[-1].pacer_doc_id == entry.pacer_doc_id


def test_documents_over_thirty_pages_cost_three_dollars(pacer_sandbox, sandbox_client):
    case, entry = _document(pacer_sandbox, lambda e: e.page_count > 30 and not e.attachments
                            and not (e.sealed or e.restricted or e.unavailable))
    sandbox_client.post_form(COURT, f"/doc1/{entry.pacer_doc_id}", {"got_receipt": "1"})
    assert pacer_sandbox.ledger.total("sandbox-user") == 3.00


@pytest.mark.parametrize("flag, message", [("sealed", "This document is SEALED."),
                                           ("restricted", "This document is restricted"),
                                           ("unavailable", "This document is not available.")])
def test_sealed_restricted_unavailable_documents(pacer_sandbox, sandbox_client, flag, message):
    case, entry = _document(pacer_sandbox, lambda e: getattr(e, flag))
    for doc_id in (entry.pacer_doc_id, entry.pacer_doc_id[:3] + "1" + entry.pacer_doc_id[4:]):
        html = sandbox_client.get(COURT, f"/doc1/{doc_id}").text
        assert message in html and "iframe" not in html
    assert len(pacer_sandbox.ledger) == 0


# -- ledger -----------------------------------------------------------------------------------
def test_ledger_over_http_matches_sb_ledger(pacer_sandbox, sandbox_client):
    sandbox_client.docket(COURT, 100001)
    other = SandboxClient(pacer_sandbox)
    other.login("good2")
    other.docket(COURT, 100002)
    data = SandboxClient(pacer_sandbox).request("GET", "/__sandbox__/ledger").json()
    assert [c["login"] for c in data["charges"]] == ["sandbox-user", "sandbox-user2"]
    assert data["accounts"]["sandbox-user"]["cost"] == pacer_sandbox.ledger.total("sandbox-user")
    assert data["total_cost"] == pacer_sandbox.ledger.total()
    assert "password" not in json.dumps(data)
    mine = SandboxClient(pacer_sandbox).request("GET", "/__sandbox__/ledger?login=sandbox-user2").json()
    assert [c["pacer_case_id"] for c in mine["charges"]] == ["100002"]


def test_request_log_counts_what_a_crawler_asked_for(pacer_sandbox, sandbox_client):
    sandbox_client.docket(COURT, 100001)
    sandbox_client.docket(COURT, 100001)
    SandboxClient(pacer_sandbox).get(COURT, "/cgi-bin/iquery.pl?100001")  # not logged in
    counts = pacer_sandbox.request_counts("/court/")
    assert counts[("POST", "/court/cand/cgi-bin/DktRpt.pl?1-L_1_0-1")] == 2
    last = pacer_sandbox.requests[-1]
    assert (last["status"], last["login"]) == (302, None)
    assert pacer_sandbox.requests[-2]["login"] == "sandbox-user"
    assert pacer_sandbox.logins == 1
    assert sandbox_client.token not in json.dumps(list(pacer_sandbox.requests))


# -- determinism and corpus -------------------------------------------------------------------
def test_same_seed_same_cases_other_seed_other_cases():
    a, b, c = Sandbox(seed=7), Sandbox(seed=7), Sandbox(seed=8)
    assert a.case("nysd", 100005) == b.case("nysd", 100005)
    assert a.case("nysd", 100005).case_name != c.case("nysd", 100005).case_name or \
        a.case("nysd", 100005).entries != c.case("nysd", 100005).entries


def test_an_acms_court_has_no_cmecf_site(pacer_sandbox, sandbox_client):
    assert pacer_sandbox.cases("ca9")  # its cases are served by ACMS (tests/test_appellate_crawl.py)
    assert sandbox_client.docket("ca9", 100001).status == 404


def test_bankruptcy_cases_and_adversary_proceedings(pacer_sandbox, sandbox_client):
    kinds = {c.kind for c in pacer_sandbox.cases("canb")}
    assert kinds == {"bankruptcy", "adversary"}
    adversary = next(c for c in pacer_sandbox.cases("canb") if c.kind == "adversary")
    html = sandbox_client.docket("canb", adversary.pacer_case_id).text
    assert f"Adversary Proceeding #: {adversary.full_docket_number}" in html and "Lead BK Case" in html and "U.S. Bankruptcy Court" in html


@pytest.mark.corpus
def test_corpus_dockets_and_attachment_pages_are_served():
    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus folder (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    with Sandbox(corpus=root) as sb:
        client = SandboxClient(sb)
        client.login()
        (court_id, case_id), docket = next(iter(sb.corpus.dockets.items()))
        form = Selector(text=client.get(court_id, f"/cgi-bin/DktRpt.pl?{case_id}").text)
        assert form.xpath("//form[@name='GetPass']//input[@name='all_case_ids']/@value").get() == case_id
        answer = client.docket(court_id, case_id)
        assert answer.body == docket.path.read_bytes()
        assert sb.ledger.charges[-1].pacer_case_id == case_id
        (court_id, doc_id), page = next(iter(sb.corpus.attachment_pages.items()))
        assert client.get(court_id, f"/doc1/{doc_id}").body == page.path.read_bytes()
        (court_id, case_id), path = next(iter(sb.corpus.histories.items()))
        assert client.post_form(court_id, f"/cgi-bin/HistDocQry.pl?{case_id}", {}).body == path.read_bytes()
        assert sb.ledger.charges[-1].report == "history"
        (court_id, case_id), path = next(iter(sb.corpus.case_queries.items()))
        assert client.get(court_id, f"/cgi-bin/iquery.pl?{case_id}").body == path.read_bytes()
        docket = next(d for d in sb.corpus.dockets.values() if d.docket_number)
        xml = client.get(docket.court_id, f"/cgi-bin/possible_case_numbers.pl?{docket.docket_number}").text
        assert f'id="{docket.pacer_case_id}"' in xml

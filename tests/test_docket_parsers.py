"""Docket report, docket history and problem-page parsing on small pages written for the purpose."""

from __future__ import annotations

import gc

import pytest

from pacer_spiders.pages import NotTheReport, PageProblem
from pacer_spiders.parsers import parser_for
from pacer_spiders.parsers.problems import classify
from pacer_spiders.plugin_manager import get_plugin_manager

DISTRICT_DOCKET = """<html><head><title>CM/ECF - Docket Report</title>
<script>var junk = "Assigned to: Nobody";</script></head><body>
<table width="100%" border="0" cellspacing="5"><tr><td align="right">CLOSED</td></tr></table>
<h3 align="center">U.S. District Court<br>District of Testing (Capital)<br>
CIVIL DOCKET FOR CASE #: 1:19-cv-01234-ABC-DEF</h3>
<table width="100%" border="0" cellspacing="5"><tr>
<td valign="top" width="60%"><br>Acme Widgets, Inc. et al v. United States of America<br>
Assigned to: Judge Alice B. Carter<br>Referred to: Magistrate Judge Dan E. Frank<br>
Cause: 28:1346 Tort Claim</td>
<td valign="top" width="40%"><br>Date Filed: 03/04/2019<br>Date Terminated: 11/12/2020<br>
Jury Demand: Plaintiff<br>Nature of Suit: 360 P.I.: Other<br>Jurisdiction: U.S. Government Defendant</td>
</tr></table>
<table width="100%" border="0" cellspacing="5">
<tr><td><b><u>Plaintiff</u></b></td></tr>
<tr><td valign="top" width="40%"><b>Acme Widgets, Inc.</b></td><td valign="top" width="20%">represented&nbsp;by</td>
<td valign="top" width="40%"><b>Jane   Q.  Lawyer</b><br>Lawyer &amp; Partners<br>1 Main Street<br>Springfield, ST 00001<br>
555-0100<br>Email: jane@example.com<br><i>LEAD ATTORNEY</i><br><i>ATTORNEY TO BE NOTICED</i><br><br>
<b>Sam Second</b><br>Second LLP<br>2 Side Road<br><i>PRO HAC VICE</i><br><i>Bar Status: Active</i><br><br></td></tr>
<tr><td><b><u>Defendant</u></b></td></tr>
<tr><td valign="top" width="40%"><b>United States of America</b><br><i>TERMINATED: 06/30/2020</i></td>
<td valign="top" width="20%">represented&nbsp;by</td>
<td valign="top" width="40%"><b>Jane Q. Lawyer</b><br>(See above for address)<br><i>ATTORNEY TO BE NOTICED</i><br><br>
<b>Nobody Known</b><br>(See above for address)<br><br></td></tr>
</table>
<table align="center" width="99%" border="1" rules="all" cellpadding="5" cellspacing="0">
<tr><th>Date Filed</th><th>#</th><th nowrap>Docket Text</th></tr>
<tr><td valign="top">03/04/2019</td><td valign="top" align="right"><a href="https://ecf.testd.uscourts.gov/doc1/04519876543"
 onclick="goDLS('/doc1/04519876543','98765','11','','','1','','');return(false);">1</a></td>
<td valign="top">COMPLAINT against United States of America , filed by Acme Widgets, Inc.. (Entered: 03/05/2019)</td></tr>
<tr><td valign="top">03/06/2019</td><td valign="top" align="right"></td>
<td valign="top">Minute Entry for proceedings held before Judge Alice B. Carter: Status Conference held on 3/6/2019. (Entered: 03/06/2019)</td></tr>
<tr><td valign="top">03/07/2019</td><td valign="top" align="right">2</td>
<td valign="top">SEALED DOCUMENT placed in vault. (Entered: 03/07/2019)</td></tr>
</table></body></html>"""


def parse_docket(html: str, court_id: str = "testd") -> dict:
    return parser_for("docket", court_id)(html.encode("utf-8"), {"court_id": court_id})


@pytest.fixture(scope="module")
def docket():
    return parse_docket(DISTRICT_DOCKET)


def test_case_metadata(docket):
    assert docket["docket_number"] == "1:19-cv-01234"
    assert docket["federal_dn_office_code"] == "1"
    assert docket["federal_dn_case_type"] == "cv"
    assert docket["federal_dn_judge_initials_assigned"] == "ABC"
    assert docket["federal_dn_judge_initials_referred"] == "DEF"
    assert docket["federal_defendant_number"] is None
    assert docket["case_name"] == "Acme Widgets, Inc. v. United States"
    assert docket["assigned_to_str"] == "Alice B. Carter"
    assert docket["referred_to_str"] == "Dan E. Frank"
    assert (docket["date_filed"], docket["date_terminated"]) == ("2019-03-04", "2020-11-12")
    assert docket["cause"] == "28:1346 Tort Claim"
    assert docket["nature_of_suit"] == "360 P.I.: Other"
    assert docket["jury_demand"] == "Plaintiff"
    assert docket["jurisdiction"] == "U.S. Government Defendant"
    assert docket["ordered_by"] == "date_filed"


def test_parties_attorneys_and_see_above_contacts(docket):
    plaintiff, defendant = docket["parties"]
    assert (plaintiff["name"], plaintiff["type"], plaintiff["date_terminated"]) == ("Acme Widgets, Inc.", "Plaintiff", None)
    jane, sam = plaintiff["attorneys"]
    assert jane["name"] == "Jane Q. Lawyer"
    assert jane["contact"] == "Lawyer & Partners\n1 Main Street\nSpringfield, ST 00001\n555-0100\nEmail: jane@example.com\n"
    assert jane["roles"] == ["LEAD ATTORNEY", "ATTORNEY TO BE NOTICED"]
    assert sam["roles"] == ["PRO HAC VICE"]  # bar status is not a role
    assert defendant["type"] == "Defendant"
    assert defendant["date_terminated"] == "2020-06-30"
    assert defendant["extra_info"] == "TERMINATED: 06/30/2020"
    see_above, unknown = defendant["attorneys"]
    # "See above" takes the contact given earlier for the same attorney; an unknown one gets ''.
    assert see_above["contact"] == jane["contact"]
    assert unknown["contact"] == ""


def test_entries_minute_entries_and_fourth_digit(docket):
    first, minute, sealed = docket["docket_entries"]
    # The purchase link's fourth digit 1 is stored as 0.
    assert first["pacer_doc_id"] == "04509876543"
    assert first["pacer_seq_no"] == "11"
    assert first["document_number"] == "1"
    assert (first["date_filed"], first["date_entered"]) == ("2019-03-04", "2019-03-05")
    assert first["description"].startswith("COMPLAINT against United States of America, filed by")
    assert minute["document_number"] is None
    assert minute["pacer_doc_id"] is None and minute["pacer_seq_no"] is None
    assert minute["description"].startswith("Minute Entry for proceedings")
    # A numbered entry without a link (sealed) keeps its number and has no document id.
    assert (sealed["document_number"], sealed["pacer_doc_id"]) == ("2", None)


def test_output_has_exactly_the_reference_keys(docket):
    assert set(docket) == {
        "assigned_to_str", "case_name", "cause", "court_id", "date_converted", "date_discharged", "date_filed",
        "date_terminated", "demand", "docket_entries", "docket_number", "federal_defendant_number",
        "federal_dn_case_type", "federal_dn_judge_initials_assigned", "federal_dn_judge_initials_referred",
        "federal_dn_office_code", "jurisdiction", "jury_demand", "mdl_status", "nature_of_suit", "ordered_by",
        "parties", "referred_to_str",
    }
    assert set(docket["docket_entries"][0]) == {
        "date_entered", "date_filed", "description", "document_number", "pacer_doc_id", "pacer_seq_no"
    }


BANKRUPTCY_DOCKET = """<html><body>
<center><font size="+1"><b>U.S. Bankruptcy Court<br>District of Testing<br>Bankruptcy Petition #: 20-12345-XYZ</b></font></center>
<table><tr><td><i>Assigned to:</i> Bankruptcy Judge Pat Q. Judge<br>Chapter 7<br>Voluntary</td>
<td><i>Date filed:</i> 01/02/2020<br><i>Debtor discharged:</i> 05/06/2020</td></tr></table>
<table width="100%"><tr><td valign="top" width="40%"><i><b>Debtor</b></i><br><b>Jo  Debtor</b><br>1 Elm St<br>Town, ST 00002</td>
<td valign="top" width="20%">represented&nbsp;by</td><td valign="top" width="40%"><b>Al Attorney</b><br>Firm<br></td></tr></table>
<table border="1"><tr><th>Filing Date</th><th>#</th><th>Docket Text</th></tr>
<tr><td>01/02/2020</td><td>&nbsp; <a href='/cgi-bin/show_doc.pl?caseid=1&de_seq_num=3&dm_id=9&doc_num=1'>1</a> Chapter 7 Voluntary Petition. (Entered: 01/02/2020)</td></tr>
<tr><td>01/03/2020</td><td>&nbsp; Receipt of filing fee. (Entered: 01/03/2020)</td></tr>
</table></body></html>"""


def test_bankruptcy_docket_with_number_and_text_in_one_cell():
    docket = parse_docket(BANKRUPTCY_DOCKET, "testb")
    assert docket["docket_number"] == "20-12345"
    assert docket["federal_dn_judge_initials_assigned"] == "XYZ"
    assert docket["case_name"] == "Jo Debtor"
    assert docket["date_filed"] == "2020-01-02"
    assert docket["date_discharged"] == "2020-05-06"
    assert docket["parties"][0]["type"] == "Debtor"
    petition, fee = docket["docket_entries"]
    assert (petition["document_number"], petition["description"]) == ("1", "Chapter 7 Voluntary Petition. (Entered: 01/02/2020)")
    # show_doc.pl links carry no document id: the reference field set names the script instead.
    assert petition["pacer_doc_id"] == "sho0_doc.pl"
    assert fee["document_number"] is None
    assert fee["description"] == "Receipt of filing fee. (Entered: 01/03/2020)"


HISTORY = """<html><head><title>History/Documents</title></head><body><center><font size="+1">1:19-cv-01234-ABC</font><br>
Acme Widgets, Inc. v. Doe<br>Alice B. Carter, presiding<br>Date filed: 03/04/2019<br>Date of last filing: 04/05/2019</center>
<table border="1"><tr><th>Doc.</th><th>Dates</th><th>Description</th></tr>
<tr><td><a href="/doc1/04519876543" onclick="goDLS('/doc1/04519876543','98765','11','','','1','','');return(false);">1</a></td>
<td>Filed &amp; Entered: 03/04/2019</td><td>Complaint</td></tr>
<tr><td></td><td colspan="2">Docket Text: COMPLAINT against John Doe.</td></tr>
<tr><td></td><td>Filed: 03/06/2019<br>Entered: 03/07/2019</td><td>Status Conference</td></tr>
</table></body></html>"""


def test_docket_history_report():
    report = parser_for("history", "testd")(HISTORY.encode(), {"court_id": "testd"})
    assert report["docket_number"] == "1:19-cv-01234"
    assert report["case_name"] == "Acme Widgets, Inc. v. Doe"
    assert report["assigned_to_str"] == "Alice B. Carter"
    assert (report["date_filed"], report["date_last_filing"]) == ("2019-03-04", "2019-04-05")
    complaint, conference = report["docket_entries"]
    assert complaint["pacer_doc_id"] == "04509876543"
    assert complaint["short_description"] == "Complaint"
    assert complaint["description"] == "COMPLAINT against John Doe."
    assert (complaint["date_filed"], complaint["date_entered"]) == ("2019-03-04", "2019-03-04")
    assert conference["document_number"] is None
    assert (conference["date_filed"], conference["date_entered"]) == ("2019-03-06", "2019-03-07")


@pytest.mark.parametrize(
    "page,kind",
    [
        ("<html><body><form action='https://pacer.login.uscourts.gov/csologin/login.jsf'>"
         "<input name='loginForm:loginName'><input type='password' name='loginForm:password'></form></body></html>", "login"),
        ("<p>To accept charges shown below, click on the 'View Report' button</p><table><tr><td>Cost: 0.30</td></tr></table>", "charges"),
        ("<html><body>Case not found.</body></html>", "not_found"),
        ("<html><body><p>This case is SEALED.</p></body></html>", "sealed"),
        ("<html><body><h2>500 Internal Server Error</h2></body></html>", "error"),
        ("   ", "empty"),
    ],
)
def test_problem_pages_are_recognised_with_a_reason(page, kind):
    problem = classify(page, "docket")
    assert isinstance(problem, PageProblem) and problem.kind == kind
    assert problem.reason and "\n" not in problem.reason
    with pytest.raises(NotTheReport) as rejected:
        parse_docket(page)
    assert rejected.value.problem == problem


def test_a_docket_that_mentions_sealed_documents_is_still_a_docket(docket):
    assert classify(DISTRICT_DOCKET, "docket") is None
    assert any("SEALED DOCUMENT" in e["description"] for e in docket["docket_entries"])


def test_classify_page_hook_uses_the_builtin_checks():
    hook = get_plugin_manager().hook.classify_page
    assert hook(court_id="testd", report="docket", text="<html>Case not found.</html>").kind == "not_found"
    assert hook(court_id="testd", report="docket", text=DISTRICT_DOCKET) is None
    # Unknown reports still get the page-level checks, not the docket's structure check.
    assert hook(court_id="testd", report="receipt", text="<table><tr><td>Receipt</td></tr></table>") is None


CRIMINAL_DOCKET = """<html><body>
<h3>CRIMINAL DOCKET FOR CASE #: 3:18-cr-00099-GHI-2</h3>
<table><tr><td>Case title: USA v. Roe<br>Date Filed: 02/02/2018</td></tr></table>
<table width="100%">
<tr><td><b><u>Defendant (2)</u></b></td></tr>
<tr><td><b>Richard Roe</b></td><td>represented&nbsp;by</td><td><b>Pat Defender</b><br>Federal Defender<br><i>LEAD ATTORNEY</i><br></td></tr>
<tr><td><b><u>Pending Counts</u></b></td><td></td><td><b><u>Disposition</u></b></td></tr>
<tr><td>18:1343 WIRE FRAUD<br>
(1)</td><td></td><td>Imprisonment 12 months</td></tr>
<tr><td><b><u>Highest Offense Level (Opening)</u></b></td></tr>
<tr><td>Felony</td></tr>
<tr><td><b><u>Terminated Counts</u></b></td><td></td><td><b><u>Disposition</u></b></td></tr>
<tr><td>None</td></tr>
<tr><td><b><u>Complaints</u></b></td><td></td><td><b><u>Disposition</u></b></td></tr>
<tr><td>None</td></tr>
<tr><td><b><u>Plaintiff</u></b></td></tr>
<tr><td><b>USA</b></td><td>represented&nbsp;by</td><td><b>Ann Prosecutor</b><br>U.S. Attorney's Office<br><i>LEAD ATTORNEY</i><br></td></tr>
</table>
<table><tr><th>Date Filed</th><th>#</th><th>Docket Text</th></tr>
<tr><td>02/02/2018</td><td>1</td><td>INDICTMENT as to Richard Roe (2) count(s) 1. (Entered: 02/02/2018)</td></tr></table>
</body></html>"""


def test_criminal_counts_and_offense_levels_go_to_their_defendant():
    docket = parse_docket(CRIMINAL_DOCKET)
    assert docket["docket_number"] == "3:18-cr-00099"
    assert docket["federal_defendant_number"] == "2"
    assert docket["case_name"] == "United States v. Roe"
    defendant, plaintiff = docket["parties"]
    assert (defendant["name"], defendant["type"]) == ("Richard Roe", "Defendant")
    assert defendant["criminal_data"] == {
        "counts": [{"name": "18:1343 WIRE FRAUD (1)", "disposition": "Imprisonment 12 months", "status": "pending"}],
        "complaints": [],
        "highest_offense_level_opening": "Felony",
        "highest_offense_level_terminated": "",
    }
    assert "criminal_data" not in plaintiff
    assert plaintiff["attorneys"][0]["name"] == "Ann Prosecutor"


MULTI_DOCUMENT_DOCKET = """<html><body>
<h3>CIVIL DOCKET FOR CASE #: 2:21-cv-00005-JKL</h3>
<table><tr><td>Smith v. Jones<br>Date Filed: 01/04/2021</td></tr></table>
<form name="view_multi_docs" method="post" action="/cgi-bin/show_multidocs.pl">
<table><tr><th>Date Filed</th><th>#</th><th></th><th>Docket Text</th></tr>
<tr><td>01/04/2021</td><td><a href="/doc1/045119870001" onclick="goDLS('/doc1/045119870001','555','7','','','1','','');return(false);">5</a></td>
<td><input type="checkbox" name="arr_de_seq_nums" value="7" id="arr_de_seq_nums_7"></td>
<td>MOTION to Dismiss by Jones. (Attachments: # 1 Exhibit A) (Entered: 01/05/2021)</td></tr>
<tr><td></td><td></td><td><table>
<tr><td>0</td><td><input type="checkbox" name="download_documents" value="19870001" id="arr_de_seq_nums_7_51200"></td><td>Main Document</td><td>50 KB</td></tr>
<tr><td>1</td><td><input type="checkbox" name="download_documents" value="19870002" id="arr_de_seq_nums_7_20480"></td><td>Exhibit A</td><td>20 KB</td></tr>
</table></td></tr>
</table></form></body></html>"""


def test_inline_attachments_of_a_multi_document_docket():
    (entry,) = parse_docket(MULTI_DOCUMENT_DOCKET)["docket_entries"]
    assert (entry["document_number"], entry["pacer_doc_id"], entry["pacer_seq_no"]) == ("5", "045019870001", "7")
    assert entry["date_entered"] == "2021-01-05"
    # Row 0 is the main document itself: its size goes to the entry, not to the attachments.
    assert entry["file_size_str"] == "50 KB"
    assert entry["attachments"] == [
        {"attachment_number": 1, "description": "Exhibit A", "page_count": None, "file_size_str": "20 KB",
         "pacer_doc_id": "045019870002", "pacer_seq_no": "7", "file_size_bytes": 20480},
    ]


CHECKBOX_FIRST_DOCKET = MULTI_DOCUMENT_DOCKET.replace(
    """<tr><td>0</td><td><input type="checkbox" name="download_documents" value="19870001" id="arr_de_seq_nums_7_51200"></td><td>Main Document</td><td>50 KB</td></tr>
<tr><td>1</td><td><input type="checkbox" name="download_documents" value="19870002" id="arr_de_seq_nums_7_20480"></td><td>Exhibit A</td><td>20 KB</td></tr>""",
    """<tr><td><input type="checkbox" name="download_documents" value="19870001" id="arr_de_seq_nums_7_51200"></td><td>0</td><td>Main Document</td><td>3 pages</td><td>50 KB</td></tr>
<tr><td><input type="checkbox" name="download_documents" value="19870002" id="arr_de_seq_nums_7_20480"></td><td>1</td><td>Exhibit A</td><td>2 pages</td><td>20 KB</td></tr>
<tr><td><input type="checkbox" name="download_documents" value="19870003" id="arr_de_seq_nums_7_1048576"></td><td>2</td><td></td><td>12 pages</td><td>1.0 MB</td></tr>""")


def test_inline_attachment_rows_with_the_checkbox_before_the_number():
    # checkbox | number | description | "N pages" | size: the number is in the second cell.
    (entry,) = parse_docket(CHECKBOX_FIRST_DOCKET)["docket_entries"]
    assert (entry["page_count"], entry["file_size_str"], entry["file_size_bytes"]) == (3, "50 KB", 51200)
    assert entry["attachments"] == [
        {"attachment_number": 1, "description": "Exhibit A", "page_count": 2, "file_size_str": "20 KB",
         "pacer_doc_id": "045019870002", "pacer_seq_no": "7", "file_size_bytes": 20480},
        {"attachment_number": 2, "description": "", "page_count": 12, "file_size_str": "1.0 MB",
         "pacer_doc_id": "045019870003", "pacer_seq_no": "7", "file_size_bytes": 1048576},
    ]


def test_long_pages_of_other_reports_may_quote_problem_messages():
    items = "".join(
        f"<item><title>1:20-cv-{n:05d} Doe v. Roe</title><description>[Order] ORDER: the motion is denied; "
        f"this document is not available to the public.</description></item>"
        for n in range(200)
    )
    feed = f"<?xml version='1.0'?><rss><channel>{items}</channel></rss>"
    assert classify(feed, "rss") is None
    # The same sentence alone, as PACER's whole answer, is the problem.
    assert classify("<html><body>This document is not available.</body></html>", "rss").kind == "unavailable"


def test_a_parse_leaves_the_garbage_collector_as_it_found_it():
    """The collector is held off during a parse (a speed measure) and comes back as it was, after a
    page that parses, a page that is refused, and when it was off before."""
    parse, page = parser_for("docket", "testd"), DISTRICT_DOCKET.encode("utf-8")
    assert gc.isenabled()
    parse(page, {"court_id": "testd"})
    assert gc.isenabled()
    with pytest.raises(NotTheReport):
        parse(b"<html><body><p>Case not found.</p></body></html>", {"court_id": "testd"})
    assert gc.isenabled()
    gc.disable()
    try:
        parse(page, {"court_id": "testd"})
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_court_plugins_registered_after_a_parse_are_used_at_once():
    """Which unit and parser a report has at a court is remembered per set of plugins (spiders ask
    for every page): a plugin registered later still wins, and its going away is seen too."""
    from pacer_spiders.hookspecs import hookimpl
    from pacer_spiders.reports.base import ReportUnit

    page = DISTRICT_DOCKET.encode()
    builtin_number = parser_for("docket", "testd")(page, {"court_id": "testd"})["docket_number"]
    assert builtin_number == parser_for("docket", "sealedd")(page, {"court_id": "sealedd"})["docket_number"]
    assert parser_for("docket", "unitd")(page, {"court_id": "unitd"})["docket_number"] == builtin_number
    builtin_ids = [e["pacer_doc_id"] for e in parser_for("docket", "otherd")(page, {"court_id": "otherd"})["docket_entries"]]
    assert "04509876543" in builtin_ids

    class CourtPlugin:
        @hookimpl
        def page_parser(self, court_id, report):
            if court_id == "testd" and report == "docket":
                return lambda body, context: {"docket_number": "read by the plugin's parser"}
            return None

        @hookimpl
        def classify_page(self, court_id, report, text):
            return PageProblem("sealed", "the court's plugin says it is sealed") if court_id == "sealedd" else None

        @hookimpl
        def report_unit(self, court_id, report):
            if court_id == "unitd" and report == "docket":
                return ReportUnit(lambda body, context: {"docket_number": "read by the plugin's unit"}, name="docket")
            return None

        @hookimpl
        def normalize_pacer_doc_id(self, court_id, pacer_doc_id):
            return "plugin-" + pacer_doc_id[:3] + "0" + pacer_doc_id[4:] if court_id == "otherd" else None

    plugin = CourtPlugin()
    get_plugin_manager().register(plugin)
    try:
        assert parser_for("docket", "testd")(page, {"court_id": "testd"}) == {"docket_number": "read by the plugin's parser"}
        with pytest.raises(NotTheReport) as refused:
            parser_for("docket", "sealedd")(page, {"court_id": "sealedd"})
        assert refused.value.problem == PageProblem("sealed", "the court's plugin says it is sealed")
        assert parser_for("docket", "unitd")(page, {"court_id": "unitd"}) == {"docket_number": "read by the plugin's unit"}
        other = parser_for("docket", "otherd")(page, {"court_id": "otherd"})
        assert other["docket_number"] == builtin_number
        assert [e["pacer_doc_id"] for e in other["docket_entries"]] == [doc_id and "plugin-" + doc_id for doc_id in builtin_ids]
    finally:
        get_plugin_manager().unregister(plugin)
    assert [e["pacer_doc_id"] for e in parser_for("docket", "otherd")(page, {"court_id": "otherd"})["docket_entries"]] == builtin_ids
    for court in ("testd", "sealedd", "unitd"):
        assert parser_for("docket", court)(page, {"court_id": court})["docket_number"] == builtin_number


def test_remembered_hook_answers_stay_bounded_however_many_courts_are_asked():
    """A service may be handed any court id: the answers remembered per (report, court) are
    emptied at the limit and found again, still right."""
    from pacer_spiders.plugin_manager import MEMO_LIMIT, plugins_memo

    page = DISTRICT_DOCKET.encode()
    expected = parser_for("docket", "testd")(page, {"court_id": "testd"})["docket_number"]
    for number in range(MEMO_LIMIT + 500):
        parser_for("docket", f"made-up-court-{number}")
        assert len(plugins_memo(get_plugin_manager())) <= MEMO_LIMIT
    assert parser_for("docket", "testd")(page, {"court_id": "testd"})["docket_number"] == expected


def test_pacer_messages_are_found_as_their_patterns_find_them():
    """``classify`` clears most pages by plain searches for the words of PACER's messages and
    looks for a message's phrase through its rarest word; whatever the whitespace between the
    words, their case, or other words around them, it answers what the messages' own patterns
    (case-insensitive regexes over the text) answer."""
    import random
    import re

    from pacer_spiders.parsers.problems import BARE_MESSAGES, MESSAGES

    def by_patterns(text):
        for messages in (MESSAGES, BARE_MESSAGES):
            for kind, pattern, reason in messages:
                if re.search(pattern, text, re.I):
                    return PageProblem(kind, reason)
        return None

    phrases = [re.sub(r"\\(.)", r"\1", pattern.replace(r"\s+", " ")).split() for _kind, pattern, _reason in MESSAGES
               if "(" not in pattern and "." not in pattern.replace(r"\.", "")]
    phrases += ["Incomplete request. Please try your query again by choosing the Query or Reports option".split(),
                "The case type was cv but it must be cr".split()]
    assert len(phrases) > 12
    spaces = [" ", "  ", "\n", "\t", "\r\n", " \n  \t", "\f", "\v"]
    chance = random.Random(17)
    found = 0
    for _ in range(600):
        words = list(chance.choice(phrases))
        change = chance.random()
        if change < 0.15 and len(words) > 1:
            del words[chance.randrange(len(words))]  # a word missing: the phrase is not there
        elif change < 0.3 and len(words) > 1:
            at = chance.randrange(len(words) - 1)
            words[at], words[at + 1] = words[at + 1], words[at]  # two words the other way round
        elif change < 0.4:
            words[chance.randrange(len(words))] += "x"  # a word running on
        words = [word.upper() if chance.random() < 0.2 else word for word in words]
        phrase = "".join(word + chance.choice(spaces) for word in words[:-1]) + words[-1]
        others = " ".join(chance.choice(chance.choice(phrases)) for _ in range(chance.randrange(30)))
        glue = chance.choice(spaces + ["", "-"])
        page = f"<html><body>{others}{glue}{phrase}{glue}{others[::-1]}</body></html>"
        expected = by_patterns(page)
        assert classify(page, "docket") == expected, page
        found += expected is not None
    assert 200 < found < 500  # both answers were asked often


def test_a_docket_heading_far_down_the_page_is_still_found():
    """Headings are looked for in a page's head first; one further down still counts, and a label
    that only looks like a heading there does not."""
    filler = "<!-- " + "x" * 20_000 + " -->"
    moved = DISTRICT_DOCKET.replace("<body>", "<body>" + filler, 1)
    assert parse_docket(moved)["docket_number"] == parse_docket(DISTRICT_DOCKET)["docket_number"]
    label_only = ("<html><body>" + filler + "<table><tr><td>Docket Text: a notice</td></tr>"
                  "<tr><td>" + "Docket Text: " * 900 + "</td></tr></table></body></html>")
    with pytest.raises(NotTheReport) as refused:
        parse_docket(label_only)
    assert refused.value.problem.kind == "not_the_report"


def test_a_history_report_with_a_docket_text_column_is_not_a_docket():
    """The docket markers are found by the entry table's column there, so the history heading
    decides; a docket that quotes the history heading keeps its own heading and stays a docket."""
    history = HISTORY.replace("</table>", "<tr><th>Docket Text</th></tr></table>", 1)
    with pytest.raises(NotTheReport) as refused:
        parse_docket(history)
    assert refused.value.problem == PageProblem("wrong_report", "a docket history report, not a docket report")
    quoting = DISTRICT_DOCKET.replace("</body>", "<p>See History/Documents</p></body>", 1)
    assert parse_docket(quoting)["docket_number"] == parse_docket(DISTRICT_DOCKET)["docket_number"]

"""PACER's HTML, XML and RSS for synthetic cases, in the structure of the real CM/ECF pages.

The markup follows the real pages of the corpus (table layout, ``goDLS`` links, the ``(Entered: ...)``
suffix, the PACER Service Center receipt), so parsers read these pages as they read PACER's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from email.utils import format_datetime
from html import escape

from .synthetic import Case, Entry

_HEAD = (
    "<html><head><title>{title}</title>\n"
    '<script type="text/javascript">if (top!=self) {{top.location.replace(location.href);}}</script>'
    '<link rel="stylesheet" type="text/css" href="/css/default.css">'
    '<script type="text/javascript" src="/lib/core.js"></script></head>'
    "<body BGCOLOR=CCFFFF TEXT=000000 >"
    '<div class="noprint"><div id="topmenu" class="yuimenubar"><div class="bd"><ul class="first-of-type">'
    '<li class="yuimenubaritem"><a class="yuimenubaritemlabel" href="{base}/cgi-bin/iquery.pl"><u>Q</u>uery</a></li>'
    '<li class="yuimenubaritem"><a class="yuimenubaritemlabel" href="{base}/cgi-bin/DisplayMenu.pl?Reports"><u>R</u>eports</a></li>'
    '<li class="yuimenubaritem"><a class="yuimenubaritemlabel" href="{base}/cgi-bin/login.pl?logout"><u>L</u>ogout</a></li>'
    "</ul></div></div></div>"
    '<div id="cmecfMainContent"><input type="hidden" id="cmecfMainContentScroll" value="0">\n'
)
_FOOT = "</div></body></html>\n"


def d(value: date | None) -> str:
    return value.strftime("%m/%d/%Y") if value else ""


def page(court_id: str, base: str, body: str) -> str:
    return _HEAD.format(title=f"{court_id.upper()}-ECF", base=base) + body + _FOOT


def court_heading(case: Case) -> str:
    return "U.S. Bankruptcy Court" if case.is_bankruptcy else "U.S. District Court"


def go_dls(base: str, doc_id: str, case: Case, seq: int, label: str) -> str:
    return (f'<a href="{base}/doc1/{doc_id}" onClick="goDLS(\'/doc1/{doc_id}\',\'{case.pacer_case_id}\','
            f"'{seq}','','1','1','','');return(false);\">{label}</a>")


# -- docket report ----------------------------------------------------------------------------
def docket_query_form(court_id: str, pacer_case_id: str, number: str, name: str, last: int | None, base: str,
                      action_id: int) -> str:
    """The DktRpt.pl query form of a case (``last``: its highest document number, when known)."""
    last_note = f" (last document number: {last})" if last is not None else ""
    body = (
        f"<h3>Docket Sheet</h3>\n<b>{escape(number)} {escape(name)}</b><br>\n"
        f'<FORM NAME=GetPass ENCTYPE="multipart/form-data" method=POST action="{base}/cgi-bin/DktRpt.pl?{action_id}-L_1_0-1">\n'
        f'<input type="hidden" name="all_case_ids" value="{pacer_case_id}">\n'
        '<table><tr><td>Date range:</td><td>'
        '<input type="radio" name="date_range_type" value="Filed" checked>Filed '
        '<input type="radio" name="date_range_type" value="Entered">Entered</td></tr>\n'
        '<tr><td><input type="text" name="date_from" value="" size=10> to '
        '<input type="text" name="date_to" value="" size=10></td></tr>\n'
        '<tr><td>Documents: <input type="text" name="documents_numbered_from_" size=6> to '
        f'<input type="text" name="documents_numbered_to_" size=6>{last_note}</td></tr>\n'
        '<tr><td><input type="checkbox" name="list_of_parties_and_counsel" checked>Parties and counsel '
        '<input type="checkbox" name="terminated_parties" checked>Terminated parties '
        '<input type="checkbox" name="list_of_member_cases">List of member cases '
        '<input type="checkbox" name="view_multi_docs">View multiple documents</td></tr>\n'
        '<tr><td>Format: <input type="radio" name="output_format" value="html" checked>html '
        '<input type="radio" name="output_format" value="pdf">pdf</td></tr>\n'
        '<tr><td>Sort by: <select name="sort1"><option value="oldest date first" selected>Oldest date first'
        '<option value="most recent date first">Most recent date first<option value="document number">Document number'
        "</select></td></tr></table>\n"
        '<input type="submit" name="button1" value="Run Report"> <input type="reset" value="Clear">\n</FORM>\n'
    )
    return page(court_id, base, body)


def _party_rows(case: Case) -> str:
    rows = []
    for number, party in enumerate(case.parties):
        if case.kind == "criminal" and party.type == "Defendant":
            label = f"Defendant {party.extra_info}".strip()
        else:
            label = party.type
        rows.append(
            f'\n\t\t\t\t<tr>\n\t\t\t\t\t<td><b><u>{escape(label)}</u></b></td>\n\t\t\t\t</tr>\n\n'
            f'\t\t\t<tr>\n\t\t\t\t<td valign=top width="40%">\n\t\t\t\t\t<B>{escape(party.name)}</B>'
        )
        if party.extra_info and case.kind != "criminal":
            rows.append(f"\n<BR>{escape(party.extra_info)}")
        if party.date_terminated:
            rows.append(f"\n<BR><I>TERMINATED: {d(party.date_terminated)}</I>")
        rows.append("\n\t\t</td>\n")
        for position, attorney in enumerate(party.attorneys):
            if position:
                rows.append('<tr><td></td><td></td>')
            rows.append('<td valign=top width="20%" align=right>represented&nbsp;by</td>'
                        f'<td valign=top width="40%"><B>{escape(attorney.name)}</B>')
            for line in attorney.contact.strip().split("\n"):
                rows.append(f"\n<BR>{escape(line)}")
            for role in attorney.roles:
                rows.append(f"\n<BR><I>{escape(role)}</I>")
            rows.append("</td></tr>")
        if not party.attorneys:
            rows.append("</tr>")
        rows.append("<tr><td></td></tr>\n")
        if number == 0 and not case.is_bankruptcy:
            rows.append("<tr><td valign=top><br>V.<br></td></tr>\n")
    return '<table width="100%" border=0 cellspacing=5>' + "".join(rows) + "</table>\n"


def _case_header(case: Case) -> str:
    judge = case.assigned_to[0]
    if case.is_bankruptcy:
        label = "Bankruptcy Petition #" if case.kind == "bankruptcy" else "Adversary Proceeding #"
        left = f"<BR><I>Assigned to:</I> {escape(judge)}<BR>"
        if case.chapter:
            left += f"Chapter {case.chapter}<BR>Voluntary<BR>Asset<BR>"
        if case.lead_case is not None:
            lead = case.lead_case
            left += (f'<I>Lead BK Case:</I> <a href="/cgi-bin/DktRpt.pl?{lead.pacer_case_id}">{lead.short_number}</a>'
                     f"<BR><I>Lead BK Title:</I> {escape(lead.case_name)}<BR><I>Lead BK Chapter:</I> {lead.chapter}<BR>")
        right = (f'<TABLE border=0 cellspacing=0 cellpadding=0 align=center><TR><td align="right" valign="top">'
                 f'<I>Date filed:</I></td><td align="left" valign="top">&nbsp;&nbsp;{d(case.date_filed)}</td></TR>')
        if case.date_terminated:
            right += (f'<TR><td align="right" valign="top"><I>Date terminated:</I></td>'
                      f'<td align="left" valign="top">&nbsp;&nbsp;{d(case.date_terminated)}</td></TR>')
        right += "</TABLE>"
        return (f"<BR><CENTER><B><FONT SIZE=\"+1\">{court_heading(case)}<BR>{escape(case.court.name)}<BR>"
                f"{label}: {case.display_number}</FONT></B></CENTER>"
                f'<TABLE width="100%" BORDER=0 CELLSPACING=1><TR><TD VALIGN=top WIDTH="50%"><FONT SIZE="+0">'
                f"{left}</FONT></TD>"
                f'<TD VALIGN=top WIDTH="50%" ALIGN=right><FONT SIZE="+0">{right}</FONT></TD></TR></TABLE><BR>\n')
    kind = "CRIMINAL" if case.kind == "criminal" else "CIVIL"
    left = f"<br>{escape(case.case_name)}<br>\nAssigned to: {escape(judge)}<br>\n"
    if case.referred_to:
        left += f"Referred to: {escape(case.referred_to[0])}<br>\n"
    if case.cause:
        left += f"Cause: {escape(case.cause)}"
    right = f"<br>Date Filed: {d(case.date_filed)}<br>\n"
    if case.date_terminated:
        right += f"Date Terminated: {d(case.date_terminated)}<br>\n"
    if case.kind == "civil":
        right += (f"Jury Demand: {escape(case.jury_demand)}<br>\nNature of Suit: {escape(case.nature_of_suit)}<br>\n"
                  f"Jurisdiction: {escape(case.jurisdiction)}")
        if case.demand:
            right = right.replace("<br>\nNature", f"<br>\nDemand: {escape(case.demand)}<br>\nNature", 1)
    status = "CLOSED" if case.date_terminated else "OPEN"
    return (
        "\t\t\t\t<table border=0 cellspacing=0 width=\"100%\">\n"
        f"\t\t\t\t\t<tr><td align=right><SPAN >{status}</SPAN></td></tr>\n\t\t\t\t</table>\n"
        f"\t\t\t<h3 align=center>{court_heading(case)}<BR>\n{escape(case.court.name)}<BR>\n"
        f"{kind} DOCKET FOR CASE #: {escape(case.full_docket_number)}</h3>\n"
        "<TABLE width='100%' border=0 CELLSPACING=5><tr>\n"
        f'<td valign=top width="60%">{left}</td>\n<td valign=top width="40%">{right}</td>\n</tr></table>\n'
    )


def _entry_row(case: Case, entry: Entry, base: str, multiple_documents: bool = False) -> str:
    if entry.document_number is None:
        number = ""
    elif entry.pacer_doc_id and not entry.sealed:
        number = go_dls(base, entry.pacer_doc_id, case, entry.pacer_seq_no, str(entry.document_number))
    else:
        number = str(entry.document_number)  # sealed: numbered, no link
    text = escape(entry.description)
    for attachment in entry.attachments:
        # PACER links each attachment number inside the "(Attachments: # n ...)" text.
        plain = f"# {attachment.attachment_number} {escape(attachment.description)}"
        linked = "# " + go_dls(base, attachment.pacer_doc_id, case, entry.pacer_seq_no,
                               str(attachment.attachment_number)) + f" {escape(attachment.description)}"
        text = text.replace(plain, linked, 1)
    if multiple_documents:
        box = (f'<td align="center"><input type="checkbox" name="arr_de_seq_nums" value="{entry.pacer_seq_no}"></td>'
               if number and entry.pacer_doc_id and not entry.sealed else "<td></td>")
        return (f"<tr><td width='94' valign=top nowrap>{d(entry.date_filed)}</td>"
                f"<td style='white-space:nowrap' valign='top' align='right'>{number}&nbsp;</td>{box}"
                f"<td valign=top>{text}</td></tr>\n{_inline_attachments(entry)}")
    return (f"<tr><td width='94' valign=top nowrap>{d(entry.date_filed)}</td>"
            f"<td style='white-space:nowrap' valign='top' align='right'>{number}&nbsp;</td>"
            f"<td valign=top>{text}</td></tr>\n")


def inline_size_bytes(page_count: int) -> int:
    """The byte count the sandbox gives a document of ``page_count`` pages (its "N kb" is pages x 17)."""
    return page_count * 17 * 1000


def _inline_attachments(entry: Entry) -> str:
    """PACER's "view multiple documents" table under an entry that has attachments: one row per
    document, checkbox | number | description | "N pages" | size, the main document numbered 0."""
    if not entry.attachments or entry.sealed or not entry.pacer_doc_id:
        return ""
    documents = [(0, entry.document_id, "Main Document", entry.page_count)] + [
        (a.attachment_number, a.pacer_doc_id, a.description, a.page_count) for a in entry.attachments]
    rows = "".join(
        f'<tr><td><input type="checkbox" name="download_documents" value="{doc_id[4:]}" '
        f'id="arr_de_seq_nums_{entry.pacer_seq_no}_{inline_size_bytes(pages)}"></td>'
        f"<td>{number}</td><td>{escape(description)}</td><td>{pages} page{'s' if pages != 1 else ''}</td>"
        f"<td>{pages * 17} kb</td></tr>"
        for number, doc_id, description, pages in documents)
    return f"<tr><td></td><td></td><td><table>{rows}</table></td></tr>\n"


def docket_report(case: Case, entries: list[Entry], base: str, parties: bool, terminated: bool,
                  multiple_documents: bool = False) -> str:
    """The report body (before the receipt): header, parties, entries table.  ``multiple_documents``:
    run with "view multiple documents" (a form of checkboxes, each entry's documents listed under it)."""
    out = [_case_header(case)]
    if parties:
        shown = [p for p in case.parties if terminated or not p.date_terminated]
        saved = case.parties
        case.parties = shown
        try:
            out.append(_party_rows(case))
        finally:
            case.parties = saved
    if entries:
        date_head = "Filing Date" if case.is_bankruptcy else "Date Filed"
        if multiple_documents:
            out.append('<form name="view_multi_docs" method="post" action="/cgi-bin/show_multidocs.pl">\n')
        out.append("<br><table align=center width='99%' border=1 rules=all cellpadding=5 cellspacing=0>\n"
                   f"<tr><td style='font-weight:bold; width=94; white-space:nowrap'>{date_head}</td>\n"
                   f"<th>#</th>{'<th></th>' if multiple_documents else ''}<td style='font-weight:bold'>Docket Text</td></tr>\n")
        out.extend(_entry_row(case, e, base, multiple_documents) for e in entries)
        out.append("</table><br>\n")
        if multiple_documents:
            out.append("</form>\n")
    # No entries matched (a refresh with nothing new): the header and parties, no entry table.
    return "".join(out)


# -- receipt ----------------------------------------------------------------------------------
def receipt_table(when: datetime, login: str, client_code: str, description: str, criteria_label: str,
                  criteria: str, pages: int, cost: float) -> str:
    """PACER's Transaction Receipt table, as printed at the foot of a billed page."""
    def cell(text: str) -> str:
        return f'<TD ALIGN=LEFT><FONT SIZE=-1 COLOR=DARKBLUE> {escape(text)} </FONT></TD>'

    def head(text: str) -> str:
        return f'<TH ALIGN=LEFT><FONT SIZE=-1 COLOR=DARKBLUE> {escape(text)}: </FONT></TH>'

    return (
        '<HR><CENTER><TABLE BORDER=1 BGCOLOR=white width="400"><TR><TH COLSPAN=4><FONT SIZE=+1 COLOR=DARKRED>'
        "PACER Service Center </FONT></TH></TR><TR><TH COLSPAN=4><FONT COLOR=DARKBLUE>Transaction Receipt </FONT>"
        "</TH></TR><TR></TR><TR></TR><TR><TD COLSPAN=4 ALIGN=CENTER><FONT SIZE=-1 COLOR=DARKBLUE>"
        f"{when:%m/%d/%Y %H:%M:%S}</FONT></TD></TR>"
        f"<TR>{head('PACER Login')}{cell(login)}{head('Client Code')}{cell(client_code)}</TR>"
        f"<TR>{head('Description')}{cell(description)}{head(criteria_label)}{cell(criteria)}</TR>"
        f"<TR>{head('Billable Pages')}{cell(str(pages))}{head('Cost')}{cell(f'{cost:.2f}')}</TR>"
        "<TR></TR><TR></TR></TABLE></CENTER>\n"
    )


# -- documents --------------------------------------------------------------------------------
def shown_attachment_number(case: Case, attachment_number: int, doc_id: str) -> int:
    """The number a menu shows: bankruptcy courts number parts (the main document is part 1), and so
    did district courts for documents up to their changeover (``Court.attachments_part_numbered_through``)."""
    changeover = case.court.attachments_part_numbered_through
    if case.is_bankruptcy or (changeover is not None and int(doc_id[3:]) <= changeover):
        return attachment_number + 1
    return attachment_number


def attachment_menu(case: Case, entry: Entry, base: str) -> str:
    if case.is_bankruptcy:
        return _part_menu(case, entry, base)
    rows = [
        "<p>&nbsp;&nbsp;<b>Document Selection Menu</b></p>\n<p>&nbsp;&nbsp;Select the document you wish to view.</p>\n"
        '<table cellspacing="3" cellpadding="4" width="600">\n<tbody>\n<tr>\n<td colspan="2"><b>Document Number:</b> '
        f"{go_dls(base, entry.document_id, case, entry.pacer_seq_no, str(entry.document_number))}</td>\n"
        f'<td width="400">{entry.page_count} pages</td>\n<td width="600">{entry.page_count * 17} kb</td>\n</tr>\n'
        '<tr><td>&nbsp;</td></tr>\n<tr><td width="100"><b>Attachment</b></td><td width="240"><b>Description</b></td></tr>\n'
    ]
    for attachment in entry.attachments:
        shown = shown_attachment_number(case, attachment.attachment_number, attachment.pacer_doc_id)
        rows.append(
            f'<tr>\n<td width="100" valign="top">'
            f"{go_dls(base, attachment.pacer_doc_id, case, entry.pacer_seq_no, str(shown))}</td>\n"
            f'<td width="240">{escape(attachment.description)}</td>\n<td width="400">{attachment.page_count} pages</td>\n'
            f'<td width="600">{attachment.file_size_str}</td>\n</tr>\n'
        )
    return page(case.court_id, base, "".join(rows) + _view_all(case, entry))


def _part_menu(case: Case, entry: Entry, base: str) -> str:
    """A bankruptcy court's menu: numbered parts (main document = part 1), each row of six cells,
    checkbox | part | (empty) | description | "N pages" | size."""
    rows = ['<p align=center><b>Document Selection Menu</b></p>\n<p align=center><big>Multiple Documents</big></p>\n'
            '<p>Select the document you wish to view.</p>\n'
            '<table cellpadding=4 cellspacing=3>\n<tr><th width=50 align=right>Part</th><th width=20>&nbsp;</th>'
            "<th width=150 align=left>Description</th></tr>\n"]
    documents = [(0, entry.document_id, "Main Document", entry.page_count)] + [
        (a.attachment_number, a.pacer_doc_id, a.description, a.page_count) for a in entry.attachments]
    for number, doc_id, description, pages in documents:
        size = inline_size_bytes(pages)
        rows.append(
            f'<tr><td><input type="checkbox" name="download_documents" value="{doc_id[4:]}-{size}-{pages}"></td>'
            f"<td align=right>{go_dls(base, doc_id, case, entry.pacer_seq_no, str(shown_attachment_number(case, number, doc_id)))}</td>"
            f"<td></td><td>{escape(description)}</td><td>{pages} pages</td><td>{pages * 17} kb</td></tr>\n")
    return page(case.court_id, base, "".join(rows) + _view_all(case, entry))


def _view_all(case: Case, entry: Entry) -> str:
    total = entry.page_count + sum(a.page_count for a in entry.attachments)
    return (
        '<tr><td colspan="4"><hr></td></tr>\n<tr><td colspan="2"><input type="button" value="View All" '
        f"onclick=\"parent.location='/cgi-bin/show_multidocs.pl?caseid={case.pacer_case_id}&amp;arr_de_seq_nums="
        f"{entry.pacer_seq_no}&amp;pdf_header=1&amp;pdf_toggle_possible=1'\"></td>"
        f"<td>{total} pages</td><td></td></tr>\n</tbody>\n</table>\n"
    )


def confirmation_page(case: Case, entry: Entry, doc_id: str, base: str, receipt: str) -> str:
    """The "View Document" page: the receipt of what the purchase will cost, and a form to buy."""
    body = (
        "<p>To accept charges shown below, click on the 'View Document' button, otherwise click the 'Back' "
        "button on your browser.</p>"
        f'<form method="post" action="{base}/doc1/{doc_id}" '
        f"onsubmit=\"goDLS('/doc1/{doc_id}','{case.pacer_case_id}','{entry.pacer_seq_no}','','','1','','');return(false);\">"
        f'<input type="hidden" name="caseid" value="{case.pacer_case_id}">'
        f'<input type="hidden" name="de_seq_num" value="{entry.pacer_seq_no}">'
        '<input type="hidden" name="got_receipt" value="1">'
        '<input type="hidden" name="pdf_header" value="1">'
        '<input type="hidden" name="pdf_toggle_possible" value="1">'
        f"{receipt}"
        '<input type="submit" value="View Document"></form>'
    )
    return page(case.court_id, base, body)


def iframe_page(court_id: str, base: str, file_token: str, receipt: str) -> str:
    body = (f'<iframe id="cmecfMainContentFrame" src="{base}/cgi-bin/show_temp.pl?file={file_token}'
            f'&type=application/pdf" width="100%" height="100%"></iframe>\n{receipt}')
    return page(court_id, base, body)


def message_page(court_id: str, base: str, message: str) -> str:
    return page(court_id, base, escape(message))


# -- case query, history, possible case numbers, RSS -------------------------------------------
def case_query(case: Case, base: str, free_text: str | None = None, chapter_suffix: bool = False) -> str:
    """The iquery.pl summary of a case.  ``free_text``: a clerk's bold note under the dates (some
    cases carry one, "Case created for the electronic disclosure of the PSR."); ``chapter_suffix``:
    a bankruptcy number printed with its judge and chapter (``10-15790-JMC-13``)."""
    last_filing = max((e.date_filed for e in case.entries), default=case.date_filed)
    number = case.display_number
    if chapter_suffix and case.is_bankruptcy:
        number = f"{case.short_number}-{case.assigned_to[1]}-{case.chapter or 7}"
    rows = (f'<CENTER><B><FONT SIZE=+1>{escape(number)}</FONT></B> {escape(case.case_name)}<BR>'
            f"{escape(case.assigned_to[0])}, presiding<BR>")
    if case.referred_to:
        rows += f"{escape(case.referred_to[0])}, referral<BR>"
    rows += f"<B>Date filed:</B> {d(case.date_filed)}<BR>"
    if case.date_terminated:
        rows += f"<B>Date terminated:</B> {d(case.date_terminated)}<BR>"
    rows += f"<B>Date of last filing:</B> {d(last_filing)}<BR>\n"
    if free_text:
        rows += f"<B>{escape(free_text)}</B><BR>\n"
    rows += "</CENTER><BR>\n"
    links = "".join(f'&nbsp;&nbsp;&nbsp;<A HREF="/cgi-bin/{script}?{case.pacer_case_id}">{label}</A><BR>\n'
                    for script, label in (("qryAlias.pl", "Alias"), ("qryAttorneys.pl", "Attorney"),
                                          ("DktRpt.pl", "Docket Report ..."), ("HistDocQry.pl", "History/Documents..."),
                                          ("qryParties.pl", "Party"), ("StatusQry.pl", "Status")))
    body = rows + ('<font +1><strong>Query</strong></font><BR>\n<TABLE vspace=0 cellspacing=10 hspace=10 cellpadding=0 '
                   f'align=left valign=top><TR align=left valign=top><TD ALIGN="top">\n{links}</td></tr></table>\n')
    return page(case.court_id, base, body)


def case_query_form(court_id: str, base: str) -> str:
    body = ("<h3>Query</h3>\n"
            f'<FORM ENCTYPE="multipart/form-data" method=POST action="{base}/cgi-bin/iquery.pl?1-L_1_0-1">'
            'Case Number <input type="text" name="case_num" size=20> <input type="submit" value="Find This Case">'
            "</FORM>\n")
    return page(court_id, base, body)


def history_form(case: Case, base: str) -> str:
    body = (f"<h3>History/Documents</h3>\n<b>{escape(case.full_docket_number)} {escape(case.case_name)}</b>\n"
            f'<FORM ENCTYPE="multipart/form-data" method=POST action="{base}/cgi-bin/HistDocQry.pl?{case.pacer_case_id}">'
            '<input type="radio" name="QueryType" value="All" checked>Include all events '
            '<input type="radio" name="sort_by" value="Oldest date first" checked>Oldest date first '
            '<input type="submit" value="Run Query"></FORM>\n')
    return page(case.court_id, base, body)


def history_report(case: Case, base: str) -> str:
    last_filing = max((e.date_filed for e in case.entries), default=case.date_filed)
    head = (f'<center><b><font size="+1">{escape(case.display_number)}</font></b> {escape(case.case_name)}'
            f"<br>{escape(case.assigned_to[0])}, presiding<br><b>Date filed:</b> {d(case.date_filed)}<br>"
            + (f"<b>Date terminated:</b> {d(case.date_terminated)}<br>" if case.date_terminated else "")
            + f"<b>Date of last filing:</b> {d(last_filing)}<br>\n</center><br>\n"
            '<h2 align="center">History</h2>\n<center>\n<table cellpadding="2" cellspacing="0" border="1">\n'
            "<tbody><tr><th>Doc.<br>No.</th>\n<th>Dates</th>\n<th>Description</th>\n</tr>\n")
    rows = []
    for entry in case.entries:
        if entry.document_number is None:
            number = "&nbsp;"
        elif entry.pacer_doc_id and not entry.sealed:
            number = go_dls(base, entry.pacer_doc_id, case, entry.pacer_seq_no, str(entry.document_number))
        else:
            number = str(entry.document_number)
        rows.append(
            f'<tr valign="top">\n<td valign="center" align="center" rowspan="1">{number}</td>\n'
            '<td><table width="100%" border="0" cellpadding="0" cellspacing="0">\n'
            f'<tbody><tr><td><i>Filed: </i></td><td align="right">{d(entry.date_filed)}</td></tr>\n'
            f'<tr><td><i>Entered: </i></td><td align="right">{d(entry.date_entered)}</td></tr>\n'
            "</tbody></table></td>\n<td>\n"
            f"<a href=\"javascript:DktText('1','{case.pacer_case_id}','{entry.document_number or ''}','{entry.pacer_seq_no}','')\">"
            '<img src="/graphics/silverball.gif" width="14" height="14" border="0" alt="Docket Text"></a>\n'
            f"{escape(entry.short_description)}</td>\n</tr>\n"
        )
    return head + "".join(rows) + "</tbody></table>\n</center>\n"


def possible_case_numbers(request_number: str, cases: list[Case], sealed: bool = False,
                          recorded: Sequence[tuple[str, str, str]] = ()) -> str:
    """The XML answer; ``recorded`` adds (number, case id, title) nodes of corpus cases."""
    if sealed:
        return f"<request number='{escape(request_number)}'>\n    <message text='Case Under Seal'/>\n</request>\n"
    if not cases and not recorded:
        return (f'<request number="{escape(request_number)}">\n'
                f'    <message text="Cannot find case {escape(request_number)}"/>\n</request>\n')
    nodes = []
    for case in cases:
        closed = f" (closed {d(case.date_terminated)})" if case.date_terminated else ""
        number = f"{case.office}:{case.year % 100:02d}-{case.case_type}-{case.serial}"
        defendants = case.defendants if case.kind == "criminal" else [None]
        for position, name in enumerate(defendants, start=1):
            title_name = f"USA v. {name}" if name else case.case_name
            extra = f' defendant="{position}"' if name else ""
            suffix = f"-{position}" if name else ""
            nodes.append(
                f'    <case number="{number}" id="{case.pacer_case_id}"{extra}\n'
                f'          title="{escape(case.docket_number)}-{case.judge_initials}{suffix} {escape(title_name)}{closed}"\n'
                f'          sortable="{case.office}:{case.year}-{case.case_type}-{case.serial:05d}"/>\n'
            )
    for number, case_id, title in recorded:
        nodes.append(f'    <case number="{escape(number)}" id="{escape(case_id)}"\n          title="{escape(title)}"/>\n')
    return f'<request number="{escape(request_number)}">\n' + "".join(nodes) + "</request>\n"


def rss_feed(court, base: str, items: list[tuple[Case, Entry]]) -> str:
    out = ['<?xml version="1.0" encoding="ISO-8859-1"?>\n\n<rss version="2.0"\n>\n\n<channel>\n'
           f"<title>{escape(court.name)} - Recent Entries</title>\n<link>{base}</link>\n"
           "<description>Docket entries of type: all</description>\n"]
    for case, entry in items:
        number = case.docket_number if not case.is_bankruptcy else case.short_number
        link = ""
        if entry.pacer_doc_id and entry.document_number is not None and not entry.sealed:
            link = escape(f" (<a href='{base}/doc1/{entry.pacer_doc_id}?pdf_header=&de_seq_num={entry.pacer_seq_no}"
                          f"&caseid={case.pacer_case_id}'>{entry.document_number}</a>)")
        published = datetime(entry.date_entered.year, entry.date_entered.month, entry.date_entered.day, 12, 0)
        out.append(
            f"<item>\n<title>{escape(number)} {escape(case.case_name)}</title>\n"
            f"<link>{base}/cgi-bin/DktRpt.pl?{case.pacer_case_id}</link>\n"
            f"<description>[{escape(entry.short_description)}]{link}</description>\n"
            f'<guid isPermaLink="true">{base}/cgi-bin/DktRpt.pl?{case.pacer_case_id}-{entry.pacer_seq_no}</guid>\n'
            f"<pubDate>{format_datetime(published.replace(tzinfo=__import__('datetime').timezone.utc), usegmt=True)}</pubDate>\n"
            "</item>\n"
        )
    out.append("</channel>\n</rss>\n")
    return "".join(out)


def login_page(court_hint: str = "") -> str:
    """The central sign-in page a court sends a request without a valid NextGenCSO cookie to."""
    return (
        "<!DOCTYPE html>\n<html><head><title>PACER: Login</title></head><body>\n"
        '<form id="loginForm" name="loginForm" method="post" action="/csologin/login.jsf">\n'
        "<h1>Login</h1>\n"
        f'<input type="hidden" name="pscCourtId" value="{escape(court_hint)}">\n'
        '<label for="loginForm:loginName">Username</label>'
        '<input id="loginForm:loginName" type="text" name="loginForm:loginName">\n'
        '<label for="loginForm:password">Password</label>'
        '<input id="loginForm:password" type="password" name="loginForm:password">\n'
        '<label for="loginForm:clientCode">Client Code</label>'
        '<input id="loginForm:clientCode" type="text" name="loginForm:clientCode">\n'
        '<button id="loginForm:fbtnLogin" type="submit">Login</button>\n'
        "</form>\n<p>Public Access to Court Electronic Records</p>\n</body></html>\n"
    )


# -- mobile query, written opinions report, advanced case query --------------------------------
def mobile_query(case: Case, base: str) -> str:
    """mobile_query.pl?search=caseinfo: the case heading and its links, the entry count beside
    "Docket Entries" (CM/ECF Mobile's jQuery Mobile list)."""
    number = case.display_number
    link = f"/cgi-bin/mobile_query.pl?search={{}}&caseid={case.pacer_case_id}&caseNum={escape(number)}"
    items = "".join(f'<li data-theme="c"><a href="{link.format(search)}" data-transition="slide">{label}</a></li>\n'
                    for search, label in (("atty", "Attorneys"), ("pty", "Parties"), ("deadLines", "Deadlines / Hearings")))
    return (
        "<!DOCTYPE html><html><head><title>Mobile Query</title>\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1" /></head>\n<body>\n'
        '<div data-theme="b" data-role="page" id="page1"><div data-theme="b" data-role="header">\n'
        f'<h3>CM/ECF Mobile - {case.court_id.upper()}</h3>\n'
        '<form action=""><input id="caseOrNameSearch" name="caseOrNameSearch" placeholder="Case Number or Last, First" '
        'value="" type="search" /></form></div>\n'
        '<div data-role="content"><ul data-role="listview" data-inset="true">\n'
        '<li data-role="list-divider" role="heading"><div class="ui-grid-a">'
        f'<div class="ui-block-a">{escape(number)}</div>'
        f'<div class="ui-block-b" style="text-align:right">Filed: {d(case.date_filed)}</div></div>'
        f"<div>{escape(case.case_name)}</div></li>\n{items}"
        f'<li data-theme="c"><a id="entriesLink" href="{link.format("dktEntry")}" data-transition="slide">'
        f'Docket Entries <span class="ui-li-count">{len(case.entries)}</span></a></li>\n'
        f'</ul></div>\n<div data-role="footer"><a href="/cgi-bin/iqquerymenu.pl?{case.pacer_case_id}">Full Site</a></div>'
        "</div></body></html>\n"
    )


def free_opinions_form(court_id: str, base: str) -> str:
    body = ("<h3>Written Opinions Report</h3>\n"
            f'<FORM ENCTYPE="multipart/form-data" method=POST action="{base}/cgi-bin/WrtOpRpt.pl?1-L_1_0-1">\n'
            'Filed <input type="text" name="filed_from" size=10> to <input type="text" name="filed_to" size=10>\n'
            '<input type="hidden" name="ShowFull" value="1"><input type="hidden" name="all_case_ids" value="0">\n'
            '<select name="Key1"><option value="cs_sort_case_numb" selected>Case number</select>\n'
            '<input type="submit" value="Run Report"></FORM>\n')
    return page(court_id, base, body)


def free_opinions_report(court, base: str, rows: list[tuple[Case, Entry]], date_from: date, date_to: date) -> str:
    """WrtOpRpt.pl's answer: one row per opinion (case, date filed, document, text, notes)."""
    period = f"{date_from.month}/{date_from.day}/{date_from.year} - {date_to.month}/{date_to.day}/{date_to.year}"
    out = [f"<center><h2>Written Opinions Report</h2>\n<h3>{escape(court.name)}</h3>\n<h3>Filed Report Period: "
           f"{period}</h3>\n<table border=\"1\" cellpadding=\"3\">\n<tr align=\"center\"><th>Case Number &amp; Name:</th>"
           "<th>Date Filed:</th><th>Doc. #</th><th>Description:</th><th>Notes:</th></tr>\n"]
    previous = None
    for case, entry in rows:
        first = case is not previous  # PACER leaves the case cell blank for a further opinion of a case
        previous = case
        cell = (f'<a href="{base}/cgi-bin/DktRpt.pl?{case.pacer_case_id}">{escape(case.display_number)} </a><br>'
                f"<b>{escape(case.case_name)}</b>") if first else "&nbsp;"
        notes = f"<i>NOS:</i> {escape(case.nature_of_suit)}<br><i>Cause:</i> {escape(case.cause)}<br>" \
            if case.nature_of_suit or case.cause else ""
        out.append(f'<tr valign="top"><td>{cell}</td><td>{d(entry.date_filed)}</td>'
                   f'<td align="center">{go_dls(base, entry.document_id, case, entry.pacer_seq_no, str(entry.document_number))}</td>'
                   f"<td>{escape(entry.text)}</td><td>{notes}</td></tr>\n")
    out.append(f"</table></center><br> <b>Total number of opinions reported:</b> {len(rows)}<br>\n")
    return page(court.court_id, base, "".join(out))


def advanced_case_query(cases: list[Case], base: str) -> str:
    """iquery.pl's "Select a Case" list of the cases a search matched (the body; the receipt follows)."""
    out = ['<h2 align="center">Select a Case</h2><br><center><table border="0" cellspacing="10">\n'
           f'<tr><td colspan="5" align="left"><b>There were {len(cases)} matching cases.</b></td></tr>\n'
           "<tr style='font-weight: bold'><td>Case No.</td><td>Case Title</td><td>Chapter / Lead BK case</td>"
           "<td>Date Filed</td><td>Date Closed</td></tr>\n"]
    for position, case in enumerate(cases):
        if case.lead_case is not None:
            chapter = f"<i>Lead BK: </i> {escape(case.lead_case.short_number)} {escape(case.lead_case.case_name)}"
        else:
            chapter = f" {escape(case.chapter)}"
        closed = f" {case.date_terminated:%m/%d/%y}" if case.date_terminated else "N / A"
        out.append(f'<tr class="rowBackground{position % 2 + 1}"><td nowrap><a href="iquery.pl?'
                   f'{position + 1000}-L_1_0-0-{case.pacer_case_id}">{escape(case.display_number)}</a></td>'
                   f"<td>{escape(case.case_name)}</td><td>{chapter}</td><td> {case.date_filed:%m/%d/%y}</td>"
                   f"<td>{closed}</td></tr>\n")
    out.append("</table></center><br><hr>\n")
    return "".join(out)
# -- bankruptcy claims and creditors ---------------------------------------------------------------
# CM/ECF serves the claims register from SearchClaims.pl, the claims activity report from
# ClaimsActivity.pl and the list of creditors from CreditorQry.pl?<case id> (a form posting the case
# id and creditor type), as pages of the corpus and public CM/ECF clients show.  The sandbox's claims
# are derived from the case, the same on every request.
_SANDBOX_CREDITORS = ("Internal Revenue Service", "First Federal Bank, N.A.", "Acme Supply Co.",
                      "County Tax Collector", "Harbor Medical Group")


def sandbox_claims(case: Case) -> list[dict]:
    """The claims filed in a synthetic bankruptcy case: creditor, address, amounts, dates, ids."""
    claims = []
    for index in range(2 + int(case.pacer_case_id) % 3):
        filed = case.date_filed + timedelta(days=30 + 7 * index)
        amount = (int(case.pacer_case_id) % 997 + 1) * (index + 1) * 13
        claims.append({
            "number": index + 1, "creditor": _SANDBOX_CREDITORS[index % len(_SANDBOX_CREDITORS)],
            "creditor_id": str(700000 + int(case.pacer_case_id) % 1000 * 10 + index),
            "address": [f"PO Box {1000 + index}", f"Springfield, IL 6270{index}"],
            "filed": filed, "entered": filed + timedelta(days=1 if index % 2 else 0),
            "amount": f"${amount}.00", "secured": f"${amount // 2}.00" if index % 2 else None,
            "claim_id": str(int(case.pacer_case_id) * 100 + index), "description": f"({index + 1}-1) Goods sold",
        })
    return claims


def _claim_link(base: str, case: Case, claim: dict, label: str) -> str:
    return (f"<a href='{base}/cgi-bin/show_doc.pl?caseid={case.pacer_case_id}&claim_id={claim['claim_id']}"
            f"&claim_num={claim['number']}-1&magic_num=MAGIC'>{label}</a>")


def claims_register(case: Case, base: str) -> str:
    """A claims register (SearchClaims.pl) without its receipt."""
    claims = sandbox_claims(case)
    status = f" <span class='label'>Closed</span> {d(case.date_terminated)}" if case.date_terminated else ""
    body = (f"<CENTER><H2>{escape(case.court.name)}<BR>Claims Register </H2><FONT SIZE=+1><A HREF={base}/cgi-bin/"
            f"DktRpt.pl?{case.pacer_case_id}>{escape(case.full_docket_number)} {escape(case.case_name)}</A>{status}"
            f"<br><p></FONT><TABLE><TR><TD><B>Judge:</B> {escape(case.assigned_to[0])}<TD><B> </B><TD><B>Chapter: </B>"
            f" {escape(case.chapter)}<TR><TD><B>Office: </B> {case.office}<TD><B> </B><TD><B>Last Date to file "
            f"claims: </B> {d(case.date_filed + timedelta(days=90))}<TR><TD><B>Trustee: </B> <TD><B> </B><TD><B>Last "
            "Date to file (Govt): </B> </TABLE>")
    for claim in claims:
        amounts = f"<TR><TD><FONT SIZE='-1'>&nbsp;Amount <TD><FONT SIZE='-1'> claimed:<TD><FONT SIZE='-1'> {claim['amount']}</TR>"
        if claim["secured"]:
            amounts += f"<TR><TD><FONT SIZE='-1'>&nbsp;Secured <TD><FONT SIZE='-1'> claimed:<TD><FONT SIZE='-1'> {claim['secured']}</TR>"
        body += (
            '<TABLE class=complexReport><TR class=rowBackground1><TD valign=top><FONT SIZE="-1"><I>Creditor:</I>'
            f"&nbsp;&nbsp;({claim['creditor_id']})&nbsp;&nbsp;<BR> {escape(claim['creditor'])}<br>"
            + "<br>".join(escape(line) for line in claim["address"]) +
            f'&nbsp;&nbsp;</FONT></TD><TD valign=top><FONT SIZE="-1"><B>Claim No: {claim["number"]}</B><BR><I>Original '
            f"Filed Date</I>:&nbsp;{d(claim['filed'])}<BR><I>Original Entered Date</I>:&nbsp;{d(claim['entered'])}<BR>"
            '</FONT></TD><TD valign=top><FONT SIZE="-1"><I>Status:</I><BR><I>Filed by:</I> CR<BR><I>Entered by:</I> '
            f"EPOC Filer<BR><I>Modified:</I></FONT></TD></TR><TR class=rowBackground1><TD colspan=3><TABLE>{amounts}"
            '</TABLE><TR class=rowBackground1><TD colspan=5><FONT SIZE="-1"><I>History:</I></FONT>'
            f"<table width='100%'><tr><td><a href=\"{base}/cgi-bin/ClaimHistory.pl?{case.pacer_case_id},{claim['number']}-1\">"
            f"Details</a></td><td></td><td>{_claim_link(base, case, claim, str(claim['number']) + '-1')}</td>"
            f"<td><font size='-1'>{d(claim['filed'])}</font></td><td><font size='-1'> Claim #{claim['number']} filed by "
            f"{escape(claim['creditor'])}, Amount claimed: {claim['amount']} (EPOC Filer) </font></td></table></TD></TR>"
            f'<TR class=rowBackground1><TD colspan=3><FONT SIZE="-1"><I>Description:</I> {escape(claim["description"])}'
            '<BR></FONT></TD></TR><TR class=rowBackground1><TD colspan=3><FONT SIZE="-1"><I>Remarks:</I> </FONT>'
            "</TD></TR></TABLE><BR>\n")
    body += ("<CENTER><H3>Claims Register Summary</H3></CENTER>"
             f"<B>Case Name:</B> {escape(case.case_name)}<BR><B>Case Number:</B> {escape(case.full_docket_number)}<BR>"
             f"<B>Chapter:</B> {escape(case.chapter)}<BR><B>Date Filed:</B> {d(case.date_filed)}<BR>"
             f"<B>Total Number Of Claims:</B> {len(claims)}<BR><BR>\n")
    return body


def claims_activity(cases: list[Case], base: str, start: date, end: date) -> str:
    """A claims activity report (ClaimsActivity.pl) of the claims filed from ``start`` to ``end``."""
    body = (f'<h2 align="center">Claims Activity Report</h2><h3 align="center">U.S. Bankruptcy Court --\n'
            f'{escape(cases[0].court.name) if cases else ""}</h3>\n'
            f'<h3 align="center">Report Period: {start.month}/{start.day}/{start.year} - {end.month}/{end.day}/{end.year}</h3>\n')
    for case in cases:
        for claim in sandbox_claims(case):
            if not start <= claim["filed"] <= end:
                continue
            secured = f"Secured claimed: {claim['secured']}<br>" if claim["secured"] else ""
            body += (
                '<table class="complexReport"><tbody><tr class="rowBackground1"><td valign="top" width="40%">\n'
                f"Case: {escape(case.short_number)}-{case.judge_initials}<br>Title: {escape(case.case_name)}<br>"
                f"Office: {case.office}<br>Claim No: <b>{_claim_link(base, case, claim, str(claim['number']))}</b><br>"
                f"Filed: {d(claim['filed'])}<br>Entered: {d(claim['entered'])}<br>Amends No: <br></td>\n"
                f'<td valign="top" width="30%">\nAmount claimed: {claim["amount"]}<br>{secured}</td>\n'
                f'<td valign="top" width="30%">\nChapter: {escape(case.chapter)}<br>Judge: '
                f"{escape(case.assigned_to[0].split()[-1])}<br>Trustee: <br>Filed by: Creditor<br>Entered by: EPOC Filer"
                f"<br>Status: <br>Last date to file claims: {d(case.date_filed + timedelta(days=90))}<br>"
                "Last date to file (Govt):  <br>&nbsp;&nbsp;&nbsp;</td></tr>\n"
                '<tr class="rowBackground1"><td colspan="3">\nCreditor name/address: '
                f"{escape(', '.join([claim['creditor'], *claim['address']]))} <br>Creditor ID: {claim['creditor_id']}</td>"
                f'</tr>\n<tr class="rowBackground1"><td colspan="3">\nDescription: {escape(claim["description"])} <br>\n'
                "</td></tr>\n</tbody></table><br>\n")
    return body


def creditor_matrix(case: Case) -> str:
    """A case's creditor mailing matrix in CM/ECF's raw data format (``|``-separated, one a line)."""
    creditors = [(c["creditor"], c["address"]) for c in sandbox_claims(case)]
    creditors += [(p.name, []) for p in case.parties if p.type not in ("Debtor", "U.S. Trustee")]
    lines = [f"1|Label Matrix for local noticing|0000-{case.office}|Case {case.full_docket_number}|"
             f"{case.court.name}|Office {case.office}|{datetime(2024, 1, 2, 3, 4, 5).strftime('%a %b %d %H:%M:%S %Y')}|"]
    for number, (name, address) in enumerate(sorted(creditors), start=2):
        cells = [name, *address] + [""] * (6 - len(address))
        lines.append(f"{number}|" + "|".join(cells[:6]) + "|")
    lines.append(f"{len(lines) + 1}|End of Label Matrix|Total addresses {len(creditors)}|||||")
    return "\n".join(lines)


def list_of_creditors(case: Case, base: str, receipt: str) -> str:
    """The list of creditors page: the receipt, then the matrix in the form posting it to the BNC."""
    return page(case.court_id, base,
                '<BR><BR><CENTER><FORM name="bnc" method="post" action="https://ncrs.uscourts.gov/query/cmecf/index.adp">'
                '<P>You have been charged as indicated below. To proceed, click on "View Labels" button.</P>'
                f'{receipt}<TABLE><TR><TD><INPUT TYPE="hidden" NAME="format" VALUE="rawdata"></TD>'
                f'<TD><INPUT TYPE="hidden" NAME="data" VALUE="{escape(creditor_matrix(case))}"></TD></TR></TABLE>'
                '<INPUT TYPE="submit" VALUE="View Labels"></FORM></CENTER>')
# -- appellate CM/ECF (the courts of appeals' CaseSummary.jsp and ShowDoc) ---------------------------
# A synthetic case is shown as the appeal of that district case: same caption, parties and filings.
def appellate_docket_number(case: Case) -> str:
    return f"{case.year % 100:02d}-{1000 + case.serial}"


def appellate_party_type(number: int, party_type: str) -> str:
    return f"{party_type}&nbsp;-&nbsp;{'Appellant' if number == 0 else 'Appellee'}"


def appellate_documents(entry: Entry) -> list[tuple[int, str, str, int]]:
    """(number, document id, description, pages) of a filing: appellate CM/ECF numbers its own
    document 1 and its attachments from 2."""
    return [(1, entry.document_id, entry.short_description, entry.page_count)] + [
        (a.attachment_number + 1, a.pacer_doc_id, a.description, a.page_count) for a in entry.attachments]


def _appellate_entry_rows(case: Case, entry: Entry, base: str) -> str:
    link = ""
    if entry.pacer_doc_id and not entry.sealed:
        link = (f'<a href="{base}/docs1/{entry.pacer_doc_id}" onclick="return doDocPostURL('
                f"'{entry.pacer_doc_id}','{case.pacer_case_id}');\" title=\"Open Document\">"
                f"&nbsp;{entry.document_number}&nbsp;</a>")
    elif entry.document_number is not None:
        link = f"&nbsp;{entry.document_number}&nbsp;"
    size = entry.page_count * 17 * 1024
    # The size line shows under a document one may open.
    size_line = f"<br><font size=-2>{entry.page_count} pg, {entry.page_count * 17} KB</font>" if "<a" in link else ""
    rows = [f"<tr><td valign=top>{d(entry.date_filed)}</td><td valign=top nowrap>\n"
            f"<input type=checkbox name='d' value='{entry.pacer_seq_no}' "
            f"onclick='sumSelected(this,{entry.page_count},{size});'>\n{link}\n{size_line}</td>"
            f"<td width=90% valign=top>{escape(entry.text)} [{appellate_docket_number(case)}] "
            f"[Entered: {d(entry.date_entered)} 09:30 AM]</td></tr>\n"]
    if entry.attachments:
        rows.append("<tr><td width=10%> </td><td width=10%></td><td width=50%><table border=1 cellpadding=5><tr><td>"
                    "<table border=0 cellpadding=5><tr><th colspan=3>Document</th><th>Description</th>"
                    "<th>Pages</th><th>Size</th></tr>")
        for number, doc_id, description, pages in appellate_documents(entry):
            rows.append(
                f"<tr><td><input class='selDocCl' type=checkbox name='md' value='{entry.pacer_seq_no} "
                f"{doc_id[-7:]} {pages} {pages * 17 * 1024}'></td>"
                f"<td>{number}</td><td><a href=\"{base}/docs1/{doc_id}\">"
                f"<img alt='Open document'></a></td><td>{escape(description)}</td>"
                f"<td>{pages}</td><td>{pages * 17} KB</td></tr>")
        rows.append("</table></td></tr></table></td></tr>\n")
    return "".join(rows)


def appellate_docket(case: Case, base: str) -> str:
    """The "General Docket" of the appeal: case stub, case type, originating court, parties, entries."""
    number = appellate_docket_number(case)
    termed = f"<br><b>Termed:</b> {d(case.date_terminated)}" if case.date_terminated else ""
    origin = f"https://ecf.{case.court_id}.uscourts.gov/cgi-bin/DktRpt.pl?caseNumber={case.full_docket_number}"
    parties = []
    for position, party in enumerate(case.parties):
        if position == 1:
            parties.append("<tr><td colspan=2>v.<br><br></td></tr>")
        attorneys = "<br><br>\n".join(
            f"{escape(a.name)}<br>[COR NTC Retained]<br>" + "<br>".join(escape(line) for line in a.contact.strip().split("\n"))
            for a in party.attorneys)
        terminated = f"<b>Terminated: </b>{d(party.date_terminated)}<br>" if party.date_terminated else ""
        parties.append(f"<tr><td valign=top width=50%>{escape(party.name)}<br>{terminated}\n"
                       f"{appellate_party_type(position, escape(party.type))}\n</td>"
                       f"<td valign=top width=50%>\n{attorneys}</td></tr>\n")
    body = (
        "<table width=100% border=0><tr><td align=center><b>General Docket<br>"
        "United States Court of Appeals for the Ninth Circuit</b></td></tr></table>\n"
        "<table width=100% border=1 cellpadding=4>\n"
        "<tr><td><table width=100% border=0 cellpadding=0 cellspacing=0>\n"
        f"<tr><td><b>Court of Appeals Docket #: </b>{number}</td><td valign=top align=right rowspan=2>"
        f"<b>Docketed:</b> {d(case.date_filed)}{termed}</td></tr>\n"
        f"<tr><td><b>Nature of Suit: </b>\n{escape(case.nature_of_suit)}</td></tr>\n"
        f"<tr><td>{escape(case.case_name)}</td></tr>\n"
        f"<tr><td><b>Appeal From:</b>\n{escape(case.court.name)}</td></tr>\n"
        "<tr><td><b>Fee Status:</b>  Paid</td></tr></table></td></tr>\n"
        "<tr><td><table width=100% border=0 cellpadding=0 cellspacing=0>"
        f"<tr><td><b>Case Type Information:</b></td></tr><tr><td><b>&nbsp;&nbsp;1)</b> {case.kind}</td></tr>"
        "<tr><td><b>&nbsp;&nbsp;2)</b> private</td></tr><tr><td><b>&nbsp;&nbsp;3)</b> null</td></tr>"
        "</table></td></tr>\n"
        "<tr><td><table width=100% border=0 cellpadding=0 cellspacing=0>\n"
        "<tr><td colspan=4><b>Originating Court Information:</b></td></tr>\n"
        f"<tr><td colspan=4>&nbsp;&nbsp;<b>District: </b>0971-{case.office} : "
        f'<a href="{origin}" target="_BLANK">{case.full_docket_number}</a></td></tr>\n'
        f"<tr><td colspan=4>&nbsp;&nbsp;<b>Trial Judge: </b>{escape(case.assigned_to[0])}, District Judge</td></tr>"
        f"<tr><td colspan=2><b>&nbsp;&nbsp;Date Filed: </b>{d(case.date_filed)}</td></tr>\n"
        "<tr><td><b>&nbsp;&nbsp;Date NOA Filed:</b></td><td><b>&nbsp;&nbsp;Date Rec'd COA:</b></td></tr>\n"
        f"<tr><td>&nbsp;&nbsp;{d(case.date_filed)}</td><td>&nbsp;&nbsp;{d(case.date_filed)}</td></tr>\n"
        "</table></td></tr>\n"
        "<tr><td><b>Panel Assignment:</b>\n&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;Not available\n</td></tr></table>\n"
        "<br><table width=100% border=1 cellpadding=0><tr><td>"
        "<table width=100% border=0 cellpadding=4 cellspacing=0><tr><td colspan=2></td></tr>\n"
        + "".join(parties) + "</table></td></tr></table>\n"
        "<form name='dktEntry' action='TransportRoom' method='GET'><table width=100% border=1 cellpadding=0><tr><td>"
        "<table border=0 cellpadding=4>\n"
        + "".join(_appellate_entry_rows(case, entry, base) for entry in case.entries)
        + "</table></td></tr></table></form>\n"
    )
    return (f"<html><head><title>{number} Docket</title></head><body>\n{body}</body></html>\n")


def appellate_attachment_page(case: Case, entry: Entry, base: str) -> str:
    """ShowDoc: the list of an appellate filing's documents (its own document first)."""
    documents = appellate_documents(entry)
    rows = "".join(
        f"<tr><td align=center>{number}</td><td align=center><a href='{base}/docs1/{doc_id}' "
        f"onclick=\"return doDocPostURL('{doc_id}')\"><img alt='Open document'></a>&nbsp;</td>"
        f"<td>{escape(description)}</td><td align=center>{pages}</td></tr>\n"
        for number, doc_id, description, pages in documents)
    total = sum(pages for *_rest, pages in documents)
    return (
        "<html><head><title>Document</title></head><body>\n<table border=0 align=center><tr><th align=center>"
        f"<b>{len(documents)} Documents are attached to this filing</b></th></tr></table>\n"
        "<table border=1 align=center cellpadding=5><tr><td><table border=0 cellpadding=5>\n"
        "<tr><th align=center colspan=2>Document</th><th>Description</th><th>Pages</th></tr>\n"
        f"{rows}</table></td></tr></table>\n<center>{total} pages\n<script type='text/javascript'>\n"
        "function doDocPostURL(dls) {\n  window.open('TransportRoom?servlet=ShowDoc&caseId="
        f"{case.pacer_case_id}&dls_id='+dls); return false;\n}}\n"
        "function ProcessForm() {\n  window.location='TransportRoom?servlet=ShowDocMulti&caseId="
        f"{case.pacer_case_id}&outputType=doc&d={entry.pacer_seq_no}&outputForm=view';\n}}\n"
        "</script></center></body></html>\n"
    )
# -- notices of electronic filing and of docket activity (e-mails) ---------------------------
def free_look_magic(entry: Entry, recipient: str) -> str:
    """The magic number of one recipient's free look at an entry's document (stable per pair)."""
    import hashlib

    digest = hashlib.sha1(f"{entry.pacer_doc_id}|{recipient}".encode()).hexdigest()
    return str(int(digest[:8], 16) % 100_000_000)


def notice_email(case: Case, entry: Entry, base: str, recipient: str = "counsel@example.com",
                 magic_num: str | None = None, kind: str = "nef", html: bool = True) -> bytes:
    """The raw e-mail (MIME) CM/ECF sends about ``entry``: a Notice of Electronic Filing (``nef``) or
    of Docket Activity (``nda``), its body HTML (quoted-printable) or plain text, the document's
    link carrying the recipient's free-look ``magic_num``."""
    from email.message import EmailMessage

    magic_num = magic_num or free_look_magic(entry, recipient)
    number = case.docket_number if kind == "nda" else case.display_number  # appellate numbers: no judges
    label = "Document(s)" if kind == "nda" else "Document Number"
    link = ""
    if entry.pacer_doc_id and not entry.sealed:
        link = (f"{base}/doc1/{entry.pacer_doc_id}?caseid={case.pacer_case_id}&de_seq_num={entry.pacer_seq_no}"
                f"&magic_num={magic_num}")
    title = "Notice of Docket Activity" if kind == "nda" else "Notice of Electronic Filing"
    shown = "" if entry.document_number is None else str(entry.document_number)
    names = [a.name for p in case.parties for a in p.attorneys][:3] or ["Counsel of Record"]
    mailed = [(name, f"{name.split()[0].lower()}.{name.split()[-1].lower()}@example.com") for name in names]
    documents = ["Main Document", *(a.description for a in entry.attachments)]
    if html:
        doc_cell = f'<a href="{escape(link)}">{escape(shown)}</a>' if link else escape(shown)
        body = (
            "<p><strong>This is an automatic e-mail message generated by the CM/ECF system. Please DO NOT RESPOND "
            "to this e-mail because the mail box is unattended.</strong></p>\n"
            f"<p align=center><strong>{court_heading(case)}</strong></p>\n"
            f"<p align=center><strong>{escape(case.court.name)}</strong></p>\n"
            f'<font size="3" face="arial,helvetica"><b>{title}</b></font>\n<BR>\n<div><BR>\n'
            f"The following transaction was entered on {d(entry.date_entered)} at 9:30 AM and filed on "
            f"{d(entry.date_filed)} <BR>\n<table border=0 cellspacing=0>\n"
            f"<tr><td><strong>Case Name:</strong></td><td>{escape(case.case_name)}</td></tr>\n"
            f"<tr><td><strong>Case Number:</strong></td><td><A HREF={base}/cgi-bin/DktRpt.pl?{case.pacer_case_id}>"
            f"{escape(number)}</A></td></tr>\n<tr><td><strong>Filer:</strong></td><td></td></tr>\n"
            f"<tr><td><strong>{label}:</strong></td><td>{doc_cell}</td></tr>\n</table>\n"
            "<p><strong>Docket Text:</strong><BR>\n"
            f'<FONT FACE="arial,helvetica" COLOR="#0000cc" SIZE=3><b>{escape(entry.text)}</b></FONT></p>\n'
            f"<BR><B>{escape(number)} Notice has been electronically mailed to:</B><BR><BR>\n"
            + "".join(f"{escape(name)} &nbsp; &nbsp; {escape(address)}<BR><BR>\n" for name, address in mailed)
            + f"<B>{escape(number)} Notice has been delivered by other means to:</B><BR>\n"
            "<div><p>The following document(s) are associated with this transaction:</p>\n"
            + "".join(f"<STRONG>Document description:</STRONG>{escape(doc)} <BR>\n" for doc in documents)
            + "</div></div>\n")
    else:
        body = (
            "This is an automatic e-mail message generated by the CM/ECF system.\n\n"
            f"{court_heading(case)}\n{case.court.name}\n\n{title}\n"
            f"The following transaction was entered on {d(entry.date_entered)} at 9:30 AM and filed on "
            f"{d(entry.date_filed)}\n\nCase Name: {case.case_name}\n"
            f"Case Number: {number} {base}/cgi-bin/DktRpt.pl?{case.pacer_case_id}\n\nFiler:\n\n"
            f"{label}: {shown}\n\n"
            + (f"Copy the URL address from the line below into the location bar\nof your Web browser to view "
               f"the document:\n{link}\n\n" if link else "")
            + f"Docket Text:\n{entry.text}\n\n\n{number} Notice has been electronically mailed to:\n"
            + "".join(f"{name}\n{address}\n\n" for name, address in mailed)
            + f"\n{number} Notice will be delivered by other means to::\n\n"
            "The following document(s) are associated with this transaction:\n"
            + "".join(f"Document description: {doc}\n" for doc in documents))
    message = EmailMessage()
    message["From"] = f"ecf_notice@{case.court_id}.uscourts.gov"
    message["To"] = recipient
    message["Date"] = format_datetime(datetime(entry.date_entered.year, entry.date_entered.month,
                                               entry.date_entered.day, 9, 30,
                                               tzinfo=__import__("datetime").timezone.utc))
    if kind == "nda":
        message["Subject"] = f'{number} {case.case_name} "{entry.short_description}"'
    elif case.is_bankruptcy:
        message["Subject"] = f"{number} {entry.short_description}"
    else:
        message["Subject"] = f"Activity in Case {number} {case.case_name} {entry.short_description}"
    message.set_content(body, subtype="html" if html else "plain", cte="quoted-printable")
    return bytes(message)


def ia_docket_xml(case: Case) -> str:
    """A case in the Internet Archive's (RECAP) docket XML, as the archive keeps what it holds."""
    def tag(name: str, value) -> str:
        return f"<{name}>{escape(str(value))}</{name}>" if value not in (None, "") else ""

    out = ['<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE gov_uscourts_docket SYSTEM "docket.dtd">\n'
           "<gov_uscourts_docket>\n<case_details>",
           tag("court", case.court_id), tag("docket_num", case.docket_number), tag("case_name", case.case_name),
           tag("pacer_case_num", case.pacer_case_id), tag("date_case_filed", case.date_filed),
           tag("date_case_terminated", case.date_terminated), tag("assigned_to", case.assigned_to[0]),
           tag("referred_to", case.referred_to[0] if case.referred_to else ""), tag("case_cause", case.cause),
           tag("nature_of_suit", case.nature_of_suit), tag("jury_demand", case.jury_demand),
           tag("jurisdiction", case.jurisdiction), "</case_details>\n<party_list>"]
    for party in case.parties:
        out.append("<party>" + tag("name", party.name) + tag("type", party.type) + tag("extra_info", party.extra_info)
                   + "<attorney_list>" + "".join(
                       "<attorney>" + tag("attorney_name", a.name) + tag("contact", a.contact.strip())
                       + tag("attorney_role", "\n".join(a.roles)) + "</attorney>" for a in party.attorneys)
                   + "</attorney_list></party>")
    out.append("</party_list>\n<document_list>")
    for entry in case.entries:
        if entry.document_number is None:
            continue
        out.append(f'<document doc_num="{entry.document_number}" attachment_num="0">'
                   + tag("pacer_doc_id", entry.pacer_doc_id) + tag("pacer_de_seq_num", entry.pacer_seq_no)
                   + tag("date_filed", entry.date_filed) + tag("long_desc", entry.text)
                   + tag("short_desc", entry.short_description) + "</document>")
        for attachment in entry.attachments:
            out.append(f'<document doc_num="{entry.document_number}" attachment_num="{attachment.attachment_number}">'
                       + tag("pacer_doc_id", attachment.pacer_doc_id) + tag("short_desc", attachment.description)
                       + "</document>")
    out.append("</document_list>\n</gov_uscourts_docket>\n")
    return "\n".join(out)

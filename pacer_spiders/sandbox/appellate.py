"""The sandbox's courts of appeals: appellate CM/ECF sites and ACMS applications.

Appellate CM/ECF (``/court/<ca>/...``, behind PACER's NextGenCSO cookie like any CM/ECF site):
- ``/n/beam/servlet/TransportRoom?servlet=CaseSummary.jsp&caseNum=<YY-NNNN>|caseId=<id>`` the
  docket, billed like a district docket report (pages of its HTML, at most 30) with the receipt at
  its foot; ``incPtyAty=Y`` adds parties and counsel, ``dateFrom``/``dateTo`` (MM/DD/YYYY) limit
  the entries (with ``fullDocketReport=Y`` every entry);
- ``...TransportRoom?servlet=ShowDoc&dls_id=<id>`` a filing's documents (free);
- ``/docs1/<id>`` a document: the court's orders come straight away and free; any other shows the
  "AccCharge" confirmation form with its receipt, and its POST bills it and answers the PDF.

ACMS (``/acms/<ca>/...``, the sandbox's ``<court>-showdoc.azurewebsites.us``): its own session
cookie, got through a SAML handshake with PACER's identity provider (``/idp/saml``, which wants
the NextGenCSO cookie of PACER's central login), as ACMS does; then
- ``/Home/IndexContent?caseIdentifier=<YY-NNNN>`` the docket JSON (not billed here);
- ``/api/DocketEntries/<entry GUID>/Documents`` an entry's documents (free);
- ``/Home/Receipt?documentId=<document GUID>`` the purchase page (receipt) of a document, or the
  PDF itself for a free one; its POST to ``/Home/Download`` bills it and answers the PDF.
Real ACMS serves the documents list from a separate ``-showdocservices`` host that wants a bearer
token; the sandbox keeps every call on the cookie session.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import secrets
import time
from datetime import datetime
from html import escape
from urllib.parse import parse_qs

from pacer_spiders.courts import UnknownCourtError, court_system

from . import acms, render
from .billing import Charge, billable_pages, cost_of
from .pdf import make_pdf

ACMS_COOKIE = "AcmsSession"
_ACS_URL = re.compile(r'AssertionConsumerServiceURL="([^"]+)"')


def is_free(entry) -> bool:
    """The sandbox court's own orders are free to everyone (as courts of appeals offer opinions)."""
    return entry.short_description == "Order"


def _params(query: str) -> dict:
    return {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _pdf(ctx, case, entry, number: int, pages: int):
    title = f"{case.court_id} {render.appellate_docket_number(case)} entry {entry.document_number} document {number}"
    return ctx.h._send(200, make_pdf(title, pages), "application/pdf")


def _charge(ctx, description, criteria, pages, url, case, doc_id) -> Charge:
    return ctx.sb.ledger.record(Charge(
        login=ctx.session.login, client_code=ctx.session.client_code, court_id=ctx.court.court_id,
        report="document", description=description, criteria=criteria, pages=pages, cost=cost_of(pages),
        url=url, pacer_case_id=case.pacer_case_id, pacer_doc_id=doc_id))


def _receipt(ctx, description, criteria, pages) -> str:
    return render.receipt_table(datetime.now(), ctx.session.login, ctx.session.client_code, description,
                                "Case Number", criteria, pages, cost_of(pages))


def confirmation_form(action: str, hidden: dict, receipt: str) -> str:
    """The "Download Confirmation" page of both systems: the receipt and the form that buys."""
    fields = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(str(v))}">' for k, v in hidden.items())
    return ("<html><head><title>Download Confirmation</title></head><body>\n"
            f"<form name='AccCharge' method='post' action='{escape(action)}'>{fields}\n"
            f"<center>{receipt}<br><input type='submit' value='Accept Charges and Retrieve'></center></form>\n"
            "</body></html>\n")


# -- appellate CM/ECF -------------------------------------------------------------------------------
def serves_cmecf(court) -> bool:
    return court.kind == "appellate" and court_system(court) == "cmecf"


def cmecf(ctx):
    """A request to an appellate CM/ECF court (``ctx``: the server's authenticated court request)."""
    if ctx.rest.startswith("/docs1/"):
        return _docs1(ctx, ctx.rest[len("/docs1/"):].split("/")[0])
    params = _params(ctx.query)
    servlet = params.get("servlet")
    if servlet == "CaseSummary.jsp":
        return _case_summary(ctx, params)
    if servlet == "ShowDoc":
        found = ctx.sb.data.find_document(ctx.court.court_id, params.get("dls_id", ""))
        problem = _document_problem(found)
        if problem:
            return ctx.message(problem)
        case, entry, _attachment = found
        return ctx.html(render.appellate_attachment_page(case, entry, ctx.base))
    return ctx.h._send(404, b"<html><body><h1>Not Found</h1></body></html>")


def _find_case(ctx, params):
    if params.get("caseId", "").isdigit():
        return ctx.sb.data.get_case(ctx.court.court_id, params["caseId"])
    number = params.get("caseNum", "").strip()
    for case in ctx.sb.data.cases(ctx.court.court_id):
        if render.appellate_docket_number(case) == number:
            return case
    return None


def _case_summary(ctx, params):
    from .server import MSG_CASE_NOT_FOUND, parse_date

    recorded = ctx.sb.corpus.appellate_docket(ctx.court.court_id, params.get("caseNum", "")) if ctx.sb.corpus else None
    if recorded is not None:  # a real page of the corpus, billed as the court bills its docket
        body = recorded.body()
        ctx.charge("docket", "Docket Report", recorded.docket_number,
                   billable_pages(html_bytes=len(body)), ctx.base + ctx.rest)
        return ctx.h._send(200, body)
    case = _find_case(ctx, params)
    if case is None or case.sealed:
        return ctx.message(MSG_CASE_NOT_FOUND)
    date_from, date_to = parse_date(params.get("dateFrom", "")), parse_date(params.get("dateTo", ""))
    entries = case.entries
    if params.get("incDktEntries", "Y") != "Y":
        entries = []
    elif params.get("fullDocketReport") != "Y":
        entries = [e for e in entries if not (date_from and e.date_filed < date_from or date_to and e.date_filed > date_to)]
    shown = dataclasses.replace(case, entries=entries,
                                parties=case.parties if params.get("incPtyAty") == "Y" else [])
    body = render.appellate_docket(shown, ctx.base)
    number = render.appellate_docket_number(case)
    pages = billable_pages(html_bytes=len(body.encode("utf-8")))
    charge = ctx.charge("docket", "Docket Report", number, pages, ctx.base + ctx.rest, case_id=case.pacer_case_id)
    return ctx.html(body.replace("</body></html>", ctx.receipt(charge, "Case Number") + "</body></html>"))


def _document_problem(found) -> str | None:
    from .server import MSG_NO_DOCUMENT, MSG_RESTRICTED, MSG_SEALED, MSG_UNAVAILABLE

    if found is None:
        return MSG_NO_DOCUMENT
    case, entry, _attachment = found
    if entry.sealed or case.sealed:
        return MSG_SEALED
    if entry.restricted:
        return MSG_RESTRICTED
    if entry.unavailable:
        return MSG_UNAVAILABLE
    return None


def _docs1(ctx, doc_id: str):
    found = ctx.sb.data.find_document(ctx.court.court_id, doc_id)
    problem = _document_problem(found)
    if problem:
        return ctx.message(problem)
    case, entry, attachment = found
    number = attachment.attachment_number + 1 if attachment else 1
    pages = (attachment or entry).page_count
    if attachment is None and is_free(entry):
        return _pdf(ctx, case, entry, number, pages)
    billed = billable_pages(pages=pages)
    criteria = render.appellate_docket_number(case)
    description = f"Image{entry.document_number}-{number}"
    if ctx.method != "POST":
        return ctx.html(confirmation_form(f"{ctx.base}/docs1/{doc_id}", {"dls_id": doc_id, "got_receipt": "1"},
                                          _receipt(ctx, description, criteria, billed)))
    _charge(ctx, description, criteria, billed, f"{ctx.base}/docs1/{doc_id}", case, doc_id)
    return _pdf(ctx, case, entry, number, pages)


# -- ACMS ---------------------------------------------------------------------------------------------
class AcmsSessions:
    """The sandbox's ACMS sessions and the SAML assertions on their way to one (thread-safe enough:
    one dict operation each)."""

    def __init__(self, ttl: float):
        self.ttl = ttl
        self.assertions: dict[str, tuple[str, float]] = {}  # assertion -> (NextGenCSO token, when)
        self.sessions: dict[str, tuple[str, str, float]] = {}  # cookie -> (court id, token, when)

    def issue_assertion(self, token: str) -> str:
        assertion = secrets.token_urlsafe(24)
        self.assertions[assertion] = (token, time.monotonic())
        return assertion

    def open(self, assertion: str, court_id: str) -> str | None:
        found = self.assertions.pop(assertion, None)
        if found is None or time.monotonic() - found[1] > 300:
            return None
        cookie = secrets.token_hex(24)
        self.sessions[cookie] = (court_id, found[0], time.monotonic())
        return cookie

    def token_of(self, cookie: str | None, court_id: str) -> str | None:
        found = self.sessions.get(cookie or "")
        if found is None or found[0] != court_id or time.monotonic() - found[2] > self.ttl:
            return None
        return found[1]


def saml_request_page(idp_url: str, acs_url: str, relay: str) -> str:
    """What ACMS answers a browser without its session: a form that posts a SAML request to PACER."""
    request = base64.b64encode(
        f'<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_{secrets.token_hex(8)}" '
        f'AssertionConsumerServiceURL="{escape(acs_url)}"/>'.encode()).decode()
    return ("<html><head><title>Working...</title></head><body onload='document.forms[0].submit()'>"
            f"<form method='post' action='{escape(idp_url)}'><input type='hidden' name='SAMLRequest' value='{request}'>"
            f"<input type='hidden' name='RelayState' value='{escape(relay)}'></form></body></html>")


def saml_response_page(acs_url: str, assertion: str, relay: str) -> str:
    return ("<html><head><title>Working...</title></head><body onload='document.forms[0].submit()'>"
            f"<form method='post' action='{escape(acs_url)}'><input type='hidden' name='SAMLResponse' "
            f"value='{escape(assertion)}'><input type='hidden' name='RelayState' value='{escape(relay)}'></form>"
            "</body></html>")


def identity_provider(handler, form: dict):
    """PACER's SAML identity provider: with a live NextGenCSO session it answers the assertion form."""
    sb = handler.sb
    token = handler._cookies().get("NextGenCSO")
    session = sb.auth.session(token)
    handler.login = session.login if session else None
    if session is None:
        return handler._send(302, render.login_page("").encode(),
                             extra={"Location": f"{sb.url}/csologin/login.jsf?appurl=acms"})
    try:
        request = base64.b64decode(form.get("SAMLRequest", "")).decode("utf-8", "replace")
    except ValueError:
        request = ""
    match = _ACS_URL.search(request)
    if not match or not match.group(1).startswith(f"{sb.url}/acms/"):
        return handler._send(400, b"<html><body>Invalid SAML request.</body></html>")
    page = saml_response_page(match.group(1), sb.acms_sessions.issue_assertion(token), form.get("RelayState", ""))
    return handler._send(200, page.encode())


class _AcmsRequest:
    """What the ACMS helpers need of a request: the shape of the server's court request."""

    def __init__(self, handler, court, session, method, base):
        self.h, self.sb, self.court, self.session, self.method = handler, handler.sb, court, session, method
        self.base = base


def acms_route(handler, method: str, path: str, query: str, form: dict):
    """``/acms/<court id>/...``: an ACMS court's application."""
    sb = handler.sb
    match = re.match(r"^/acms/([a-z0-9]+)(/.*)?$", path)
    try:
        court = sb.data.court(match.group(1)) if match else None
    except UnknownCourtError:
        court = None
    if court is None or court.kind != "appellate" or court_system(court) != "acms":
        return handler._send(404, b"<html><body><h1>Not Found</h1></body></html>")
    rest = match.group(2) or "/"
    base = f"{sb.url}/acms/{court.court_id}"
    if rest == "/Saml2/Acs" and method == "POST":
        cookie = sb.acms_sessions.open(form.get("SAMLResponse", ""), court.court_id)
        if cookie is None:
            return handler._send(403, b"<html><body>The sign-in did not complete.</body></html>")
        return handler._send(200, b"<html><head><title>ACMS</title></head><body>Signed in.</body></html>",
                             extra={"Set-Cookie": f"{ACMS_COOKIE}={cookie}; Path=/acms/{court.court_id}; HttpOnly"})
    token = sb.acms_sessions.token_of(handler._cookies().get(ACMS_COOKIE), court.court_id)
    session = sb.auth.session(token) if token else None
    if session is None:
        page = saml_request_page(f"{sb.url}/idp/saml", f"{base}/Saml2/Acs", rest)
        return handler._send(200, page.encode())
    handler.login = session.login
    ctx = _AcmsRequest(handler, court, session, method, base)
    params = _params(query)
    if rest == "/Home/IndexContent":
        case = _case_by_number(sb, court, params.get("caseIdentifier", ""))
        if case is None or case.sealed:
            return handler._json({"error": "Case not found."}, 404)
        return handler._send(200, acms.docket_json(case), "application/json")
    documents = re.match(r"^/api/DocketEntries/([0-9a-f-]{36})/Documents$", rest)
    if documents:
        found = _entry_by_guid(sb, court, documents.group(1))
        if found is None:
            return handler._json({"error": "Docket entry not found."}, 404)
        return handler._send(200, attachment_list_json(*found), "application/json")
    if rest in ("/Home/Receipt", "/Home/Download"):
        return _acms_document(ctx, rest, params.get("documentId") or form.get("documentId", ""))
    return handler._send(404, b"<html><body><h1>Not Found</h1></body></html>")


def _case_by_number(sb, court, number: str):
    for case in sb.data.cases(court.court_id):
        if acms.case_number(case) == number.strip():
            return case
    return None


def _entry_by_guid(sb, court, guid: str):
    for case in sb.data.cases(court.court_id):
        for entry in acms.acms_entries(case):
            if acms.entry_guid(case, entry) == guid:
                return case, entry
    return None


def _document_by_guid(sb, court, guid: str):
    for case in sb.data.cases(court.court_id):
        for entry in acms.acms_entries(case):
            for number, _description, pages in acms.entry_documents(entry):
                if acms.document_guid(case, entry, number) == guid:
                    return case, entry, number, pages
    return None


def document_cost(entry, number: int, pages: int) -> float:
    return 0.0 if number == 1 and is_free(entry) else cost_of(billable_pages(pages=pages))


def attachment_list_json(case, entry) -> bytes:
    """ACMS's documents list, each document's cost as the sandbox bills it (a free order costs 0)."""
    data = json.loads(acms.attachment_list_json(case, entry))
    for document, (number, _description, pages) in zip(data["docketEntryDocuments"], acms.entry_documents(entry)):
        document["cost"] = document_cost(entry, number, pages)
    return json.dumps(data).encode("utf-8")


def _acms_document(ctx, rest: str, guid: str):
    from .server import MSG_NO_DOCUMENT

    found = _document_by_guid(ctx.sb, ctx.court, guid)
    if found is None:
        return ctx.h._send(200, render.message_page(ctx.court.court_id, ctx.base, MSG_NO_DOCUMENT).encode())
    case, entry, number, pages = found
    if entry.restricted or entry.unavailable:
        from .server import MSG_RESTRICTED, MSG_UNAVAILABLE

        message = MSG_RESTRICTED if entry.restricted else MSG_UNAVAILABLE
        return ctx.h._send(200, render.message_page(ctx.court.court_id, ctx.base, message).encode())
    if document_cost(entry, number, pages) == 0:
        return _pdf(ctx, case, entry, number, pages)
    billed = billable_pages(pages=pages)
    criteria = acms.case_number(case)
    description = f"{criteria} {entry.document_number:03d}-{number:02d}"
    if rest == "/Home/Receipt":
        return ctx.h._send(200, confirmation_form(f"{ctx.base}/Home/Download", {"documentId": guid},
                                                  _receipt(ctx, description, criteria, billed)).encode())
    if ctx.method != "POST":
        return ctx.h._send(405, b"<html><body>Method Not Allowed</body></html>")
    _charge(ctx, description, criteria, billed, f"{ctx.base}/Home/Download", case, guid)
    return _pdf(ctx, case, entry, number, pages)

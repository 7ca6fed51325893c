"""The sandbox's HTTP server: a threading stdlib server, so it runs beside a Scrapy crawl.

Twisted's reactor cannot run in a second thread of a process that runs a crawl, so the sandbox
uses ``http.server.ThreadingHTTPServer`` with HTTP/1.1 keep-alive.
"""

from __future__ import annotations

import email.parser
import email.policy
import email.utils
import json
import re
import secrets
import threading
import time
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

from . import appellate, render
from .synthetic import Case, Entry
from .billing import Charge, billable_pages, cost_of
from .pdf import make_pdf

_CASE_NUMBER = re.compile(
    r"^\s*(?:(?P<office>\d):)?(?P<year>\d{2}|\d{4})-?(?:(?P<type>[a-zA-Z]{2,4})-?)?(?P<serial>\d{1,5})(?:-\S*)?\s*$")
_SEVEN_DIGITS = re.compile(r"^\s*(?P<year>\d{2})(?P<serial>\d{5})\s*$")

MSG_SEALED = "This document is SEALED."
MSG_RESTRICTED = "This document is restricted. You do not have permission to view this document."
MSG_UNAVAILABLE = "This document is not available."
MSG_NO_DOCUMENT = ("Either you do not have permission to view the document, or the document does not exist in "
                   "the case.")
MSG_CASE_NOT_FOUND = "Case not found."
MSG_NO_SEARCH = "A client code is required for search privileges on this account."
MSG_MAINTENANCE = ("<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1>"
                   "<p>The PACER service is temporarily unavailable for maintenance. Please try again later.</p>"
                   "</body></html>")


def parse_date(text: str) -> date | None:
    text = (text or "").strip()
    for fmt in ("%m/%d/%Y", "%m/%d/%y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_int(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """Fields of a POST body: multipart/form-data (as PACER's forms send) or urlencoded."""
    if content_type.lower().startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
        fields = {}
        if message.is_multipart():
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name:
                    payload = part.get_payload(decode=True)  # a leaf part's bytes, or None
                    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
                    fields[email.utils.collapse_rfc2231_value(name)] = text
        return fields
    return {k: v[-1] for k, v in parse_qs(body.decode("latin-1"), keep_blank_values=True).items()}


_NOT_FOUND = b"<html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>"


class _Drop(Exception):
    """Close the connection without an answer (the ``drop`` fault)."""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm on, keep-alive clients would
    # wait for a delayed ACK (~40 ms) on every answer.
    disable_nagle_algorithm = True
    server_version = "Apache"
    sys_version = ""
    server: SandboxHTTPServer

    # Quiet: the sandbox never logs requests (they carry tokens in cookies).
    def log_message(self, format, *args):  # noqa: A002
        pass

    @property
    def sb(self):
        return self.server.sandbox

    # -- plumbing --------------------------------------------------------------------------
    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_HEAD(self):
        self._handle("HEAD")

    def _handle(self, method: str):
        self.login = None  # the account of this request, once its session is known (for the request log)
        split = urlsplit(self.path)
        path, query = split.path, split.query
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        faults = self.sb.faults
        try:
            latency = self.sb.latency_ms + faults.value("latency", path)
            if latency > 0:
                time.sleep(latency / 1000)
            if not path.startswith("/__sandbox__"):
                if faults.draw("drop", path):
                    raise _Drop()
                if faults.rate_limited(self.client_address[0], path):
                    return self._send(429, b"<html><head><title>429 Too Many Requests</title></head>"
                                      b"<body><h1>Too Many Requests</h1></body></html>",
                                      extra={"Retry-After": "1"})
                if faults.draw("503", path):
                    return self._send(503, MSG_MAINTENANCE.encode(), extra={"Retry-After": "1"})
                if faults.draw("500", path):
                    return self._send(500, b"<html><head><title>500 Internal Server Error</title></head>"
                                      b"<body><h1>Internal Server Error</h1></body></html>")
            self._route(method, path, query, body)
        except _Drop:
            self.sb.log_request(method, self.path, None, None, dropped=True)
            self.close_connection = True
        except BrokenPipeError:
            self.close_connection = True

    def _send(self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", extra=None):
        truncate = status == 200 and self.sb.faults.draw("truncate", self.path)
        self.sb.log_request(self.command, self.path, status, getattr(self, "login", None), truncated=truncate)
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body[: len(body) // 2] if truncate else body)
        if truncate:
            self.close_connection = True

    def _json(self, data, status: int = 200):
        self._send(status, json.dumps(data).encode(), "application/json")

    def _cookies(self) -> dict[str, str]:
        # Split by hand: SimpleCookie drops the whole header at the first cookie it dislikes.
        cookies: dict[str, str] = {}
        for header in self.headers.get_all("Cookie") or ():
            for pair in header.split(";"):
                name, sep, value = pair.strip().partition("=")
                if sep:
                    cookies.setdefault(name, value.strip('"'))
        return cookies

    # -- routing ---------------------------------------------------------------------------
    def _route(self, method, path, query, body):
        if path == "/services/cso-auth" and method == "POST":
            return self._login(body)
        if path == "/services/cso-logout" and method == "POST":
            return self._logout(body)
        if path.startswith("/csologin/"):
            return self._send(200, render.login_page(parse_qs(query).get("pscCourtId", [""])[0]).encode())
        if path == "/__sandbox__/ledger":
            login = parse_qs(query).get("login", [None])[0]
            return self._json(self.sb.ledger.as_json(login))
        if path == "/__sandbox__/accounts":
            return self._json({role: a.as_dict() for role, a in self.sb.accounts.items()})
        if path == "/idp/saml" and method == "POST":
            return appellate.identity_provider(self, parse_form(self.headers.get("Content-Type") or "", body))
        if path.startswith("/acms/"):
            form = parse_form(self.headers.get("Content-Type") or "", body) if method == "POST" else {}
            return appellate.acms_route(self, method, path, unquote(query), form)
        match = re.match(r"^/court/([a-z0-9-]+)(/.*)$", path)
        if not match:
            return self._send(404, _NOT_FOUND)
        subdomain, rest = match.groups()
        court = self.sb.court_for_subdomain(subdomain)
        if court is None:
            return self._send(404, _NOT_FOUND)
        base = self.sb.court_base(court)
        if rest == "/cgi-bin/rss_outside.pl":
            return self._rss(court, base)
        session = self.sb.auth.session(self._cookies().get("NextGenCSO"))
        self.login = session.login if session else None
        if session is None:
            target = f"/csologin/login.jsf?pscCourtId={court.pacer_subdomain.upper()}&appurl={quote(base + rest)}"
            return self._send(302, render.login_page(court.pacer_subdomain).encode(),
                              extra={"Location": f"http://{self.sb.host}:{self.sb.port}{target}"})
        form = parse_form(self.headers.get("Content-Type") or "", body) if method == "POST" else {}
        ctx = _Request(self, court, base, session, method, rest, unquote(query), form)
        if not session.search_allowed:
            return ctx.message(MSG_NO_SEARCH)
        if court.kind == "appellate":
            if not appellate.serves_cmecf(court):  # an ACMS court has no CM/ECF site any more
                return self._send(404, _NOT_FOUND)
            return appellate.cmecf(ctx)
        if rest.startswith("/doc1/"):
            return ctx.doc1(rest[len("/doc1/"):])
        script = rest[len("/cgi-bin/"):] if rest.startswith("/cgi-bin/") else ""
        handler = {"DktRpt.pl": ctx.docket, "iquery.pl": ctx.case_query, "HistDocQry.pl": ctx.history,
                   "possible_case_numbers.pl": ctx.possible_case_numbers, "show_temp.pl": ctx.show_temp,
                   "mobile_query.pl": ctx.mobile_query, "WrtOpRpt.pl": ctx.free_opinions,
                   **ctx.claims_handlers()}.get(script)
        if handler is None:
            return self._send(404, _NOT_FOUND)
        return handler()

    def _login(self, body: bytes):
        if self.sb.faults.draw("login-outage", self.path):
            return self._send(503, MSG_MAINTENANCE.encode(), extra={"Retry-After": "5"})
        try:
            data = json.loads(body or b"{}")
            if not isinstance(data, dict):
                raise ValueError
        except ValueError:
            return self._json({"loginResult": "13", "errorDescription": "Invalid request.", "nextGenCSO": ""}, 400)
        answer = self.sb.auth.login(data)
        answer.setdefault("nextGenCSO", "")
        return self._json(answer)

    def _logout(self, body: bytes):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            data = {}
        token = (data.get("nextGenCSO") if isinstance(data, dict) else None) or self._cookies().get("NextGenCSO")
        return self._json(self.sb.auth.logout(token))

    def _rss(self, court, base):
        items: list[tuple[Case, Entry]] = []
        # A court whose feed carries only some kinds of entries (sb.rss_partial: court -> kinds).
        kinds = self.sb.rss_partial.get(court.court_id)
        for case in self.sb.data.cases(court.court_id):
            if case.sealed:
                continue
            items.extend((case, e) for e in case.entries[-20:] if kinds is None or e.short_description in kinds)
        items.sort(key=lambda pair: (pair[1].date_entered, pair[1].pacer_seq_no), reverse=True)
        body = render.rss_feed(court, base, items[:100]).encode("latin-1", "replace")
        return self._send(200, body, "application/rss+xml")


class _Request:
    """One authenticated court request."""

    def __init__(self, handler: Handler, court, base, session, method, rest, query, form):
        self.h, self.court, self.base, self.session = handler, court, base, session
        self.method, self.rest, self.query, self.form = method, rest, query, form
        self.sb = handler.sb

    def message(self, text: str, status: int = 200):
        return self.h._send(status, render.message_page(self.court.court_id, self.base, text).encode())

    def html(self, text: str):
        return self.h._send(200, text.encode("utf-8"))

    def charge(self, report, description, criteria, pages, url, case_id=None, doc_id=None) -> Charge:
        return self.sb.ledger.record(Charge(
            login=self.session.login, client_code=self.session.client_code, court_id=self.court.court_id,
            report=report, description=description, criteria=criteria, pages=pages, cost=cost_of(pages),
            url=url, pacer_case_id=case_id, pacer_doc_id=doc_id))

    def receipt(self, charge: Charge, criteria_label="Search Criteria") -> str:
        return render.receipt_table(datetime.now(), charge.login, charge.client_code, charge.description,
                                    criteria_label, charge.criteria, charge.pages, charge.cost)

    def billed_report(self, body_html: str, report: str, description: str, criteria: str, case_id: str | None):
        # PACER bills the page it prints, without the receipt it adds at the foot.
        pages = billable_pages(html_bytes=len(render.page(self.court.court_id, self.base, body_html).encode("utf-8")))
        charge = self.charge(report, description, criteria, pages, self.base + self.rest, case_id=case_id)
        return self.html(render.page(self.court.court_id, self.base, body_html + self.receipt(charge)))

    # -- DktRpt.pl -------------------------------------------------------------------------
    def docket(self):
        if self.method == "GET":
            case_id = self.query.split("&")[0]
            if not case_id.isdigit():
                return self.message(MSG_CASE_NOT_FOUND)
            action_id = secrets.randbelow(10**15)  # PACER's form actions carry a fresh number
            corpus = self.sb.corpus.docket(self.court.court_id, case_id) if self.sb.corpus else None
            if corpus is not None:
                return self.html(render.docket_query_form(self.court.court_id, case_id, corpus.docket_number,
                                                          corpus.case_name, None, self.base, action_id))
            case = self.sb.data.get_case(self.court.court_id, case_id)
            if case is None:
                return self.message(MSG_CASE_NOT_FOUND)
            return self.html(render.docket_query_form(self.court.court_id, case_id, case.display_number,
                                                      case.case_name, case.last_number, self.base, action_id))
        case_id = (self.form.get("all_case_ids") or self.query.split("&")[0]).strip()
        case_id = case_id.split(",")[0].strip()
        corpus = self.sb.corpus.docket(self.court.court_id, case_id) if self.sb.corpus else None
        if corpus is not None:
            body = corpus.body()
            pages = billable_pages(html_bytes=len(body))
            self.charge("docket", "Docket Report", corpus.docket_number, pages, self.base + self.rest, case_id=case_id)
            return self.h._send(200, body)
        case = self.sb.data.get_case(self.court.court_id, case_id)
        if case is None or case.sealed:
            return self.message(MSG_CASE_NOT_FOUND)
        f = self.form
        date_from, date_to = parse_date(f.get("date_from", "")), parse_date(f.get("date_to", ""))
        by_entered = (f.get("date_range_type") or "Filed").lower().startswith("enter")
        doc_from, doc_to = parse_int(f.get("documents_numbered_from_", "")), parse_int(f.get("documents_numbered_to_", ""))
        entries = []
        for entry in case.entries:
            when = entry.date_entered if by_entered else entry.date_filed
            if date_from and when < date_from or date_to and when > date_to:
                continue
            if doc_from is not None or doc_to is not None:
                # A document-number range leaves out the unnumbered (minute) entries, as PACER does.
                if entry.document_number is None:
                    continue
                if doc_from is not None and entry.document_number < doc_from:
                    continue
                if doc_to is not None and entry.document_number > doc_to:
                    continue
            entries.append(entry)
        sort = (f.get("sort1") or "oldest date first").lower()
        if sort.startswith("most recent"):
            entries.reverse()
        slow = self.sb.faults.value("slow", self.rest)
        if slow > 0:
            time.sleep(slow * len(entries) / 1000 / 1000)
        parties = _checked(f, "list_of_parties_and_counsel")
        terminated = _checked(f, "terminated_parties")
        body = render.docket_report(case, entries, self.base, parties=parties, terminated=terminated,
                                    multiple_documents=_checked(f, "view_multi_docs"))
        criteria = case.display_number
        if doc_from is not None or doc_to is not None:
            criteria += f" Starting with document: {doc_from or ''} Ending with document: {doc_to or ''}"
        if date_from or date_to:
            kind = "Entered" if by_entered else "Filed"
            criteria += f" {kind} From: {render.d(date_from)} {kind} To: {render.d(date_to)}"
        return self.billed_report(body, "docket", "Docket Report", criteria.strip(), case.pacer_case_id)

    # -- HistDocQry.pl ---------------------------------------------------------------------
    def history(self):
        case_id = self.query.split("-")[0].split("&")[0]
        recorded = self.sb.corpus.history(self.court.court_id, case_id) if self.sb.corpus and case_id else None
        if recorded is not None and self.method == "POST":
            body = recorded.read_bytes()
            self.charge("history", "History/Documents", case_id, billable_pages(html_bytes=len(body)),
                        self.base + self.rest, case_id=case_id)
            return self.h._send(200, body)
        case = self.sb.data.get_case(self.court.court_id, case_id) if case_id.isdigit() else None
        if case is None and recorded is not None:
            return self.html(render.page(self.court.court_id, self.base,
                                         f'<FORM ENCTYPE="multipart/form-data" method=POST action="{self.base}'
                                         f'/cgi-bin/HistDocQry.pl?{case_id}"><input type="submit" value="Run Query"></FORM>'))
        if case is None or case.sealed:
            return self.message(MSG_CASE_NOT_FOUND)
        if self.method == "GET":
            return self.html(render.history_form(case, self.base))
        body = render.history_report(case, self.base)
        return self.billed_report(body, "history", "History/Documents", case.display_number, case.pacer_case_id)

    # -- iquery.pl -------------------------------------------------------------------------
    def case_query(self):
        case = None
        if self.method == "GET" and self.query.split("&")[0].isdigit():
            case_id = self.query.split("&")[0]
            recorded = self.sb.corpus.case_query(self.court.court_id, case_id) if self.sb.corpus else None
            if recorded is not None:
                return self.h._send(200, recorded.read_bytes())
            case = self.sb.data.get_case(self.court.court_id, case_id)
        elif self.method == "POST" and self.form.get("last_name"):
            return self.advanced_case_query(self.form["last_name"])
        elif self.method == "POST":
            case_id = (self.form.get("all_case_ids") or "").split(",")[0].strip()
            if case_id:
                case = self.sb.data.get_case(self.court.court_id, case_id)
            else:
                found = self._cases_by_number(self.form.get("case_num", ""))
                case = found[0] if found else None
        elif self.method == "GET":
            return self.html(render.case_query_form(self.court.court_id, self.base))
        if case is None or case.sealed:
            return self.html(render.page(self.court.court_id, self.base, f"<h3>{MSG_CASE_NOT_FOUND}</h3>\n"))
        return self.html(render.case_query(case, self.base))

    def advanced_case_query(self, last_name: str):
        """A search by party name: the "Select a Case" list of the cases whose title names it, billed."""
        wanted = last_name.strip().lower()
        found = [case for case in self.sb.data.cases(self.court.court_id)
                 if not case.sealed and wanted and wanted in case.case_name.lower()]
        if not found:
            return self.html(render.page(self.court.court_id, self.base, f"<h3>{MSG_CASE_NOT_FOUND}</h3>\n"))
        return self.billed_report(render.advanced_case_query(found, self.base), "advanced_case_query", "Search",
                                  f"LName: {last_name.strip()}", None)

    # -- mobile_query.pl (free when asked by case) -----------------------------------------
    def mobile_query(self):
        params = {k: v[-1] for k, v in parse_qs(self.query).items()}
        case = None
        if (params.get("caseid") or "").isdigit():
            case = self.sb.data.get_case(self.court.court_id, params["caseid"])
        elif params.get("caseNum"):
            found = self._cases_by_number(params["caseNum"])
            case = found[0] if found else None
        if case is None or case.sealed:
            return self.message(MSG_CASE_NOT_FOUND)
        return self.html(render.mobile_query(case, self.base))

    # -- WrtOpRpt.pl (free) ----------------------------------------------------------------
    def free_opinions(self):
        if self.method == "GET":
            return self.html(render.free_opinions_form(self.court.court_id, self.base))
        date_from, date_to = parse_date(self.form.get("filed_from", "")), parse_date(self.form.get("filed_to", ""))
        if date_from is None or date_to is None or date_from > date_to:
            return self.message("Invalid date range: give filed_from and filed_to as MM/DD/YYYY.")
        rows = [(case, entry) for case in self.sb.data.cases(self.court.court_id) if not case.sealed
                for entry in case.entries if is_opinion(entry) and date_from <= entry.date_filed <= date_to]
        rows.sort(key=lambda pair: (pair[0].docket_number, pair[1].document_number))
        return self.html(render.free_opinions_report(self.court, self.base, rows, date_from, date_to))

    # -- possible_case_numbers.pl ----------------------------------------------------------
    @staticmethod
    def _number_parts(number: str):
        match = _CASE_NUMBER.match(number) or _SEVEN_DIGITS.match(number)
        if not match:
            return None
        parts = match.groupdict()
        office = int(parts["office"]) if parts.get("office") else None
        return int(parts["year"]) % 100, int(parts["serial"]), office, (parts.get("type") or "").lower() or None

    def _recorded_by_number(self, number: str) -> list[tuple[str, str, str]]:
        parts = self._number_parts(number)
        if parts is None or self.sb.corpus is None:
            return []
        year, serial, office, case_type = parts
        found = []
        for docket in self.sb.corpus.by_number(self.court.court_id, year, serial):
            own = _CASE_NUMBER.match(docket.docket_number)
            if own and office is not None and own.group("office") and int(own.group("office")) != office:
                continue
            if own and case_type and (own.group("type") or "").lower() not in ("", case_type):
                continue
            found.append((docket.docket_number, docket.pacer_case_id, f"{docket.docket_number} {docket.case_name}"))
        return found

    def _cases_by_number(self, number: str):
        parts = self._number_parts(number)
        if parts is None:
            return []
        year, serial, office, case_type = parts
        found = []
        for case in self.sb.data.cases(self.court.court_id):
            if case.year % 100 != year or case.serial != serial:
                continue
            if office is not None and case.office != office or case_type and case.case_type != case_type:
                continue
            found.append(case)
        return found

    def possible_case_numbers(self):
        number = self.query
        found = self._cases_by_number(number)
        sealed = bool(found) and all(c.sealed for c in found)
        xml = render.possible_case_numbers(number, [c for c in found if not c.sealed], sealed=sealed,
                                           recorded=self._recorded_by_number(number))
        return self.h._send(200, xml.encode(), "text/xml")

    # -- bankruptcy claims and creditors (see render.sandbox_claims) -------------------------
    def claims_handlers(self) -> dict:
        return {"SearchClaims.pl": self.claims_register, "ClaimsActivity.pl": self.claims_activity,
                "CreditorQry.pl": self.list_of_creditors}

    def _bankruptcy_case(self):
        case_id = self.query.split("-")[0].split("&")[0] or self.form.get("CaseId", "")
        case = self.sb.data.get_case(self.court.court_id, case_id) if case_id.isdigit() else None
        return case if case is not None and case.kind == "bankruptcy" and not case.sealed else None

    def _run_form(self, script: str) -> str:
        return render.page(self.court.court_id, self.base,
                           f'<FORM ENCTYPE="multipart/form-data" method=POST action="{self.base}/cgi-bin/{script}?'
                           f'{self.query}"><input type="submit" value="Run Report"></FORM>')

    def claims_register(self):
        case = self._bankruptcy_case()
        if case is None:
            return self.message(MSG_CASE_NOT_FOUND)
        if self.method == "GET":
            return self.html(self._run_form("SearchClaims.pl"))
        return self.billed_report(render.claims_register(case, self.base), "claims_register", "Claims Register",
                                  case.full_docket_number, case.pacer_case_id)

    def claims_activity(self):
        if self.method == "GET":
            return self.html(self._run_form("ClaimsActivity.pl"))
        start = parse_date(self.form.get("date_from", "")) or date(1990, 1, 1)
        end = parse_date(self.form.get("date_to", "")) or date.today()
        cases = [c for c in self.sb.data.cases(self.court.court_id) if c.kind == "bankruptcy" and not c.sealed]
        criteria = f"Filed From: {render.d(start)} Filed To: {render.d(end)}"
        return self.billed_report(render.claims_activity(cases, self.base, start, end), "claims_activity",
                                  "Claims Activity Report", criteria, None)

    def list_of_creditors(self):
        case = self._bankruptcy_case()
        if case is None:
            return self.message(MSG_CASE_NOT_FOUND)
        if self.method == "GET":
            return self.html(self._run_form("CreditorQry.pl"))
        pages = billable_pages(html_bytes=len(render.creditor_matrix(case).encode("utf-8")))
        charge = self.charge("list_of_creditors", "List of Creditors", case.full_docket_number, pages,
                             self.base + self.rest, case_id=case.pacer_case_id)
        return self.html(render.list_of_creditors(case, self.base, self.receipt(charge, "Case Number")))

    # -- doc1 and show_temp ----------------------------------------------------------------
    def doc1(self, raw_id: str):
        raw_id = raw_id.split("/")[0]
        if not raw_id.isdigit() or len(raw_id) < 4:
            return self.message(MSG_NO_DOCUMENT)
        doc_id = raw_id[:3] + "0" + raw_id[4:]
        params = {k: v[-1] for k, v in parse_qs(self.query).items()}
        params.update(self.form)
        purchase = raw_id[3] == "1" or params.get("got_receipt") == "1"
        if self.sb.corpus and not purchase:
            page = self.sb.corpus.attachment_page(self.court.court_id, doc_id)
            if page is not None:
                return self.h._send(200, page.body())
        found = self.sb.data.find_document(self.court.court_id, doc_id)
        if found is None:
            return self.message(MSG_NO_DOCUMENT)
        case, entry, attachment = found
        if entry.sealed or case.sealed:
            return self.message(MSG_SEALED)
        if entry.restricted:
            return self.message(MSG_RESTRICTED)
        if entry.unavailable:
            return self.message(MSG_UNAVAILABLE)
        if attachment is None and self.free_look(entry, params.get("magic_num")):
            return self.h._send(200, make_pdf(f"{case.court_id} {case.full_docket_number} document "
                                              f"{entry.document_number} (free look)", entry.page_count),
                                "application/pdf")
        if attachment is None and entry.attachments and not purchase:
            return self.html(render.attachment_menu(case, entry, self.base))
        # Judicial opinions are free (the fee schedule): a $0.00 receipt, and nothing on the ledger.
        free = attachment is None and is_opinion(entry)
        pages = 0 if free else billable_pages(pages=(attachment or entry).page_count)
        if not free and is_uncapped(entry):  # transcripts: $0.10 a page, no 30-page cap
            pages = (attachment or entry).page_count
        description = f"Image{entry.document_number}-{attachment.attachment_number if attachment else 0}"
        if not purchase:
            preview = Charge(self.session.login, self.session.client_code, self.court.court_id, "document",
                             description, case.full_docket_number, pages, cost_of(pages), "")
            receipt = render.receipt_table(datetime.now(), preview.login, preview.client_code, description,
                                           "Case Number", case.full_docket_number, pages, preview.cost)
            return self.html(render.confirmation_page(case, entry, doc_id, self.base, receipt))
        if free:
            charge = Charge(self.session.login, self.session.client_code, self.court.court_id, "document",
                            description, case.full_docket_number, 0, 0.0, "")
        else:
            charge = self.charge("document", description, case.full_docket_number, pages, f"{self.base}/doc1/{doc_id}",
                                 case_id=case.pacer_case_id, doc_id=doc_id)
        title = f"{case.court_id} {case.full_docket_number} document {entry.document_number}"
        if attachment:
            title += f" attachment {attachment.attachment_number}"
        token = self.sb.store_pdf(make_pdf(title, (attachment or entry).page_count), self.session.token)
        return self.html(render.iframe_page(self.court.court_id, self.base, token,
                                            self.receipt(charge, "Case Number")))

    def free_look(self, entry, magic_num) -> bool:
        """A notice's free look: the first use of a recipient's magic number shows the document free;
        a spent one falls through to the ordinary, billed purchase page."""
        if not magic_num or magic_num not in {render.free_look_magic(entry, r) for r in self.sb.free_look_recipients}:
            return False
        key = (self.court.court_id, entry.pacer_doc_id, magic_num)
        with self.sb._pdf_lock:
            if key in self.sb.used_free_looks:
                return False
            self.sb.used_free_looks.add(key)
        return True

    def show_temp(self):
        params = parse_qs(self.query)
        token = (params.get("file") or [""])[0]
        data = self.sb.fetch_pdf(token, self.session.token)
        if data is None:
            return self.message(MSG_NO_DOCUMENT, 404)
        return self.h._send(200, data, "application/pdf")


def is_opinion(entry) -> bool:
    """The entries the sandbox's written opinions report lists: orders and judgments with a document
    anyone may view."""
    return (entry.document_number is not None and bool(entry.pacer_doc_id)
            and not (entry.sealed or entry.restricted or entry.unavailable)
            and entry.short_description in ("Order", "Judgment"))


def is_uncapped(entry) -> bool:
    """The documents PACER bills without the 30-page cap: transcripts (the fee schedule)."""
    return entry.short_description == "Transcript"


def _checked(form: dict, name: str) -> bool:
    return (form.get(name) or "").lower() in ("on", "1", "true", "yes", "checked")


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, sandbox):
        self.sandbox = sandbox
        super().__init__(address, Handler)


def serve_in_thread(server: SandboxHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              name="pacer-sandbox", daemon=True)
    thread.start()
    return thread

"""A tiny PACER look-alike on loopback for the cassette middleware's tests (a test double of PACER).

It keeps PACER's habits that a cassette must survive: a JSON login whose token comes back as a
cookie, report forms that post to a fresh nonce URL, multipart bodies, a redirect to the PDF, a
503 before a success, and receipts that print the login.  It counts every hit.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PDF = b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


class ProbeServer:
    def __init__(self):
        self.hits: Counter = Counter()
        self.tokens: set[str] = set()
        self.flaky_seen = False
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body: bytes, ctype="text/html; charset=utf-8", headers=()):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in headers:
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

            def _token(self):
                for pair in (self.headers.get("Cookie") or "").split(";"):
                    name, _, value = pair.strip().partition("=")
                    if name == "NextGenCSO" and value in server.tokens:
                        return value
                return None

            def do_GET(self):
                server.hits[self.path.split("?")[0]] += 1
                if not self._token():
                    return self._send(200, b"<html><title>PACER Login</title>login.jsf</html>")
                if self.path.startswith("/cgi-bin/DktRpt.pl?"):
                    nonce = secrets.randbelow(10**12)
                    return self._send(200, f'<form action="/cgi-bin/DktRpt.pl?{nonce}-L_1_0-1" method="post" '
                                           f'enctype="multipart/form-data"></form>'.encode())
                if self.path.startswith("/doc1/"):
                    return self._send(302, b"", headers=[("Location", "/cgi-bin/show_temp.pl?file=777.pdf")])
                if self.path.startswith("/cgi-bin/show_temp.pl"):
                    if not server.flaky_seen:
                        server.flaky_seen = True
                        return self._send(503, b"busy")
                    return self._send(200, PDF, ctype="application/pdf")
                return self._send(404, b"not found")

            def do_POST(self):
                server.hits[self.path.split("?")[0]] += 1
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/services/cso-auth":
                    json.loads(body)  # a login body that is no JSON fails here, as PACER's would
                    token = secrets.token_hex(32)
                    server.tokens.add(token)
                    answer = {"loginResult": "0", "errorDescription": "", "nextGenCSO": token}
                    return self._send(200, json.dumps(answer).encode(), ctype="application/json",
                                      headers=[("Set-Cookie", f"PacerSession={secrets.token_hex(16)}; Path=/"),
                                               ("Set-Cookie", f"NextGenCSO={token}; Path=/")])
                if self.path == "/services/cso-logout":
                    token = json.loads(body).get("nextGenCSO")
                    known = token in server.tokens
                    server.tokens.discard(token)
                    return self._send(200, json.dumps({"loggedOut": known}).encode(), ctype="application/json")
                if self.path.startswith("/cgi-bin/DktRpt.pl?") and self._token():
                    case = body.split(b'name="all_case_ids"\r\n\r\n', 1)[1].split(b"\r\n", 1)[0].decode()
                    date_from = body.split(b'name="date_from"\r\n\r\n', 1)[1].split(b"\r\n", 1)[0].decode()
                    page = (f"<html><h3>Case {case} from {date_from}</h3><a href='/doc1/12345'>1</a>"
                            f"<table><tr><th>PACER Login:</th><td>{self.headers.get('X-Probe-Login', '')}</td>"
                            f"</tr></table></html>")
                    return self._send(200, page.encode())
                return self._send(403, b"forbidden")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

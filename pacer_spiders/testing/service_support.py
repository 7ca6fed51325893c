"""Helpers of the service's tests and benchmark: an HTTP client, a webhook receiver, a deployment."""

from __future__ import annotations

import contextlib
import io
import json
import secrets
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

from pacer_spiders.testing.sandbox_fixtures import Answer


class ApiClient:
    """A user of the service: ``Authorization: Token ...`` on every call (none when token is None)."""

    def __init__(self, base_url: str, token: str | None = None):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def call(self, method: str, path: str, data: bytes | None = None, headers: dict | None = None) -> Answer:
        url = path if path.startswith("http") else self.base_url + path
        headers = dict(headers or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Token {self.token}")
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return Answer(response.status, dict(response.headers), response.read())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read())

    def get(self, path: str, **params) -> Answer:
        return self.call("GET", path + (("?" + urlencode(params)) if params else ""))

    def post_json(self, path: str, body: dict) -> Answer:
        return self.call("POST", path, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def post_form(self, path: str, fields: dict) -> Answer:
        return self.call("POST", path, urlencode(fields).encode(),
                         {"Content-Type": "application/x-www-form-urlencoded"})

    def post_multipart(self, path: str, fields: dict, files: dict) -> Answer:
        boundary = "----svc" + secrets.token_hex(8)
        out = io.BytesIO()
        for name, value in fields.items():
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, body) in files.items():
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                      f"Content-Type: application/octet-stream\r\n\r\n".encode() + body + b"\r\n")
        out.write(f"--{boundary}--\r\n".encode())
        return self.call("POST", path, out.getvalue(), {"Content-Type": f"multipart/form-data; boundary={boundary}"})


class WebhookReceiver:
    """Records every POST it gets (headers and body); ``with WebhookReceiver() as hook: hook.url``."""

    def __init__(self):
        self.calls: list[dict] = []
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                calls.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def create_token(database_url: str, name: str) -> str:
    """``pacer-spiders tokens create NAME``: the token is the last line it prints."""
    from pacer_spiders.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        assert main(["tokens", "--database-url", database_url, "create", name]) == 0
    return out.getvalue().strip().splitlines()[-1]

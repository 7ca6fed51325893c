"""Record and replay whole crawls in betamax cassettes (a Scrapy downloader middleware).

``CASSETTE`` (a path) turns it on; ``CASSETTE_MODE`` is betamax's record mode:

``once``          record when the cassette is empty or missing, otherwise replay only
``new_episodes``  replay what was recorded, record (and append) what was not
``all``           fetch and record everything again
``none``          replay only; a request that was not recorded fails, naming it

The middleware sits next to the downloader (order 990), so every other middleware (login,
cookies, redirects, retries, compression, stats) sees a replayed response exactly as a live one:
it answers from ``process_request`` with the recorded bytes and status.  Downloads that skip the
middlewares (the logout sent straight to the download handlers at the end of a crawl) go through
``CassetteDownloadHandler``, Scrapy's own http(s) handler wrapped (``DOWNLOAD_HANDLERS``), which
replays and records them the same way.

Cassettes are betamax's JSON, written through betamax's own ``Cassette``, ``Interaction``,
serializer and matcher registries.  Requests are matched on method, URL (less PACER's per-form
nonces) and body *fields* (JSON keys, form fields, multipart parts whatever their boundary),
never on cookies, tokens or credentials, which are replaced by ``<PLACEHOLDER>`` values before
anything is written.  Bodies are kept byte-exact: text as text when it round-trips exactly,
everything else (PDFs) in base64.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import os
import re
import weakref
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import requests
from betamax import Betamax
from betamax.cassette import Cassette
from betamax.matchers import BaseMatcher
from betamax.serializers import JSONSerializer, serializer_registry
from requests.structures import CaseInsensitiveDict
from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from scrapy.utils.misc import build_from_crawler, load_object
from urllib3 import HTTPHeaderDict, HTTPResponse

logger = logging.getLogger(__name__)

MODES = ("once", "new_episodes", "none", "all")
SERIALIZER = "pacer-json"
MATCHERS = ["method", "pacer-uri", "pacer-body"]
LIVE = "_cassette_live"  # request.meta: this request went to the network and is to be recorded

# Fields whose values are credentials or session tokens, wherever they appear (JSON keys, form
# fields, multipart parts), compared case-insensitively, and the placeholder each one becomes.
SECRET_FIELDS = {
    "loginid": "<LOGIN_ID>",
    "loginname": "<LOGIN_ID>",
    "login": "<LOGIN_ID>",
    "username": "<LOGIN_ID>",
    "password": "<PASSWORD>",
    "passwd": "<PASSWORD>",
    "otpcode": "<OTP_CODE>",
    "otp": "<OTP_CODE>",
    "clientcode": "<CLIENT_CODE>",
    "nextgencso": "<TOKEN>",
    "token": "<TOKEN>",
    "csotoken": "<TOKEN>",
    "totpsecret": "<TOTP_SECRET>",
    "samlresponse": "<SAML_ASSERTION>",  # ACMS's sign-in: PACER's identity provider vouching for the session
}
# PACER's cookies; any other cookie's value becomes <COOKIE>.
COOKIE_PLACEHOLDERS = {
    "nextgencso": "<TOKEN>",
    "pacersession": "<SESSION>",
    "pacerclientcode": "<CLIENT_CODE>",
    "pacerpref": "<COOKIE>",
}
SESSION_COOKIES = ("nextgencso", "pacersession", "pacerclientcode")
SECRET_HEADERS = {"authorization": "<TOKEN>", "proxy-authorization": "<TOKEN>", "x-auth-token": "<TOKEN>"}
# Secrets shorter than this are replaced only where their field is known, never as bare text (a
# two-letter client code would otherwise be replaced inside every word of every page).
MIN_LITERAL = 4

PLACEHOLDER = re.compile(r"^<[A-Z_:0-9]+>$")
# PACER's report forms post to ``DktRpt.pl?<nonce>-L_1_0-1``; the nonce changes on every form.
NONCE = re.compile(r"(?<![^?&])\d+(?=-L_\d+_\d+-\d+)")
TEXT_TYPES = re.compile(r"^(text/|multipart/form-data|application/(json|xml|xhtml\+xml|rss\+xml|atom\+xml|javascript|x-www-form-urlencoded))")


class UnrecordedRequest(Exception):
    """A request that the cassette does not hold, in a mode that may not record it."""


class CassetteError(Exception):
    """The cassette cannot be used as configured (missing file, unknown mode)."""


# -- betamax plumbing: a serializer writing readable, stable JSON, and PACER's matchers ----------
class PacerJSONSerializer(JSONSerializer):
    """betamax's JSON, indented with sorted keys (reviewable diffs); ``CASSETTE`` is the full path.

    Top-level keys other than betamax's own (the ``pacer_spiders`` crawl recipe) survive a
    re-recording.
    """

    name = SERIALIZER

    @staticmethod
    def generate_cassette_name(cassette_library_dir, cassette_name):
        return os.path.join(cassette_library_dir or "", cassette_name)

    def serialize(self, cassette_data):
        return json.dumps(cassette_data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    def deserialize(self, cassette_data):
        data = super().deserialize(cassette_data)
        if data and not isinstance(data.get("http_interactions"), list):
            raise CassetteError("not a betamax cassette (no http_interactions list)")
        return data


def body_bytes(body) -> bytes:
    """The exact bytes of a recorded body (betamax's ``string`` or ``base64_string`` form)."""
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    if "base64_string" in body:
        return base64.b64decode(body["base64_string"].encode())
    return (body.get("string") or "").encode(body.get("encoding") or "utf-8")


def encode_body(data: bytes, content_type: str) -> dict:
    """betamax's body dict: text stays readable when it decodes and re-encodes to the same bytes."""
    if data and TEXT_TYPES.match(content_type.lower()):
        for encoding in ("utf-8", "latin-1"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if text.encode(encoding) == data:
                return {"encoding": encoding, "string": text}
    if not data:
        return {"encoding": "utf-8", "string": ""}
    return {"encoding": "utf-8", "base64_string": base64.b64encode(data).decode()}


def header_value(headers, name: str) -> str:
    """A header of a PreparedRequest (str values) or a recorded request (lists), as text."""
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return ""


def _mask_json(value):
    if isinstance(value, dict):
        return {k: ("<SECRET>" if k.lower() in SECRET_FIELDS else _mask_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_json(v) for v in value]
    return value


_BOUNDARY = re.compile(r'boundary="?([^";,\s]+)"?', re.I)
_DISPOSITION = re.compile(rb'(?<![A-Za-z])(name|filename)="([^"]*)"', re.I)


def multipart_fields(data: bytes, content_type: str) -> list[tuple[str, str, bytes]] | None:
    """(name, filename, value) of each part of a multipart body, or None when it is not one."""
    found = _BOUNDARY.search(content_type or "")
    if "multipart/" not in (content_type or "").lower() or not found:
        return None
    delimiter = b"--" + found.group(1).encode("latin-1")
    fields = []
    for chunk in data.split(delimiter)[1:]:
        if chunk.startswith(b"--"):  # the closing delimiter
            break
        head, sep, value = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not sep:
            continue
        params = {k.lower(): v.decode("latin-1") for k, v in _DISPOSITION.findall(head)}
        fields.append((params.get(b"name", ""), params.get(b"filename", ""), value.removesuffix(b"\r\n")))
    return fields


def body_signature(data: bytes, content_type: str):
    """What a request body means for matching: its fields, less credentials and boundaries."""
    ctype = content_type.lower()
    if not data:
        return ("empty",)
    if "json" in ctype or (data[:1] in (b"{", b"[") and not ctype):
        try:
            return ("json", json.dumps(_mask_json(json.loads(data)), sort_keys=True))
        except ValueError:
            pass
    if "x-www-form-urlencoded" in ctype:
        pairs = parse_qsl(data.decode("latin-1"), keep_blank_values=True)
        return ("form", tuple((k, "<SECRET>" if k.lower() in SECRET_FIELDS else v) for k, v in sorted(pairs)))
    fields = multipart_fields(data, content_type)
    if fields is not None:
        return ("multipart", tuple(sorted((n, f, b"<SECRET>" if n.lower() in SECRET_FIELDS else v) for n, f, v in fields)))
    return ("bytes", data)


def uri_signature(url: str):
    """What a URL means for matching: scheme, host, path and query, less PACER's form nonces."""
    parts = urlsplit(url)
    query = NONCE.sub("N", parts.query)
    pairs = parse_qsl(query, keep_blank_values=True)
    return (parts.scheme.lower(), parts.netloc.lower(), parts.path,
            tuple(sorted((k, "<SECRET>" if k.lower() in SECRET_FIELDS else v) for k, v in pairs)))


class _SignatureMatcher(BaseMatcher):
    """Compares signatures; a recorded request's is computed once, the live one once per lookup
    (betamax asks every matcher about every interaction of the cassette)."""

    def on_init(self):
        self._recorded: dict[int, tuple[dict, object]] = {}
        self._live: tuple[object, object] = (None, None)

    def live_signature(self, request):
        raise NotImplementedError

    def recorded_signature(self, recorded: dict):
        raise NotImplementedError

    def match(self, request, recorded_request):
        if self._live[0] is not request:
            self._live = (request, self.live_signature(request))
        cached = self._recorded.get(id(recorded_request))
        if cached is None or cached[0] is not recorded_request:
            cached = (recorded_request, self.recorded_signature(recorded_request))
            self._recorded[id(recorded_request)] = cached
        return self._live[1] == cached[1]


class PacerURIMatcher(_SignatureMatcher):
    """Same scheme, host, path and query fields; the numbers PACER puts before ``-L_1_0-1`` differ."""

    name = "pacer-uri"

    def live_signature(self, request):
        return uri_signature(request.url)

    def recorded_signature(self, recorded):
        return uri_signature(recorded["uri"])


class PacerBodyMatcher(_SignatureMatcher):
    """Same body fields (which case, date range, document...), whatever the credentials or boundary."""

    name = "pacer-body"

    def live_signature(self, request):
        return body_signature(body_bytes(request.body), header_value(request.headers, "Content-Type"))

    def recorded_signature(self, recorded):
        return body_signature(body_bytes(recorded["body"]), header_value(recorded["headers"], "Content-Type"))


def register_with_betamax() -> None:
    serializer_registry[SERIALIZER] = PacerJSONSerializer()
    for matcher in (PacerURIMatcher, PacerBodyMatcher):
        Betamax.register_request_matcher(matcher)


register_with_betamax()


# -- Scrapy <-> requests/urllib3 --------------------------------------------------------------
def _text(value) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def prepared_request(request) -> requests.PreparedRequest:
    """A ``requests.PreparedRequest`` with the Scrapy request's method, URL, headers and body."""
    prepared = requests.PreparedRequest()
    prepared.method = request.method
    prepared.url = request.url
    prepared.headers = CaseInsensitiveDict(
        {_text(k): ", ".join(_text(v) for v in values) for k, values in request.headers.items()}
    )
    prepared.body = request.body or b""
    return prepared


def requests_response(response, prepared: requests.PreparedRequest) -> requests.Response:
    """A ``requests.Response`` over a urllib3 response holding the Scrapy response's raw bytes."""
    headers = HTTPHeaderDict()
    for key, values in response.headers.items():
        for value in values:
            headers.add(_text(key), _text(value))
    result = requests.Response()
    result.status_code = response.status
    result.reason = _reason(response.status)
    result.url = response.url
    result.request = prepared
    result.encoding = "utf-8"
    result.headers = CaseInsensitiveDict(headers)
    result.raw = HTTPResponse(body=io.BytesIO(response.body), headers=headers, status=response.status,
                              preload_content=False, decode_content=False)
    return result


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def scrapy_response(recorded: dict, request):
    """The Scrapy response (HtmlResponse, TextResponse...) a live download of ``request`` gave."""
    headers = Headers()
    for key, values in recorded["headers"].items():
        for value in values if isinstance(values, list) else [values]:
            headers.appendlist(key, value)
    body = body_bytes(recorded["body"])
    cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
    return cls(url=request.url, status=recorded["status"]["code"], headers=headers, body=body,
               request=request, flags=["cassette"])


# -- scrubbing --------------------------------------------------------------------------------
def _placeholder_for(name: str, table: dict, default: str) -> str:
    return table.get(name.lower(), default)


def _scrub_cookie_pairs(text: str, found: set) -> str:
    out = []
    for pair in text.split(";"):
        name, sep, value = pair.partition("=")
        if sep and not PLACEHOLDER.match(value.strip()):
            # PACER's session cookies, and any value long enough to be a token, are also replaced
            # wherever else they appear; a short preference value ("slow") would hit ordinary words.
            if name.strip().lower() in SESSION_COOKIES or len(value.strip()) >= 16:
                found.add((name.strip().lower(), value.strip()))
            value = _placeholder_for(name.strip(), COOKIE_PLACEHOLDERS, "<COOKIE>")
        out.append(f"{name}{sep}{value}")
    return ";".join(out)


def _scrub_set_cookie(text: str, found: set) -> str:
    first, sep, attributes = text.partition(";")
    return _scrub_cookie_pairs(first, found) + sep + attributes


def _scrub_headers(headers: dict, found: set) -> dict:
    cleaned = {}
    for key, values in headers.items():
        values = values if isinstance(values, list) else [values]
        lower = key.lower()
        if lower == "cookie":
            values = [_scrub_cookie_pairs(v, found) for v in values]
        elif lower == "set-cookie":
            values = [_scrub_set_cookie(v, found) for v in values]
        elif lower in SECRET_HEADERS or "token" in lower:
            for v in values:
                found.add((lower, v))
            values = [SECRET_HEADERS.get(lower, "<TOKEN>") for _ in values]
        cleaned[key] = values
    return cleaned


_JSON_FIELD = re.compile(r'("(?P<key>[A-Za-z_]+)"\s*:\s*")(?P<value>(?:[^"\\]|\\.)*)(")')


def _scrub_json_text(text: str, found: set) -> str:
    def repl(m):
        key, value = m.group("key"), m.group("value")
        placeholder = SECRET_FIELDS.get(key.lower())
        if not placeholder or not value or PLACEHOLDER.match(value):
            return m.group(0)
        found.add((key.lower(), value))
        return m.group(1) + placeholder + m.group(4)

    return _JSON_FIELD.sub(repl, text)


def _scrub_form_text(text: str, found: set) -> str:
    out = []
    for pair in text.split("&"):
        name, sep, value = pair.partition("=")
        placeholder = SECRET_FIELDS.get(name.lower())
        if placeholder and value and not PLACEHOLDER.match(value):
            found.add((name.lower(), value))
            value = quote(placeholder)
        out.append(f"{name}{sep}{value}")
    return "&".join(out)


def _scrub_multipart(data: bytes, content_type: str, found: set) -> bytes:
    fields = multipart_fields(data, content_type)
    for name, _filename, value in fields or []:
        placeholder = SECRET_FIELDS.get(name.lower())
        if placeholder and value and not PLACEHOLDER.match(value.decode("latin-1")):
            found.add((name.lower(), value.decode("latin-1")))
            data = data.replace(b'name="' + name.encode() + b'"\r\n\r\n' + value,
                                b'name="' + name.encode() + b'"\r\n\r\n' + placeholder.encode())
    return data


def _literal_placeholder(kind: str) -> str:
    return SECRET_FIELDS.get(kind) or COOKIE_PLACEHOLDERS.get(kind) or SECRET_HEADERS.get(kind) or "<SECRET>"


class Scrubber:
    """Replaces every credential, token and cookie value of a recorded interaction by a placeholder.

    Configured secrets (the settings' credentials) and those found while scrubbing (a token in a
    login answer, a cookie value) are also replaced wherever else they appear as text: URLs,
    headers, and bodies (decoded first when base64).
    """

    def __init__(self, secrets: dict[str, str] | None = None):
        # value -> placeholder
        self.literals: dict[str, str] = {}
        for value, placeholder in (secrets or {}).items():
            self.learn(value, placeholder)

    def learn(self, value: str, placeholder: str) -> None:
        value = (value or "").strip()
        if len(value) >= MIN_LITERAL and not PLACEHOLDER.match(value) and placeholder != "<OTP_CODE>":
            self.literals.setdefault(value, placeholder)

    def scrub(self, data: dict) -> dict:
        """Scrub one interaction (betamax's dict) in place, and return it."""
        found: set = set()
        for side in ("request", "response"):
            part = data[side]
            part["headers"] = _scrub_headers(part.get("headers", {}), found)
            ctype = header_value(part["headers"], "Content-Type")
            raw = body_bytes(part.get("body"))
            if raw:
                cleaned = self._scrub_body(raw, ctype, found)
                if cleaned != raw:
                    part["body"] = encode_body(cleaned, ctype)
        for kind, value in found:
            self.learn(value, _literal_placeholder(kind))
        self.replace_literals(data)
        return data

    @staticmethod
    def _scrub_body(raw: bytes, ctype: str, found: set) -> bytes:
        lower = ctype.lower()
        if "json" in lower or raw[:1] == b"{":
            return _scrub_json_text(raw.decode("latin-1"), found).encode("latin-1")
        if "x-www-form-urlencoded" in lower:
            return _scrub_form_text(raw.decode("latin-1"), found).encode("latin-1")
        if "multipart/" in lower:
            return _scrub_multipart(raw, ctype, found)
        return raw

    def replace_literals(self, data: dict) -> None:
        replace_everywhere(data, self.literals, escape_markup=True)


def _spellings(text: str) -> set[bytes]:
    """The byte forms a string takes in a body: UTF-8, Latin-1, URL-encoded, HTML-escaped."""
    from html import escape
    from urllib.parse import quote_plus

    forms = {text.encode("utf-8"), text.encode("latin-1", "ignore"), quote(text, safe="").encode(),
             quote_plus(text, safe="").encode(), escape(text).encode("utf-8")}
    return {form for form in forms if form}


def replace_everywhere(data: dict, replacements: dict[str, str], escape_markup: bool = False) -> None:
    """Replace text in an interaction's URLs, headers and bodies (decoded first when base64).

    With ``escape_markup``, what goes into an HTML or XML body is escaped, so that a
    ``<PLACEHOLDER>`` stays text in the page (a ``<TAG>`` would vanish from it).
    """
    if not replacements:
        return
    # Longest first, so a token that contains a shorter secret is replaced whole.
    pairs = sorted(replacements.items(), key=lambda kv: -len(kv[0]))
    for side, url_key in (("request", "uri"), ("response", "url")):
        part = data[side]
        if part.get(url_key):
            for old, new in pairs:
                part[url_key] = part[url_key].replace(old, new).replace(quote(old, safe=""), new)
        for key, values in part.get("headers", {}).items():
            values = values if isinstance(values, list) else [values]
            for old, new in pairs:
                values = [v.replace(old, new) for v in values]
            part["headers"][key] = values
        raw = body_bytes(part.get("body"))
        if not raw:
            continue
        ctype = header_value(part["headers"], "Content-Type")
        markup = escape_markup and ("html" in ctype.lower() or "xml" in ctype.lower())
        cleaned = raw
        for old, new in pairs:
            written = new.replace("<", "&lt;").replace(">", "&gt;") if markup else new
            for encoded in _spellings(old):
                cleaned = cleaned.replace(encoded, written.encode("utf-8"))
        if cleaned != raw:
            part["body"] = encode_body(cleaned, ctype)
            _fix_content_length(part, len(cleaned))


def _fix_content_length(part: dict, length: int) -> None:
    for key in part["headers"]:
        if key.lower() == "content-length":
            part["headers"][key] = [str(length)]


# PACER_USERNAME, PACER_PASSWORD_2, PACER_TOTP_SECRET, PACER_CLIENT_CODE, PACER_ACCOUNTS (JSON)...
SECRET_SETTINGS = re.compile(r"^PACER_(USERNAME|PASSWORD|TOTP_SECRET|CLIENT_CODE|ACCOUNTS)(_\d+)?$")
SETTING_PLACEHOLDERS = {"USERNAME": "<LOGIN_ID>", "PASSWORD": "<PASSWORD>", "TOTP_SECRET": "<TOTP_SECRET>",
                        "CLIENT_CODE": "<CLIENT_CODE>", "ACCOUNTS": "<SECRET>"}


def configured_secrets(settings, environ=None) -> dict[str, str]:
    """Every credential of the settings and the environment (PACER_USERNAME, PACER_PASSWORD_2,
    PACER_ACCOUNTS..., and CASSETTE_SECRETS), each with its placeholder."""
    environ = os.environ if environ is None else environ
    secrets: dict[str, str] = {}

    def collect(value, placeholder):
        if isinstance(value, str):
            stripped = value.strip()
            if stripped.startswith(("[", "{")):
                try:
                    collect(json.loads(stripped), placeholder)
                    return
                except ValueError:
                    pass
            if stripped:
                secrets[stripped] = placeholder
        elif isinstance(value, dict):
            for key, item in value.items():
                key = str(key).lower().replace("_", "")
                collect(item, SECRET_FIELDS.get(key) or {"totpsecret": "<TOTP_SECRET>"}.get(key, placeholder))
        elif isinstance(value, (list, tuple)):
            for item in value:
                collect(item, placeholder)

    names = set(settings.attributes) if hasattr(settings, "attributes") else set(settings)
    for source, keys in ((settings, names), (environ, set(environ))):
        for name in keys:
            match = SECRET_SETTINGS.match(name)
            if match:
                collect(source.get(name), SETTING_PLACEHOLDERS[match.group(1)])
    for value in settings.getlist("CASSETTE_SECRETS") if hasattr(settings, "getlist") else []:
        collect(value, "<SECRET>")
    return secrets


# -- the middleware -----------------------------------------------------------------------------
RECIPE = "pacer_spiders"  # top-level cassette key: how the crawl was run (spider, arguments, URL settings)
STEP_KEY = "pacer_spiders_step"  # in an interaction: the CASSETTE_STEP that recorded it
RECIPE_SETTINGS = ("PACER_LOGIN_URL", "PACER_LOGOUT_URL", "PACER_COURT_URL_TEMPLATE", "PACER_ACMS_URL_TEMPLATE")


class PacerCassette(Cassette):
    """betamax's Cassette that keeps the cassette's other top-level keys (the crawl recipe)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra = {k: v for k, v in (self.serialized or {}).items() if k not in ("http_interactions", "recorded_with")}

    def _save_cassette(self):
        from betamax import __version__

        self.sanitize_interactions()
        data = dict(self.extra)
        data["http_interactions"] = [i.data for i in self.interactions]
        data["recorded_with"] = f"betamax/{__version__}"
        self.serializer.serialize(data)


def read_recipe(path: str | os.PathLike) -> dict:
    """The cassette's recipe: ``spider``, ``arguments``, ``settings`` (and what the recorder added)."""
    from pacer_spiders.cli import read_text_file

    return json.loads(read_text_file(path)).get(RECIPE) or {}


def open_cassette(path: str | os.PathLike, mode: str) -> Cassette:
    """betamax's Cassette for a path, with PACER's matchers; the file must exist to replay."""
    if mode not in MODES:
        raise CassetteError(f"CASSETTE_MODE {mode!r} is not one of {', '.join(MODES)}")
    path = Path(path)
    if mode == "none" and not path.exists():
        raise CassetteError(f"cassette {path} does not exist (CASSETTE_MODE=none only replays)")
    if mode != "none":
        path.parent.mkdir(parents=True, exist_ok=True)
    cassette = PacerCassette(str(path), SERIALIZER, cassette_library_dir="", record_mode=mode,
                        preserve_exact_body_bytes=True)
    cassette.match_options = set(MATCHERS)
    return cassette


class CassetteMiddleware:
    """Replays recorded responses from ``process_request``; records live ones in ``process_response``."""

    def __init__(self, crawler, path: str, mode: str):
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.mode = mode
        self.scrubber = Scrubber(configured_secrets(crawler.settings))
        # {text written in the cassette: text of this run}, e.g. a stable origin for the sandbox's port.
        self.placeholders = {k: v for k, v in crawler.settings.getdict("CASSETTE_PLACEHOLDERS").items() if k and v}
        self.cassette = open_cassette(path, mode)
        for interaction in self.cassette.interactions:
            replace_everywhere(interaction.data, self.placeholders)
        # A cassette of several crawls (a refresh after a first crawl): each replays only its own.
        self.step = str(crawler.settings.get("CASSETTE_STEP") or "")
        if self.step:
            for interaction in self.cassette.interactions:
                interaction.ignored = str(interaction.data.get(STEP_KEY, "")) != self.step
        self.recording = self.cassette.is_recording()
        self.recorded = 0
        crawler.signals.connect(self.save, signal=signals.engine_stopped)
        logger.info("cassette %s (%s): %d recorded interactions, %s", path, mode, len(self.cassette.interactions),
                    "recording new ones" if self.recording else "replay only")

    @classmethod
    def from_crawler(cls, crawler):
        """The crawler's one cassette, shared by the middleware and ``CassetteDownloadHandler``."""
        path = crawler.settings.get("CASSETTE")
        if not path:
            # No reason given: Scrapy would log "Disabled ...: no CASSETTE" as a WARNING on every
            # crawl, and a live crawl without a cassette is the normal case, not a problem.
            raise NotConfigured
        if crawler not in _CASSETTES:
            _CASSETTES[crawler] = cls(crawler, path, crawler.settings.get("CASSETTE_MODE") or "once")
        return _CASSETTES[crawler]

    def process_request(self, request):
        request.meta.pop(LIVE, None)
        response = self.replay(request)
        if response is None:
            request.meta[LIVE] = True  # to the network, and recorded in process_response
        return response

    def replay(self, request):
        """The recorded answer to ``request``; None when it may be recorded; else UnrecordedRequest."""
        interaction = self.cassette.find_match(prepared_request(request))
        if interaction is not None:
            self.stats.inc_value("cassette/replayed")
            return scrapy_response(interaction.data["response"], request)
        if self.recording:
            return None
        if self._closing():
            # The crawl is stopping (a cost cap, an error): the recorded run stopped before sending
            # this request; a replay answers faster and gets further.  Dropped, like the recording.
            self.stats.inc_value("cassette/dropped_while_closing")
            raise IgnoreRequest(f"cassette {self.path}: the crawl is closing; {request.method} {request.url} "
                                f"was not sent when it was recorded")
        self.stats.inc_value("cassette/unrecorded")
        raise UnrecordedRequest(
            f"cassette {self.path} has no recorded answer for {request.method} {request.url} "
            f"(CASSETTE_MODE={self.mode}; record it with CASSETTE_MODE=new_episodes)"
        )

    def _closing(self) -> bool:
        return crawl_is_closing(getattr(self.crawler, "engine", None))

    def process_response(self, request, response):
        if request.meta.pop(LIVE, False):
            self.record(request, response)
        return response

    def record(self, request, response) -> None:
        prepared = prepared_request(request)
        interaction = self.cassette.save_interaction(requests_response(response, prepared), prepared)
        self._tidy(interaction.data)
        if self.step:
            interaction.data[STEP_KEY] = int(self.step) if self.step.isdigit() else self.step
        # A later identical request of this same run must reach the network too, not this answer.
        interaction.used = True
        self.recorded += 1
        self.stats.inc_value("cassette/recorded")

    async def download(self, request, download):
        """A download that skipped the middlewares: replayed, or fetched by ``download`` and recorded."""
        if request.meta.get(LIVE):  # came through process_request, recorded by process_response
            return await download(request)
        response = self.replay(request)
        if response is not None:
            return response
        response = await download(request)
        self.record(request, response)
        return response

    def _tidy(self, data: dict) -> None:
        for side in ("request", "response"):
            part = data[side]
            ctype = header_value(part["headers"], "Content-Type")
            part["body"] = encode_body(body_bytes(part["body"]), ctype)
        self.scrubber.scrub(data)

    def save(self):
        if not self.recording:
            return
        # Secrets learned late (a token first seen in a later answer) are replaced in earlier ones too.
        written = {real: text for text, real in self.placeholders.items()}
        for interaction in self.cassette.interactions:
            self.scrubber.replace_literals(interaction.data)
            replace_everywhere(interaction.data, written)
        recipe = self.cassette.extra.setdefault(RECIPE, {})
        spider = getattr(self.crawler, "spider", None)
        if spider is not None:
            recipe.setdefault("spider", spider.name)
        settings = recipe.setdefault("settings", {})
        for name in RECIPE_SETTINGS:
            value = self.crawler.settings.get(name)
            if value:
                for real, text in sorted(written.items(), key=lambda kv: -len(kv[0])):
                    value = value.replace(real, text)
                settings[name] = value
        # The last word before anything is written: a secret the scrubbing missed keeps the file unwritten.
        problems = secret_problems([i.data for i in self.cassette.interactions], self.path, list(self.scrubber.literals))
        if problems:
            for problem in problems:
                logger.error("cassette not written: %s", problem)
            self.stats.set_value("cassette/not_written", len(problems))
            return
        self.cassette.eject()
        logger.info("cassette %s: %d interactions written (%d new)", self.path, len(self.cassette.interactions),
                    self.recorded)


_CASSETTES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # crawler -> its CassetteMiddleware


def crawl_is_closing(engine) -> bool:
    """The engine takes no more requests although neither its downloader nor its scraper is full:
    the crawl is closing (a cost cap, an error, the end)."""
    scraper_slot = getattr(getattr(engine, "scraper", None), "slot", None)
    if scraper_slot is None or not engine.needs_backout():  # not open yet (needs_backout() needs the slot)
        return False
    return not engine.downloader.needs_backout() and not scraper_slot.needs_backout()


class CassetteDownloadHandler:
    """Scrapy's http(s) download handler (``DOWNLOAD_HANDLERS_BASE``), through the crawl's cassette.

    Without ``CASSETTE`` it is Scrapy's handler itself.  With one, a request that came through
    ``CassetteMiddleware`` goes to the network as usual; any other (the logout sent straight to the
    handlers) is replayed from the cassette, or fetched and recorded: nothing else reaches PACER.
    """

    lazy = False

    def __init__(self, handler, cassette: CassetteMiddleware):
        self.handler = handler
        self.cassette = cassette

    @staticmethod
    def scrapy_handler(crawler):
        return build_from_crawler(load_object(crawler.settings.getdict("DOWNLOAD_HANDLERS_BASE")["https"]), crawler)

    @classmethod
    def from_crawler(cls, crawler):
        handler = cls.scrapy_handler(crawler)
        if not crawler.settings.get("CASSETTE"):
            return handler
        return cls(handler, CassetteMiddleware.from_crawler(crawler))

    async def download_request(self, request):
        return await self.cassette.download(request, self.handler.download_request)

    async def close(self):
        await self.handler.close()


# -- checks ---------------------------------------------------------------------------------------
def load_interactions(path: str | os.PathLike) -> list[dict]:
    from pacer_spiders.cli import read_text_file

    return json.loads(read_text_file(path)).get("http_interactions", [])


_SECRET_JSON = re.compile(rb'"(loginId|password|otpCode|clientCode|nextGenCSO|token)"\s*:\s*"([^"]*)"', re.I)
_SECRET_FORM = re.compile(rb"(?:^|&)(loginid|password|otpcode|clientcode|nextgencso|token)=([^&]*)", re.I)


def find_secrets(path: str | os.PathLike, known: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Problems that make a cassette file unsafe to share (see ``secret_problems``)."""
    return secret_problems(load_interactions(path), str(path), known)


def secret_problems(interactions: list[dict], label: str, known=()) -> list[str]:
    """Problems that make interactions unsafe to share: a credential, a token, a real cookie value.

    Each problem is one line naming the interaction, where, and which field (never the value).
    ``known`` are secrets that must not appear anywhere (as text or inside a base64 body).
    """
    problems = []
    for number, interaction in enumerate(interactions, 1):
        for side in ("request", "response"):
            part = interaction[side]
            where = f"{label}: interaction {number} {side}"
            texts = [part.get("uri") or part.get("url") or ""]
            for key, values in part.get("headers", {}).items():
                values = values if isinstance(values, list) else [values]
                texts.extend(values)
                for value in values:
                    if key.lower() in ("cookie", "set-cookie"):
                        pairs = value.split(";") if key.lower() == "cookie" else value.split(";")[:1]
                        for pair in pairs:
                            name, sep, cookie = pair.partition("=")
                            if sep and cookie.strip() and not PLACEHOLDER.match(cookie.strip()):
                                problems.append(f"{where}: cookie {name.strip()} has a real value")
                    elif key.lower() in SECRET_HEADERS and not PLACEHOLDER.match(value):
                        problems.append(f"{where}: header {key} has a real value")
            raw = body_bytes(part.get("body"))
            for pattern in (_SECRET_JSON, _SECRET_FORM):
                for m in pattern.finditer(raw):
                    value = m.group(2).decode("latin-1")
                    if value and not PLACEHOLDER.match(value.replace("%3C", "<").replace("%3E", ">")):
                        problems.append(f"{where}: body field {m.group(1).decode()} has a real value")
            for secret in known:
                if secret and (any(spelling in raw for spelling in _spellings(secret)) or any(secret in t for t in texts)):
                    problems.append(f"{where}: holds a configured secret ({len(secret)} characters)")
    return problems

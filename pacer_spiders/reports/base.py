"""What a report unit is, and the one way a page of PACER becomes items.

A report unit (one module of ``pacer_spiders.reports`` each) declares, for one PACER report: its
name and ``ingest --type``; how PACER is asked for it (path and form fields, every form through the
``query_params`` hook); how a page of it is recognised; its pure parser (bytes and context in, the
reference field set out: no I/O, no settings); the typed item it yields; and how that item merges
into the archive.  Spiders, ``pacer-spiders ingest`` and ``pacer-spiders parse`` all read a page
through :func:`read_page`, once.
"""

from __future__ import annotations

import gc
import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.items import PROVENANCE_FIELDS, ItemClass, RawPage
from pacer_spiders.pages import NotTheReport, PageProblem

_SPACES = lazy_compile(r"\s+")


def one_line(text, limit: int = 300) -> str:
    return _SPACES.sub(" ", str(text)).strip()[:limit]


class ReportUnit:
    """The declaration of one PACER report; modules make one instance each, named ``UNIT``.

    Subclasses (or instances given keyword arguments) set the attributes below; the methods have
    the behaviour most reports share and are overridden where a report differs.
    """

    name: str = ""
    #: ``pacer-spiders ingest --type`` of a saved page of this report (None: not ingestable)
    ingest_type: str | None = None
    #: the Scrapy Item class a page of this report becomes (made, with Scrapy imported, when first asked for)
    _item_class = None

    @property
    def item_class(self) -> type | None:
        declared = self._item_class
        return declared.item_type if isinstance(declared, ItemClass) else declared

    @item_class.setter
    def item_class(self, value) -> None:
        self._item_class = value
    #: CM/ECF path of the report, ``{...}`` placeholders filled by :meth:`url`
    path: str | None = None
    #: PACER bills the report page itself (a receipt is at its foot)
    billed: bool = False
    #: a page of this report names one case; a page naming none is refused
    names_case: bool = False
    #: merged into a docket already held, or kept as an orphan until it is
    joins_docket: bool = False
    #: a page of it always ends the HTML document (``</body>``, ``</html>``): one that does not was cut short
    whole_page: bool = False
    #: its pages carry their court's marks (links to its site, document-id prefixes): checked
    checks_court: bool = True
    #: the extension its raw pages are kept under in SOURCE_STORE
    source_extension: str = ".html"
    #: detection rank for pages of unknown report (lower first); None: never detected
    detect_rank: int | None = None
    #: the keys of the reference field set, where the parse yields more (None: all of them)
    reference_keys: tuple | None = None
    #: folders of the PACER corpus (``../shared/pacer-corpus``) holding pages of this report with
    #: the reference JSON beside each: the corpus tests compare every file of them
    corpus_folders: tuple = ()
    #: what the corpus tests pass as the context of a corpus page (``page`` is its path); None:
    #: ``{"court_id": <the file name before its first _>}``
    corpus_context: Callable | None = None
    #: the report's pages are JSON (ACMS's API); every other report refuses a JSON page
    json_pages: bool = False

    def __init__(self, parse: Callable, recognise: Callable | None = None, merge: Callable | None = None,
                 **attributes):
        self._parse = parse
        self._recognise = recognise
        self._merge = merge
        for name, value in attributes.items():
            if not hasattr(type(self), name):
                raise TypeError(f"ReportUnit has no attribute {name!r}")
            setattr(self, name, value)

    def __repr__(self) -> str:
        return f"<report {self.name}>"

    # -- asking PACER ----------------------------------------------------------------------------
    def url(self, base_url: str, **parts) -> str:
        """The report's URL at a court (``base_url`` from ``courts.court_base_url``)."""
        if self.path is None:
            raise ValueError(f"report {self.name!r} is not asked for by URL")
        return base_url + self.path.format(**parts)

    def form(self, court_id: str, fields: dict) -> dict:
        """The form fields to send, after the court plugins' ``query_params`` hook."""
        from pacer_spiders.plugin_manager import get_plugin_manager

        fields = {k: v for k, v in fields.items() if v is not None}
        changed = get_plugin_manager().hook.query_params(court_id=court_id, report=self.name, params=dict(fields))
        return fields if changed is None else changed

    # -- reading a page --------------------------------------------------------------------------
    def recognise(self, lowered: str) -> bool:
        """Whether a page (lower-cased text) carries the marks every page of this report has."""
        return bool(self._recognise and self._recognise(lowered))

    def parse(self, body: bytes, context: dict):
        """The pure parser: the item's fields (the reference field set, and more where
        ``reference_keys`` says); raises NotTheReport for another page, a page cut short, a page
        of another court than ``context["court_id"]``, or one that parses into nothing usable."""
        context = context or {}
        with collector_paused():
            problem = page_before_parse(self, body, context.get("court_id"))
            if problem is not None:
                raise NotTheReport(problem)
            parsed = self._parse(body, context)
        problem = self.check_parsed(parsed, context)
        if problem is not None:
            raise NotTheReport(problem)
        return parsed

    def reference(self, parsed):
        """The reference field set (``pacer-spiders parse``, the corpus) of what ``parse`` returned."""
        if self.reference_keys is None or not isinstance(parsed, dict):
            return parsed
        return {key: parsed.get(key) for key in self.reference_keys}

    def make_items(self, parsed, provenance: dict) -> list:
        """The typed items of one parsed page (one, for most reports)."""
        item_class = self.item_class
        if item_class is None:
            raise TypeError(f"the {self.name} report unit has no item class")
        return [item_class(**{**provenance, **parsed})]

    def check_parsed(self, parsed, context: dict) -> PageProblem | None:
        """What makes a parsed page unusable although it parsed (nothing found, no case named)."""
        values = parsed.values() if isinstance(parsed, dict) else parsed
        if not any(v not in (None, "", [], {}) for v in values or ()):
            return PageProblem("empty", f"the {self.name} parser found nothing on this page")
        if self.names_case and isinstance(parsed, dict):
            if not (parsed.get("docket_number") or parsed.get("pacer_case_id") or context.get("pacer_case_id")):
                return PageProblem("empty", f"the {self.name} page names no case (no docket number, no case id)")
        return None

    def check(self, item) -> PageProblem | None:
        """``check_parsed`` on an item (the validate stage asks it of every item, a court plugin's
        parser's too)."""
        return self.check_parsed(report_fields(item), dict(item.get("context") or {}))

    # -- the archive ------------------------------------------------------------------------------
    def merge(self, archive, item):
        """Merge the item into the archive; a MergeResult, or None when there is nothing to merge or
        its docket is unknown (then a ``joins_docket`` report waits as an orphan)."""
        if self._merge is None:
            return None
        return self._merge(archive, item)


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector held off while the main thread parses a page: a parse
    makes tens of thousands of short-lived containers and no reference cycles, and the collector's
    passes over every object of the process during it cost a tenth of the parse.  The main thread
    only: a pause always ends with the parse that began it (parses on several threads could
    overlap and keep the collector off for good), and it ends as it began (off stays off)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    was_on = gc.isenabled()
    if was_on:
        gc.disable()
    try:
        yield
    finally:
        if was_on:  # a parse inside another's finds it off and leaves it to the outer one
            gc.enable()


# Counted in the page's lower-cased bytes (literal prefixes, no re.I scans).
_TABLE_OPEN = lazy_compile(rb"<table\b")
_TABLE_CLOSE = lazy_compile(rb"</table\s*>")
# Real pages leave a few tables unclosed at most; hundreds nest ever deeper (a nesting bomb that
# would take the parser minutes).
MAX_UNCLOSED_TABLES = 100
_PAGE_END = lazy_compile(r"</(?:html|body)\s*>|</(?:table|center|div|form)\s*>\s*$", re.I)
_TAIL = 8192
_PAGE_ENDS = ("</html>", "</body>")


def _reaches_end(text: str) -> bool:
    """Whether the page's tail closes the document (``_PAGE_END``); most pages end with
    ``</html>``, seen without the regex trying every position of the tail."""
    return text[-32:].rstrip()[-7:].lower() in _PAGE_ENDS or bool(_PAGE_END.search(text[-_TAIL:]))


_MAGIC = ((b"PK\x03\x04", "a zip archive"), (b"%PDF-", "a PDF"), (b"\x1f\x8b", "gzip data"),
          (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"))
_TEXT_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_BINARY_CONTROLS = bytes([*range(0, 9), *range(14, 32), 127])


def binary_kind(body: bytes) -> str | None:
    """What a body that is not text is (a zip, a PDF, an image, binary bytes), or None for text
    (UTF-8, Latin-1, or UTF-16/32 with its byte-order mark)."""
    head = body[:1024]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(_TEXT_BOMS):
        return None
    controls = len(head) - len(head.translate(None, _BINARY_CONTROLS))
    if controls > len(head) // 20:  # text has hardly any control characters; binary data is full of them
        return "binary data"
    return None


def page_before_parse(unit: ReportUnit, body: bytes | str, court_id: str | None) -> PageProblem | None:
    """What is wrong with a page before it is parsed: JSON handed to a report of HTML pages, cut
    short, or of another court."""
    if not unit.json_pages:
        problem = json_problem(body, unit.name)
        if problem is not None:
            return problem
    if not (unit.whole_page or unit.checks_court):
        return None
    from pacer_spiders.parsers.common import decode, lowered_bytes

    if isinstance(body, bytes):
        kind = binary_kind(body)
        if kind is not None:
            return PageProblem("not_text", f"the answer is {kind}, not a {unit.name} page")
    text = decode(body) if isinstance(body, bytes) else body
    lowered = lowered_bytes(text)
    # "<table" bounds the tables opened: the two regex counts only for a page that may be a bomb.
    if lowered.count(b"<table") > MAX_UNCLOSED_TABLES:
        unclosed = len(_TABLE_OPEN.findall(lowered)) - len(_TABLE_CLOSE.findall(lowered))
        if unclosed > MAX_UNCLOSED_TABLES:
            return PageProblem("malformed", f"{unclosed} tables are opened and never closed: a malformed page, "
                                            f"not a {unit.name} report")
    if unit.whole_page and not _reaches_end(text) and text.strip():
        return PageProblem("truncated", f"the {unit.name} page is cut short: it does not reach the end of the page")
    if unit.checks_court:
        from pacer_spiders.parsers.court_marks import wrong_court

        return wrong_court(text, court_id)
    return None


@dataclass
class PageRead:
    """One page read by its report unit: the items to yield and what a spider may follow."""

    unit: ReportUnit
    items: list = field(default_factory=list)
    parsed: Any = None  # what the unit parsed: a dict, a list of rows for list reports (None: not the report)
    problem: PageProblem | None = None


def parser_of(unit: ReportUnit, court_id: str | None) -> Callable:
    """The parser to use at a court: a court plugin's (the ``page_parser`` hook), else the unit's.
    The hook is asked once per set of plugins."""
    from pacer_spiders.plugin_manager import get_plugin_manager, plugins_memo

    pm = get_plugin_manager()
    memo = plugins_memo(pm)
    key = ("page_parser", unit, court_id)
    parser = memo.get(key)
    if parser is None:
        parser = memo[key] = pm.hook.page_parser(court_id=court_id, report=unit.name) or unit.parse
    return parser


def read_page(unit: ReportUnit, body: bytes, provenance: dict) -> PageRead:
    """Parse ``body`` once with ``unit`` and make its items.

    ``provenance`` holds the page's ``court_id``, ``url``, ``context`` (what was asked) and the
    other ``PROVENANCE_FIELDS``.  A page that is not the report, or that the parser cannot read,
    becomes one ``RawPage`` carrying the problem (the pipelines keep its bytes and record the
    rejection): nothing is lost and nothing of it becomes data.
    """
    provenance = {**provenance, "report_type": unit.name, "body": body}
    context = dict(provenance.get("context") or {})
    context.setdefault("court_id", provenance.get("court_id"))
    context.setdefault("url", provenance.get("url"))
    court_id = provenance.get("court_id")
    try:
        parsed = parser_of(unit, court_id)(body, context)
        items = unit.make_items(parsed, provenance)
    except NotTheReport as exc:
        return PageRead(unit, [RawPage(**provenance, problem=exc.problem)], None, exc.problem)
    except Exception as exc:  # a parser bug must not lose the page: it is rejected with the reason
        problem = classify(court_id, unit.name, body) or PageProblem(
            "parse_error", one_line(f"{type(exc).__name__}: {exc}"))
        return PageRead(unit, [RawPage(**provenance, problem=problem)], None, problem)
    return PageRead(unit, items, parsed, None)


def classify(court_id: str | None, report: str | None, body: bytes | str) -> PageProblem | None:
    """What PACER sent instead of ``report`` (its error, login, sealed ... pages): the
    ``classify_page`` hook, court plugins first.  PACER's messages live in ``parsers.problems``."""
    from pacer_spiders.parsers.common import decode
    from pacer_spiders.plugin_manager import get_plugin_manager, sole_builtin_impl

    text = decode(body) if isinstance(body, bytes) else body
    pm = get_plugin_manager()
    builtin = sole_builtin_impl(pm, "classify_page")  # no court plugin's: pluggy's machinery spared
    if builtin is not None:
        return builtin(court_id=court_id, report=report, text=text)
    return pm.hook.classify_page(court_id=court_id, report=report, text=text)


def refuse_problem_page(text: str, report: str, court_id: str | None = None) -> None:
    """Raise NotTheReport for PACER's error, login, sealed... pages (the ``classify_page`` hook)."""
    problem = classify(court_id, report, text)
    if problem is not None:
        raise NotTheReport(problem)


def json_problem(body: bytes | str, report: str) -> PageProblem | None:
    """The problem of a page of JSON (ACMS's or any other) handed to a report of HTML (or PDF) pages."""
    from pacer_spiders.reports.acms_docket import describe_json

    what = describe_json(body)
    if what is None:
        return None
    return PageProblem("json_page", f"this page is {what}, not a page of the {report} report")


def refuse_other_report(text: str, report: str) -> None:
    """Raise NotTheReport when the page is plainly another report (a docket handed to the case query parser)."""
    from pacer_spiders.reports import detect_report

    kind = detect_report(text)
    if kind is not None and kind != report:
        raise NotTheReport(PageProblem("other_report", f"this page is a {kind} report, not {report}"))


# -- merges several reports share -----------------------------------------------------------------
def report_fields(item) -> dict:
    """The report's own fields of an item (its provenance left out)."""
    return {k: v for k, v in item.items() if k not in PROVENANCE_FIELDS}


def merge_docket_item(archive, item):
    """A page that describes a case (docket, history, case query ...) merges into its docket."""
    return archive.merge_docket(item["court_id"], report_fields(item), dict(item.get("context") or {}))


def merge_into_entry(archive, item):
    """An attachment menu merges into the entry of its document (None while that is unknown)."""
    return archive.merge_attachment_page(item["court_id"], report_fields(item), dict(item.get("context") or {}))

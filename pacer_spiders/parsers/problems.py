"""Pages PACER answers instead of the report asked for: errors, logins, charge confirmations,
sealed or unavailable cases and documents, empty results.

``classify(text, report)`` looks at the page as text (HTML or not) and returns a PageProblem with
a one-line reason, or None when the page may be the report.  Messages are PACER's own wording;
whitespace between their words may be any run of spaces or newlines.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from pacer_spiders.pages import PageProblem
from pacer_spiders.parsers.common import lazy_compile, lowered_bytes


def _message(words: str) -> str:
    return r"\s+".join(words.split())


# (kind, PACER's message as a regex, the reason we give).  Checked in order, for every report.
MESSAGES: list[tuple[str, str, str]] = [
    ("tampered", r"MetaMask.*web3", "the page carries a browser extension's injected script, not PACER's page as served"),
    ("tampered", r'console\.log\(".*CloudMask', "the page carries a browser extension's injected script, not PACER's page as served"),
    ("tampered", r"Drumpf", "the page was edited after PACER served it"),
    ("charges", _message(r"To accept charges shown below, click on the 'View Report' button"),
     "a charge confirmation page: PACER asks to accept the fee before showing the report"),
    ("too_large", _message("The report may take a long time to run because this case has many docket entries"),
     "PACER asks to narrow the query: the case has too many docket entries for one report"),
    ("not_found", _message(r"Case not found\."), "PACER found no such case"),
    ("not_found", _message("There are no documents in this case"), "PACER says the case has no documents"),
    ("not_found", _message(r"Either you do not have permission to view the document, or the document does not exist in the case\."),
     "PACER says the document does not exist in the case or may not be viewed"),
    ("unavailable", _message(r"\*\*\* This case was administratively closed\.\*\*\*"),
     "PACER shows no docket for an administratively closed case"),
    ("unavailable", _message(r"This case is in the process of being opened, please check back later"),
     "the case is still being opened at the court; PACER shows no docket yet"),
    ("error", _message(r"The page ID does not exist\. Please enter a valid page ID number\."),
     "PACER error: the page id of the query does not exist (a stale form)"),
    ("error", _message("Incomplete request. Please try your query again by choosing the Query or Reports option"),
     "PACER error: incomplete request"),
    ("error", _message("The start date must be less than or equal to the end date"),
     "PACER error: the start date is after the end date"),
    ("error", _message("The starting document number must be less than or equal to the ending document number"),
     "PACER error: the first document number is above the last"),
    ("error", _message("Format: text"), "the report was asked for as text, not HTML"),
    ("error", r"The\s+case\s+type\s+was.*but\s+it\s+must\s+be", "PACER error: the case type does not fit the report"),
    ("error", _message("Server timeout waiting for the HTTP request from the client"),
     "the court's server timed out (HTTP 408); try again"),
    ("query_form", _message("Submission already made, please wait for response from server"),
     "the report's query form, not the report (the query was not submitted)"),
]
# Checked only on a page without the report's headings: a docket's own entries may say these.
BARE_MESSAGES: list[tuple[str, str, str]] = [
    ("sealed", r"Case\s+Under\s+Seal|This\s+case\s+is\s+(?:sealed|under\s+seal)", "the case is sealed"),
    ("sealed", r"This\s+document\s+is\s+(?:SEALED|currently\s+Under\s+Seal)|Document\s+is\s+Sealed|"
     r"document\s+is\s+restricted", "the document is sealed or restricted"),
    ("unavailable", r"This\s+document\s+is\s+not\s+available|Document\s+not\s+available|"
     r"Unable\s+to\s+create\s+PDF\s+file", "PACER says the document is not available"),
    ("not_found", r"No\s+such\s+case|Cannot\s+find\s+case|Invalid\s+case\s+(?:number|id)", "PACER found no such case"),
    ("error", r"Invalid\s+date_(?:from|to)|Invalid\s+date\b", "PACER error: an invalid date in the query"),
    ("error", r"<title>\s*(?:400|403|404|408|500|502|503|504)\b|Internal\s+Server\s+Error|"
     r"Service\s+(?:Temporarily\s+)?Unavailable", "the court's server answered an HTTP error page"),
]

# What PACER answers a document link with when the document cannot be had; checked for the
# ``pdf`` report only (an attachment menu may describe its own entries with these words).
DOCUMENT_MESSAGES: list[tuple[str, str, str]] = [
    ("sealed", r"you\s+do\s+not\s+have\s+permission\s+to\s+view\s+this\s+document",
     "PACER says: you do not have permission to view this document"),
    ("sealed", r"sealed\s+document|under\s+seal|document\s+is\s+sealed", "PACER says the document is sealed"),
    ("restricted", r"document\s+is\s+restricted", "PACER says the document is restricted"),
    ("unavailable", r"document\s+is\s+not\s+available|not\s+available\s+for\s+viewing\s+by\s+non-court\s+users|"
     r"permission\s+to\s+view\s+this\s+document\s+is\s+denied|you\s+do\s+not\s+have\s+access\s+to\s+this\s+transcript",
     "PACER says the document is not available"),
    ("not_found", r"document\s+not\s+found|could\s+not\s+retrieve\s+dktentry", "PACER found no such document"),
]


def _needles(pattern: str) -> tuple[tuple[tuple[bytes, ...], tuple[bytes, ...], str], ...]:
    """(words, phrase, alternative) of each top-level alternative of ``pattern``: the words of its
    longest literal phrase (longest first, and in the phrase's order), lower case, and the
    alternative's own source.  A page whose lower-cased bytes hold no phrase cannot match, and is
    cleared by case-sensitive literal searches (fast) instead of case-insensitive regex scans (slow
    on large dockets)."""
    needles = []
    for alternative in _TOP_LEVEL_BAR.split(pattern):
        source = alternative
        # Words inside groups may be optional or alternatives: only text outside groups counts.
        previous = None
        while previous != alternative:
            previous, alternative = alternative, _GROUP.sub("|", alternative)
        runs, current, index = [], "", 0
        alternative = alternative.replace(r"\s+", " ")
        while index < len(alternative):
            char = alternative[index]
            if char == "\\" and index + 1 < len(alternative):
                escaped = alternative[index + 1]
                if escaped.isalnum():
                    runs.append(current)
                    current = ""
                else:
                    current += escaped
                index += 2
                continue
            if char in ".*+?^$[]()|{}":
                if char in "*?" and current:
                    current = current[:-1]
                runs.append(current)
                current = ""
            else:
                current += char
            index += 1
        runs.append(current)
        best = max(runs, key=len).strip().lower()
        if len(best) < 3:
            return ()
        # Looked for in the lower-cased bytes: first its words, by plain substring searches, then
        # the phrase (``_Phrase``) only in a page that holds them all.
        words = best.encode("utf-8").split()
        needles.append((tuple(sorted(words, key=len, reverse=True)), tuple(words), source))
    return tuple(needles)


_TOP_LEVEL_BAR = lazy_compile(r"(?<!\\)\|(?![^(]*\))")
_GROUP = lazy_compile(r"(?<!\\)\((?:[^()\\]|\\.)*(?<!\\)\)[?*]?")


@lru_cache(maxsize=None)
def _checks(messages: tuple) -> tuple:
    """(kind, needles, pattern, reason) of each message.  Patterns are compiled when a page may hold
    them (lazily): compiling a hundred regexes on import would cost a short ``pacer-spiders parse``
    more than the parse itself."""
    checks = [(kind, _needles(pattern), pattern, reason) for kind, pattern, reason in messages]
    # A word several messages share is looked for first: one search of the page clears them all
    # when it is absent (absent words cost a whole scan each; present ones are found early).
    shared = Counter(word for _kind, needles, _pattern, _reason in checks
                     for words, _needle, _alternative in needles for word in set(words))
    return tuple((kind, tuple((tuple(sorted(words, key=lambda word: (not (shared[word] > 1 and len(word) > 4), -len(word)))),
                               _Phrase(phrase), lazy_compile(alternative, re.I)) for words, phrase, alternative in needles),
                  lazy_compile(pattern, re.I), reason)
                 for kind, needles, pattern, reason in checks)


# \s of a bytes pattern: what separates the words of a phrase.
_SPACE_BYTES = frozenset(b" \t\n\r\f\v")
# Words nearly every PACER page holds, many times over: never the word a phrase is looked up by.
_COMMON_WORDS = frozenset(b"a are by case date docket document documents for from in is no not number of on or page "
                          b"report reports text the this to type".split())


class _Phrase:
    """Words separated by runs of whitespace (the bytes regex ``w0\\s+w1\\s+...``), found in the
    lower-cased page through the places of its rarest word: a plain substring search each (the
    regex would try its first word, often a word every page holds, at every place it occurs),
    the words after it matched there and the ones before it read backwards."""

    __slots__ = ("before", "pivot", "rest")

    def __init__(self, words: tuple[bytes, ...]):
        rare = [word for word in words if word not in _COMMON_WORDS] or list(words)
        index = words.index(max(rare, key=len))
        self.before = words[:index][::-1]
        self.pivot = words[index]
        self.rest = lazy_compile(rb"\s+".join(re.escape(word) for word in words[index:]))

    def found_in(self, lowered: bytes, at: int) -> bool:
        """Whether the page holds the phrase; ``at``: the first place of ``pivot`` (-1: none)."""
        while at >= 0:
            if self.rest.match(lowered, at) and self._follows_before(lowered, at):
                return True
            at = lowered.find(self.pivot, at + 1)
        return False

    def _follows_before(self, lowered: bytes, end: int) -> bool:
        # Words hold no whitespace, so the run before a word is all the whitespace there.
        for word in self.before:
            start = end
            while start and lowered[start - 1] in _SPACE_BYTES:
                start -= 1
            if start == end or not lowered.endswith(word, 0, start):
                return False
            end = start - len(word)
        return True


SHORT_PAGE = 20_000  # characters; PACER's error, sealed and login pages are a few kilobytes


def _first(messages: list, text: str, lowered: bytes, held: dict[bytes, int] | None = None) -> PageProblem | None:
    """The first message of ``messages`` the page shows.  ``held``: word -> its first place in the
    page (-1: absent), searched once per page."""
    if held is None:
        held = {}
    for kind, needles, pattern, reason in _checks(tuple(messages)):
        if not needles:
            if pattern.search(text):
                return PageProblem(kind, reason)
            continue
        # The pattern matches where one of its top-level alternatives does: only those whose
        # words the page holds are searched (the whole alternation, re.I, tried every position).
        for words, phrase, alternative in needles:
            for word in words:
                at = held.get(word)
                if at is None:
                    at = held[word] = lowered.find(word)
                if at < 0:
                    break
            else:
                if phrase.found_in(lowered, held[phrase.pivot]) and alternative.search(text):
                    return PageProblem(kind, reason)
    return None


# A login form's password field, its login.jsf address, or a title saying "Log in": three
# searches of the lower-cased bytes with literal prefixes (one re.I alternation tried every position).
_LOGIN_MARKS = (lazy_compile(rb"""type\s*=\s*["']?password"""), lazy_compile(rb"login\.jsf"),
                lazy_compile(rb"<title>[^<]*\blog\s?in\b"))
# Where PACER sends a session that is logged out (a redirect's Location or the page's URL), and
# what such a page always shows; the login middleware asks ``is_logged_out_page`` before a page is
# read, so that it can log in again and retry.
LOGIN_URL_MARKERS = ("login.jsf", "/csologin/")
LOGIN_BODY_MARKERS = ("login.jsf", 'name="getpass"', "name=getpass", "filer or pacer login")
# CM/ECF's own login form (a district or bankruptcy court's, also shown by a spent free-look link):
# the GetPass form (a report's query form has that name too) asking for a password.
_LOGIN_FORM = lazy_compile(rb"""<form[^>]*name\s*=\s*["']?getpass\b""")
_PASSWORD_INPUT = lazy_compile(rb"""<input[^>]*type\s*=\s*["']?password""")


def is_logged_out_page(head: str) -> bool:
    """Whether the first part of a court's answer is PACER's login page or "Not logged in" XML."""
    if "<message" in head and "Not logged in" in head:  # possible_case_numbers.pl's XML
        return True
    if "/cgi-bin/login.pl?logout" in head:  # a page of a logged-in session has the Log Out link
        return False
    low = head.lower()
    return any(marker in low for marker in LOGIN_BODY_MARKERS)

# What a page must show to be the report at all: report -> patterns that must all be found.
# The docket report has its case heading ("CIVIL DOCKET FOR CASE #", "Bankruptcy Petition #",
# "Adversary Proceeding #") or its entry table's "Docket Text" column (not the "Docket Text:"
# label of notices of electronic filing and history reports); the history report is headed
# History/Documents with a Description column.
REPORT_MARKERS: dict[str, list[tuple[re.Pattern, ...]]] = {
    # Each entry: alternatives (any may match); every entry must match.  Lower-case bytes patterns,
    # searched in the lower-cased page: literal prefixes make them fast on large dockets.
    "docket": [
        (
            lazy_compile(rb"docket\s+for\s+case\s+#"),
            lazy_compile(rb"bankruptcy\s+petition\s+#"),
            lazy_compile(rb"adversary\s+proceeding\s+#"),
            lazy_compile(rb"docket\s+text(?!\s*:)"),
        )
    ],
    "history": [
        (lazy_compile(rb"history\s*/\s*documents"),),
        (lazy_compile(rb"<th[^>]*>(?:\s|<[^>]*>)*description"),),
    ],
    # Appellate CM/ECF: the docket's stub label; the filing's list of documents (a small docket
    # or list may quote "sealed" or "not available" in its own entries).
    "appellate_docket": [(lazy_compile(rb"(?:court\s+of\s+appeals|bankruptcy\s+appellate\s+panel)\s+docket\s+#"),)],
    "appellate_attachment_page": [(lazy_compile(rb"documents?\s+(?:are|is)\s+attached\s+to\s+this\s+filing"),)],
}
DOCKET_HEADING = REPORT_MARKERS["docket"][0][:3]
# Pages whose "Docket Text" column belongs to another report.
NOT_A_DOCKET = lazy_compile(rb"history\s*/\s*documents")


# A report's headings are near the top of its page: each marker is first looked for in the page's
# head (a match there is one in the page, for a pattern without lookarounds, anchors or atomic
# parts), so that a bankruptcy docket is not searched to its end for a district docket's heading
# before its own.
HEAD = 8192
_HEAD_UNSAFE = (b"(?=", b"(?!", b"(?<", b"(?>", b"*+", b"++", b"?+", b"}+", b"$", b"\\b", b"\\B", b"\\Z")
_head_safe: dict = {}  # pattern -> whether a match in the head is one in the page


def _shows(lowered: bytes, alternatives):
    """The first of ``alternatives`` the page shows (None: none)."""
    if len(lowered) > HEAD:
        for pattern in alternatives:
            safe = _head_safe.get(pattern)
            if safe is None:
                safe = _head_safe[pattern] = not any(mark in pattern.pattern for mark in _HEAD_UNSAFE)
            if safe and pattern.search(lowered, 0, HEAD):
                return pattern
    for pattern in alternatives:
        if pattern.search(lowered):
            return pattern
    return None


def classify(text: str | bytes, report: str | None = None) -> PageProblem | None:
    """What PACER sent instead of the report ``report`` (an error, login, charge, sealed, not-found,
    unavailable or empty page), or None.  The built-in ``classify_page`` hook."""
    text = _text(text)
    if report == "session":  # the login middleware asks whether an answer is the login page
        return PageProblem("login", "PACER's login page: the session is missing or expired") \
            if is_logged_out_page(text) else None
    if not text or text.isspace():  # ``not text.strip()`` without a copy of the page
        return PageProblem("empty", "the page is empty")
    # Needles are looked up in the page's lower-cased UTF-8 bytes: a third to a
    # quarter of the memory of str copies when the page holds any non-Latin-1 character.
    lowered = lowered_bytes(text)
    form = lowered.find(b"<form", 0, SHORT_PAGE)  # where the form's regex could begin (a plain search)
    if form >= 0 and _LOGIN_FORM.search(lowered, form, SHORT_PAGE) and _PASSWORD_INPUT.search(lowered, 0, SHORT_PAGE):
        # First: the login page quotes PACER's messages ("You do not have permission to view
        # this document") in its instructions.
        return PageProblem("login", "PACER's login page: the session is missing or expired")
    held: dict[bytes, int] = {}  # word -> its first place in the page (-1: absent), for all three lists
    problem = _first(MESSAGES, text, lowered, held)
    if problem is not None:
        return problem
    if report == "pdf" and len(text) <= SHORT_PAGE:
        problem = _first(DOCUMENT_MESSAGES, text, lowered, held)
        if problem is not None:
            return problem
    markers = REPORT_MARKERS.get(report or "")
    if markers is not None and _has_markers(lowered, markers):
        return None
    # For a report without markers, only a short page can be one of these messages: a long page
    # (an RSS feed, a big attachment menu) may quote them in its own entries.
    if markers is not None or len(text) <= SHORT_PAGE:
        problem = _first(BARE_MESSAGES, text, lowered, held)
        if problem is not None:
            return problem
    if any(mark.search(lowered) for mark in _LOGIN_MARKS) and (markers is not None or b"</table>" not in lowered):
        return PageProblem("login", "PACER's login page: the session is missing or expired")
    return None


def missing_report(text: str | bytes, report: str) -> PageProblem | None:
    """A page that lacks the headings every ``report`` page has (or is plainly another report)."""
    markers = REPORT_MARKERS.get(report)
    if markers is None:
        return None
    lowered = lowered_bytes(_text(text))
    if b"<tr" not in lowered:
        return PageProblem("empty", f"the page has no table rows: no {report} report, or one cut short")
    if not _has_markers(lowered, markers):
        return PageProblem("not_the_report", f"the page shows no {report} report (none of its headings are there)")
    # A docket's heading is known from its markers; a plain search for the history heading's first
    # word spares the other pages the regex's slower scan.
    if report == "docket" and not _docket_heading_shown(lowered) and b"history" in lowered \
            and NOT_A_DOCKET.search(lowered):
        return PageProblem("wrong_report", "a docket history report, not a docket report")
    return None


def page_problem(text: str, report: str, court_id: str | None = None) -> PageProblem | None:
    """What the parsers ask: the ``classify_page`` hook (court plugins first, then ``classify``),
    then whether the page has the report's headings at all."""
    from pacer_spiders.reports.base import classify as classify_page

    return classify_page(court_id, report, text) or missing_report(text, report)


def _text(text: str | bytes | None) -> str:
    if isinstance(text, bytes):
        from pacer_spiders.parsers.common import decode

        return decode(text)
    return text or ""


def _has_markers(lowered: bytes, markers) -> bool:
    # classify and missing_report ask it of the same page one after the other: answered once.
    last = _last_markers[0]  # one tuple, read and replaced whole (parse threads)
    if last is not None and last[0] is lowered and last[1] is markers:
        return last[2]
    shown = []  # the pattern found of each entry
    for alternatives in markers:
        pattern = _shows(lowered, alternatives)
        if pattern is None:
            break
        shown.append(pattern)
    found = len(shown) == len(markers)
    _last_markers[0] = (lowered, markers, found, tuple(shown))
    return found


_last_markers: list = [None]


def _docket_heading_shown(lowered: bytes) -> bool:
    """Whether the page shows a docket's case heading (``DOCKET_HEADING``): most often the marker
    its docket markers were found by."""
    last = _last_markers[0]
    if last is not None and last[0] is lowered and last[1] is REPORT_MARKERS["docket"] and last[3] \
            and last[3][0] in DOCKET_HEADING:
        return True
    return _shows(lowered, DOCKET_HEADING) is not None

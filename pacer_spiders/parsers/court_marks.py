"""Which court a page is of, from the marks every CM/ECF page carries: links to the court's own
site (``ecf.<subdomain>.uscourts.gov``) and document links whose ids start with the court's
three-digit prefix.  A page of another court than the one asked for is refused, never stored
under the wrong court."""

from __future__ import annotations

from collections import Counter

from pacer_spiders.parsers.common import lazy_compile
from pacer_spiders.pages import PageProblem

# Searched in the page's lower-cased bytes: a case-sensitive literal prefix, not a re.I scan.
_HOST = lazy_compile(rb"ecf\.([a-z0-9-]+)\.uscourts\.gov")
_DOC_LINK = lazy_compile(r"/docs?1/(\d{3})\d{6,}")


def court_evidence(text: str) -> Counter:
    """Court id -> how many marks of the page name it."""
    from pacer_spiders.courts import court_id_for_subdomain, court_ids_by_doc_id_prefix
    from pacer_spiders.parsers.common import lowered_bytes

    marks: Counter = Counter()
    for subdomain, count in Counter(_HOST.findall(lowered_bytes(text))).items():  # one lookup a host
        marks[court_id_for_subdomain(subdomain.decode("ascii"))] += count
    prefixes = Counter(_DOC_LINK.findall(text))
    if prefixes:
        by_prefix = court_ids_by_doc_id_prefix()
        for prefix, count in prefixes.items():
            for court_id in by_prefix.get(prefix, ()):
                marks[court_id] += count
    return marks


_LABEL = lazy_compile(r"[a-z0-9-]+")


def _own_hosts(court_id: str) -> tuple[str, tuple[bytes, ...]] | None:
    """(the court's id, its own site's hosts ``ecf.<label>.uscourts.gov`` as lower-case bytes) of
    a court asked for by id or PACER subdomain; None for a court the registry does not know.  Made
    once per court and set of plugins: every page's court check asks it.

    A page that links one of those hosts carries a mark of the court, so it is not another court's
    and its marks need not be counted: one substring search, found near the top of a court's page.
    Each occurrence is a match of ``_HOST`` (a match that began earlier would have to hold this
    one's ``ecf.``, and no label but ``uscourts`` allows that)."""
    from pacer_spiders.courts import UnknownCourtError, court_id_for_subdomain, get_court
    from pacer_spiders.plugin_manager import get_plugin_manager, plugins_memo

    memo = plugins_memo(get_plugin_manager())
    key = ("own hosts", court_id)
    try:
        return memo[key]
    except KeyError:
        pass
    own_id = court_id_for_subdomain(court_id)
    try:
        court = get_court(own_id)
    except UnknownCourtError:
        own = None
    else:
        own = (own_id, tuple(b"ecf." + label.encode("ascii") + b".uscourts.gov"
                             for label in dict.fromkeys((court.pacer_subdomain, own_id))
                             if label and label != "uscourts" and _LABEL.fullmatch(label)
                             and court_id_for_subdomain(label) == own_id))
    memo[key] = own
    return own


# An appellate docket links its originating court once or twice: one mark does not make a page
# another court's.
MIN_MARKS = 2


def wrong_court(text: str, court_id: str | None) -> PageProblem | None:
    """A problem when the page's marks name another court (at least ``MIN_MARKS`` times) and never
    ``court_id`` (a PACER subdomain is taken as its court); None for a court the registry does not know."""
    from pacer_spiders.parsers.common import lowered_bytes

    if not court_id:
        return None
    own = _own_hosts(court_id)
    if own is None:
        return None
    court_id, hosts = own
    if hosts:
        lowered = lowered_bytes(text)
        for host in hosts:
            if host in lowered:
                return None
    marks = court_evidence(text)
    if not marks or marks.get(court_id) or marks.most_common(1)[0][1] < MIN_MARKS:
        return None
    seen = ", ".join(f"{cid} ({_name(cid)})" for cid, _count in marks.most_common(2))
    return PageProblem("wrong_court", f"the page is of {seen}, not of {court_id} ({_name(court_id)}) as asked")


def _name(court_id: str) -> str:
    from pacer_spiders.courts import UnknownCourtError, get_court

    try:
        return get_court(court_id).name
    except UnknownCourtError:
        return "a court the registry does not know"

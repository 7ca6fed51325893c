"""PACER courts: the registry, court ids both ways, base URLs and document ids.

Every answer comes from the plugin hooks, so a court plugin can change any of them.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import partial
from typing import Callable, overload

from pacer_spiders.parsers.common import BadValue, check_date, check_docket_number
from pacer_spiders.plugin_manager import get_plugin_manager, plugins_memo

DEFAULT_COURT_URL_TEMPLATE = "https://ecf.{subdomain}.uscourts.gov"
KINDS = ("district", "bankruptcy", "appellate", "special")
#: The software a court of appeals runs: appellate CM/ECF (TransportRoom servlets) or ACMS.
SYSTEMS = ("cmecf", "acms")


class UnknownCourtError(ValueError):
    """A court id that no plugin knows; the message names the closest known ids."""


@dataclass(frozen=True)
class Court:
    court_id: str
    pacer_subdomain: str
    name: str
    kind: str
    doc_id_prefix: str | None = None
    software_version: str | None = None
    # The last document (its id without the three-digit court prefix) whose attachment menu numbers
    # parts, the main document being 1; menus of later documents number attachments from 1.  Set
    # for district courts that switched numbering; bankruptcy courts number parts throughout.
    attachments_part_numbered_through: int | None = None
    # Courts of appeals only: "cmecf" or "acms" (see SYSTEMS); None elsewhere.
    system: str | None = None

    @classmethod
    def from_dict(cls, data: dict) -> "Court":
        return cls(
            court_id=data["court_id"],
            pacer_subdomain=data.get("pacer_subdomain") or data["court_id"],
            name=data.get("name") or data["court_id"],
            kind=data.get("kind") or "district",
            doc_id_prefix=data.get("doc_id_prefix"),
            software_version=data.get("software_version"),
            attachments_part_numbered_through=data.get("attachments_part_numbered_through"),
            system=data.get("system") or ("cmecf" if (data.get("kind") or "district") == "appellate" else None),
        )


def _pm(pm):
    return pm or get_plugin_manager()


class _CourtCache:
    """The courts one plugin manager knows, built once while its set of plugins stays the same."""

    def __init__(self, pm):
        self.courts: list[Court] = []
        seen: dict[str, Court] = {}
        for contribution in pm.hook.pacer_courts():
            for data in contribution or ():
                court = Court.from_dict(data)
                seen.setdefault(court.court_id, court)
        self.courts = sorted(seen.values(), key=lambda c: c.court_id)
        self.by_id = {c.court_id: c for c in self.courts}
        self.lookups: dict[str, Court] = {}  # what get_court answered, by the id asked for
        self.by_prefix: dict[str, list[str]] = {}
        for court in self.courts:
            if court.doc_id_prefix:
                self.by_prefix.setdefault(court.doc_id_prefix, []).append(court.court_id)


def _court_cache(pm) -> _CourtCache:
    # A plugin registered or unregistered changes the manager's set of plugins, and the next lookup
    # rebuilds its courts (``plugins_memo``).
    pm = _pm(pm)
    memo = plugins_memo(pm)
    cache = memo.get(_CourtCache)
    if cache is None:
        cache = memo[_CourtCache] = _CourtCache(pm)
    return cache


def all_courts(pm=None, kind: str | None = None) -> list[Court]:
    """Every court the plugins know, sorted by court id; the first plugin to list an id wins."""
    courts = list(_court_cache(pm).courts)
    if kind:
        courts = [c for c in courts if c.kind == kind]
    return courts


def court_ids_by_doc_id_prefix(pm=None) -> dict[str, list[str]]:
    """Court ids (sorted) by the three-digit prefix of their document ids (``012``: cadc and cavc).
    Built once with the courts; not to be changed by the caller."""
    return _court_cache(pm).by_prefix


def court_id_for_subdomain(subdomain: str, pm=None) -> str:
    """CourtListener id of a PACER subdomain (``azb`` -> ``arb``, ``nysb-mega`` -> ``nysb``)."""
    pm = _pm(pm)
    memo = plugins_memo(pm)  # asked for every page (its court check): the hook once per subdomain
    key = ("court_id_for_subdomain", subdomain)
    court_id = memo.get(key)
    if court_id is None:
        wanted = subdomain.strip().lower()
        court_id = memo[key] = pm.hook.court_id_for_subdomain(subdomain=wanted) or wanted
    return court_id


def subdomain_for_court_id(court_id: str, pm=None) -> str:
    """PACER subdomain of a CourtListener id (``arb`` -> ``azb``)."""
    court_id = court_id.strip().lower()
    return _pm(pm).hook.subdomain_for_court_id(court_id=court_id) or court_id


def get_court(court_id: str, pm=None) -> Court:
    """The court for a CourtListener id or a PACER subdomain; unknown ids raise UnknownCourtError."""
    cache = _court_cache(pm)
    found = cache.lookups.get(court_id)
    if found is not None:
        return found
    courts = cache.by_id
    wanted = (court_id or "").strip().lower()
    for candidate in (wanted, court_id_for_subdomain(wanted, pm)):
        if candidate in courts:
            cache.lookups[court_id] = courts[candidate]
            return courts[candidate]
    close = difflib.get_close_matches(wanted, list(courts), n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise UnknownCourtError(f"unknown court id {court_id!r}{hint} (`pacer-spiders courts` lists them all)")


def court_base_url(court_id: str, url_template: str | None = None, pm=None) -> str:
    """Base URL of a court's CM/ECF site, from ``PACER_COURT_URL_TEMPLATE`` (no trailing slash)."""
    court = get_court(court_id, pm)
    template = url_template or DEFAULT_COURT_URL_TEMPLATE
    url = _pm(pm).hook.court_base_url(
        court_id=court.court_id, subdomain=court.pacer_subdomain, url_template=template
    )
    return url.rstrip("/")


@overload
def normalize_pacer_doc_id(pacer_doc_id: str, court_id: str | None = None, pm=None) -> str: ...
@overload
def normalize_pacer_doc_id(pacer_doc_id: None, court_id: str | None = None, pm=None) -> None: ...
def normalize_pacer_doc_id(pacer_doc_id: str | None, court_id: str | None = None, pm=None) -> str | None:
    """The stored form of a document id (fourth digit 0); None and '' pass through."""
    if not pacer_doc_id:
        return pacer_doc_id
    result = _pm(pm).hook.normalize_pacer_doc_id(court_id=court_id, pacer_doc_id=str(pacer_doc_id).strip())
    return result if result is not None else str(pacer_doc_id).strip()


def doc_id_normalizer(court_id: str | None, pm=None) -> Callable[[str], str]:
    """``normalize_pacer_doc_id`` for one court, its plugins' implementations looked up once: a
    docket page normalises an id per entry, and pluggy's call machinery costs more than the
    implementation.  The same implementations in pluggy's order (last registered first), the first
    answer that is not None; pluggy itself when an implementation wraps the others.  Made once per
    court and set of plugins."""
    pm = _pm(pm)
    memo = plugins_memo(pm)
    key = ("doc_id_normalizer", court_id)
    normalize = memo.get(key)
    if normalize is None:
        normalize = memo[key] = _doc_id_normalizer(court_id, pm)
    return normalize


def _doc_id_normalizer(court_id: str | None, pm) -> Callable[[str], str]:
    impls = pm.hook.normalize_pacer_doc_id.get_hookimpls()
    if any(impl.hookwrapper or impl.wrapper for impl in impls):
        return lambda pacer_doc_id: normalize_pacer_doc_id(pacer_doc_id, court_id, pm)
    calls = [_bound(impl.function, tuple(impl.argnames), court_id) for impl in reversed(impls)]
    if len(calls) == 1:  # the registry's alone (most courts): no loop
        call = calls[0]

        def normalize_once(pacer_doc_id: str) -> str:
            if not pacer_doc_id:
                return pacer_doc_id
            doc_id = str(pacer_doc_id).strip()
            result = call(doc_id)
            return doc_id if result is None else result
        return normalize_once

    def normalize(pacer_doc_id: str) -> str:
        if not pacer_doc_id:
            return pacer_doc_id
        doc_id = str(pacer_doc_id).strip()
        for call in calls:
            result = call(doc_id)
            if result is not None:
                return result
        return doc_id
    return normalize


def _bound(function, names: tuple, court_id: str | None) -> Callable[[str], str | None]:
    """An implementation of ``normalize_pacer_doc_id`` called with the document id alone."""
    if names == ("court_id", "pacer_doc_id"):
        return partial(function, court_id)
    if names == ("pacer_doc_id",):
        return function
    return lambda doc_id: function(*[doc_id if name == "pacer_doc_id" else court_id for name in names])


def is_pacer_doc_id(value: str | None) -> bool:
    """A real document id: digits (CM/ECF) or an ACMS GUID, never a script name like ``sho0_doc.pl``."""
    return bool(value and "." not in value and "/" not in value)


def court_ids_for_pacer_doc_id(pacer_doc_id: str, pm=None) -> list[str]:
    """Courts whose document-id prefix begins ``pacer_doc_id`` (``012`` is both cadc and cavc)."""
    prefix = str(pacer_doc_id).strip()[:3]
    return [c.court_id for c in all_courts(pm) if c.doc_id_prefix == prefix]


# --- identifiers given by users (command options, crawl arguments, work requests) -------------------

# ACMS (the appellate courts' new system) names cases and documents by GUIDs.
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
# CM/ECF case ids are sequence numbers of a court (the largest today have 7 digits).
_CASE_ID = re.compile(r"^[1-9][0-9]{0,8}$")
# CM/ECF document ids: the court's 3-digit prefix, then a sequence number; 8 to 13 digits in all.
_DOC_ID = re.compile(r"^[0-9]{8,13}$")


def check_pacer_case_id(value, name: str = "pacer_case_id") -> str:
    """``value`` as PACER's case id (1 to 9 digits, or an ACMS GUID); BadValue otherwise."""
    text = str(value).strip()
    if _CASE_ID.match(text) or _GUID.match(text):
        return text
    raise BadValue(f"{name} must be PACER's case id (1 to 9 digits, or an ACMS GUID), not {str(value)[:40]!r}")


def check_pacer_doc_id(value, court_id: str | None = None, name: str = "pacer_doc_id", pm=None) -> str:
    """``value`` as a document id of ``court_id`` (8 to 13 digits beginning with the court's prefix,
    or an ACMS GUID); BadValue otherwise.  Never rewritten: a short id is refused, not padded."""
    text = str(value).strip()
    if _GUID.match(text):
        return text
    if not _DOC_ID.match(text):
        raise BadValue(f"{name} must be PACER's document id (8 to 13 digits, or an ACMS GUID), "
                            f"not {str(value)[:40]!r}")
    prefix = get_court(court_id, pm).doc_id_prefix if court_id else None
    if prefix and not text.startswith(prefix):
        raise BadValue(f"{name} {text!r} is not a document of {court_id}: its document ids begin {prefix}")
    return text


# Fields of work requests and crawl arguments, by what they hold.
DATE_FIELDS = ("date_from", "date_to", "date_start", "date_end")
NUMBER_FIELDS = ("document_number", "attachment_number", "documents_numbered_from", "documents_numbered_to",
                 "doc_num_start", "doc_num_end")
_NUMBER = re.compile(r"^[1-9][0-9]{0,4}$|^0$")


def check_identifiers(court_id: str, params: dict) -> dict:
    """``params`` with each identifier, date and number checked (see the ``check_*`` functions)."""
    checked = dict(params)
    for name, value in params.items():
        if value in (None, ""):
            continue
        if name == "pacer_case_id":
            checked[name] = check_pacer_case_id(value, name)
        elif name == "pacer_doc_id":
            checked[name] = check_pacer_doc_id(value, court_id, name)
        elif name == "docket_number":
            checked[name] = check_docket_number(value, name)
        elif name in DATE_FIELDS:
            checked[name] = check_date(value, name).isoformat()
        elif name in NUMBER_FIELDS and not _NUMBER.match(str(value).strip()):
            raise BadValue(f"{name} must be a whole number from 1 to 99999, not {str(value)[:40]!r}")
    return checked


def parse_systems(value) -> dict[str, str]:
    """``PACER_APPELLATE_SYSTEMS`` (``{"ca1": "acms"}`` or ``ca1=acms,ca2=cmecf``) -> {court id: system}.

    A court of appeals moves from one system to the other here, without waiting for a release.
    """
    if not value:
        return {}
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("{"):
            import json

            value = json.loads(value)
        else:
            pairs = [part.partition("=") for part in value.split(",") if part.strip()]
            if any(not sep for _k, sep, _v in pairs):
                raise ValueError(f"PACER_APPELLATE_SYSTEMS: write court=system pairs, not {value!r}")
            value = {k.strip(): v.strip() for k, _sep, v in pairs}
    systems = {str(k).strip().lower(): str(v).strip().lower() for k, v in dict(value).items()}
    for court_id, system in systems.items():
        if system not in SYSTEMS:
            raise ValueError(f"PACER_APPELLATE_SYSTEMS: {court_id}={system!r} is neither of {', '.join(SYSTEMS)}")
    return systems


def court_system(court: Court, overrides=None) -> str | None:
    """The system a court of appeals runs (``cmecf`` or ``acms``): the setting first, then the registry
    (a court plugin may say ``system`` for its courts); None for other courts."""
    if court.kind != "appellate":
        return None
    return parse_systems(overrides).get(court.court_id) or court.system or "cmecf"

"""PACER courts: the registry, court ids both ways, base URLs and document ids.

Every answer comes from the plugin hooks, so a court plugin can change any of them.
"""

from __future__ import annotations

import difflib
import weakref
from dataclasses import dataclass

from pacer_spiders.plugin_manager import get_plugin_manager

DEFAULT_COURT_URL_TEMPLATE = "https://ecf.{subdomain}.uscourts.gov"
KINDS = ("district", "bankruptcy", "appellate", "special")


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
        )


def _pm(pm):
    return pm or get_plugin_manager()


class _CourtCache:
    """The courts one plugin manager knows, built once while its set of plugins stays the same."""

    def __init__(self, pm):
        self.plugins = frozenset(pm.get_plugins())  # held, so that no id is reused
        self.courts: list[Court] = []
        seen: dict[str, Court] = {}
        for contribution in pm.hook.pacer_courts():
            for data in contribution or ():
                court = Court.from_dict(data)
                seen.setdefault(court.court_id, court)
        self.courts = sorted(seen.values(), key=lambda c: c.court_id)
        self.by_id = {c.court_id: c for c in self.courts}
        self.lookups: dict[str, Court] = {}  # what get_court answered, by the id asked for


# A plugin registered or unregistered changes the manager's set of plugins, and the next lookup
# rebuilds its courts (registering a plugin object, not changing one, is how plugins change).
_caches: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _court_cache(pm) -> _CourtCache:
    pm = _pm(pm)
    cache = _caches.get(pm)
    if cache is None or cache.plugins != frozenset(pm.get_plugins()):
        cache = _caches[pm] = _CourtCache(pm)
    return cache


def all_courts(pm=None, kind: str | None = None) -> list[Court]:
    """Every court the plugins know, sorted by court id; the first plugin to list an id wins."""
    courts = list(_court_cache(pm).courts)
    if kind:
        courts = [c for c in courts if c.kind == kind]
    return courts


def court_id_for_subdomain(subdomain: str, pm=None) -> str:
    """CourtListener id of a PACER subdomain (``azb`` -> ``arb``, ``nysb-mega`` -> ``nysb``)."""
    subdomain = subdomain.strip().lower()
    return _pm(pm).hook.court_id_for_subdomain(subdomain=subdomain) or subdomain


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


def normalize_pacer_doc_id(pacer_doc_id: str | None, court_id: str | None = None, pm=None) -> str | None:
    """The stored form of a document id (fourth digit 0); None and '' pass through."""
    if not pacer_doc_id:
        return pacer_doc_id
    result = _pm(pm).hook.normalize_pacer_doc_id(court_id=court_id, pacer_doc_id=str(pacer_doc_id).strip())
    return result if result is not None else str(pacer_doc_id).strip()


def is_pacer_doc_id(value: str | None) -> bool:
    """A real document id: digits (CM/ECF) or an ACMS GUID, never a script name like ``sho0_doc.pl``."""
    return bool(value) and "." not in value and "/" not in value


def court_ids_for_pacer_doc_id(pacer_doc_id: str, pm=None) -> list[str]:
    """Courts whose document-id prefix begins ``pacer_doc_id`` (``012`` is both cadc and cavc)."""
    prefix = str(pacer_doc_id).strip()[:3]
    return [c.court_id for c in all_courts(pm) if c.doc_id_prefix == prefix]

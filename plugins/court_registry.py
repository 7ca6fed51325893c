"""The built-in court registry: PACER's courts, court-id quirks, base URLs, document ids."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from pacer_spiders.hookspecs import hookimpl

# CourtListener ids that differ from the PACER subdomain.  nysb-mega is a second NYSB site
# (mega cases) that CourtListener files under nysb, so that mapping is one way.
SUBDOMAIN_TO_COURT_ID = {"azb": "arb", "cofc": "uscfc", "neb": "nebraskab", "nysb-mega": "nysb"}
COURT_ID_TO_SUBDOMAIN = {"arb": "azb", "uscfc": "cofc", "nebraskab": "neb"}


@lru_cache(maxsize=1)
def registry() -> dict:
    """The data file made from ../shared/pacer-courts.json; its ``source`` says where facts come from."""
    text = resources.files("pacer_spiders").joinpath("data/courts.json").read_text("utf-8")
    return json.loads(text)


@hookimpl(trylast=True)
def pacer_courts():
    return [
        {k: court.get(k) for k in ("court_id", "pacer_subdomain", "name", "kind", "doc_id_prefix", "software_version",
                                   "attachments_part_numbered_through", "system")}
        for court in registry()["courts"]
    ]


@hookimpl(trylast=True)
def court_id_for_subdomain(subdomain):
    return SUBDOMAIN_TO_COURT_ID.get(subdomain, subdomain)


@hookimpl(trylast=True)
def subdomain_for_court_id(court_id):
    return COURT_ID_TO_SUBDOMAIN.get(court_id, court_id)


@hookimpl(trylast=True)
def court_base_url(court_id, subdomain, url_template):
    return url_template.format(subdomain=subdomain, court_id=court_id)


@hookimpl(trylast=True)
def normalize_pacer_doc_id(court_id, pacer_doc_id):
    # The fourth digit is 1 on purchase links and 0 on menu links to the same document.
    # Only CM/ECF's all-digit ids: an ACMS GUID may begin with four digits too.
    if len(pacer_doc_id) >= 4 and pacer_doc_id.isdigit():
        return pacer_doc_id[:3] + "0" + pacer_doc_id[4:]
    return pacer_doc_id

"""A third-party court plugin, as a user would publish one (entry-point group ``pacer_spiders``).

It adds a fictitious court and overrides one built-in quirk: its document ids keep their
fourth digit.
"""

from pacer_spiders.hookspecs import hookimpl


@hookimpl
def pacer_courts():
    return [
        {
            "court_id": "zzd",
            "pacer_subdomain": "zzd",
            "name": "Zed District (fictitious)",
            "kind": "district",
            "doc_id_prefix": "990",
        }
    ]


@hookimpl
def normalize_pacer_doc_id(court_id, pacer_doc_id):
    if court_id == "zzd":
        return pacer_doc_id
    return None

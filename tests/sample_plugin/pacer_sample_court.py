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


import scrapy  # noqa: E402


class ZedNoticesSpider(scrapy.Spider):
    """A report only this court has, added by the plugin."""

    name = "zzd_notices"

    async def start(self):
        return
        yield


@hookimpl
def spider_classes():
    return [ZedNoticesSpider]


@hookimpl
def register_commands(subparsers):
    parser = subparsers.add_parser("zzd-hello", help="a command added by the sample plugin")
    parser.set_defaults(func=lambda args: print("hello from the Zed District plugin") or 0)


@hookimpl
def query_params(court_id, report, params):
    if court_id == "zzd" and report == "docket":
        return {**params, "zzd_sort": "newest"}  # this court's form has a field of its own
    return None

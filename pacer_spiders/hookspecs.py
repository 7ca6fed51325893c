"""Every hook a pacer_spiders plugin can implement.

Built-in behaviour lives in ``plugins/`` as ordinary plugins registered ``trylast``, so a
third-party plugin (entry-point group ``pacer_spiders``) is always asked first.  Court-specific
hooks are ``firstresult``: return ``None`` for a court you do not handle and the next plugin is
asked.  Every hook here must have a docstring; ``tests/test_plugins.py`` fails when one has not.

A hook answers from its arguments alone: the answers of ``pacer_courts``,
``court_id_for_subdomain``, ``page_parser`` and ``report_unit`` (and which implementations
``normalize_pacer_doc_id`` has) are remembered until a plugin is registered, unregistered or
blocked (``plugin_manager.PluginManager.memo``).
"""

from __future__ import annotations

import pluggy

PROJECT = "pacer_spiders"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def pacer_courts():
    """Return a list of courts this plugin knows, as dicts.

    Keys: ``court_id`` (CourtListener's id), ``pacer_subdomain`` (the host part of
    ``ecf.<subdomain>.uscourts.gov``), ``name``, ``kind`` (district, bankruptcy, appellate or
    special) and ``doc_id_prefix`` (the first three digits of the court's ``pacer_doc_id``
    values); optionally ``attachments_part_numbered_through`` (a district court that numbered
    attachment menus as parts until a changeover: the last such document id, without the court's
    three-digit prefix, as an int).  When two plugins list the same ``court_id``, the one asked first wins, so a
    third-party plugin can correct a built-in court.
    """


@hookspec(firstresult=True)
def court_id_for_subdomain(subdomain: str):
    """Return the CourtListener court id for a PACER subdomain (``azb`` -> ``arb``), or None."""


@hookspec(firstresult=True)
def subdomain_for_court_id(court_id: str):
    """Return the PACER subdomain for a CourtListener court id (``arb`` -> ``azb``), or None."""


@hookspec(firstresult=True)
def court_base_url(court_id: str, subdomain: str, url_template: str):
    """Return the base URL of a court's CM/ECF site (no trailing slash), or None.

    ``url_template`` is the ``PACER_COURT_URL_TEMPLATE`` setting, with ``{subdomain}`` and
    ``{court_id}`` placeholders; the sandbox replaces it to stand in for PACER.
    """


@hookspec(firstresult=True)
def normalize_pacer_doc_id(court_id: str | None, pacer_doc_id: str):
    """Return the stored form of a ``pacer_doc_id``, or None to let the next plugin decide.

    PACER links a document both with its fourth digit 0 (the attachment menu or receipt) and 1
    (the purchase); the archive always keeps the 0 form.
    """


@hookspec(firstresult=True)
def query_params(court_id: str, report: str, params: dict):
    """Return the form fields to send for a report query at this court, or None.

    ``report`` is a report name (``docket``, ``history``, ``case_query``...) and ``params`` the
    fields the spider would send; return a new dict to change them for a court whose form
    differs.
    """


@hookspec(firstresult=True)
def classify_page(court_id: str, report: str, text: str):
    """Recognise a page that is not the report asked for, or None when it is.

    Return a ``pacer_spiders.pages.PageProblem`` (a kind such as ``sealed``, ``login``,
    ``error``, ``not_found``, ``unavailable`` and a one-line reason).  ``text`` is the page
    decoded as text.
    """


@hookspec(firstresult=True)
def page_parser(court_id: str, report: str):
    """Return the parser for a report at a court, or None to use the next plugin's.

    A parser is a callable ``parser(body: bytes, context: dict) -> dict`` returning the
    reference field set (see DESIGN.md).  A court whose page layout differs supplies its own.
    """


@hookspec(firstresult=True)
def report_unit(court_id: str | None, report: str):
    """Return the report unit (``pacer_spiders.reports.base.ReportUnit``) of a report at a court,
    or None to use the next plugin's.

    A unit declares everything about one PACER report: how it is asked for, recognised, parsed
    into its item and merged into the archive.  Return one for a court whose report differs
    throughout, or for a report of your own (with its ``spider_classes``).
    """


@hookspec
def spider_classes():
    """Return a list of extra Scrapy spider classes (new reports or discovery sources)."""


@hookspec
def register_commands(subparsers):
    """Add subcommands to the ``pacer-spiders`` console script.

    ``subparsers`` is an ``argparse`` subparsers action; call ``add_parser`` on it and set
    ``func`` (a callable taking the parsed ``args`` and returning an exit code) as a default.
    """

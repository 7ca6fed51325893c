"""Parsing helpers the report units share (``common``, ``docket_common``) and PACER's messages
(``problems``).  The reports themselves live in ``pacer_spiders.reports``, one module each."""

from __future__ import annotations


def parser_for(report: str, court_id: str | None = None):
    """The parser of ``report`` at a court: ``parser(body, context) -> reference field set``
    (a court plugin's ``page_parser`` first, else the report unit's); KeyError if none.  Found
    once per set of plugins (spiders ask it for every page)."""
    from pacer_spiders.plugin_manager import get_plugin_manager, plugins_memo

    memo = plugins_memo(get_plugin_manager())
    key = ("parser_for", report, court_id)
    parser = memo.get(key)
    if parser is None:
        from pacer_spiders.reports import unit_for
        from pacer_spiders.reports.base import parser_of

        unit = unit_for(report, court_id)
        parser = parser_of(unit, court_id)
        if unit.reference_keys is not None:
            parser = _reference_parser(unit, parser)
        memo[key] = parser
    return parser


def _reference_parser(unit, parser):
    return lambda body, context=None: unit.reference(parser(body, context or {}))

"""One module per PACER page type; each parser is a pure function of bytes and context."""

from __future__ import annotations

from pacer_spiders.plugin_manager import get_plugin_manager


def parser_for(report: str, court_id: str | None = None):
    """The parser a court plugin supplies for ``report``, else the built-in one (KeyError if none)."""
    parser = get_plugin_manager().hook.page_parser(court_id=court_id, report=report)
    if parser is None:
        raise KeyError(f"no parser for report {report!r}")
    return parser

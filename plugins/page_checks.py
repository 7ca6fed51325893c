"""The built-in ``classify_page`` hook: PACER's error, login, charge, sealed and not-found pages."""

from __future__ import annotations

from pacer_spiders.hookspecs import hookimpl
from pacer_spiders.parsers.problems import classify


@hookimpl(trylast=True)
def classify_page(court_id, report, text):
    return classify(text, report)

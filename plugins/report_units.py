"""The built-in report units (the ``report_unit`` hook): one module of ``pacer_spiders.reports`` each."""

from __future__ import annotations

from pacer_spiders.hookspecs import hookimpl
from pacer_spiders.reports import builtin_unit


@hookimpl(trylast=True)
def report_unit(court_id, report):
    return builtin_unit(report)

"""Finding new cases for the scheduled jobs, from free sources first, saying what each could not see.

Each source is a crawl of a discovery spider (``pacer_spiders/spiders/discovery.py``), so it goes
through what every crawl goes through: the login middleware (which logs out at the end), the
per-court limits of the shared Redis, ``PACER_MAX_COST``, cassettes, the pipelines and the
source store.  No other HTTP client talks to PACER.

* ``rss``: the courts' RSS feeds (``rss_outside.pl``: free, no login).  A feed carries only recent
  entries (often the last day or so) and some courts publish none or only some entry types.
* ``case_query``: the case ids after the highest one known, asked one by one of the case query
  report (``iquery.pl``, needs an account) by the ``case_query_sweep`` spider.

Each look returns, per court, a ``Coverage`` naming the part of the asked window the source did
not see; the job report lists those gaps instead of silently missing their cases.

A scheduled job runs each source's crawl in a child process (``python -m
pacer_spiders.distributed.discovery``, started by pacer_spiders.processes, its request on stdin so
that no setting, password included, shows in a process list): Twisted's reactor runs once per process, and ``schedule run``
runs jobs for ever.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pacer_spiders.processes import start_python_module, wait_or_kill

logger = logging.getLogger(__name__)

# Short descriptions of the entry that opens a case (district, bankruptcy and appellate feeds).
OPENING_ENTRY = re.compile(
    r"^(complaint|petition|voluntary petition|involuntary petition|notice of removal|indictment|"
    r"information|new case|case opened|notice of appeal|civil cover sheet|adversary case|"
    r"chapter \d+ voluntary petition|docketing)",
    re.I,
)


@dataclass(frozen=True)
class FoundCase:
    court_id: str
    pacer_case_id: str | None
    docket_number: str | None
    case_name: str | None
    date_filed: dt.date | None


@dataclass
class Coverage:
    """What one source saw of a court over a window: the cases, and the days it could not see."""

    source: str
    court_id: str
    window: tuple[dt.date, dt.date]
    cases: list[FoundCase] = field(default_factory=list)
    seen_from: dt.date | None = None  # the first day the source covers (None: nothing)
    note: str = ""

    @property
    def gap(self) -> tuple[dt.date, dt.date] | None:
        start, end = self.window
        if self.seen_from is None:
            return start, end
        if self.seen_from > start:
            return start, min(end, self.seen_from - dt.timedelta(days=1))
        return None

    def as_json(self) -> dict:
        data = asdict(self)
        data["window"] = [day.isoformat() for day in self.window]
        data["seen_from"] = self.seen_from.isoformat() if self.seen_from else None
        for case in data["cases"]:
            case["date_filed"] = case["date_filed"].isoformat() if case["date_filed"] else None
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Coverage":
        cases = [FoundCase(**{**case, "date_filed": as_date(case.get("date_filed"))}) for case in data.get("cases", ())]
        start, end = (dt.date.fromisoformat(str(day)[:10]) for day in data["window"])  # to_json's two days
        return cls(data["source"], data["court_id"], (start, end), cases, as_date(data.get("seen_from")), data.get("note", ""))


def as_date(value) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def read_feed(coverage: Coverage, dockets: list) -> None:
    """Fill ``coverage`` from a parsed feed: the cases whose opening entry falls in its window.

    A feed covers from its oldest entry on; only the opening entries it carries are seen.
    """
    start, end = coverage.window
    oldest = None
    for docket in dockets:
        for entry in docket.get("docket_entries") or ():
            day = as_date(entry.get("date_filed"))
            if day is None:
                continue
            oldest = day if oldest is None or day < oldest else oldest
            if start <= day <= end and OPENING_ENTRY.match(entry.get("short_description") or ""):
                coverage.cases.append(FoundCase(coverage.court_id, docket.get("pacer_case_id") or None,
                                                docket.get("docket_number") or None,
                                                docket.get("case_name") or None, day))
    if oldest is None:
        coverage.note = "the feed is empty"
        return
    coverage.seen_from = oldest
    if oldest > start:
        coverage.note = f"the feed's oldest entry is of {oldest.isoformat()}"


# -- sources: one discovery crawl each -------------------------------------------------------------
def cmdline_settings(settings) -> dict:
    """The settings given for this run (``-s``, ``--redis-url``...): the child crawl gets them too;
    everything else it reads where this process did (the project settings and the environment)."""
    if settings is None:
        return {}
    from scrapy.settings import SETTINGS_PRIORITIES

    floor = SETTINGS_PRIORITIES["cmdline"]
    return {name: value for name, value in settings.items() if settings.getpriority(name) >= floor}


def run_discovery_crawl(spider: str, arguments: dict, settings=None, timeout: float | None = None) -> dict:
    """``spider`` crawled with ``arguments`` in a child process: ``{"finish_reason", "coverages"}``."""
    with tempfile.TemporaryDirectory(prefix="pacer-discovery-") as folder:
        result_path = Path(folder) / "result.json"
        request = {"spider": spider, "arguments": arguments, "settings": cmdline_settings(settings),
                   "result": str(result_path)}
        env = {**os.environ, "SCRAPY_SETTINGS_MODULE": os.environ.get("SCRAPY_SETTINGS_MODULE", "pacer_spiders.settings")}
        process = start_python_module("pacer_spiders.distributed.discovery", [], cwd=os.getcwd(), env=env,
                                      stdin=json.dumps(request, default=str))
        returncode = wait_or_kill(process, timeout)
        if not result_path.exists():
            return {"finish_reason": f"exit {returncode}", "coverages": []}
        return json.loads(result_path.read_text(encoding="utf-8"))


@dataclass
class SpiderSource:
    """One discovery source: a spider crawled over every court of a job at once."""

    name: str  # as the schedules' ``sources`` name it
    spider: str
    settings: object = None

    def arguments(self, courts: list[str], window, hints: dict) -> dict:
        return {"court": ",".join(courts), "date_start": window[0].isoformat(), "date_end": window[1].isoformat()}

    def discover(self, courts: list[str], window, hints: dict) -> tuple[dict[str, Coverage], str]:
        """Each court's coverage, and how the crawl ended (``finished``, ``cost_cap``, a failure...)."""
        result = run_discovery_crawl(self.spider, self.arguments(courts, window, hints), self.settings)
        reason = result.get("finish_reason") or "unknown"
        found = {c.court_id: c for c in map(Coverage.from_json, result.get("coverages") or ())}
        for court in courts:
            if court not in found:
                found[court] = Coverage(self.name, court, window, note=f"the {self.spider} crawl ended ({reason})")
        return found, reason


class SweepSource(SpiderSource):
    """The case query sweep: each court's sweep starts after the highest case id we know there."""

    def arguments(self, courts: list[str], window, hints: dict) -> dict:
        starts = {court: hints[court] for court in courts if hints.get(court, {}).get("max_case_id")}
        return {**super().arguments(courts, window, hints),
                "after": ",".join(f"{court}:{hint['max_case_id']}" for court, hint in starts.items()),
                "after_filed": ",".join(f"{court}:{hint['max_case_filed']}" for court, hint in starts.items()
                                        if hint.get("max_case_filed"))}


SOURCES = {"rss": (SpiderSource, "rss"), "case_query": (SweepSource, "case_query_sweep")}


def make_sources(names, settings=None) -> list[SpiderSource]:
    sources = []
    for name in names:
        if name not in SOURCES:
            raise ValueError(f"unknown discovery source {name!r}: one of {', '.join(SOURCES)}")
        kind, spider = SOURCES[name]
        sources.append(kind(name, spider, settings))
    return sources


# -- the child process -----------------------------------------------------------------------------
def _crawl_in_this_process(request: dict) -> int:
    from scrapy.crawler import CrawlerProcess

    from pacer_spiders.settings_access import project_settings

    process = CrawlerProcess(project_settings(request.get("settings") or {}))
    crawler = process.create_crawler(request["spider"])
    process.crawl(crawler, **request.get("arguments", {}))
    process.start()
    spider = getattr(crawler, "spider", None)
    coverages = getattr(spider, "coverages", None) or {}
    result = {"finish_reason": crawler.stats.get_value("finish_reason") if crawler.stats else None,
              "coverages": [coverage.as_json() for coverage in coverages.values()]}
    Path(request["result"]).write_text(json.dumps(result), encoding="utf-8")
    return 0 if result["finish_reason"] in ("finished", "cost_cap") else 1


if __name__ == "__main__":
    sys.exit(_crawl_in_this_process(json.loads(sys.stdin.read())))

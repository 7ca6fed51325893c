"""Scheduled jobs (the seed's UniCourt extractor): they enqueue work; the workers do it.

* ``daily``: 05:00 UTC Tuesday to Friday, new cases filed in the last 4 days;
* ``weekly``: 05:00 UTC Saturday, new cases filed in the last 2 weeks (what the daily look missed);
* ``refresh``: every day (06:00 UTC), one ``refresh`` crawl a court (``scrapy crawl refresh``): each
  case we hold until 60 days after its filing is asked about in PACER's free sources first, and
  only the ones that moved are bought, filtered to the entries from the last one we hold on.

New-case jobs enqueue only cases never asked for before (first pulls fetch what is new), and
report what their discovery sources could not see.  Every run of a job for one time slot is
claimed in Redis first, so several ``schedule run`` processes (or cron beside them) never enqueue
one slot twice.  A deployment changes any of this with a TOML or JSON file
(``PACER_SCHEDULES_FILE``) or the ``PACER_SCHEDULES`` setting (a dict of the same shape).
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from pacer_spiders.db.work_requests import INSUFFICIENT_METADATA, SUCCESS, WorkRequest

if TYPE_CHECKING:
    from pacer_spiders.distributed.discovery import Coverage

logger = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DEFAULT_CONFIG: dict[str, Any] = {
    # [] means every district and bankruptcy court
    "courts": [],
    "sources": ["rss"],
    "webhook_url": None,
    "bulk": False,
    "schedules": {
        "daily": {"job": "new_cases", "days": ["tue", "wed", "thu", "fri"], "at": "05:00", "lookback_days": 4},
        "weekly": {"job": "new_cases", "days": ["sat"], "at": "05:00", "lookback_days": 14},
        "refresh": {"job": "refresh", "days": list(WEEKDAYS), "at": "06:00", "until_days_after_filing": 60},
    },
}


@dataclass(frozen=True)
class Schedule:
    name: str
    job: str  # new_cases | refresh
    days: tuple[int, ...]  # Monday = 0
    at: dt.time  # UTC
    lookback_days: int = 4
    until_days_after_filing: int = 60

    def runs_on(self, day: dt.date) -> bool:
        return day.weekday() in self.days

    def next_run(self, after: dt.datetime) -> dt.datetime:
        """The first run strictly after ``after`` (UTC)."""
        day = after.date()
        for offset in range(8):
            candidate = dt.datetime.combine(day + dt.timedelta(days=offset), self.at, tzinfo=dt.timezone.utc)
            if candidate > after and self.runs_on(candidate.date()):
                return candidate
        raise ValueError(f"schedule {self.name} runs on no day")


@dataclass
class Config:
    schedules: dict[str, Schedule]
    courts: list[str]
    sources: list[str]
    webhook_url: str | None = None
    bulk: bool = False

    def court_ids(self) -> list[str]:
        from pacer_spiders.courts import all_courts, get_court

        if self.courts:
            return [get_court(court).court_id for court in self.courts]
        return [c.court_id for c in all_courts() if c.kind in ("district", "bankruptcy")]


def _schedule(name: str, data: dict) -> Schedule:
    days = []
    for day in data.get("days", WEEKDAYS):
        key = str(day).lower()[:3]
        if key not in WEEKDAYS:
            raise ValueError(f"schedule {name}: unknown day {day!r} (mon..sun)")
        days.append(WEEKDAYS.index(key))
    if data.get("job") not in ("new_cases", "refresh"):
        raise ValueError(f"schedule {name}: job must be new_cases or refresh, not {data.get('job')!r}")
    return Schedule(name=name, job=data["job"], days=tuple(sorted(set(days))),
                    at=dt.time.fromisoformat(str(data.get("at", "05:00"))),
                    lookback_days=int(data.get("lookback_days", 4)),
                    until_days_after_filing=int(data.get("until_days_after_filing", 60)))


def load_config(data: dict | None = None, path: str | Path | None = None) -> Config:
    """The built-in schedules, overridden by ``data`` and then by a TOML/JSON file."""
    merged = copy.deepcopy(DEFAULT_CONFIG)
    overrides = []
    if data:
        overrides.append(data)
    if path:
        from pacer_spiders.cli import read_text_file

        text = read_text_file(path)
        overrides.append(tomllib.loads(text) if str(path).endswith(".toml") else json.loads(text))
    for override in overrides:
        for key, value in override.items():
            if key == "schedules":
                for name, schedule in value.items():
                    if schedule is None or schedule is False:  # switch a built-in schedule off
                        merged["schedules"].pop(name, None)
                    else:
                        merged["schedules"][name] = {**merged["schedules"].get(name, {}), **schedule}
            else:
                merged[key] = value
    return Config(
        schedules={name: _schedule(name, s) for name, s in merged["schedules"].items()},
        courts=list(merged["courts"] or []),
        sources=list(merged["sources"] or []),
        webhook_url=merged.get("webhook_url"),
        bulk=bool(merged.get("bulk")),
    )


def config_from_settings(settings) -> Config:
    return load_config(settings.getdict("PACER_SCHEDULES") or None, settings.get("PACER_SCHEDULES_FILE"))


@dataclass
class JobReport:
    job: str
    ran_at: dt.datetime
    window: tuple[dt.date, dt.date] | None = None
    enqueued: list[int] = field(default_factory=list)
    already_known: int = 0
    gaps: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "job": self.job,
            "ran_at": self.ran_at.isoformat(),
            "window": [d.isoformat() for d in self.window] if self.window else None,
            "enqueued": self.enqueued,
            "already_known": self.already_known,
            "not_seen": self.gaps,
            "problems": self.problems,
        }


def _case_keys(court_id: str, values: dict) -> set[tuple[str, str, str]]:
    keys = set()
    for name in ("pacer_case_id", "docket_number"):
        if values.get(name):
            keys.add((court_id, name, str(values[name])))
    return keys


def _archive_dockets(session):
    """Dockets of the archive pulled from a docket report (an RSS feed alone gives no filing date)."""
    from pacer_spiders.db.models import DocketRow

    return session.scalars(select(DocketRow).where(DocketRow.date_filed.is_not(None)))


def asked_cases(session) -> set[tuple[str, str, str]]:
    """Every case in the archive or asked for by a docket work request (except ones that could never run)."""
    keys = set()
    for docket in _archive_dockets(session):
        keys |= _case_keys(docket.court_id, {"pacer_case_id": docket.pacer_case_id, "docket_number": docket.docket_number})
    rows = session.scalars(select(WorkRequest).where(WorkRequest.kind == "docket",
                                                     WorkRequest.status != INSUFFICIENT_METADATA))
    for row in rows:
        keys |= _case_keys(row.court_id, row.params or {})
        for result in row.result or ():
            keys |= _case_keys(row.court_id, result)
    return keys


def held_cases(session) -> dict[tuple[str, str], dict]:
    """Cases we hold: ``(court, pacer_case_id) -> {date_filed, last_entry_date}``, from the archive's
    dockets and from what finished docket work requests reported."""
    held: dict[tuple[str, str], dict] = {}
    for docket in _archive_dockets(session):
        if docket.pacer_case_id:
            facts = held.setdefault((docket.court_id, str(docket.pacer_case_id)), {})
            facts.update({k: v for k, v in (("date_filed", docket.date_filed), ("docket_number", docket.docket_number),
                                             ("last_entry_date", docket.last_entry_date)) if v})
    rows = session.scalars(select(WorkRequest).where(WorkRequest.kind == "docket", WorkRequest.status == SUCCESS)
                           .order_by(WorkRequest.id))
    for row in rows:
        for result in row.result or ():
            case_id = result.get("pacer_case_id") or (row.params or {}).get("pacer_case_id")
            if not case_id:
                continue
            facts = held.setdefault((row.court_id, str(case_id)), {})
            for name in ("date_filed", "docket_number"):
                if result.get(name):
                    facts[name] = result[name]
            if result.get("last_entry_date") and result["last_entry_date"] > facts.get("last_entry_date", ""):
                facts["last_entry_date"] = result["last_entry_date"]
    return held


def _case_id_hints(court_id: str, asked, held) -> dict:
    """The highest case id we know at a court (and its filing date): where a case query sweep starts."""
    ids = [int(value) for court, name, value in asked if court == court_id and name == "pacer_case_id" and value.isdigit()]
    if not ids:
        return {}
    top = max(ids)
    return {"max_case_id": top, "max_case_filed": held.get((court_id, str(top)), {}).get("date_filed")}


def _raise_hint(hints: dict, case) -> None:
    if case.pacer_case_id and str(case.pacer_case_id).isdigit() and int(case.pacer_case_id) > hints.get("max_case_id", 0):
        hints["max_case_id"] = int(case.pacer_case_id)
        hints["max_case_filed"] = case.date_filed.isoformat() if case.date_filed else None


def unseen(coverages, court_id: str, window) -> str | None:
    """The days of ``window`` that no source saw at a court, with each source's reason; None if all seen."""
    if not coverages:
        return f"{court_id}: no discovery source configured"
    gaps = [c.gap for c in coverages]
    if any(gap is None for gap in gaps):
        return None
    start, end = max(g[0] for g in gaps), min(g[1] for g in gaps)
    if start > end:
        return None
    names = "/".join(c.source for c in coverages)
    reasons = "; ".join(f"{c.source}: {c.note}" for c in coverages if c.note)
    return (f"{court_id}: {names} did not see cases filed {start.isoformat()} to {end.isoformat()}"
            + (f" ({reasons})" if reasons else ""))


def run_job(schedule: Schedule, config: Config, now: dt.datetime, sessions, store, sources=None,
            settings=None) -> JobReport:
    """Run one job at ``now`` (a frozen clock in tests): enqueue, and report what was not seen."""
    from pacer_spiders.distributed.work import enqueue_work

    report = JobReport(job=schedule.name, ran_at=now)
    source_tag = f"schedule:{schedule.name}"
    today = now.date()
    if schedule.job == "new_cases":
        from pacer_spiders.distributed.discovery import make_sources

        report.window = (today - dt.timedelta(days=schedule.lookback_days), today)
        sources = make_sources(config.sources, settings) if sources is None else sources
        with sessions() as session:
            asked = asked_cases(session)
            held = held_cases(session)
        courts = config.court_ids()
        hints = {court_id: _case_id_hints(court_id, asked, held) for court_id in courts}
        coverages: dict[str, list[Coverage]] = {court_id: [] for court_id in courts}
        # one crawl a source over every court; a case a source found moves the next one's start
        for source in sources:
            found, reason = source.discover(courts, report.window, hints)
            if reason not in ("finished", "cost_cap"):
                report.problems.append(f"{source.name}: the discovery crawl ended {reason}")
            for court_id in courts:
                coverages[court_id].append(found[court_id])
                for case in found[court_id].cases:
                    _raise_hint(hints[court_id], case)
        for court_id in courts:
            for coverage in coverages[court_id]:
                for case in coverage.cases:
                    values = {"pacer_case_id": case.pacer_case_id, "docket_number": case.docket_number}
                    if _case_keys(court_id, values) & asked:
                        report.already_known += 1
                        continue
                    params = {k: v for k, v in values.items() if v}
                    if case.pacer_case_id:  # the case id is enough; a number alone is resolved by the spider
                        params.pop("docket_number", None)
                    row, created = enqueue_work(sessions, store, "docket", court_id, params,
                                                webhook_url=config.webhook_url, bulk=config.bulk, source=source_tag)
                    asked |= _case_keys(court_id, values)
                    if created:
                        report.enqueued.append(row.id)
            gap = unseen(coverages[court_id], court_id, report.window)
            if gap:
                report.gaps.append(gap)
    elif schedule.job == "refresh":
        # One refresh work item a court that holds cases: the refresh spider asks the free sources
        # about each docket filed within the window and buys only the ones that moved.
        with sessions() as session:
            held = held_cases(session)
        refreshed = set(config.court_ids()) if config.courts else None
        horizon = today - dt.timedelta(days=schedule.until_days_after_filing)
        recent = set()
        for (court_id, case_id), facts in held.items():
            filed = facts.get("date_filed")
            if not filed:
                report.problems.append(f"{court_id} {case_id}: date filed unknown, not refreshed")
            elif dt.date.fromisoformat(str(filed)[:10]) >= horizon:
                recent.add(court_id)
        for court_id in sorted(recent):
            if refreshed is not None and court_id not in refreshed:
                continue
            asked_refresh = {"filed_within_days": schedule.until_days_after_filing, "as_of": today.isoformat()}
            row, created = enqueue_work(sessions, store, "refresh", court_id, asked_refresh,
                                        webhook_url=config.webhook_url, bulk=config.bulk, source=source_tag)
            if created:
                report.enqueued.append(row.id)
            else:
                report.already_known += 1
    logger.info("schedule %s at %s: %d enqueued, %d already known, %d gaps", schedule.name, now.isoformat(),
                len(report.enqueued), report.already_known, len(report.gaps))
    return report


def claim_slot(store, schedule: Schedule, slot: str) -> bool:
    """True for the one process that runs ``schedule`` for ``slot`` (kept 8 days)."""
    key = f"{store.prefix}:schedule:{schedule.name}:{slot}"
    return bool(store.server.set(key, dt.datetime.now(dt.timezone.utc).isoformat(), nx=True, ex=8 * 86400))


def next_due(config: Config, now: dt.datetime) -> tuple[Schedule, dt.datetime]:
    return min(((s, s.next_run(now)) for s in config.schedules.values()), key=lambda pair: pair[1])


def run_forever(config: Config, sessions, store, settings=None, clock=None, sleep=time.sleep, on_report=None,
                max_runs: int | None = None) -> None:
    """``schedule run``: sleep until the next job, claim its slot, run it; for ever."""
    clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
    runs = 0
    now = clock()
    while max_runs is None or runs < max_runs:
        schedule, when = next_due(config, now)
        while (now := clock()) < when:
            sleep(min(60.0, (when - now).total_seconds()))
        if claim_slot(store, schedule, when.isoformat()):
            report = run_job(schedule, config, when, sessions, store, settings=settings)
            if on_report:
                on_report(report)
        else:
            logger.info("schedule %s for %s already run by another process", schedule.name, when.isoformat())
        runs += 1
        now = when

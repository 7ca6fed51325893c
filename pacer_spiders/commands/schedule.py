"""``pacer-spiders schedule run|once|show``: the scheduled jobs that enqueue work for the workers.

``run`` stays up and runs each job at its time; ``once daily|weekly|refresh`` runs one job now
(for cron or systemd timers).  A job's slot is claimed in Redis, so ``once`` for a job already
run today (by ``run`` or another machine) does nothing unless ``--force``.
"""

from __future__ import annotations

import datetime as dt
import json
import sys


def _context(args):
    from pacer_spiders.commands.enqueue import distributed_context
    from pacer_spiders.distributed.schedules import config_from_settings, load_config

    settings, store, sessions = distributed_context(args)
    config = load_config(path=args.config) if args.config else config_from_settings(settings)
    return settings, store, sessions, config


def _print_report(report) -> None:
    print(json.dumps(report.as_dict(), sort_keys=True))
    for gap in report.gaps:
        print(f"not seen: {gap}", file=sys.stderr)
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    sys.stdout.flush()


def run_once(args) -> int:
    from pacer_spiders.distributed.schedules import claim_slot, run_job

    settings, store, sessions, config = _context(args)
    if args.job not in config.schedules:
        raise ValueError(f"no schedule {args.job!r}: {', '.join(config.schedules)}")
    schedule = config.schedules[args.job]
    now = dt.datetime.fromisoformat(args.now) if args.now else dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    if not args.force and not claim_slot(store, schedule, now.date().isoformat()):
        print(f"schedule {args.job} already ran on {now.date().isoformat()} (use --force to run again)",
              file=sys.stderr)
        return 0
    _print_report(run_job(schedule, config, now, sessions, store, settings=settings))
    return 0


def run_loop(args) -> int:
    from pacer_spiders.distributed.schedules import run_forever

    settings, store, sessions, config = _context(args)
    print("schedules: " + ", ".join(f"{s.name} ({s.job})" for s in config.schedules.values()), file=sys.stderr)
    run_forever(config, sessions, store, settings=settings, on_report=_print_report)
    return 0


def run_show(args) -> int:
    from pacer_spiders.distributed.schedules import WEEKDAYS, config_from_settings, load_config
    from pacer_spiders.settings_access import project_settings

    config = load_config(path=args.config) if args.config else config_from_settings(project_settings())
    now = dt.datetime.now(dt.timezone.utc)
    for s in config.schedules.values():
        days = ",".join(WEEKDAYS[d] for d in s.days)
        extra = f"last {s.lookback_days} days" if s.job == "new_cases" else f"until {s.until_days_after_filing} days after filing"
        print(f"{s.name}\t{s.job}\t{days} {s.at.strftime('%H:%M')} UTC\t{extra}\tnext {s.next_run(now).isoformat()}")
    print(f"courts: {', '.join(config.courts) or 'every district and bankruptcy court'}; sources: {', '.join(config.sources)}")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("schedule", help="scheduled jobs that enqueue new and changed cases",
                                   description=__doc__)
    parser.add_argument("--config", help="a TOML or JSON schedules file (default: PACER_SCHEDULES_FILE)")
    parser.add_argument("--redis-url", help="default: the REDIS_URL setting")
    parser.add_argument("--database-url", help="default: the DATABASE_URL setting")
    parser.add_argument("-s", "--set", action="append", metavar="NAME=VALUE",
                        help="a project setting for this run (PACER_COURT_URL_TEMPLATE=...), as with scrapy")
    sub = parser.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    loop = sub.add_parser("run", help="run every job at its time (long-running)")
    loop.set_defaults(func=run_loop)
    once = sub.add_parser("once", help="run one job now (for cron or systemd timers)")
    once.add_argument("job", help="daily, weekly, refresh, or a schedule of your config")
    once.add_argument("--now", help="ISO 8601 time to run as (default: now)")
    once.add_argument("--force", action="store_true", help="run even if this job already ran today")
    once.set_defaults(func=run_once)
    show = sub.add_parser("show", help="the schedules and their next runs")
    show.set_defaults(func=run_show)

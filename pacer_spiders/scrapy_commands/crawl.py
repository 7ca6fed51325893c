"""``scrapy crawl``, whose exit code says whether the crawl did its job (for cron and schedulers).

Scrapy's own command exits 0 whenever the spider could start.  Here the exit code says whether
the crawl got what it was asked for (``pacer_spiders.outcome``): 0 all of it (or skipped on
purpose: already held, the cost cap, sealed), 2 part of it, 1 none of it or a failure (a refused
login, an unknown court id, a bad argument, a feed export -O/FEEDS that could not be stored...);
the reason is printed in one line.
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from pacer_spiders.cli import one_line
from pacer_spiders.outcome import SUCCESS_REASONS, crawl_outcome
from pacer_spiders.settings_access import settings_problem


class Command(ScrapyCrawl):
    def run(self, args, opts):
        process = self.crawler_process
        assert process is not None  # Scrapy sets it before it runs a command
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl <spider> [-a name=value ...]")
        if args[0] not in process.spider_loader.list():
            print(f"scrapy crawl: error: no spider {args[0]!r} (`scrapy list` names them: "
                  f"{', '.join(sorted(process.spider_loader.list()))})", file=sys.stderr)
            self.exitcode = 1
            return
        crawler = self._create_crawler(args[0])
        settings = crawler.settings
        problem = (settings_problem(settings) or database_problem(settings.get("DATABASE_URL"))
                   or redis_problem(settings.get("REDIS_URL")))
        if problem:  # before the pipelines open it, each with its own traceback
            print(f"scrapy crawl: error: {problem}", file=sys.stderr)
            self.exitcode = 1
            return
        process.crawl(crawler, **opts.spargs)
        process.start()
        stats = crawler.stats.get_stats() if crawler.stats else {}
        failed_feeds = {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("feedexport/failed_count/") and v}
        if failed_feeds:
            print("scrapy crawl: error: the feed export failed ("
                  + ", ".join(f"{count} {storage} feed(s)" for storage, count in sorted(failed_feeds.items()))
                  + "; the reason is in the log above)", file=sys.stderr)
            self.exitcode = 1
            return
        if process.bootstrap_failed:
            self.exitcode = 1
            return
        outcome = crawl_outcome(stats, stats.get("finish_reason"), args[0])
        if outcome.exit_code and stats.get("finish_reason") in SUCCESS_REASONS:  # else already said
            print(f"scrapy crawl: error: {outcome.reason}", file=sys.stderr)
        self.exitcode = outcome.exit_code


def database_problem(url: str | None) -> str | None:
    """Why the archive at ``url`` cannot be opened, in one line; None when it can (or none is set)."""
    if not url:
        return None
    from pacer_spiders.db import database_url_problem, make_engine

    if problem := database_url_problem(url):
        return problem
    try:
        engine = make_engine(url)
    except Exception as exc:  # a driver that is not installed
        return f"bad DATABASE_URL: {one_line(exc)}"
    try:
        with engine.connect():
            return None
    except Exception as exc:
        return f"cannot open DATABASE_URL {engine.url.render_as_string(hide_password=True)}: {one_line(exc)}"
    finally:
        engine.dispose()


PACER_LOGIN_HOST = "pacer.login.uscourts.gov"


def credentials_problem(settings, spidercls) -> str | None:
    """A crawl of real PACER (its central login) with no account to log in, in one line, before any
    request (else the first login would fail mid-crawl); None for the sandbox, a spider that needs
    no login (the free RSS feeds) or a configured account."""
    from urllib.parse import urlsplit

    if not getattr(spidercls, "needs_login", True):
        return None
    if urlsplit(settings.get("PACER_LOGIN_URL") or "").hostname != PACER_LOGIN_HOST:
        return None
    from pacer_spiders.login import accounts_from_settings

    try:
        if accounts_from_settings(settings):
            return None
    except (ValueError, TypeError) as exc:
        return str(exc)
    return ("no PACER account to log in with: set PACER_USERNAME and PACER_PASSWORD (or PACER_ACCOUNTS) "
            "in the environment")


def redis_problem(url: str | None) -> str | None:
    """Why the Redis of a distributed crawl at ``url`` cannot be used, in one line; None when it can."""
    if not url:
        return None
    import redis

    parts = urlsplit(url)
    shown = parts._replace(netloc=f"{parts.username or ''}:***@{parts.hostname}:{parts.port}").geturl() \
        if parts.password else url
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    except ValueError as exc:
        return f"REDIS_URL must be redis://host:port/db, not {shown!r} ({one_line(exc)})"
    try:
        client.ping()
    except redis.RedisError as exc:
        return f"cannot reach REDIS_URL {shown}: {one_line(exc)}"
    finally:
        client.close()
    return None

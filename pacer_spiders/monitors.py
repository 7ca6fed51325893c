"""Spidermon monitors of PACER crawls (the optional extra ``pip install 'pacer-spiders[monitoring]'``).

Switched on by ``ADDONS = {"pacer_spiders.monitors.MonitoringAddon": 10}`` (or ``PACER_MONITORING=1``
in this project).  When a crawl closes: errors in its log, nothing stored, more spent than
``PACER_MONITOR_MAX_COST``, refused logins.  Every ``PACER_MONITOR_IDLE_SECONDS`` while it runs: a
worker that received no page since the previous check.  A failed monitor runs the actions named by
``PACER_MONITOR_ACTIONS`` (email, slack, sentry, report: Spidermon's own, set up by its settings).
"""

from __future__ import annotations

from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.monitors.mixins import StatsMonitorMixin

# Spidermon's actions by the names PACER_MONITOR_ACTIONS accepts (a full import path works too).
ACTIONS = {
    "email": "spidermon.contrib.actions.email.smtp.SendSmtpEmail",
    "slack": "spidermon.contrib.actions.slack.notifiers.SendSlackMessageSpiderFinished",
    "sentry": "spidermon.contrib.actions.sentry.SendSentryMessage",
    "report": "spidermon.contrib.actions.reports.files.CreateFileReport",
}


class _PacerMonitor(Monitor, StatsMonitorMixin):
    def setting(self, name, default=None):
        return self.data.crawler.settings.get(name, default)

    def stat(self, name, default=0):
        return self.stats.get(name, default) or default


@monitors.name("PACER crawl")
class CrawlMonitor(_PacerMonitor):
    @monitors.name("no errors")
    def test_no_errors(self):
        errors = self.stat("log_count/ERROR")
        allowed = int(self.setting("PACER_MONITOR_MAX_ERRORS", 0))
        self.assertLessEqual(errors, allowed, f"{errors} errors in the crawl's log (at most {allowed} allowed)")

    @monitors.name("something stored")
    def test_something_stored(self):
        if not self.data.crawler.settings.getbool("PACER_MONITOR_EXPECT_STORED", True):
            self.skipTest("PACER_MONITOR_EXPECT_STORED is off")
        stored = sum(value for key, value in self.stats.items() if isinstance(value, int) and (
            (key.startswith("archive/") and key.endswith(("_added", "_changed"))) or key == "files/stored"))
        self.assertGreater(stored, 0, "the crawl stored nothing in the archive")

    @monitors.name("cost within the threshold")
    def test_cost(self):
        threshold = self.setting("PACER_MONITOR_MAX_COST")
        if threshold in (None, ""):
            self.skipTest("no PACER_MONITOR_MAX_COST")
        spent = float(self.stat("pacer/spent", 0.0))
        self.assertLessEqual(spent, float(threshold), f"spent ${spent:.2f}, over the ${float(threshold):.2f} threshold")

    @monitors.name("logins accepted")
    def test_logins(self):
        refused = sorted(key for key, value in self.stats.items() if key.startswith("pacer/login/failure") and value)
        self.assertFalse(refused, f"PACER refused a login: {', '.join(refused)}")


@monitors.name("PACER worker")
class IdleMonitor(_PacerMonitor):
    @monitors.name("not idle too long")
    def test_pages_since_last_check(self):
        received = self.stat("response_received_count")
        state = self.data.crawler.__dict__.setdefault("_pacer_monitor_received", {})
        previous = state.get("count")
        state["count"] = received
        if previous is not None:
            seconds = self.setting("PACER_MONITOR_IDLE_SECONDS")
            self.assertGreater(received, previous, f"no page received in the last {float(seconds):g} s")


def configured_actions(settings) -> list:
    from scrapy.utils.misc import load_object

    return [load_object(ACTIONS.get(name, name)) for name in settings.getlist("PACER_MONITOR_ACTIONS")]


class _ConfiguredSuite(MonitorSuite):
    def __init__(self, *args, crawler=None, **kwargs):
        if crawler is not None:
            kwargs.setdefault("monitors_failed_actions", configured_actions(crawler.settings))
        super().__init__(*args, crawler=crawler, **kwargs)


class CrawlClosedMonitors(_ConfiguredSuite):
    """Run when a crawl closes (SPIDERMON_SPIDER_CLOSE_MONITORS)."""

    monitors = [CrawlMonitor]


class IdleMonitors(_ConfiguredSuite):
    """Run every PACER_MONITOR_IDLE_SECONDS while a crawl runs (SPIDERMON_PERIODIC_MONITORS)."""

    monitors = [IdleMonitor]


class MonitoringAddon:
    """A Scrapy add-on: Spidermon's extension with the suites above."""

    def update_settings(self, settings) -> None:
        settings.set("SPIDERMON_ENABLED", True, priority="addon")
        settings.setdefault_in_component_priority_dict("EXTENSIONS", "spidermon.contrib.scrapy.extensions.Spidermon", 500)
        closing = list(settings.getlist("SPIDERMON_SPIDER_CLOSE_MONITORS"))
        if "pacer_spiders.monitors.CrawlClosedMonitors" not in closing:
            settings.set("SPIDERMON_SPIDER_CLOSE_MONITORS", [*closing, "pacer_spiders.monitors.CrawlClosedMonitors"],
                         priority="addon")
        idle = settings.getfloat("PACER_MONITOR_IDLE_SECONDS")
        if idle > 0:
            periodic = dict(settings.getdict("SPIDERMON_PERIODIC_MONITORS"))
            periodic.setdefault("pacer_spiders.monitors.IdleMonitors", idle)
            settings.set("SPIDERMON_PERIODIC_MONITORS", periodic, priority="addon")

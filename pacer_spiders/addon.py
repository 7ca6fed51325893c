"""``pacer_spiders.Addon``: this framework inside another Scrapy project.

``ADDONS = {"pacer_spiders.Addon": 0}`` in a project made by ``scrapy startproject`` gives the
spiders, the login middleware, the cassettes, the court plugins, the archive pipelines, the crawl
summary and every ``PACER_*`` default of ``pacer_spiders.settings`` (environment included).  Settings
of the project itself win: each default is set at the ``addon`` priority and each component is added
only where the project did not name it.
"""

from __future__ import annotations

# Settings of pacer_spiders.settings that belong to whichever project holds the add-on.
PROJECT_OWN = frozenset({"BOT_NAME", "SPIDER_MODULES", "NEWSPIDER_MODULE", "COMMANDS_MODULE", "ADDONS",
                         "SPIDER_LOADER_CLASS", "TWISTED_REACTOR", "LOG_LEVEL"})
# Dictionaries merged key by key into the project's.
COMPONENT_DICTS = ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS")
MERGED_DICTS = ("DOWNLOAD_HANDLERS", "FEED_EXPORTERS")


class Addon:
    """A Scrapy add-on; see the module's documentation and README, "In another Scrapy project"."""

    @classmethod
    def update_pre_crawler_settings(cls, settings) -> None:
        # Read before any crawler exists: which spiders there are.
        modules = list(settings.getlist("SPIDER_MODULES"))
        if "pacer_spiders.spiders" not in modules:
            settings.set("SPIDER_MODULES", [*modules, "pacer_spiders.spiders"],
                         priority=max(settings.getpriority("SPIDER_MODULES") or 0, 15))
        settings.set("SPIDER_LOADER_CLASS", "pacer_spiders.spiderloader.PluginSpiderLoader", priority="addon")

    def update_settings(self, settings) -> None:
        from pacer_spiders.distributed import DistributedAddon
        from pacer_spiders.settings_access import framework_defaults

        for name, value in framework_defaults().items():
            if name in PROJECT_OWN:
                continue
            if name in COMPONENT_DICTS:
                for component, order in value.items():
                    settings.setdefault_in_component_priority_dict(name, component, order)
            elif name in MERGED_DICTS:
                merged = {**value, **settings.getdict(name)}
                settings.set(name, merged, priority=max(settings.getpriority(name) or 0, 15))
            else:
                settings.set(name, value, priority="addon")
        self.update_pre_crawler_settings(settings)
        # The framework's own add-ons (REDIS_URL: distributed crawls; PACER_MONITORING), brought along.
        DistributedAddon().update_settings(settings)
        MonitoringSwitch().update_settings(settings)


class MonitoringSwitch:
    """Spidermon's monitors when ``PACER_MONITORING`` is on (``-s`` included); the extra must be installed."""

    def update_settings(self, settings) -> None:
        if not settings.getbool("PACER_MONITORING"):
            return
        try:
            from pacer_spiders.monitors import MonitoringAddon
        except ImportError as exc:
            raise SystemExit(f"PACER_MONITORING needs Spidermon: pip install 'pacer-spiders[monitoring]' ({exc})") from None
        MonitoringAddon().update_settings(settings)

"""What a ``scrapy crawl`` of the project imports, imported once by the tests' fork server
(pacer_spiders.testing.preloaded).  Never the settings module (it reads the environment) and never
``twisted.internet.reactor`` (each crawl installs its own)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

# The import path of a new interpreter (without the '' of ``python -c``): a forked crawl starts from
# it, as ``python -m scrapy`` would, not from the test process's path.
INTERPRETER_PATH = [path for path in sys.path if path]


def _import(name: str) -> None:
    try:
        importlib.import_module(name)
    except Exception:  # noqa: BLE001 - a module left out only costs its import in each crawl
        pass


def _import_package(name: str) -> None:
    _import(name)
    try:
        package = importlib.import_module(name)
    except Exception:  # noqa: BLE001
        return
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
        # Alembic loads the migrations itself, by path.
        if not any(part.startswith(("_", "test")) or part == "migrations" for part in info.name.split(".")):
            _import(info.name)


def _import_scrapy_defaults() -> None:
    """Scrapy's default components, loaded by name when a crawler starts."""
    from scrapy.settings import default_settings

    for setting in ("DOWNLOADER_MIDDLEWARES_BASE", "SPIDER_MIDDLEWARES_BASE", "EXTENSIONS_BASE",
                    "DOWNLOAD_HANDLERS_BASE", "ITEM_PIPELINES_BASE", "FEED_STORAGES_BASE", "FEED_EXPORTERS_BASE"):
        for path in getattr(default_settings, setting, {}) or {}:
            value = getattr(default_settings, setting)[path]
            dotted = value if isinstance(value, str) else path
            if isinstance(dotted, str) and "." in dotted:
                _import(dotted.rsplit(".", 1)[0])
    for name in ("SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "LOG_FORMATTER", "DOWNLOADER", "SPIDER_LOADER_CLASS",
                 "SCHEDULER_PRIORITY_QUEUE", "SCHEDULER_DISK_QUEUE", "SCHEDULER_MEMORY_QUEUE",
                 "REQUEST_FINGERPRINTER_CLASS", "DNS_RESOLVER", "ADDONS_BASE"):
        value = getattr(default_settings, name, None)
        if isinstance(value, str) and "." in value:
            _import(value.rsplit(".", 1)[0])


for _name in ("scrapy.cmdline", "scrapy.crawler", "scrapy.commands.crawl", "scrapy.commands.list",
              "twisted.internet.asyncioreactor", "sqlalchemy", "sqlalchemy.orm", "sqlalchemy.dialects.sqlite",
              "sqlalchemy.dialects.postgresql.psycopg", "psycopg", "alembic.command", "alembic.config",
              "alembic.runtime.migration", "alembic.operations", "redis", "scrapy_redis", "lxml.html", "pyotp",
              "betamax", "requests", "cryptography.fernet"):
    _import(_name)
_import_scrapy_defaults()
for _package in ("pacer_spiders.spiders", "pacer_spiders.pipelines", "pacer_spiders.reports", "pacer_spiders.parsers",
                 "pacer_spiders.db", "pacer_spiders.distributed", "pacer_spiders.plugins", "pacer_spiders.scrapy_commands"):
    _import_package(_package)
for _name in ("pacer_spiders.login", "pacer_spiders.cassettes", "pacer_spiders.summary", "pacer_spiders.source_store",
              "pacer_spiders.spiderloader", "pacer_spiders.logformatter", "pacer_spiders.addon", "pacer_spiders.cli",
              "pacer_spiders.service.models", "pacer_spiders.service.request_sessions",
              "pacer_spiders.testing.killpoints", "pacer_spiders.testing.stall"):
    _import(_name)

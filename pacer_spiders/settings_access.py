"""The project's Scrapy settings outside a crawl (console commands, pipelines run by hand)."""

from __future__ import annotations

import os

from scrapy.settings import Settings


def project_settings(overrides: dict | None = None) -> Settings:
    """``pacer_spiders.settings`` (which reads the environment), then ``overrides``."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "pacer_spiders.settings")
    from scrapy.utils.project import get_project_settings

    from pacer_spiders import settings as module

    settings = get_project_settings()
    settings.setdict(_environment_now(module), priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings


def _environment_now(module) -> dict:
    """The module read the environment once, when it was imported: its settings read now."""
    return {name: os.environ[name] for name in getattr(module, "environment_settings", ())
            if os.environ.get(name) not in (None, "")}


def framework_defaults() -> dict:
    """{name: value} of every setting of ``pacer_spiders.settings`` (those of the environment read
    now), whatever project is running: what ``pacer_spiders.Addon`` brings to another project."""
    from pacer_spiders import settings as module

    values = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    values.update(_environment_now(module))
    return values

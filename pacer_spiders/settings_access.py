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
    for name in getattr(module, "environment_settings", ()):
        # The module read the environment once, when it was imported; read it now.
        if os.environ.get(name) not in (None, ""):
            settings.set(name, os.environ[name], priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    return settings

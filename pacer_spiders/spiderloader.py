"""A spider loader that also offers the spiders plugins register (the ``spider_classes`` hook).

It implements Scrapy's spider loader interface (``from_settings``, ``list``, ``load``,
``find_by_request``): the project's spiders come from Scrapy's own ``SpiderLoader`` (``SPIDER_MODULES``),
the plugins' are added on top; a plugin spider with a project spider's name replaces it, as a later
module's spider does in Scrapy.
"""

from __future__ import annotations

import builtins

from scrapy.spiderloader import SpiderLoader

from pacer_spiders.plugin_manager import get_plugin_manager


def plugin_spider_classes() -> dict:
    """{name: spider class} of every ``spider_classes`` hook implementation."""
    found = {}
    for contribution in get_plugin_manager().hook.spider_classes():
        for spidercls in contribution or ():
            found[spidercls.name] = spidercls
    return found


class PluginSpiderLoader:
    def __init__(self, settings):
        self.project = SpiderLoader.from_settings(settings)
        self.plugins = plugin_spider_classes()

    @classmethod
    def from_settings(cls, settings):
        return cls(settings)

    def list(self) -> list[str]:
        names = self.project.list()
        return names + [name for name in self.plugins if name not in names]

    def load(self, spider_name: str):
        if spider_name in self.plugins:
            return self.plugins[spider_name]
        return self.project.load(spider_name)

    def find_by_request(self, request) -> builtins.list[str]:  # list: the method above
        names = [n for n in self.project.find_by_request(request) if n not in self.plugins]
        return names + [name for name, cls in self.plugins.items() if cls.handles_request(request)]

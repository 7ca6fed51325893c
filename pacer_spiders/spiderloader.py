"""A spider loader that also offers the spiders plugins register (the ``spider_classes`` hook)."""

from __future__ import annotations

from scrapy.spiderloader import SpiderLoader

from pacer_spiders.plugin_manager import get_plugin_manager


class PluginSpiderLoader(SpiderLoader):
    def _load_all_spiders(self) -> None:
        super()._load_all_spiders()
        for contribution in get_plugin_manager().hook.spider_classes():
            for spidercls in contribution or ():
                self._found[spidercls.name].append((spidercls.__module__, spidercls.__name__))
                self._spiders[spidercls.name] = spidercls

"""The pipelines of ITEM_PIPELINES run outside a crawl (``pacer-spiders ingest``, tests)."""

from __future__ import annotations

from typing import cast

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler, load_object

from pacer_spiders.settings_access import project_settings


class _ChainSpider(Spider):
    name = "ingest"


class PipelineChain:
    """``with PipelineChain({...settings}) as chain: chain.process(item)`` -> item or None (dropped)."""

    def __init__(self, overrides: dict | None = None, name: str = "ingest"):
        settings = project_settings(overrides)
        spidercls = cast("type[_ChainSpider]", type("ChainSpider", (_ChainSpider,), {"name": name}))
        self.crawler = Crawler(spidercls, settings)
        # The part of a crawl's set-up the pipelines use (stats; the request fingerprinter that
        # FilesPipeline asks for), without an engine or a reactor: nothing is downloaded here.
        self.crawler.stats = load_object(settings["STATS_CLASS"])(self.crawler)
        self.crawler.request_fingerprinter = build_from_crawler(
            load_object(settings["REQUEST_FINGERPRINTER_CLASS"]), self.crawler)
        settings.freeze()
        self.crawler.spider = spidercls.from_crawler(self.crawler)
        self.stats = self.crawler.stats
        order = sorted(settings.getdict("ITEM_PIPELINES").items(), key=lambda kv: kv[1])
        self.stages = [build_from_crawler(load_object(path), self.crawler) for path, _ in order]
        self.dropped: list[tuple[dict, str]] = []

    def __enter__(self):
        self.stats.open_spider()
        for stage in self.stages:
            if hasattr(stage, "open_spider"):
                stage.open_spider(self.crawler.spider)
        return self

    def __exit__(self, exc_type, exc, tb):
        for stage in self.stages:
            if hasattr(stage, "close_spider"):
                stage.close_spider(self.crawler.spider, reason="finished" if exc_type is None else "error")
        return False

    def process(self, item):
        for stage in self.stages:
            try:
                item = stage.process_item(item)
            except DropItem as exc:
                self.dropped.append((item, str(exc)))
                return None
        return item

    def archive_stats(self) -> dict:
        return {k: v for k, v in self.stats.get_stats().items() if k.startswith(("archive/", "pages/", "files/"))}

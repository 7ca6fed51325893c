"""pacer_spiders: a plugin-based Scrapy framework for PACER (federal CM/ECF) crawls."""

__version__ = "0.1.0"

"""The HTTP service (``pacer-spiders serve``): fetch, upload, prayers, reads, updated cases, sources.

A process apart from the crawlers.  Without ``REDIS_URL`` it queues work in the database and runs
the crawls itself (``scrapy crawl`` subprocesses); with it, the distributed workers take the work.
"""

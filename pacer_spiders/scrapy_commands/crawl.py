"""``scrapy crawl``, whose exit code says whether the crawl did its job (for cron and schedulers).

Scrapy's own command exits 0 whenever the spider could start.  Here a crawl that ended for a
failure (a refused login, an unknown court id, a bad argument...) exits 1; a crawl that finished
or stopped at ``PACER_MAX_COST`` (a budget, not a failure) exits 0.
"""

from __future__ import annotations

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

SUCCESS_REASONS = ("finished", "cost_cap")


class Command(ScrapyCrawl):
    def run(self, args, opts):
        if len(args) != 1:
            raise UsageError("give one spider: scrapy crawl <spider> [-a name=value ...]")
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        if self.crawler_process.bootstrap_failed or reason not in SUCCESS_REASONS:
            self.exitcode = 1

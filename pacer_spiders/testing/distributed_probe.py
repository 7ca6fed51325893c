"""A small docket spider for the distributed tests and benchmark, against the PACER sandbox.

It walks PACER's docket flow (query form, then the billed report) as a worker of a distributed
crawl and yields ``RawPage`` items; the project's login middleware logs it in (and out at the end), so the
token lives in the worker only (never in a queued request).
Run it as ``scrapy crawl dist_probe -s SPIDER_MODULES=pacer_spiders.testing.distributed_probe``.
"""

from __future__ import annotations

import datetime as dt

import scrapy
from scrapy.http import FormRequest

from pacer_spiders.courts import court_base_url
from pacer_spiders.distributed.purchases import PURCHASE_META, purchase_key
from pacer_spiders.distributed.spider import DistributedSpiderMixin
from pacer_spiders.items import RawPage


class DistributedProbeSpider(DistributedSpiderMixin, scrapy.Spider):
    name = "dist_probe"
    custom_settings = {"COOKIES_ENABLED": False}

    def __init__(self, court_id=None, pacer_case_id=None, date_from=None, **kwargs):
        super().__init__(**kwargs)
        self.court_id, self.pacer_case_id, self.date_from = court_id, pacer_case_id, date_from

    async def start(self):
        base = court_base_url(self.court_id, self.settings.get("PACER_COURT_URL_TEMPLATE"))
        context = {"court_id": self.court_id, "pacer_case_id": str(self.pacer_case_id)}
        if self.date_from:
            context["date_from"] = self.date_from
        yield scrapy.Request(f"{base}/cgi-bin/DktRpt.pl?{self.pacer_case_id}", callback=self.parse_form,
                             meta={"context": context})

    def parse_form(self, response):
        context = response.meta["context"]
        date_from = ""
        if context.get("date_from"):
            date_from = dt.date.fromisoformat(context["date_from"]).strftime("%m/%d/%Y")
        yield FormRequest(
            response.urljoin("DktRpt.pl?1-L_1_0-1"),
            formdata={"all_case_ids": context["pacer_case_id"], "date_range_type": "Filed", "date_from": date_from,
                      "date_to": "", "output_format": "html", "sort1": "oldest date first",
                      "list_of_parties_and_counsel": "on"},
            callback=self.parse_report,
            meta={"context": context, PURCHASE_META: purchase_key("docket", context["court_id"],
                                                                  context["pacer_case_id"], context)},
        )

    def parse_report(self, response):
        yield RawPage(
            court_id=response.meta["context"]["court_id"], report_type="docket", url=response.url,
            status=response.status, body=response.body,
            content_type=response.headers.get("Content-Type", b"").decode(), context=response.meta["context"],
            receipt=None, cost=0.0, fetched_at=dt.datetime.now(dt.timezone.utc).isoformat(), account=0,
        )

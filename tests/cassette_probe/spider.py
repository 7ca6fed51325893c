"""A small spider for the cassette tests: login, a nonce form, a multipart report, a PDF.

Run with ``scrapy runspider tests/cassette_probe/spider.py -a base=URL -a case=55``.
"""

import hashlib
import json
import secrets

import scrapy
from scrapy import signals


class ProbeSpider(scrapy.Spider):
    name = "cassette_probe"
    # Plain dict items, read by the test: none of the archive pipelines.
    custom_settings = {"DOWNLOAD_DELAY": 0, "RETRY_HTTP_CODES": [503], "RETRY_TIMES": 2, "LOG_LEVEL": "INFO",
                       "ITEM_PIPELINES": {}}

    def __init__(self, base, case="55", date_from="01/01/2020", **kwargs):
        super().__init__(**kwargs)
        self.base, self.case, self.date_from = base, case, date_from
        self.token = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.logout, signal=signals.spider_closed)
        return spider

    async def logout(self):
        # Like PACER's login middleware: straight to the download handlers, past every middleware.
        request = scrapy.Request(f"{self.base}/services/cso-logout", method="POST",
                                 body=json.dumps({"nextGenCSO": self.token}),
                                 headers={"Content-Type": "application/json"})
        response = await self.crawler.engine.downloader.handlers.download_request_async(request)
        self.logger.info("logout answered %s: %s", response.status, response.text)

    async def start(self):
        body = {"loginId": self.settings.get("PACER_USERNAME"), "password": self.settings.get("PACER_PASSWORD"),
                "clientCode": "", "otpCode": f"{secrets.randbelow(10**6):06d}", "redactFlag": "1"}
        yield scrapy.Request(f"{self.base}/services/cso-auth", method="POST", body=json.dumps(body),
                             headers={"Content-Type": "application/json", "Accept": "application/json"},
                             callback=self.logged_in)

    def logged_in(self, response):
        self.token = response.json()["nextGenCSO"]
        yield {"step": "login", "result": response.json()["loginResult"], "token_length": len(response.json()["nextGenCSO"])}
        yield scrapy.Request(f"{self.base}/cgi-bin/DktRpt.pl?{self.case}", callback=self.form)

    def form(self, response):
        action = response.urljoin(response.css("form::attr(action)").get())
        boundary = secrets.token_hex(12)
        fields = {"all_case_ids": self.case, "date_from": self.date_from, "output_format": "html"}
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
        ) + f"--{boundary}--\r\n".encode()
        yield scrapy.Request(action, method="POST", body=body, callback=self.report,
                             headers={"Content-Type": f"multipart/form-data; boundary={boundary}",
                                      "X-Probe-Login": self.settings.get("PACER_USERNAME")})

    def report(self, response):
        yield {"step": "report", "heading": response.css("h3::text").get(),
               "login_cell": response.css("td::text").get()}
        yield response.follow(response.css("a::attr(href)").get(), callback=self.pdf)

    def pdf(self, response):
        yield {"step": "pdf", "url": response.url, "status": response.status, "length": len(response.body),
               "sha1": hashlib.sha1(response.body).hexdigest()}

"""ACMS's own session, opened the way ACMS opens it for a browser.

The courts of appeals that run ACMS (the Appellate Case Management System: ``<court>-showdoc.
azurewebsites.us``) do not take PACER's NextGenCSO cookie themselves.  A browser without an ACMS
session gets a page whose form posts a SAML authentication request to PACER's identity provider;
the identity provider reads the NextGenCSO cookie of PACER's central login and answers a form
posting the SAML response to ACMS's assertion consumer (``/Saml2/Acs``), which sets ACMS's session
cookies.  Facts from CourtListener's ACMS work: freelawproject/courtlistener issue 3877 (the
sign-in script) and freelawproject/juriscraper pull request 2015 (cookie sessions per court; the
identity provider needs NextGenCSO; docket data from ``/Home/IndexContent?caseIdentifier=``).

This middleware does that handshake once per court before the first ACMS request (meta
``acms_court``) and again when ACMS answers its sign-in form instead of a page.  The identity
provider's request carries meta ``pacer_sso``, so the login middleware puts the NextGenCSO cookie
on it (logging in first when needed); ACMS's cookies are kept by Scrapy's cookie middleware, which
runs after this one (priority 650 < 700), so the request that waited goes out with them.
"""

from __future__ import annotations

import asyncio
import logging

from parsel import Selector
from scrapy import FormRequest, Request
from scrapy.exceptions import IgnoreRequest

logger = logging.getLogger(__name__)

DEFAULT_ACMS_URL_TEMPLATE = "https://{court_id}-showdoc.azurewebsites.us"


def acms_base_url(template: str | None, court_id: str, subdomain: str | None = None) -> str:
    """Base URL of an ACMS court's application (no trailing slash)."""
    return (template or DEFAULT_ACMS_URL_TEMPLATE).format(court_id=court_id, subdomain=subdomain or court_id).rstrip("/")


def saml_form(response, field: str):
    """(action, fields) of a page's form that posts ``field`` (SAMLRequest or SAMLResponse), or None."""
    if response.body[:5] == b"%PDF-" or b"SAML" not in response.body[:20000]:
        return None
    selector = Selector(text=response.body.decode("utf-8", "replace"))
    form = selector.xpath(f"//form[.//input[@name='{field}']]")
    if not form:
        return None
    fields = {node.attrib["name"]: node.attrib.get("value", "") for node in form.xpath(".//input[@name]")}
    return response.urljoin(form.attrib.get("action") or ""), fields


class AcmsSessionMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.signed_in: dict[str, bool] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    async def process_request(self, request: Request, spider=None):
        court_id = request.meta.get("acms_court")
        if not court_id or request.meta.get("acms_handshake"):
            return None
        lock = self.locks.setdefault(court_id, asyncio.Lock())
        async with lock:
            if not self.signed_in.get(court_id):
                await self.sign_in(court_id, request)
        return None

    async def sign_in(self, court_id: str, request: Request) -> None:
        stats = self.crawler.stats
        download = self.crawler.engine.download_async
        meta = {"acms_court": court_id, "acms_handshake": True, "dont_redirect": True, "dont_cache": True,
                "handle_httpstatus_all": True}
        for key in ("pacer_account", "work_request_id"):  # the same PACER login as the request that waits
            if request.meta.get(key) is not None:
                meta[key] = request.meta[key]
        base = request.meta.get("acms_base") or request.url.split("/Home/")[0].split("/api/")[0]
        stats.inc_value("pacer/acms/sign_in_attempts")
        first = await download(Request(f"{base}/", meta=meta, dont_filter=True))
        asked = saml_form(first, "SAMLRequest")
        if asked is None:
            self.signed_in[court_id] = first.status == 200  # the cookie jar held a live session
            return
        answer = await download(FormRequest(asked[0], formdata=asked[1], meta={**meta, "pacer_sso": True},
                                            dont_filter=True))
        given = saml_form(answer, "SAMLResponse")
        if given is None:
            stats.inc_value("pacer/errors/acms_sign_in")
            raise IgnoreRequest(f"ACMS {court_id}: PACER's identity provider gave no SAML response "
                                f"(HTTP {answer.status}); is the PACER login refused?")
        done = await download(FormRequest(given[0], formdata=given[1], meta=meta, dont_filter=True))
        if done.status != 200:
            stats.inc_value("pacer/errors/acms_sign_in")
            raise IgnoreRequest(f"ACMS {court_id}: the sign-in was refused (HTTP {done.status})")
        self.signed_in[court_id] = True
        stats.inc_value("pacer/acms/sign_ins")
        logger.info("ACMS %s: signed in through PACER's single sign-on", court_id)

    def process_response(self, request: Request, response, spider=None):
        court_id = request.meta.get("acms_court")
        if not court_id or request.meta.get("acms_handshake") or saml_form(response, "SAMLRequest") is None:
            return response
        # ACMS's session ended: ACMS shows its sign-in form instead of the page.
        if request.meta.get("acms_retried"):
            self.crawler.stats.inc_value("pacer/errors/acms_signed_out")
            raise IgnoreRequest(f"ACMS {court_id}: still signed out after signing in again")
        self.signed_in[court_id] = False
        self.crawler.stats.inc_value("pacer/acms/signed_out_pages")
        retry = request.replace(dont_filter=True)
        retry.meta["acms_retried"] = True
        return retry

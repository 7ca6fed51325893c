"""Workers report what happens to work requests: which ids they produced, and why one failed."""

from __future__ import annotations

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest

from pacer_spiders.db.work_requests import ERROR, INVALID, RETRYING
from pacer_spiders.distributed.dupefilter import request_fields
from pacer_spiders.distributed.serializer import REPLAY_META, response_from_json
from pacer_spiders.distributed.work import IDENTITY_FIELDS, WorkTracker

# Page problems (pacer_spiders.pages.PageProblem kinds) worth another attempt later.
RETRYABLE_PROBLEMS = {"unavailable", "login", "rate_limited", "error"}
CARRIED = ("work_request_id", "work_attempt", "court_id")


def _work_id(response=None, item=None):
    if item is not None:
        context = item.get("context") if hasattr(item, "get") else None
        if isinstance(context, dict) and context.get("work_request_id"):
            return context["work_request_id"]
    request = getattr(response, "request", None)
    return request_fields(request).get("work_request_id") if request is not None else None


class WorkContextSpiderMiddleware:
    """Follow-up requests belong to the work request of the response that produced them."""

    def _carry(self, response, output):
        request = getattr(response, "request", None)
        if isinstance(output, Request) and request is not None:
            for key in CARRIED:
                if key in request.meta and key not in output.meta:
                    output.meta[key] = request.meta[key]
        return output

    def process_spider_output(self, response, result):
        for output in result:
            yield self._carry(response, output)

    async def process_spider_output_async(self, response, result):
        async for output in result:
            yield self._carry(response, output)


class WorkFailureDownloaderMiddleware:
    """Outermost downloader middleware: it sees a download error only once retries gave up."""

    def __init__(self, tracker: WorkTracker, crawler=None):
        self.tracker = tracker
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(WorkTracker.for_crawler(crawler), crawler)

    def _handled_by_spider(self, request, status: int) -> bool:
        spider = getattr(self.crawler, "spider", None)
        return bool(request.meta.get("handle_httpstatus_all")
                    or status in request.meta.get("handle_httpstatus_list", ())
                    or status in getattr(spider, "handle_httpstatus_list", ()))

    def process_response(self, request, response):
        status = response.status
        if status < 400 or self._handled_by_spider(request, status):
            return response
        where = f"PACER answered HTTP {status} at {request.url.split('?')[0]}"
        # 5xx and 429 pass; any other refusal (404 of an expired temporary link...) is an error
        self.tracker.error(request.meta.get("work_request_id"), RETRYING if status >= 500 or status == 429 else ERROR,
                           where)
        return response

    def process_exception(self, request, exception):
        work = request.meta.get("work_request_id")
        if isinstance(exception, IgnoreRequest):
            self.tracker.error(work, ERROR, f"request not sent: {exception or type(exception).__name__}")
        else:
            self.tracker.error(work, RETRYING, f"download failed: {type(exception).__name__}: {exception}")
        return None


class ReplayDownloaderMiddleware:
    """A request taken over from a dead worker that had already received its page gets that page."""

    def process_request(self, request):
        saved = request.meta.pop(REPLAY_META, None)
        if saved is not None:
            return response_from_json(saved, request)
        return None


class WorkStateExtension:
    """Item and spider signals -> the work request's results and first error."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.tracker = WorkTracker.for_crawler(crawler)
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_error, signal=signals.item_error)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def item_scraped(self, item, response, spider=None):
        work = _work_id(response, item)
        if not work:
            return
        problem = item.get("problem") if hasattr(item, "get") else None
        if problem:
            kind = getattr(problem, "kind", None) or (problem.get("kind") if isinstance(problem, dict) else "error")
            reason = getattr(problem, "reason", None) or (problem.get("reason") if isinstance(problem, dict) else str(problem))
            status = RETRYING if kind in RETRYABLE_PROBLEMS else ERROR
            self.tracker.error(work, status, f"{kind}: {reason}")
            return
        self.tracker.result(work, result_of(item))

    def item_dropped(self, item, response, exception, spider=None):
        self.tracker.error(_work_id(response, item), INVALID, f"failed validity checks: {exception}")

    def item_error(self, item, response, failure, spider=None):
        self.tracker.error(_work_id(response, item), ERROR,
                           f"pipeline error: {failure.type.__name__}: {failure.getErrorMessage()}")

    def spider_error(self, failure, response, spider=None):
        self.tracker.error(_work_id(response), ERROR,
                           f"spider error: {failure.type.__name__}: {failure.getErrorMessage()}")

    def spider_closed(self, spider, reason):
        # webhooks still being retried get their chance before the process ends
        self.tracker.close(timeout=self.crawler.settings.getfloat("PACER_WEBHOOK_CLOSE_TIMEOUT", 60))


def result_of(item) -> dict:
    """What a work request's result lists for one item: identity, report, ids the pipelines set."""
    get = item.get if hasattr(item, "get") else (lambda key, default=None: default)
    context = get("context") or {}
    result = {"report_type": get("report_type"), "court_id": get("court_id") or context.get("court_id")}
    for key in IDENTITY_FIELDS:
        value = get(key) if key in getattr(item, "fields", {}) else None
        value = value or context.get(key)
        if value not in (None, ""):
            result[key] = value
    # ids the archive pipelines gave it
    for key in ("docket_id", "orphan_id"):
        if key in getattr(item, "fields", {}) and get(key) is not None:
            result[key] = get(key)
    document = get("document") if "document" in getattr(item, "fields", {}) else None
    document_id = document.get("id") if isinstance(document, dict) else get("document_id")
    if document_id is not None:
        result["document_id"] = document_id
    # A parsed item holds its report's fields itself; an unread RawPage may hold them in ``parsed``.
    parsed = get("parsed") if "parsed" in getattr(item, "fields", {}) else item
    if hasattr(parsed, "get"):
        for key in ("pacer_case_id", "docket_number", "date_filed"):
            if parsed.get(key) and key not in result:
                result[key] = parsed[key]
        entries = [e.get("date_filed") for e in parsed.get("docket_entries") or () if e.get("date_filed")]
        if entries:
            result["last_entry_date"] = max(str(d)[:10] for d in entries)
    return {k: v for k, v in result.items() if v not in (None, "")}

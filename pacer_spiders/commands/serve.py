"""``pacer-spiders serve``: the HTTP service (fetch, upload, prayers, reads) on uvicorn.

A process apart from the crawlers: without REDIS_URL it queues in the database and runs the
crawls itself; with it, the distributed workers (``scrapy crawl`` with REDIS_URL) take the work.
"""

from __future__ import annotations


def run(args) -> int:
    from pacer_spiders.service.server import serve

    serve(args.host, args.port, args.workers, "debug" if args.verbose else "info")
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("serve", help="run the HTTP service (RECAP-compatible API and a web page)",
                                   description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (needs PACER_SERVICE_SECRET)")
    parser.set_defaults(func=run)

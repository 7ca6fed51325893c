"""Work kept off the reactor thread: a parse, a merge, a receipt's write, a page's file.

Each kind of work has one thread of its own (``WorkerThread``): its calls run one at a time in the
order they were given, so what depends on order (orphans decided in merge order, a receipt before
the next budget check) keeps it, and one thread holds one big page at a time (bounded memory).
Outside a crawl (``ingest``, the pipeline chain, tests) there is no reactor and the work runs in
the caller's thread.
"""

from __future__ import annotations

import sys


def running_reactor():
    """The reactor when one runs (a crawl), else None; never installs one as a side effect."""
    reactor = sys.modules.get("twisted.internet.reactor")
    return reactor if reactor is not None and getattr(reactor, "running", False) else None


class WorkerThread:
    """One named thread running calls in order; ``call`` answers a Deferred that fires on the
    reactor thread.  ``stop`` waits for the calls already given (nothing is dropped at shutdown)."""

    def __init__(self, name: str, reactor):
        from twisted.python.threadpool import ThreadPool

        self.reactor = reactor
        self.pool = ThreadPool(1, 1, name=name)
        self.pool.start()
        self.running = True
        # A forced shutdown (a second Ctrl-C) skips the owners' close: the work given is still
        # done, and the thread does not keep the process from exiting.
        reactor.addSystemEventTrigger("after", "shutdown", self.stop)

    def call(self, function, *args, **kwargs):
        from twisted.internet.threads import deferToThreadPool

        return deferToThreadPool(self.reactor, self.pool, function, *args, **kwargs)

    def stop(self) -> None:
        if self.running:
            self.running = False
            self.pool.stop()

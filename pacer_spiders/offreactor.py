"""Work kept off the reactor thread: a parse, a merge, a receipt's write, a page's file.

Each kind of work has one thread of its own (``WorkerThread``): its calls run one at a time in the
order they were given, so what depends on order (orphans decided in merge order, a receipt before
the next budget check) keeps it, and one thread holds one big page at a time (bounded memory).
Outside a crawl (``ingest``, the pipeline chain, tests) there is no reactor and the work runs in
the caller's thread.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from typing import Callable


def running_reactor():
    """The reactor when one runs (a crawl), else None; never installs one as a side effect."""
    reactor = sys.modules.get("twisted.internet.reactor")
    return reactor if reactor is not None and getattr(reactor, "running", False) else None


async def reactor_turn() -> None:
    """From a coroutine of a crawl: let the reactor run its loop once (answers that came in,
    timers) before going on; nothing when no reactor runs."""
    reactor = running_reactor()
    if reactor is None:
        return
    from scrapy.utils.defer import maybe_deferred_to_future
    from twisted.internet.task import deferLater

    await maybe_deferred_to_future(deferLater(reactor, 0, lambda: None))


class WorkerThread:
    """One named thread running calls in order; ``call`` answers a Deferred that fires on the
    reactor thread.  ``stop`` waits for the calls already given (nothing is dropped at shutdown)."""

    def __init__(self, name: str, reactor):
        from twisted.python.threadpool import ThreadPool

        self.reactor = reactor
        share_the_process_with_worker_threads()
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

    def stop_when_done(self):
        """A Deferred that fires once the work given so far is done and the thread stopped: the
        reactor's thread goes on meanwhile (stopping at once joins the thread, blocking the reactor
        for as long as the last piece of work takes)."""
        return self.call(lambda: None).addBoth(lambda _: self.stop())


def share_the_process_with_worker_threads() -> None:
    """Once, when a crawl starts its first worker thread: the reactor's thread must get the GIL back
    soon whenever it asks, and no collection may walk the whole process.

    - What the process holds then (modules, settings, the crawl's components: hundreds of thousands
      of objects that live as long as it) is frozen out of the cyclic garbage collector's sight.  A
      full collection runs in whichever thread happens to allocate, holding the GIL all along: one
      set off by the merge of a 10,000-entry docket walked them all and kept the reactor from its
      loop for 200 ms.  Frozen, they are never walked (nor collected: they were to live anyway).
    - The GIL's switch interval goes from 5 ms to 1 ms: the reactor thread gives the GIL up at each
      wait for the network and, while a parse or a merge runs, waited up to the interval to get it
      back, each time; on the shared 2-core machine the longest stall during which the process ran
      fell from 63-107 ms to 22-31 ms."""
    global _FROZEN
    if not _FROZEN:
        import gc

        _FROZEN = True
        gc.freeze()  # no collection first: it would be one more long pause, for a little start-up garbage
        if sys.getswitchinterval() > SWITCH_INTERVAL:
            sys.setswitchinterval(SWITCH_INTERVAL)


#: seconds a thread holding the GIL keeps it once another asks (Python's default: 0.005)
SWITCH_INTERVAL = 0.001
_FROZEN = False


#: a page this big (bytes) leaves megabytes of freed C heap behind it: a docket of thousands of lines
BIG_PAGE = 1 << 20


def give_back_freed_memory() -> None:
    """Return the C heap's free pages to the system (glibc's ``malloc_trim``; elsewhere nothing).

    A big page's lxml tree is freed by the thread that parsed it, into that thread's malloc arena,
    where the other threads (the archive writer's) cannot reuse it: without this the crawl's peak
    is the tree plus the merge.  ctypes lets go of the GIL during the call."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """libc's malloc_trim, looked up once (None: there is none)."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): their allocators differ
        return None

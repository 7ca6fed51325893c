"""Stage 5: merge the parsed page into the archive (idempotent, concurrent-safe upserts).

Counts go to the stats as ``archive/<kind>_<added|changed|unchanged>`` and ``archive/rows_written``;
each crawl is a row of ``crawl_runs`` (cost, pages, counts, errors).

In a crawl the merges run on one writer thread, never on the reactor's: ``process_item`` answers a
Deferred that fires when the item is merged, and Scrapy takes no more responses while the items of
``SCRAPER_SLOT_MAX_ACTIVE_SIZE`` bytes of them wait (the back-pressure that bounds memory).  One
thread keeps the merges in the order the items came and never makes SQLite writers wait on each
other.  Outside a crawl (``ingest``, the pipeline chain) the merge runs in the caller's thread.

``ARCHIVE_WRITER_PROCESS=True`` (or its default ``auto`` for a crawl given ``ARCHIVE_WRITER_PROCESS_CASES``
cases or more): the merges go to a process of its own instead, which merges them one
at a time in the order they came, so that their CPU is not taken from the reactor's under the GIL;
the item's changes and the merge's counts come back.  Items go down a pipe and answers come back up
another, both read and written by the reactor's own loop: no thread of the crawl's process wakes for
an item (a process pool's two threads did, each taking the GIL from the reactor's thread, up to
milliseconds an item on a busy machine).  Several items wait there at once.  Should that process
die, the items it did not answer and every later one are merged in the thread.

When the source stage leaves a page to the merge (``SourceFilesPipeline``: it does when this stage
merges off the reactor's thread), the page is kept in SOURCE_STORE by the merge, first.
"""

from __future__ import annotations

import threading
from typing import Any

from scrapy import signals

from pacer_spiders.offreactor import WorkerThread, running_reactor
from pacer_spiders.outcome import crawl_outcome
from pacer_spiders.pipelines.base import ArchiveStage, logger, page_dict
from pacer_spiders.pipelines.files import PdfWriter, files_store
from pacer_spiders.pipelines.orphans import join_orphans_for_docket, sweep, wait_as_orphan
from pacer_spiders.pipelines.source import is_pdf, keep_page


class ReactorStats:
    """Scrapy's stats collector, written from the writer thread through the reactor thread (the
    collector is not thread-safe: two threads adding to one key would lose counts).

    The writer thread's changes wait in a list until ``flush`` (at the end of each merge) sends them
    all in one call: one wake-up of the reactor a page rather than one a count."""

    def __init__(self, stats, reactor):
        self.stats, self.reactor, self.thread = stats, reactor, threading.current_thread()
        self._waiting: list[tuple] = []

    def _call(self, method, *args, **kwargs):
        if threading.current_thread() is self.thread:
            method(*args, **kwargs)
        else:
            self._waiting.append((method, args, kwargs))

    def flush(self) -> None:
        """Send the writer thread's changes to the reactor thread; they run before the item's
        Deferred fires (both go through the reactor's queue, in order)."""
        if self._waiting:
            self.reactor.callFromThread(_apply, self.take())

    def take(self) -> list[tuple]:
        """The writer thread's changes so far, for the caller to apply on the reactor thread."""
        waiting, self._waiting = self._waiting, []
        return waiting

    def inc_value(self, *args, **kwargs):
        self._call(self.stats.inc_value, *args, **kwargs)

    def set_value(self, *args, **kwargs):
        self._call(self.stats.set_value, *args, **kwargs)

    def max_value(self, *args, **kwargs):
        self._call(self.stats.max_value, *args, **kwargs)

    def min_value(self, *args, **kwargs):
        self._call(self.stats.min_value, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.stats, name)


def _apply(calls: list[tuple]) -> None:
    for method, args, kwargs in calls:
        method(*args, **kwargs)


_MERGER: DatabasePipeline | None = None  # in the merge process: its DatabasePipeline
_MERGES_GIVEN = 0  # in the merge process: items handed to it so far


def _start_merger(settings) -> None:
    """The merge process's start (a fork of the crawl's, which has imported everything already):
    Ctrl-C and SIGTERM are the crawl's to handle (it hands over every merge before it stops this
    process), and the crawl's database connections are left alone (never used nor closed here:
    closing one would end the crawl's own session), the archive opened anew."""
    import signal

    from pacer_spiders.db.archive import Archive

    global _MERGER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.set_wakeup_fd(-1)  # the crawl's event loop's: nothing here is to wake it
    _INHERITED.append(dict(Archive._opened))
    Archive._opened.clear()
    _MERGER = DatabasePipeline(settings)
    Archive.open(_MERGER.settings.get("DATABASE_URL"), dry_run=_MERGER.dry_run, upgrade=False)


_INHERITED: list = []  # in the merge process: the crawl's open archives, kept from the collector


def _merge_in_process(item: dict, keep_page: bool = False) -> tuple[dict, dict]:
    """One merge in the merge process: (the item's fields the merge set, the counts to add)."""
    from pacer_spiders.pipelines.base import DictStats

    stats = DictStats()
    assert _MERGER is not None  # made by _start_merger when the process started
    _MERGER.stats = stats
    if _MERGER._pdf_writer is not None:
        _MERGER._pdf_writer.stats = stats
    global _MERGES_GIVEN
    _MERGES_GIVEN += 1
    kill = _fault_test_kill_point(_MERGER.settings.get("PACER_KILL_MERGE_PROCESS_AT"))
    if kill == (_MERGES_GIVEN, "before"):
        _die()
    given = dict(item)
    merged = _MERGER.merge_item(item, keep_page)
    if kill == (_MERGES_GIVEN, "after"):
        _die()  # merged and committed, never answered
    return {k: v for k, v in merged.items() if k not in given or given[k] is not v}, stats.get_stats()


def _run_merger(settings, items_fd: int, answers_fd: int) -> None:
    """The merge process, forked: items come in on ``items_fd``, each a frame; one answer a frame
    goes out on ``answers_fd``, in the order the items came; it ends when ``items_fd`` closes.
    It never returns (nothing of the crawl's may run in it after)."""
    import logging
    import os
    import traceback

    code = 1
    try:
        _start_merger(settings)
        items, answers = os.fdopen(items_fd, "rb"), os.fdopen(answers_fd, "wb")
        while (frame := _read_frame(items)) is not None:
            try:
                answer: tuple = ("merged", *_merge_in_process(*frame))
            except Exception as exc:
                answer = ("failed", "".join(traceback.format_exception(exc)).rstrip())
            answers.write(_frame(answer))
            answers.flush()
        code = 0
    except BaseException:
        traceback.print_exc()
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        os._exit(code)


def _frame(value) -> bytes:
    import pickle

    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(4, "big") + data


def _read_frame(stream):
    """The next value of a pipe of frames; None at its end."""
    import pickle

    head = stream.read(4)
    if len(head) < 4:
        return None
    size = int.from_bytes(head, "big")
    data = stream.read(size)
    return pickle.loads(data) if len(data) == size else None


class MergeFailed(Exception):
    """A merge that failed in the merge process (its traceback there is the message)."""


class MergeProcess:
    """The crawl's side of the merge process: items written to one pipe and answers read from the
    other by the reactor's loop (Twisted's stdio transport on the two pipes: no thread); each
    item's Deferred fires with its answer.  ``dead`` is called once with the items it never
    answered, in order, when its answers' pipe closes before the crawl closed it.

    The process is a fork of the crawl's, made as the crawl opens (before any page, and before
    the threads that parse and keep pages start): it has every module imported already, where a
    fresh interpreter took two CPU-seconds of imports, on a core the crawl shares."""

    def __init__(self, reactor, settings, dead):
        import atexit
        import os

        from twisted.internet import stdio
        from twisted.internet.interfaces import IHalfCloseableProtocol
        from twisted.internet.protocol import Protocol
        from zope.interface import implementer  # type: ignore[import-untyped]

        self.waiting: list = []  # (item, keep_page, Deferred) given and not answered, oldest first
        self.closing = self.ended = False
        self._buffer = bytearray()
        self._dead = dead
        outer = self

        # Twisted's stdio transport never closes its descriptors (they are meant to be 0 and 1):
        # each is closed here once its side is done, or the process would wait for more items.
        @implementer(IHalfCloseableProtocol)
        class Answers(Protocol):
            def dataReceived(self, data):
                outer._received(data)

            def writeConnectionLost(self):
                outer._close_fd("items")

            def readConnectionLost(self):
                outer._close_fd("answers")
                outer._lost()

            def connectionLost(self, reason=None):
                outer._close_fd("items")
                outer._close_fd("answers")
                outer._lost()

        items_in, items_out = os.pipe()
        answers_in, answers_out = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(items_out)
            os.close(answers_in)
            _run_merger(settings, items_in, answers_out)
        os.close(items_in)
        os.close(answers_out)
        self._fds = {"items": items_out, "answers": answers_in}
        # (mypy reads Twisted's Windows StandardIO, which takes no descriptors)
        self.transport: Any = stdio.StandardIO(Answers(), stdin=answers_in, stdout=items_out,  # type: ignore[call-arg]
                                               reactor=reactor)
        atexit.register(self._reap)

    def _close_fd(self, name: str) -> None:
        import os

        fd = self._fds.pop(name, None)
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass

    def _reap(self) -> None:
        """At the crawl process's exit: wait for the merge process to end (it ends once its items'
        pipe is closed and its last commit made), so that it is not left behind and its CPU time
        counts with the crawl's; a few seconds at most (after a forced stop it ends with the
        crawl's process, its pipe closing then)."""
        import os
        import time

        self._close_fd("items")  # closed already, unless the crawl was stopped before its close
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                if os.waitpid(self.pid, os.WNOHANG)[0]:
                    return
            except ChildProcessError:
                return
            time.sleep(0.02)

    def merge(self, item, sent: dict, keep_page: bool, done) -> None:
        """Send ``sent`` (the part of ``item`` the merge reads); ``done`` fires with (item, the
        fields the merge set, its counts)."""
        self.waiting.append((item, keep_page, done))
        self.transport.write(_frame((sent, keep_page)))

    def close(self) -> None:
        """No more items: the process ends once it has answered those given (not waited for)."""
        self.closing = True
        self.transport.loseWriteConnection()

    def _received(self, data: bytes) -> None:
        import pickle

        self._buffer += data
        while len(self._buffer) >= 4:
            size = int.from_bytes(self._buffer[:4], "big")
            if len(self._buffer) < 4 + size:
                break
            answer = pickle.loads(bytes(self._buffer[4:4 + size]))
            del self._buffer[:4 + size]
            item, _, done = self.waiting.pop(0)
            if answer[0] == "merged":
                done.callback((item, answer[1], answer[2]))
            else:
                done.errback(MergeFailed(answer[1]))

    def _lost(self) -> None:
        if self.ended:
            return
        self.ended = True
        if not self.closing or self.waiting:
            waiting, self.waiting = self.waiting, []
            self._dead(waiting)


def _fault_test_kill_point(value) -> tuple[int, str] | None:
    """PACER_KILL_MERGE_PROCESS_AT (fault tests only): ``N:before`` or ``N:after`` the Nth merge."""
    if not value:
        return None
    number, _, moment = str(value).partition(":")
    return int(number), moment or "before"


def _die() -> None:
    import os
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


class DatabasePipeline(ArchiveStage):
    run_id = None
    crawler = None
    _pdf_writer = None
    _writer = None  # the writer thread, in a crawl
    _merger: MergeProcess | None = None  # the merge process (ARCHIVE_WRITER_PROCESS), in a crawl
    #: pages left by the source stage are kept by the merge (set by SourceFilesPipeline)
    keeps_pages = False

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler.settings, crawler.stats)
        pipeline.crawler = crawler
        # Scrapy tells pipelines no close reason: a crawl's outcome comes with this signal.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self, spider=None):
        spider = spider or getattr(self.crawler, "spider", None)
        name = self.settings.get("ARCHIVE_RUN_NAME") or getattr(spider, "name", None) or "crawl"
        self.run_id = self.archive.start_run(name)
        reactor = running_reactor()
        if reactor is not None:
            self.stats = ReactorStats(self.stats, reactor)
            self._writer = WorkerThread("pacer-archive-writer", reactor)
            if merges_in_a_process(self.settings, spider):
                self._merger = MergeProcess(reactor, self.settings, self.merger_died)
                self.stats.set_value("archive/merge_process", 1)
                logger.info("merges into the archive in a process of their own (ARCHIVE_WRITER_PROCESS=%s)",
                            self.settings.get("ARCHIVE_WRITER_PROCESS"))

    def close_spider(self, spider=None, reason: str | None = None):
        if self._writer is not None:  # every item's Deferred has fired: the thread is idle
            self._writer.stop()
            self._writer = None
            self.stats = self.stats.stats
        if self._merger is not None:
            # Every merge is answered: the process has nothing left to write.  It ends once its
            # items' pipe closes; it is reaped at the crawl process's exit, not waited for here,
            # on the reactor's thread, inside the crawl's time.
            self._merger.close()
            self._merger = None
        if not self.dry_run:
            # The orphans whose backoff has run out get their retry at the end of every crawl.
            sweep(self.archive, self.pdf_writer, self.stats, due_only=True)
        if reason is not None:  # run by hand (ingest); a crawl's run is finished by spider_closed
            self.finish_run(reason)

    def spider_closed(self, spider=None, reason=None):
        self.finish_run(crawl_outcome(self.stats.get_stats(), reason, getattr(spider, "name", None)).reason)

    def finish_run(self, reason: str | None) -> None:
        stats = self.stats.get_stats()
        counts = {k.split("/", 1)[1]: v for k, v in stats.items() if k.startswith("archive/")}
        self.archive.finish_run(
            # What the spiders spent (``pacer/spent``), else the sum of the pages' receipts.
            self.run_id, cost=float(stats.get("pacer/spent", stats.get("archive/cost", 0.0)) or 0.0), pages=int(stats.get("archive/pages", 0)),
            rejected=int(stats.get("pages/rejected", 0)), errors=int(stats.get("log_count/ERROR", 0)),
            counts=counts, finish_reason=reason or stats.get("finish_reason"))

    @property
    def pdf_writer(self) -> PdfWriter:
        if self._pdf_writer is None:
            self._pdf_writer = PdfWriter(files_store(self.settings), self.archive, self.stats, self.dry_run, self.settings)
        return self._pdf_writer

    @property
    def merges_off_reactor(self) -> bool:
        """In a crawl: the merges run in the writer thread or the merge process."""
        return self._writer is not None

    def process_item(self, item):
        if self._writer is None:
            return self.merge_item(item)
        keep = self.keeps_pages and item.get("body") is not None and not item.get("source_path") \
            and not is_pdf(item["body"])
        if self._merger is not None:
            return self.merge_in_process(item, keep)
        return self.merge_in_thread(item, keep)

    def merge_in_thread(self, item, keep_page: bool = False):
        """Merge one item in the writer thread: a Deferred that fires on the reactor thread, the
        merge's counts added to the stats first (they come back with the item: one wake-up of the
        reactor an item)."""
        assert self._writer is not None  # in a crawl

        def counted(merged_and_counts):
            merged, counts = merged_and_counts
            _apply(counts)
            return merged

        return self._writer.call(self.merge_in_writer, item, keep_page).addCallback(counted)

    def merge_in_writer(self, item, keep_page: bool = False):
        """Merge one item in the writer thread: (the item, its counts for the reactor thread)."""
        try:
            merged = self.merge_item(item, keep_page)
        except BaseException:
            self.stats.flush()  # what the merge counted before it failed
            raise
        return merged, self.stats.take()

    def merge_in_process(self, item, keep_page: bool = False):
        """Hand one item to the merge process; the Deferred answered fires on the reactor thread once
        it is merged.  Items do not wait for each other's answers: the process merges them one at a
        time in the order given.  Should it die, the items not answered yet, and every later one,
        are merged by the writer thread."""
        from twisted.internet.defer import Deferred

        assert self._merger is not None  # the merge process runs in a crawl
        # The page's bytes only where the merge reads them (a PDF, a page not kept yet).
        sent = {k: v for k, v in item.items()
                if k != "body" or item.get("report_type") == "pdf" or not item.get("source_path")}
        answered: Deferred = Deferred()

        def merged(answer):
            _, changed, counts = answer
            item.update(changed)
            for key, value in counts.items():
                self.stats.inc_value(key, value)
            return item

        self._merger.merge(item, sent, keep_page, answered)
        return answered.addCallback(merged)

    def merger_died(self, unanswered: list) -> None:
        """The merge process died (its answers' pipe closed): the writer thread merges the items it
        left unanswered, in order, and every later one."""
        logger.error("the merge process died; merging in the writer thread from now on")
        self._merger = None
        for item, keep, answered in unanswered:
            if self._writer is None:  # the crawl is closing: nothing can be waiting any more
                break
            # its counts are added by merge_in_thread: nothing more to add or change
            self.merge_in_thread(item, keep).addCallback(lambda merged: (merged, {}, {})).chainDeferred(answered)

    def merge_item(self, item, keep_source_page: bool = False):
        """Merge one item (in the writer thread or the merge process during a crawl); first keep its
        page when the source stage left that to the merge."""
        from pacer_spiders.reports import unit_for

        if keep_source_page and keep_page(self.settings, item, self.dry_run):
            self.stats.inc_value("archive/source_pages")
        self.stats.inc_value("archive/pages")
        if item.get("cost"):
            self.stats.inc_value("archive/cost", float(item["cost"]), start=0.0)
        if item.get("orphan_id"):
            self._record_raw(item)
            return item
        unit = unit_for(item.get("report_type"), item.get("court_id"))
        if unit.joins_docket and wait_as_orphan(self, item):
            self._record_raw(item)
            return item
        with self.archive.batch():  # the page's rows and its raw page row: one commit
            result = unit.merge(self.archive, item)
            if result is not None:
                item["docket_id"] = result.docket_id
            self._record_raw(item)
        if result is not None:
            self.count(result.counts)
            if not unit.joins_docket:  # a docket-level merge: orphans waiting for it join now
                for docket_id in getattr(result, "docket_ids", None) or [result.docket_id]:
                    if not self.dry_run:
                        join_orphans_for_docket(self.archive, docket_id, self.pdf_writer, self.stats)
        elif unit.joins_docket:
            logger.info("%s %s: its entry vanished before the merge; kept as an orphan", unit.name, item.get("court_id"))
        return item

    def _record_raw(self, item):
        if item.get("source_path"):
            self.count(self.archive.record_raw_page(page_dict(item), item.get("docket_id")).counts)


def merges_in_a_process(settings, spider) -> bool:
    """ARCHIVE_WRITER_PROCESS: True or False as set; "auto" (the default): a process when the crawl is
    given ARCHIVE_WRITER_PROCESS_CASES cases or more (the spider's ``case_count``)."""
    value = settings.get("ARCHIVE_WRITER_PROCESS", "auto")
    if str(value).strip().lower() != "auto":
        return settings.getbool("ARCHIVE_WRITER_PROCESS")
    count = getattr(spider, "case_count", None)
    return callable(count) and count() >= settings.getint("ARCHIVE_WRITER_PROCESS_CASES", 50)

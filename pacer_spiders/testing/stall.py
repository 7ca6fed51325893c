"""A crawl extension for the benchmarks: how long the reactor thread was kept from its loop.

``-s EXTENSIONS={"pacer_spiders.testing.stall.ReactorStallMeter": 0}`` (or the bench scripts) puts
``reactor/longest_stall_ms`` and ``reactor/stalls_over_100ms`` in the crawl's stats: a timer asks
for a call every 10 ms, and the lateness of each call is a stall (a merge, a parse, a log flush).

A stall on a busy shared machine may be the machine's: ``reactor/longest_stall_cpu_ms`` is the CPU
time the crawl's process got during its longest stall, and ``reactor/longest_busy_stall_ms`` the
longest stall during which the process ran at least half of the time (its own threads kept the
reactor waiting, holding the GIL; in a stall where it hardly ran, the other processes had the cores).

``reactor/thread_cpu_s`` and ``reactor/process_cpu_s``: the CPU seconds the reactor's thread and
the whole crawl process (every thread; not the merge process) used from the engine's start to the
spider's close: what the pipelines cost the crawl's process, far steadier than its wall time on a
busy machine; ``threads_cpu_s/<thread>`` splits the process's share by thread (Linux only: read from
/proc every quarter of a second, so a thread that ends counts up to its last reading).

``-s PACER_STALL_STACKS=1`` says where: a watcher thread logs (WARNING) what each thread was running
when the reactor had been kept from its loop for 100 ms (the reactor's own stack, or the thread that
held the GIL).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
import traceback

from scrapy import signals

TICK = 0.010
STALL = 0.100
THREADS_EVERY = 25  # ticks between two readings of the threads' CPU times

logger = logging.getLogger(__name__)


class ReactorStallMeter:
    def __init__(self, crawler):
        self.stats = crawler.stats
        self.longest = 0.0
        self.longest_cpu = 0.0  # the process's CPU time during the longest stall
        self.longest_busy = 0.0  # the longest stall in which the process ran half of the time or more
        self.cpu = 0.0  # the process's CPU time at the last tick
        self.over_100ms = 0
        self.call = None
        self.expected = 0.0  # when the next tick is due (set by start)
        self.watch = crawler.settings.getbool("PACER_STALL_STACKS")
        self.running = False
        crawler.signals.connect(self.start, signal=signals.engine_started)
        crawler.signals.connect(self.stop, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def start(self):
        from twisted.internet import reactor

        self.reactor = reactor
        self.expected = time.perf_counter()
        self.cpu = time.process_time()
        self.cpu_at_start, self.thread_cpu_at_start = self.cpu, time.thread_time()
        self.threads_at_start = threads_cpu()
        self.threads_seen = dict(self.threads_at_start)
        self.ticks = 0
        # Twisted types the reactor by zope interfaces, whose methods mypy reads without self.
        self.call = reactor.callLater(0, self.tick)  # type: ignore[arg-type]
        if self.watch:
            self.running = True
            self.reactor_thread = threading.current_thread().ident
            threading.Thread(target=self.watcher, name="pacer-stall-watcher", daemon=True).start()

    def watcher(self):
        reported = None
        while self.running:
            time.sleep(TICK)
            expected = self.expected
            if time.perf_counter() - expected > STALL and reported != expected:
                reported = expected
                frames = sys._current_frames()
                lines = []
                frame = None
                for thread in threading.enumerate():
                    frame = frames.get(thread.ident) if thread.ident is not None else None
                    if frame is None or thread.ident == threading.get_ident():
                        continue
                    stack = [f"{f.filename.rsplit('site-packages/', 1)[-1]}:{f.lineno} {f.name}"
                             for f in traceback.extract_stack(frame)[-8:]]
                    lines.append(f"  {thread.name}: " + " <- ".join(reversed(stack)))
                del frames, frame  # kept until the next stall, they would keep a parse's tree alive
                logger.warning("reactor kept from its loop for %.0f ms:\n%s",
                               (time.perf_counter() - expected) * 1000, "\n".join(lines))

    def tick(self):
        now = time.perf_counter()
        late = now - self.expected
        cpu = time.process_time()
        ran = cpu - self.cpu  # since the last tick: the stall and the tick's wait before it
        self.cpu = cpu
        if late > self.longest:
            self.longest, self.longest_cpu = late, ran
            self.stats.set_value("reactor/longest_stall_ms", round(late * 1000, 1))
            self.stats.set_value("reactor/longest_stall_cpu_ms", round(ran * 1000, 1))
        if late > self.longest_busy and ran >= (late + TICK) / 2:
            self.longest_busy = late
            self.stats.set_value("reactor/longest_busy_stall_ms", round(late * 1000, 1))
        if late > 0.100:
            self.over_100ms += 1
            self.stats.set_value("reactor/stalls_over_100ms", self.over_100ms)
        self.ticks += 1
        if self.ticks % THREADS_EVERY == 0:
            self.threads_seen.update(threads_cpu())
        self.expected = now + TICK
        self.call = self.reactor.callLater(TICK, self.tick)  # type: ignore[arg-type]  # as in start

    def stop(self, spider=None, reason=None):
        self.running = False
        if self.call is not None:  # started: spider_closed runs on the reactor's thread
            self.stats.set_value("reactor/thread_cpu_s", round(time.thread_time() - self.thread_cpu_at_start, 3))
            self.stats.set_value("reactor/process_cpu_s", round(time.process_time() - self.cpu_at_start, 3))
            self.threads_seen.update(threads_cpu())
            by_name: dict[str, float] = {}
            for native_id, (name, cpu) in self.threads_seen.items():
                name = re.sub(r"-\d+$", "", name)
                by_name[name] = by_name.get(name, 0.0) + cpu - self.threads_at_start.get(native_id, (name, 0.0))[1]
            for name, cpu in by_name.items():
                self.stats.set_value(f"threads_cpu_s/{name}", round(cpu, 2))
        if self.call is not None and self.call.active():
            self.call.cancel()
        self.stats.set_value("reactor/longest_stall_ms", round(self.longest * 1000, 1))
        self.stats.set_value("reactor/longest_stall_cpu_ms", round(self.longest_cpu * 1000, 1))
        self.stats.set_value("reactor/longest_busy_stall_ms", round(self.longest_busy * 1000, 1))
        self.stats.set_value("reactor/stalls_over_100ms", self.over_100ms)


def threads_cpu() -> dict[int, tuple[str, float]]:
    """Native thread id -> (name, CPU seconds so far) of this process's Python threads; {} where
    there is no /proc."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found = {}
    for thread in threading.enumerate():
        try:
            with open(f"/proc/self/task/{thread.native_id}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            found[thread.native_id or 0] = (thread.name, (int(fields[11]) + int(fields[12])) / ticks)
        except (OSError, IndexError, ValueError):
            continue
    return found

"""Run one ``scrapy crawl`` in a process of its own (a fresh Twisted reactor each time) and read its result.

Tests and benchmarks use it: the log, the final stats (``PACER_STATS_FILE``) and the exit code.
Benchmarks start a fresh interpreter for each crawl; the tests call ``use_preloaded_interpreter()``
and fork each crawl, and every process pacer_spiders.processes starts, from one that has imported
everything already (pacer_spiders.testing.preloaded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pacer_spiders.processes import ChildProcess, wait_or_kill

_preloaded = False


def use_preloaded_interpreter(enabled: bool = True) -> None:
    """Crawls of this process fork from a preloaded interpreter (the tests) or start python anew:
    ``run_crawl`` and every start through pacer_spiders.processes (workers, discovery crawls, the
    service's runner)."""
    global _preloaded
    _preloaded = enabled
    from pacer_spiders.processes import use_process_starter

    if enabled:
        from pacer_spiders.testing.preloaded import start_forked

        use_process_starter(start_forked)
    else:
        use_process_starter(None)


def start_allowance(fresh_interpreter: bool | None = None) -> float:
    """Seconds for processes started now to be ready to race (their imports done): a fork of the
    preloaded interpreter has them done already."""
    return 3.0 if (fresh_interpreter if fresh_interpreter is not None else not _preloaded) else 1.0


def run_scrapy_command(argv: list[str], cwd, env: dict, timeout: float,
                       fresh_interpreter: bool | None = None) -> subprocess.CompletedProcess:
    """``scrapy <argv[1:]>`` in a process of its own: ``python -m scrapy`` (``fresh_interpreter``, by
    default unless ``use_preloaded_interpreter()``) or a fork of the preloaded interpreter; the
    result ``subprocess.run(..., capture_output=True, text=True)`` gives."""
    return run_python(["-m", *argv], cwd, env, timeout, fresh_interpreter)


def run_python(argv: list[str], cwd=None, env: dict | None = None, timeout: float = 120,
               fresh_interpreter: bool | None = None) -> subprocess.CompletedProcess:
    """``python <argv>`` (``-m module …`` or ``-c code …``) in a process of its own, as ``run_scrapy_command``."""
    return run_python_together([argv], cwd, env, timeout, fresh_interpreter)[0]


def run_python_together(argvs: list[list[str]], cwd=None, env: dict | None = None, timeout: float = 120,
                        fresh_interpreter: bool | None = None) -> list[subprocess.CompletedProcess]:
    """Several ``python <argv>`` processes running at once (races between processes); each one's
    exit code, stdout and stderr once all have ended (killed after ``timeout``: TimeoutExpired)."""
    cwd = Path(cwd or os.getcwd())
    env = dict(os.environ if env is None else env)
    fresh = fresh_interpreter if fresh_interpreter is not None else not _preloaded
    with tempfile.TemporaryDirectory(prefix="pacer-python-") as outputs_dir:
        started: list[tuple[list[str], ChildProcess, Path, Path]] = []
        for index, argv in enumerate(argvs):
            out, err = Path(outputs_dir) / f"{index}.out", Path(outputs_dir) / f"{index}.err"
            proc: ChildProcess
            if fresh:
                with open(out, "wb") as out_file, open(err, "wb") as err_file:
                    proc = subprocess.Popen([sys.executable, *argv], cwd=cwd, env=env, stdout=out_file,
                                            stderr=err_file, stdin=subprocess.DEVNULL)
            else:
                from pacer_spiders.testing.preloaded import start_forked_python

                proc = start_forked_python(argv, cwd=cwd, env=env, stdout=out, stderr=err)
            started.append((argv, proc, out, err))
        deadline = time.monotonic() + timeout
        results = []
        for argv, proc, out, err in started:
            returncode = wait_or_kill(proc, max(0.1, deadline - time.monotonic()))
            results.append(subprocess.CompletedProcess([sys.executable, *argv], returncode,
                                                       out.read_text("utf-8", "replace"),
                                                       err.read_text("utf-8", "replace")))
    return results


@dataclass
class CrawlResult:
    returncode: int
    log: str
    stats: dict
    workdir: Path

    @property
    def reason(self) -> str | None:
        return self.stats.get("finish_reason")

    def stat(self, key: str, default=0):
        return self.stats.get(key, default)


def run_crawl(spider: str, workdir: Path, args: dict | None = None, settings: dict | None = None,
              env: dict | None = None, timeout: float = 120, options: list[str] | None = None,
              fresh_interpreter: bool | None = None) -> CrawlResult:
    """``scrapy crawl <spider> -a k=v ... -s K=V ... [options]`` in ``workdir`` (``options``: more
    command-line arguments, ``-O out.jsonl`` say); ``env`` adds to a clean PACER environment.
    ``fresh_interpreter`` (default: unless ``use_preloaded_interpreter()``) runs ``python -m scrapy``."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    log_file, stats_file = workdir / "crawl.log", workdir / "stats.json"
    for path in (log_file, stats_file):
        path.unlink(missing_ok=True)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("PACER_") or k == "PACER_CORPUS"}
    base_env.update({"SCRAPY_SETTINGS_MODULE": "pacer_spiders.settings", "PACER_SPIDERS_LOAD_ENTRYPOINTS": "0"})
    base_env.update(env or {})
    all_settings = {"LOG_FILE": str(log_file), "PACER_STATS_FILE": str(stats_file), "LOG_LEVEL": "DEBUG",
                    "DATABASE_URL": f"sqlite:///{workdir / 'archive.sqlite3'}", "FILES_STORE": str(workdir / "files"),
                    "DOWNLOAD_DELAY": "0", **(settings or {})}
    command = ["scrapy", "crawl", spider]
    for key, value in (args or {}).items():
        command += ["-a", f"{key}={value}"]
    for key, value in all_settings.items():
        command += ["-s", f"{key}={value}"]
    command += list(options or ())
    proc = run_scrapy_command(command, workdir, base_env, timeout, fresh_interpreter)
    log = log_file.read_text("utf-8", "replace") if log_file.exists() else ""
    log += proc.stdout + proc.stderr
    stats = json.loads(stats_file.read_text("utf-8")) if stats_file.exists() else {}
    return CrawlResult(proc.returncode, log, stats, workdir)

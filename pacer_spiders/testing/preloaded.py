"""``scrapy …`` in a process forked from an interpreter that has Scrapy, Twisted, SQLAlchemy and the
project imported already (multiprocessing's forkserver), for the tests.

The command is the one ``python -m scrapy`` runs (``scrapy.cmdline.execute``) in a process of its
own, so a crawl still has a fresh reactor, its own environment, working folder, output and exit code;
only the interpreter's start-up and imports (about 2 s of CPU a crawl) are paid once per test
session instead of once per crawl.  Benchmarks keep a fresh interpreter (``run_crawl`` default).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import subprocess
import sys
import tempfile
from pathlib import Path

# Imported once by the fork server (pacer_spiders.testing.crawl_imports lists them).
PRELOAD = ["pacer_spiders.testing.crawl_imports"]

_context = None


def _forkserver():
    global _context
    if _context is None:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        _context = context
    return _context


def _forget_what_was_read_at_import() -> None:
    """The settings module reads the environment when imported, and the plugin manager is built
    once: a forked child must read both anew, under its own environment."""
    sys.modules.pop("pacer_spiders.settings", None)
    package = sys.modules.get("pacer_spiders")
    if package is not None and "settings" in vars(package):
        delattr(package, "settings")
    manager = sys.modules.get("pacer_spiders.plugin_manager")
    if manager is not None:
        manager.get_plugin_manager.cache_clear()


def _import_path_of_a_new_interpreter(cwd: str, env: dict) -> None:
    """sys.path as ``python -m`` in ``cwd`` with ``env`` has it: the folder, $PYTHONPATH, then the
    interpreter's own (the test process's additions, tests/ say, are not there)."""
    from pacer_spiders.testing import crawl_imports

    extra = [path for path in env.get("PYTHONPATH", "").split(os.pathsep) if path]
    sys.path[:] = [cwd, *extra, *(p for p in crawl_imports.INTERPRETER_PATH if p not in extra)]
    importlib.invalidate_caches()


def _scrapy_child(argv: list[str], cwd: str, env: dict, stdout_path: str, stderr_path: str) -> None:
    for fd, path in ((1, stdout_path), (2, stderr_path)):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    _import_path_of_a_new_interpreter(cwd, env)
    sys.argv = list(argv)
    _forget_what_was_read_at_import()
    if "twisted.internet.reactor" in sys.modules:  # Scrapy must install its own reactor
        raise RuntimeError("a reactor was installed in the fork server; the crawl cannot choose its own")
    from scrapy.cmdline import execute

    execute(list(argv))  # exits with the command's code, as `python -m scrapy` does


def run_scrapy(argv: list[str], cwd: Path, env: dict, timeout: float) -> subprocess.CompletedProcess:
    """``scrapy <argv[1:]>`` in a forked child; the same result ``subprocess.run(…, capture_output=True,
    text=True)`` gives for ``python -m scrapy``: exit code, stdout, stderr; TimeoutExpired after ``timeout``."""
    with tempfile.TemporaryDirectory(prefix="pacer-scrapy-") as outputs_dir:
        paths = [Path(outputs_dir) / "stdout", Path(outputs_dir) / "stderr"]
        child = _forkserver().Process(target=_scrapy_child, name="scrapy",
                                      args=(list(argv), str(cwd), dict(env), *map(str, paths)))
        child.start()
        child.join(timeout)
        if child.exitcode is None:
            child.kill()
            child.join()
            raise subprocess.TimeoutExpired(argv, timeout)
        stdout, stderr = (path.read_text("utf-8", "replace") if path.exists() else "" for path in paths)
    return subprocess.CompletedProcess(argv, child.exitcode, stdout, stderr)

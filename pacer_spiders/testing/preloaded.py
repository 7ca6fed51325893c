"""``python -m scrapy …`` (or any ``python -m`` module) in a process forked from an interpreter that
has Scrapy, Twisted, SQLAlchemy and the project imported already (multiprocessing's forkserver), for
the tests: ``start_forked`` is the pacer_spiders.processes starter they use.

The child runs the module as ``python -m`` does (``runpy``), so a crawl still has a fresh reactor,
its own environment, working folder, stdin, output, signals and exit code; only the interpreter's
start-up and imports (about 2 s of CPU a crawl) are paid once per test session instead of once per
crawl.  Benchmarks and users keep new interpreters.
"""

from __future__ import annotations

import importlib
import io
import multiprocessing
import os
import runpy
import signal
import subprocess
import sys
import weakref

from pacer_spiders.processes import STDOUT

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


class _CallersFd:
    """One of the caller's open files, passed to the child as it is started (SCM_RIGHTS)."""

    def __init__(self, fd: int):
        self.fd = fd

    def __reduce__(self):  # pickled while multiprocessing starts the child: the fd goes with it
        from multiprocessing.reduction import DupFd

        return _received_fd, (DupFd(self.fd),)


def _received_fd(duplicated) -> int:
    return duplicated.detach()


def _output(where) -> object:
    """How a child's stdout or stderr is passed: None (the caller's own), STDOUT, or a file's path."""
    return where if where == STDOUT or where is None else str(where)


def _redirect(stdout, stderr, callers_fds: tuple[int, int]) -> None:
    """Point fds 1 and 2 of the child where ``python -m``'s would go (Popen's meaning of the values)."""
    targets = {1: stdout, 2: stdout if stderr == STDOUT else stderr}
    opened: dict[str, int] = {}
    for fd, where in targets.items():
        if where is None:
            os.dup2(callers_fds[fd - 1], fd)
            continue
        if where not in opened:
            opened[where] = os.open(where, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened[where], fd)
    for fd in (*opened.values(), *callers_fds):
        os.close(fd)


def _python_child(argv: list[str], cwd: str, env: dict, stdin: str | None, stdout, stderr,
                  callers_fds: tuple[int, int]) -> None:
    """What ``python -m module args…`` or ``python -c code args…`` does, in the forked child."""
    _redirect(stdout, stderr, callers_fds)
    sys.stdin = io.TextIOWrapper(io.BytesIO((stdin or "").encode("utf-8")), encoding="utf-8")
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    _import_path_of_a_new_interpreter(cwd, env)
    _forget_what_was_read_at_import()
    if "twisted.internet.reactor" in sys.modules:  # Scrapy must install its own reactor
        raise RuntimeError("a reactor was installed in the fork server; the crawl cannot choose its own")
    option, target, *args = argv
    if option == "-c":
        sys.argv = ["-c", *args]
        exec(compile(target, "<string>", "exec"), {"__name__": "__main__", "__builtins__": __builtins__})
        return
    if not hasattr(sys.modules.get(target), "__path__"):  # a preloaded module runs anew as __main__, as with -m
        sys.modules.pop(target, None)
    sys.argv = [target, *args]  # run_module puts the module's path first, as -m does
    runpy.run_module(target, run_name="__main__", alter_sys=True)  # SystemExit gives the exit code


_started: weakref.WeakSet[ForkedProcess] = weakref.WeakSet()


class ForkedProcess:
    """A forked child seen through ``subprocess.Popen``'s interface (what pacer_spiders.processes uses)."""

    def __init__(self, argv: list[str], process):
        self.args = ["python", *argv]
        self._process = process
        self.pid: int = process.pid

    @property
    def returncode(self) -> int | None:
        return self._process.exitcode  # -N when killed by signal N, as Popen says

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        self._process.join(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def start_forked_python(argv: list[str], *, cwd, env: dict[str, str], stdin: str | None = None,
                        stdout=None, stderr=None) -> ForkedProcess:
    """``python <argv>`` (``-m module …`` or ``-c code …``) forked from the preloaded interpreter:
    ``stdout``/``stderr`` a file, None (this process's own) or STDOUT, as in pacer_spiders.processes."""
    if len(argv) < 2 or argv[0] not in ("-m", "-c"):
        raise ValueError(f"python -m module … or -c code …, not {argv[:1]}")
    sys.stdout.flush()
    sys.stderr.flush()
    child = _forkserver().Process(target=_python_child, name=argv[1] if argv[0] == "-m" else "python-c",
                                  args=(list(argv), str(cwd), dict(env), stdin, _output(stdout),
                                        _output(stderr), (_CallersFd(1), _CallersFd(2))))
    child.start()
    started = ForkedProcess(argv, child)
    _started.add(started)
    return started


def start_forked(module: str, args: list[str], *, cwd, env: dict[str, str], stdin: str | None = None,
                 stdout=None, stderr=None) -> ForkedProcess:
    """``python -m module args…`` forked (the pacer_spiders.processes starter of the tests)."""
    return start_forked_python(["-m", module, *args], cwd=cwd, env=env, stdin=stdin, stdout=stdout, stderr=stderr)


def kill_leftovers() -> None:
    """Kill the children still running (a failed test's workers): the test process can then exit."""
    for started in list(_started):
        started.kill()
        started.wait()



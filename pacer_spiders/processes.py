"""How the project starts the processes its crawls run in: ``python -m <module> <args>`` in a new
interpreter (``scrapy crawl`` for the service's runner, a scheduled job's discovery crawl).

Every such start goes through ``start_python_module``, which calls the starter in use: a new
interpreter (``subprocess.Popen``) unless something replaced it with ``use_process_starter``.  Only
the tests do (``pacer_spiders.testing.preloaded``: a fork of an interpreter that imported Scrapy and
the project once); users always get new interpreters.
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import IO, Protocol

STDOUT = "stdout"  # as ``stderr``: to wherever stdout goes


class ChildProcess(Protocol):
    """What callers use of a started process (``subprocess.Popen`` has it)."""

    pid: int

    @property
    def returncode(self) -> int | None: ...

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def send_signal(self, sig: int) -> None: ...

    def terminate(self) -> None: ...

    def kill(self) -> None: ...


class ProcessStarter(Protocol):
    def __call__(self, module: str, args: list[str], *, cwd: str | os.PathLike, env: dict[str, str],
                 stdin: str | None, stdout: str | os.PathLike | None,
                 stderr: str | os.PathLike | None) -> ChildProcess: ...


def start_new_interpreter(module: str, args: list[str], *, cwd: str | os.PathLike, env: dict[str, str],
                          stdin: str | None = None, stdout: str | os.PathLike | None = None,
                          stderr: str | os.PathLike | None = None) -> ChildProcess:
    """``python -m module args…``: ``stdin`` text is written to it; ``stdout``/``stderr`` are files
    (``os.devnull``: nowhere), None (this process's own) or, for ``stderr``, STDOUT (with stdout)."""
    opened: list[IO[bytes]] = []

    def output(path):
        if path is None:
            return None
        opened.append(open(path, "wb"))  # noqa: SIM115 (closed below, once the child has it)
        return opened[-1]

    out = output(stdout)
    err = subprocess.STDOUT if stderr == STDOUT else output(stderr)
    try:
        proc = subprocess.Popen([sys.executable, "-m", module, *args], cwd=cwd, env=env, stdout=out, stderr=err,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
    finally:
        for file in opened:
            file.close()
    if stdin is not None:
        assert proc.stdin is not None
        try:
            proc.stdin.write(stdin.encode("utf-8"))
        except BrokenPipeError:  # the child ended without reading: its exit code says why
            pass
        finally:
            proc.stdin.close()
    return proc


_starter: ProcessStarter = start_new_interpreter


def use_process_starter(starter: ProcessStarter | None) -> ProcessStarter:
    """Start this process's children with ``starter`` (None: new interpreters); returns the previous one."""
    global _starter
    previous, _starter = _starter, starter or start_new_interpreter
    return previous


def start_python_module(module: str, args: list[str], *, cwd: str | os.PathLike, env: dict[str, str],
                        stdin: str | None = None, stdout: str | os.PathLike | None = None,
                        stderr: str | os.PathLike | None = None) -> ChildProcess:
    """``python -m module args…`` in a process of its own, started by the starter in use."""
    return _starter(module, list(args), cwd=cwd, env=dict(env), stdin=stdin, stdout=stdout, stderr=stderr)


def wait_or_kill(proc: ChildProcess, timeout: float | None) -> int:
    """The exit code; after ``timeout`` seconds the process is killed and TimeoutExpired raised."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise

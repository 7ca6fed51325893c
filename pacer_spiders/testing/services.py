"""Start a real PostgreSQL or Redis server on 127.0.0.1, in a temp dir, on a free port.

Used by the test fixtures and by the benchmarks; each server is stopped when its context ends,
on failure too.  ``ServiceUnavailable`` says which Debian package is missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


PORT_ATTEMPTS = 5


class ServiceUnavailable(RuntimeError):
    """The server's binaries are not installed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout:.0f}s")


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a server process, killing it when it does not stop within 10 seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _postgres_bindir() -> Path:
    # Debian keeps the server binaries (initdb, pg_ctl) out of PATH, under a versioned folder.
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    raise ServiceUnavailable("PostgreSQL is not installed (Debian: apt-get install postgresql)")


def _as_postgres_user(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root; Debian's package makes the postgres user.
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _create_database(port: int, dbname: str) -> None:
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')


@contextlib.contextmanager
def postgres_server(dbname: str = "pacer"):
    """Yield a ``postgresql+psycopg://`` URL of a fresh server; stop and remove it afterwards."""
    bindir = _postgres_bindir()
    tmp = Path(tempfile.mkdtemp(prefix="pacer-pg-"))
    datadir, sockdir = tmp / "data", tmp / "sock"
    sockdir.mkdir()
    if os.geteuid() == 0:
        pg = pwd.getpwnam("postgres")
        for path in (tmp, sockdir):
            os.chown(path, pg.pw_uid, pg.pw_gid)
    run = lambda cmd: subprocess.run(_as_postgres_user(cmd), check=True, capture_output=True, text=True)  # noqa: E731
    try:
        run([str(bindir / "initdb"), "-D", str(datadir), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"])
        for attempt in range(PORT_ATTEMPTS):
            # The free port may be taken by another process (a parallel test worker) before we bind it.
            port = free_port()
            options = f"-p {port} -k {sockdir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
            try:
                run([str(bindir / "pg_ctl"), "-D", str(datadir), "-o", options, "-l", str(tmp / "log"), "-w", "start"])
                break
            except subprocess.CalledProcessError:
                if attempt == PORT_ATTEMPTS - 1:
                    raise
        try:
            _create_database(port, dbname)
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/{dbname}"
        finally:
            subprocess.run(
                _as_postgres_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "stop"]),
                capture_output=True,
            )
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"PostgreSQL did not start: {exc.stderr.strip() or exc}") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def redis_server(*extra_args: str, port: int | None = None, workdir: str | os.PathLike | None = None):
    """Yield a ``redis://127.0.0.1:PORT/0`` URL of a fresh redis-server; stop it afterwards.

    ``workdir`` keeps its files (for persistence tests); by default a temp dir is removed.
    """
    binary = shutil.which("redis-server")
    if not binary:
        raise ServiceUnavailable("redis-server is not installed (Debian: apt-get install redis-server)")
    own_dir = workdir is None
    directory = Path(workdir or tempfile.mkdtemp(prefix="pacer-redis-"))
    for attempt in range(1 if port else PORT_ATTEMPTS):
        chosen = port or free_port()
        args = [binary, "--port", str(chosen), "--bind", "127.0.0.1", "--dir", str(directory), "--save", "",
                "--appendonly", "no"]
        proc = subprocess.Popen([*args, *extra_args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for_port(chosen)
            if _redis_pid(chosen) == proc.pid:
                break
            # Another redis-server (a parallel test worker's) had the port: ours could not bind it.
            if attempt == (0 if port else PORT_ATTEMPTS - 1):
                raise RuntimeError(f"redis-server could not listen on 127.0.0.1:{chosen}: the port is taken")
        except BaseException:
            stop_process(proc)
            if own_dir:
                shutil.rmtree(directory, ignore_errors=True)
            raise
        stop_process(proc)
    try:
        yield f"redis://127.0.0.1:{chosen}/0"
    finally:
        stop_process(proc)
        if own_dir:
            shutil.rmtree(directory, ignore_errors=True)


def _redis_pid(port: int) -> int | None:
    """The process id of the redis-server answering on ``port``."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
    try:
        return int(client.info("server")["process_id"])
    finally:
        client.close()

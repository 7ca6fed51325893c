"""The archive database: SQLite by default, PostgreSQL (psycopg 3) in production."""

from __future__ import annotations

import atexit
import fcntl
import logging
import re
import shutil
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

from pacer_spiders.db import limits


def normalize_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``postgres://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql+psycopg")


def database_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be an archive (not a URL, a database we do not support, an SQLite file
    in no folder), in one line naming DATABASE_URL; None when it can.  The password is not shown."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(normalize_database_url(str(url)))
    except ArgumentError:
        return f"DATABASE_URL must be sqlite:///<file> or postgresql://<user>@<host>/<database>, not {str(url)[:60]!r}"
    shown = parsed.render_as_string(hide_password=True)
    if parsed.drivername not in DRIVERS:
        return (f"DATABASE_URL must be an SQLite or PostgreSQL database (sqlite:///<file> or "
                f"postgresql://...), not {shown!r}")
    database = parsed.database if parsed.drivername.startswith("sqlite") else None
    if database and database != ":memory:" and not database.startswith("file:"):
        from pacer_spiders.settings_access import file_path_problem

        return file_path_problem("DATABASE_URL", database)
    return None


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``DATABASE_URL``; SQLite files get WAL, foreign keys and a busy timeout."""
    problem = database_url_problem(url)
    if problem:
        raise ValueError(problem)
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)
        limits.install(engine)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # With WAL, NORMAL syncs at checkpoints rather than every commit: a crash of the
            # process loses nothing; a power cut may lose the last commits, never consistency.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    engine = create_engine(url, **kwargs)
    limits.install(engine)
    return engine


# Any constant: the PostgreSQL advisory lock that serialises concurrent `db upgrade` runs.
_MIGRATION_LOCK_KEY = 0x70616365


@lru_cache(maxsize=1)
def migrations_directory() -> Path:
    """The packaged Alembic migrations as a folder Alembic can read.

    Found through ``importlib.resources``: in an installed package they are its own folder; in a
    zipped egg (scrapyd runs projects from one) they are copied once to a temporary folder, which
    goes when the process ends.
    """
    packaged = resources.files("pacer_spiders.db") / "migrations"
    if isinstance(packaged, Path):
        return packaged
    folder = Path(tempfile.mkdtemp(prefix="pacer-migrations-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    _copy_resources(packaged, folder)
    return folder


def _copy_resources(source, target: Path) -> None:
    for child in source.iterdir():
        if child.is_dir():
            if child.name != "__pycache__":
                (target / child.name).mkdir()
                _copy_resources(child, target / child.name)
        elif not child.name.endswith((".pyc", ".pyo")):
            (target / child.name).write_bytes(child.read_bytes())


def alembic_config(url: str):
    """The Alembic configuration of the packaged migrations, for ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_directory()))
    config.set_main_option("sqlalchemy.url", normalize_database_url(url).replace("%", "%%"))
    return config


class _InfoAsDebug(logging.Filter):
    """Alembic's INFO lines (the dialect, each revision applied) say nothing to whoever runs a crawl:
    they are logged at DEBUG, where LOG_LEVEL=DEBUG still shows them."""

    def filter(self, record):
        if record.levelno == logging.INFO:
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True


@contextmanager
def _alembic_info_as_debug():
    # A logger's filters do not reach its children's records: each alembic logger gets one, those
    # that log while alembic is first imported (plugins) included.
    names = {"alembic", "alembic.runtime.migration", "alembic.runtime.plugins"}
    names.update(name for name in list(logging.Logger.manager.loggerDict) if name.startswith("alembic."))
    loggers = [logging.getLogger(name) for name in sorted(names)]
    quiet = _InfoAsDebug()
    for logger in loggers:
        logger.addFilter(quiet)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeFilter(quiet)


@contextmanager
def _sqlite_migration_lock(engine: Engine):
    """An exclusive lock on ``<archive>.migrations.lock`` beside an SQLite file, held while migrating.

    Two processes opening a new archive at once would both begin a read transaction, then both
    try to create the migration table; SQLite refuses one of them at once (``database is locked``,
    no busy wait for a lock upgrade).  PostgreSQL has its advisory lock instead.
    """
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".migrations.lock")
    with open(lock_path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


_REVISION = re.compile(r"""^(down_)?revision\s*(?::[^=]*)?=\s*(?:['"]([^'"]+)['"]|None)\s*$""", re.M)


@lru_cache(maxsize=1)
def _head_revision() -> str | None:
    """The one head of the packaged migrations, read from their files (no Alembic import); None
    when they do not say it plainly (a merge of branches)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (resources.files("pacer_spiders.db.migrations") / "versions").iterdir():
        if not path.name.endswith(".py"):
            continue
        for down, name in _REVISION.findall(path.read_text("utf-8")):
            if name:
                (parents if down else revisions).add(name)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def is_current(engine: Engine) -> bool:
    """Whether the archive's schema is at the packaged head already: a crawl then skips Alembic
    (its import and its check cost half a CPU-second at every crawl's start)."""
    from sqlalchemy import inspect, text

    head = _head_revision()
    if head is None:
        return False
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        versions = [row[0] for row in connection.execute(text("SELECT version_num FROM alembic_version"))]
    return versions == [head]


def upgrade_database(url_or_engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision``; several processes may call it at once."""
    from sqlalchemy import text

    with _alembic_info_as_debug():  # its plugins log as it is first imported
        from alembic import command

    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with _sqlite_migration_lock(engine), engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            dbapi_connection = connection.connection.dbapi_connection
            assert dbapi_connection is not None  # an open connection has its DBAPI connection
            if sqlite:  # SQLite migrations copy tables: dropping the old copy must not cascade to other tables
                dbapi_connection.execute("PRAGMA foreign_keys=OFF")
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                connection.commit()
            try:
                config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
                config.attributes["connection"] = connection
                with _alembic_info_as_debug():
                    command.upgrade(config, revision)
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                if sqlite:  # outside any transaction, where SQLite lets it change
                    dbapi_connection.execute("PRAGMA foreign_keys=ON")
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                    connection.commit()
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()

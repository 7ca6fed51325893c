"""The archive database: SQLite by default, PostgreSQL (psycopg 3) in production."""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from importlib import resources
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine


def normalize_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``postgres://`` URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, **kwargs) -> Engine:
    """An engine for ``DATABASE_URL``; SQLite files get WAL, foreign keys and a busy timeout."""
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


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


def upgrade_database(url_or_engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision``; several processes may call it at once."""
    from sqlalchemy import text

    with _alembic_info_as_debug():  # its plugins log as it is first imported
        from alembic import command

    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                connection.commit()
            try:
                config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
                config.attributes["connection"] = connection
                with _alembic_info_as_debug():
                    command.upgrade(config, revision)
                connection.commit()
            finally:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                    connection.commit()
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()

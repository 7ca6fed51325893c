"""The archive database: SQLite by default, PostgreSQL (psycopg 3) in production."""

from __future__ import annotations

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
            # With WAL, NORMAL syncs at checkpoints rather than every commit: a crash of the
            # process loses nothing; a power cut may lose the last commits, never consistency.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


MIGRATIONS_DIR = __import__("pathlib").Path(__file__).with_name("migrations")
# Any constant: the PostgreSQL advisory lock that serialises concurrent `db upgrade` runs.
_MIGRATION_LOCK_KEY = 0x70616365


def alembic_config(url: str):
    """The Alembic configuration of the packaged migrations, for ``url``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalize_database_url(url).replace("%", "%%"))
    return config


def upgrade_database(url_or_engine, revision: str = "head") -> None:
    """Apply the migrations up to ``revision``; several processes may call it at once."""
    from alembic import command
    from sqlalchemy import text

    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                connection.commit()
            try:
                config = alembic_config(str(engine.url.render_as_string(hide_password=False)))
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                connection.commit()
            finally:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                    connection.commit()
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()

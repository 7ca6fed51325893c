"""`pacer-spiders db upgrade` builds the same schema as the models, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from pacer_spiders.cli import main
from pacer_spiders.db import make_engine
from pacer_spiders.db.models import Base


def test_db_upgrade_builds_the_models_schema_and_is_idempotent(database_url, capsys):
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    assert capsys.readouterr().out.count("database at revision head") == 2
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert {"dockets", "docket_entries", "documents", "parties", "attorneys", "party_attorneys",
                    "orphan_documents", "raw_pages", "rejected_pages", "crawl_runs", "courts"} <= tables
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0001"
            # The migrations and the models agree (nothing left for autogenerate to add).
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
            assert differences == []
    finally:
        engine.dispose()

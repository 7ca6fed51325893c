"""Real services: an SQLAlchemy round trip on SQLite and PostgreSQL, a Redis round trip."""

import redis
import sqlalchemy as sa
from sqlalchemy.orm import Session

from pacer_spiders.courts import all_courts
from pacer_spiders.db import make_engine, normalize_database_url
from pacer_spiders.db.models import Base, CourtRow


def test_courts_round_trip(database_url):
    engine = make_engine(database_url)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(
            CourtRow(court_id=c.court_id, pacer_subdomain=c.pacer_subdomain, name=c.name, kind=c.kind,
                     doc_id_prefix=c.doc_id_prefix)
            for c in all_courts()
        )
        session.commit()
    with Session(engine) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(CourtRow)) == 205
        assert session.get(CourtRow, "arb").pacer_subdomain == "azb"
        bankruptcy = session.scalar(sa.select(sa.func.count()).where(CourtRow.kind == "bankruptcy"))
        assert bankruptcy == 94
    assert engine.dialect.name == ("sqlite" if database_url.startswith("sqlite") else "postgresql")
    engine.dispose()


def test_plain_postgres_urls_use_psycopg3():
    assert normalize_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalize_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_redis_round_trip(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.delete("pacer:test")
    client.rpush("pacer:test", b'{"court_id": "okwd"}', b'{"court_id": "arb"}')
    assert client.lpop("pacer:test") == b'{"court_id": "okwd"}'
    assert client.llen("pacer:test") == 1
    assert client.info("server")["redis_version"]

"""Crawl runs: one row per crawl, with what it cost and counted (none in a dry run)."""

from __future__ import annotations

from sqlalchemy import update

from pacer_spiders.db.models import CrawlRunRow
from pacer_spiders.db.writes import Store, insert, utcnow


class Runs:
    def __init__(self, store: Store):
        self.store = store

    def start_run(self, spider: str) -> int | None:
        if self.store.dry_run:
            return None
        with self.store.engine.begin() as conn:
            return conn.execute(insert(conn, CrawlRunRow.__table__).values(
                spider=spider, started_at=utcnow(), cost=0.0, pages=0, rejected=0, errors=0
            ).returning(CrawlRunRow.id)).scalar()

    def finish_run(self, run_id: int | None, *, cost: float, pages: int, rejected: int, errors: int,
                   counts: dict, finish_reason: str | None) -> None:
        if run_id is None or self.store.dry_run:
            return
        with self.store.engine.begin() as conn:
            conn.execute(update(CrawlRunRow).where(CrawlRunRow.id == run_id).values(
                finished_at=utcnow(), cost=cost, pages=pages, rejected=rejected, errors=errors,
                counts=counts, finish_reason=finish_reason))

"""The entry counts a refresh last saw at PACER (``refresh_checks``), per docket.

A refresh compares PACER's count (the mobile query) with the one it saw when the archive last held
every entry; the archive's own rows can be fewer (two identical unnumbered entries of one day are
one row), so comparing with them would buy an unchanged docket again and again.
"""

from __future__ import annotations

from sqlalchemy import bindparam, inspect, select

from pacer_spiders.db import make_engine
from pacer_spiders.db.models import RefreshCheckRow
from pacer_spiders.db.writes import utcnow


def recorded_counts(url: str, court_id: str | None = None) -> dict[tuple[str, str], int]:
    engine = make_engine(url)
    if "refresh_checks" not in inspect(engine).get_table_names():
        return {}
    table = RefreshCheckRow.__table__
    query = select(table.c.court_id, table.c.pacer_case_id, table.c.pacer_entry_count)
    if court_id:
        query = query.where(table.c.court_id == court_id)
    with engine.connect() as conn:
        return {(court, case_id): count for court, case_id, count in conn.execute(query)}


def record_counts(url: str, counts: dict[tuple[str, str], int]) -> None:
    """Keep ``(court, case id) -> entry count`` (a newer count replaces an older one).

    Runs as a crawl closes, on the reactor's thread and inside the crawl's time: one statement for
    the new rows and one for the held ones, each run over all its rows (a statement built and
    compiled per docket took 1-2 ms each)."""
    engine = make_engine(url)
    if not counts or "refresh_checks" not in inspect(engine).get_table_names():
        return
    table = RefreshCheckRow.__table__
    now = utcnow()
    with engine.begin() as conn:
        held = {(r.court_id, r.pacer_case_id): r.id for r in conn.execute(
            select(table.c.id, table.c.court_id, table.c.pacer_case_id)
            .where(table.c.court_id.in_(sorted({court_id for court_id, _ in counts}))))}
        changed = [{"row_id": held[key], "pacer_entry_count": count, "checked_at": now}
                   for key, count in counts.items() if key in held]
        added = [{"court_id": court_id, "pacer_case_id": case_id, "pacer_entry_count": count, "checked_at": now}
                 for (court_id, case_id), count in counts.items() if (court_id, case_id) not in held]
        if changed:
            conn.execute(table.update().where(table.c.id == bindparam("row_id")), changed)
        if added:
            conn.execute(table.insert(), added)

"""Values that do not fit their column are refused by name before anything is written.

SQLite stores a 400-digit "document number" in a VARCHAR(32) column without a word; PostgreSQL
refuses it with an error that does not name the column.  Every INSERT and UPDATE of the archive
passes through ``check_row`` (an engine event installed by ``make_engine``), so the two databases
refuse the same values with the same one-line reason, and the transaction writes nothing.
"""

from __future__ import annotations

from scrapy.exceptions import DropItem
from sqlalchemy import Integer, String, event
from sqlalchemy.engine import Engine

# PostgreSQL's INTEGER.
INTEGER_RANGE = (-(2**31), 2**31 - 1)


class ValueDoesNotFit(DropItem, ValueError):
    """A value longer or larger than its column holds; the page it came from is dropped."""


def _shown(value) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "…")


_SIZED: dict = {}  # table -> ({column: VARCHAR length}, {INTEGER columns})


def _sized_columns(table) -> tuple[dict, frozenset]:
    sized = _SIZED.get(table)
    if sized is None:
        lengths = {c.name: c.type.length for c in table.c if isinstance(c.type, String) and c.type.length}
        integers = frozenset(c.name for c in table.c if isinstance(c.type, Integer))
        sized = _SIZED[table] = (lengths, integers)
    return sized


def check_row(table, values: dict) -> None:
    """Raise ValueDoesNotFit, naming each ``table.column``, when values of ``values`` (column name
    -> value) do not fit their columns' declared sizes (VARCHAR length, INTEGER range)."""
    lengths, integers = _sized_columns(table)
    problems = []
    for name, value in values.items():
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, str):
            length = lengths.get(name)
            if length is not None and len(value) > length:
                problems.append(f"{table.name}.{name}: {len(value)} characters where the archive holds at most "
                                f"{length} ({_shown(value)})")
        elif isinstance(value, int) and name in integers:
            if not INTEGER_RANGE[0] <= value <= INTEGER_RANGE[1]:
                problems.append(f"{table.name}.{name}: {_shown(value)} is outside the whole numbers the archive "
                                f"holds ({INTEGER_RANGE[0]} to {INTEGER_RANGE[1]})")
    if problems:
        raise ValueDoesNotFit("; ".join(problems))


def install(engine: Engine) -> None:
    """Check every row an INSERT or UPDATE of ``engine`` would write, before it goes to the database."""

    @event.listens_for(engine, "before_cursor_execute")
    def _check(conn, cursor, statement, parameters, context, executemany):
        compiled = getattr(context, "compiled", None)
        if compiled is None or not (context.isinsert or context.isupdate) or getattr(context, "_limits_checked", False):
            return
        context._limits_checked = True  # once per statement, not once per batch of a bulk insert
        table = compiled.statement.table
        for row in context.compiled_parameters:
            check_row(table, row)

"""SQLAlchemy 2 models of the archive.  The same schema runs on PostgreSQL and SQLite."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class CourtRow(Base):
    """A PACER court, as the court plugins describe it."""

    __tablename__ = "courts"

    court_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pacer_subdomain: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    doc_id_prefix: Mapped[str | None] = mapped_column(String(3))

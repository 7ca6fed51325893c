"""SQLAlchemy 2 models of the archive.  The same schema runs on PostgreSQL and SQLite.

The keys live in the database (unique and partial unique indexes), not only in code, so that
several crawler processes upserting at once can never leave a duplicate row.  The merge rules
that decide what a write changes are in ``pacer_spiders.db.merge_policy``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    # Every model is mapped to a Table (SQLAlchemy types __table__ as any FromClause).
    __table__: ClassVar[Table]


#: A case or document identifier: CM/ECF's digits, or an ACMS GUID (36 characters).
IDENTIFIER_LENGTH = 64


class CourtRow(Base):
    """A PACER court, as the court plugins describe it."""

    __tablename__ = "courts"

    court_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pacer_subdomain: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    doc_id_prefix: Mapped[str | None] = mapped_column(String(3))


class DocketRow(Base):
    """A case at one court.  Keyed by (court, pacer_case_id); by (court, docket_number) until the
    case id is known (two partial unique indexes)."""

    __tablename__ = "dockets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    court_id: Mapped[str] = mapped_column(String(32), index=True)
    pacer_case_id: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))
    docket_number: Mapped[str | None] = mapped_column(String(100))
    case_name: Mapped[str | None] = mapped_column(Text)
    date_filed: Mapped[str | None] = mapped_column(String(10))
    date_terminated: Mapped[str | None] = mapped_column(String(10))
    date_converted: Mapped[str | None] = mapped_column(String(10))
    date_discharged: Mapped[str | None] = mapped_column(String(10))
    date_last_filing: Mapped[str | None] = mapped_column(String(10))
    assigned_to_str: Mapped[str | None] = mapped_column(Text)
    referred_to_str: Mapped[str | None] = mapped_column(Text)
    cause: Mapped[str | None] = mapped_column(Text)
    nature_of_suit: Mapped[str | None] = mapped_column(Text)
    jury_demand: Mapped[str | None] = mapped_column(Text)
    demand: Mapped[str | None] = mapped_column(Text)
    jurisdiction: Mapped[str | None] = mapped_column(Text)
    mdl_status: Mapped[str | None] = mapped_column(Text)
    federal_dn_case_type: Mapped[str | None] = mapped_column(String(16))
    federal_dn_office_code: Mapped[str | None] = mapped_column(String(16))
    federal_dn_judge_initials_assigned: Mapped[str | None] = mapped_column(String(16))
    federal_dn_judge_initials_referred: Mapped[str | None] = mapped_column(String(16))
    federal_defendant_number: Mapped[str | None] = mapped_column(String(16))
    # The newest entry date we hold (filed date of the latest entry).
    last_entry_date: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    __table_args__ = (
        Index(
            "uq_dockets_court_case_id",
            "court_id",
            "pacer_case_id",
            unique=True,
            sqlite_where=text("pacer_case_id IS NOT NULL"),
            postgresql_where=text("pacer_case_id IS NOT NULL"),
        ),
        Index(
            "uq_dockets_court_number_without_case_id",
            "court_id",
            "docket_number",
            unique=True,
            sqlite_where=text("pacer_case_id IS NULL"),
            postgresql_where=text("pacer_case_id IS NULL"),
        ),
        Index("ix_dockets_court_number", "court_id", "docket_number"),
    )


class DocketEntryRow(Base):
    """One line of a docket.  ``entry_key`` is ``n:<document number>`` for numbered entries and
    ``s:<pacer_seq_no>`` or ``t:<date>:<hash of normalized text>[:<n>]`` for unnumbered minute entries
    (the text without a docket's "(Entered: date)", as its notice shows it; ``n``: the second, third ...
    identical one of that day)."""

    __tablename__ = "docket_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_id: Mapped[int] = mapped_column(ForeignKey("dockets.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(String(120))
    document_number: Mapped[str | None] = mapped_column(String(32))
    date_filed: Mapped[str | None] = mapped_column(String(32))
    date_entered: Mapped[str | None] = mapped_column(String(32))
    pacer_doc_id: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))  # an ACMS entry: its GUID
    pacer_seq_no: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    short_description: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("docket_id", "entry_key", name="uq_entries_docket_key"),)


class DocumentRow(Base):
    """A main document (attachment_number NULL) or an attachment of a docket entry.

    Unique by (entry, attachment number), the NULL of a main document handled by two partial
    unique indexes (one main document per entry; one row per attachment number)."""

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_entry_id: Mapped[int] = mapped_column(ForeignKey("docket_entries.id", ondelete="CASCADE"))
    court_id: Mapped[str] = mapped_column(String(32))
    document_number: Mapped[str | None] = mapped_column(String(32))
    attachment_number: Mapped[int | None] = mapped_column(Integer)
    pacer_doc_id: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))
    # ACMS: the document's own GUID (its pacer_doc_id is its entry's GUID)
    acms_document_guid: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))
    pacer_seq_no: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str | None] = mapped_column(Text)
    page_count: Mapped[int | None] = mapped_column(Integer)
    file_size_bytes: Mapped[int | None] = mapped_column(Integer)
    file_size_str: Mapped[str | None] = mapped_column(String(32))
    is_sealed: Mapped[bool | None] = mapped_column(Boolean)
    sha1: Mapped[str | None] = mapped_column(String(40), index=True)
    filepath: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index(
            "uq_documents_main",
            "docket_entry_id",
            unique=True,
            sqlite_where=text("attachment_number IS NULL"),
            postgresql_where=text("attachment_number IS NULL"),
        ),
        Index(
            "uq_documents_attachment",
            "docket_entry_id",
            "attachment_number",
            unique=True,
            sqlite_where=text("attachment_number IS NOT NULL"),
            postgresql_where=text("attachment_number IS NOT NULL"),
        ),
        Index("ix_documents_court_doc_id", "court_id", "pacer_doc_id"),
        Index("ix_documents_court_acms_guid", "court_id", "acms_document_guid"),
    )


class PartyRow(Base):
    """A party of a docket; unique by normalized name and type.  Terminated parties stay."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_id: Mapped[int] = mapped_column(ForeignKey("dockets.id", ondelete="CASCADE"))
    name_key: Mapped[str] = mapped_column(String(300))
    type: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    extra_info: Mapped[str | None] = mapped_column(Text)
    date_terminated: Mapped[str | None] = mapped_column(String(10))
    criminal_data: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (UniqueConstraint("docket_id", "name_key", "type", name="uq_parties_docket_name_type"),)


class AttorneyRow(Base):
    """An attorney of a docket, de-duplicated by normalized name within the docket."""

    __tablename__ = "attorneys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_id: Mapped[int] = mapped_column(ForeignKey("dockets.id", ondelete="CASCADE"))
    name_key: Mapped[str] = mapped_column(String(300))
    name: Mapped[str] = mapped_column(Text)
    contact: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("docket_id", "name_key", name="uq_attorneys_docket_name"),)


class PartyAttorneyRow(Base):
    """Which attorney represents which party, in which roles."""

    __tablename__ = "party_attorneys"

    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True)
    attorney_id: Mapped[int] = mapped_column(ForeignKey("attorneys.id", ondelete="CASCADE"), primary_key=True)
    roles: Mapped[list | None] = mapped_column(JSON)


class DocketUpdateRow(Base):
    """One change of a docket (what ``export updated`` lists): counts and changed fields."""

    __tablename__ = "docket_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_id: Mapped[int] = mapped_column(ForeignKey("dockets.id", ondelete="CASCADE"), index=True)
    changed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    summary: Mapped[dict] = mapped_column(JSON)


class RawPageRow(Base):
    """A page as PACER sent it, kept content-addressed (sha1) in the source store."""

    __tablename__ = "raw_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha1: Mapped[str] = mapped_column(String(40))
    court_id: Mapped[str | None] = mapped_column(String(32))
    report_type: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(100))
    context: Mapped[dict | None] = mapped_column(JSON)
    path: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[float | None] = mapped_column(Float)
    fetched_at: Mapped[str | None] = mapped_column(String(40))
    docket_id: Mapped[int | None] = mapped_column(ForeignKey("dockets.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("sha1", "court_id", "report_type", name="uq_raw_pages_content"),)


class RejectedPageRow(Base):
    """A page the validate pipeline refused, with its one-line reason; its raw page is kept."""

    __tablename__ = "rejected_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha1: Mapped[str] = mapped_column(String(40))
    court_id: Mapped[str | None] = mapped_column(String(32))
    report_type: Mapped[str] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    source_path: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("sha1", "court_id", "report_type", "kind", name="uq_rejected_pages"),)


class OrphanDocumentRow(Base):
    """A PDF or attachment page whose docket or entry we do not hold yet.  Retried with backoff
    and joined when the docket arrives (court plus normalized pacer_doc_id, or an ACMS document GUID)."""

    __tablename__ = "orphan_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    court_id: Mapped[str] = mapped_column(String(32))
    report_type: Mapped[str] = mapped_column(String(32))  # pdf | attachment_page
    pacer_doc_id: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))
    pacer_case_id: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))
    acms_document_guid: Mapped[str | None] = mapped_column(String(IDENTIFIER_LENGTH))
    document_number: Mapped[str | None] = mapped_column(String(32))
    attachment_number: Mapped[int | None] = mapped_column(Integer)
    sha1: Mapped[str] = mapped_column(String(40))
    source_path: Mapped[str | None] = mapped_column(Text)
    parsed: Mapped[dict | None] = mapped_column(JSON)
    context: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    joined_at: Mapped[datetime | None] = mapped_column(DateTime)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id", ondelete="SET NULL"))

    __table_args__ = (
        UniqueConstraint("court_id", "report_type", "sha1", name="uq_orphans_content"),
        Index("ix_orphans_court_doc_id", "court_id", "pacer_doc_id"),
        Index("ix_orphans_court_acms_guid", "court_id", "acms_document_guid"),
    )


class CrawlRunRow(Base):
    """One crawl (or ingest): what it cost, what it wrote, what went wrong."""

    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    spider: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    cost: Mapped[float] = mapped_column(Float, default=0.0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict | None] = mapped_column(JSON)
    finish_reason: Mapped[str | None] = mapped_column(String(100))
class ClaimRow(Base):
    """A proof of claim in a bankruptcy case, as its claims register (or a claims activity report)
    shows it; unique by claim number within the docket."""

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_id: Mapped[int] = mapped_column(ForeignKey("dockets.id", ondelete="CASCADE"))
    claim_number: Mapped[str] = mapped_column(String(32))
    creditor_id: Mapped[str | None] = mapped_column(String(32))
    creditor_details: Mapped[str | None] = mapped_column(Text)
    amounts: Mapped[dict | None] = mapped_column(JSON)  # {"amount_claimed": "$45000.00", "secured_claimed": ...}
    status: Mapped[str | None] = mapped_column(Text)
    filed_by: Mapped[str | None] = mapped_column(Text)
    entered_by: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    remarks: Mapped[str | None] = mapped_column(Text)
    date_original_filed: Mapped[str | None] = mapped_column(String(10))
    date_original_entered: Mapped[str | None] = mapped_column(String(10))
    date_last_amendment_filed: Mapped[str | None] = mapped_column(String(10))
    date_last_amendment_entered: Mapped[str | None] = mapped_column(String(10))
    date_modified: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("docket_id", "claim_number", name="uq_claims_docket_number"),)


class ClaimHistoryRow(Base):
    """One line of a claim's history: a version of the claim (``claim:<claim id>``) or a docket
    entry about it (``entry:<dm id>``)."""

    __tablename__ = "claim_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    history_key: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))  # claim | docket_entry
    pacer_claim_id: Mapped[str | None] = mapped_column(String(32))
    pacer_dm_id: Mapped[str | None] = mapped_column(String(32))
    pacer_seq_no: Mapped[str | None] = mapped_column(String(32))
    document_number: Mapped[int | None] = mapped_column(Integer)
    attachment_number: Mapped[int | None] = mapped_column(Integer)  # the claim's version (claim_num 2-<n>)
    date_filed: Mapped[str | None] = mapped_column(String(10))
    description: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[list | None] = mapped_column(JSON)  # a version's attachments (claims activity)
    # What a claims activity report says of the version, in its own forms (its creditor on one line,
    # "Creditor" for the register's "CR"...): kept apart from the register's values of the claim.
    details: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("claim_id", "history_key", name="uq_claim_history_key"),)


class CreditorRow(Base):
    """A creditor of a bankruptcy case (its list of creditors); unique by normalized name and
    address within the docket."""

    __tablename__ = "creditors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    docket_id: Mapped[int] = mapped_column(ForeignKey("dockets.id", ondelete="CASCADE"))
    creditor_key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    number: Mapped[int | None] = mapped_column(Integer)  # its line in the latest matrix
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (UniqueConstraint("docket_id", "creditor_key", name="uq_creditors_docket_key"),)


from pacer_spiders.db import work_requests as _work_requests  # noqa: E402,F401  (the work_requests table of distributed crawls)
from pacer_spiders.service import models as _service_models  # noqa: E402,F401  (the tables of the HTTP service)
from pacer_spiders.db import appellate as _appellate  # noqa: E402,F401  (the appellate_cases table of appellate dockets)
from pacer_spiders.db import free_looks as _free_looks  # noqa: E402,F401  (the free_looks table of NEF/NDA notices)


class RefreshCheckRow(Base):
    """What PACER's mobile query last counted for one of our dockets, once the archive held those
    entries: a refresh compares the next count with it (the archive's own rows may be fewer, as two
    identical unnumbered entries of a day are one row)."""

    __tablename__ = "refresh_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    court_id: Mapped[str] = mapped_column(String(32))
    pacer_case_id: Mapped[str] = mapped_column(String(IDENTIFIER_LENGTH))
    pacer_entry_count: Mapped[int] = mapped_column(Integer)
    checked_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("uq_refresh_checks_case", "court_id", "pacer_case_id", unique=True),)


class ReceiptRow(Base):
    """One charge PACER billed (a page's receipt, or its estimate when the answer broke off), with
    the account's login: what fee budgets and ``pacer-spiders costs`` add up."""

    __tablename__ = "receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    billed_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    account: Mapped[str | None] = mapped_column(String(100), index=True)
    court_id: Mapped[str | None] = mapped_column(String(32))
    report_type: Mapped[str] = mapped_column(String(32))
    pages: Mapped[int | None] = mapped_column(Integer)
    cost: Mapped[float] = mapped_column(Float)
    url: Mapped[str | None] = mapped_column(Text)

"""Reading the archive back: cases updated on a day, one whole case, a case's newest raw page."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pacer_spiders.db.appellate import appellate_case_of
from pacer_spiders.db.models import (
    AttorneyRow,
    ClaimHistoryRow,
    ClaimRow,
    CreditorRow,
    DocketEntryRow,
    DocketRow,
    DocketUpdateRow,
    DocumentRow,
    PartyAttorneyRow,
    PartyRow,
    RawPageRow,
)

UPDATED_FIELDS = ("case_id", "court_id", "docket_number", "pacer_case_id", "case_name", "date_filed",
                  "last_entry_date", "changes")


def updated_on(engine, day: date) -> list[dict]:
    """Cases changed on ``day`` (UTC), with what changed (counts added up, changed fields)."""
    start = datetime.combine(day, datetime.min.time())
    query = (select(DocketRow, DocketUpdateRow.summary).join(DocketUpdateRow, DocketUpdateRow.docket_id == DocketRow.id)
             .where(DocketUpdateRow.changed_at >= start, DocketUpdateRow.changed_at < start + timedelta(days=1))
             .order_by(DocketRow.id, DocketUpdateRow.id))
    cases: dict[int, dict] = {}
    with Session(engine) as session:
        for docket, summary in session.execute(query):
            case = cases.setdefault(docket.id, {
                "case_id": docket.id, "court_id": docket.court_id, "docket_number": docket.docket_number,
                "pacer_case_id": docket.pacer_case_id, "case_name": docket.case_name,
                "date_filed": docket.date_filed, "last_entry_date": docket.last_entry_date,
                "_counts": {}, "_fields": set()})
            for key, value in (summary or {}).items():
                if key == "fields":
                    case["_fields"].update(value)
                elif isinstance(value, int):
                    case["_counts"][key] = case["_counts"].get(key, 0) + value
    rows = []
    for case in cases.values():
        parts = [f"{k}={v}" for k, v in sorted(case.pop("_counts").items())]
        fields = sorted(case.pop("_fields"))
        if fields:
            parts.append("fields=" + ",".join(fields))
        case["changes"] = "; ".join(parts)
        rows.append(case)
    return rows


def _plain(row, skip=()) -> dict:
    return {c.name: getattr(row, c.name) for c in row.__table__.columns if c.name not in skip}


def case_json(engine, case_id: int) -> dict:
    """One case in the reference JSON shape (parties with attorneys, entries with documents)."""
    with engine.connect() as conn:
        docket = conn.execute(select(DocketRow).where(DocketRow.id == case_id)).scalar_one_or_none()
        if docket is None:
            raise LookupError(f"no case {case_id}")
    with Session(engine) as session:
        docket = session.get(DocketRow, case_id)
        if docket is None:  # removed since the check above
            raise LookupError(f"no case {case_id}")
        out = _plain(docket, skip=("id", "created_at", "updated_at"))
        out["case_id"] = docket.id
        out["updated_at"] = docket.updated_at.isoformat()
        out.update(appellate_case_of(session.connection(), case_id) or {})  # an appeal's own fields
        parties = session.scalars(select(PartyRow).where(PartyRow.docket_id == case_id).order_by(PartyRow.id)).all()
        links = session.execute(select(PartyAttorneyRow, AttorneyRow).join(
            AttorneyRow, AttorneyRow.id == PartyAttorneyRow.attorney_id).where(AttorneyRow.docket_id == case_id)
            .order_by(AttorneyRow.id)).all()
        out["parties"] = []
        for party in parties:
            item = _plain(party, skip=("id", "docket_id", "name_key"))
            item["attorneys"] = [{"name": a.name, "contact": a.contact, "roles": link.roles or []}
                                 for link, a in links if link.party_id == party.id]
            out["parties"].append(item)
        entries = session.scalars(select(DocketEntryRow).where(DocketEntryRow.docket_id == case_id)
                                  .order_by(DocketEntryRow.date_filed, DocketEntryRow.id)).all()
        documents = session.scalars(select(DocumentRow).join(DocketEntryRow).where(
            DocketEntryRow.docket_id == case_id).order_by(DocumentRow.attachment_number)).all()
        by_entry: dict[int, list] = {}
        for document in documents:
            by_entry.setdefault(document.docket_entry_id, []).append(
                _plain(document, skip=("id", "docket_entry_id", "created_at", "updated_at")))
        out["docket_entries"] = []
        for entry in entries:
            item = _plain(entry, skip=("id", "docket_id", "entry_key", "created_at", "updated_at"))
            item["documents"] = by_entry.get(entry.id, [])
            item["attachments"] = [d for d in item["documents"] if d["attachment_number"] is not None]
            out["docket_entries"].append(item)
        out["claims"] = _claims(session, case_id)
        out["creditors"] = [_plain(c, skip=("id", "docket_id", "creditor_key", "created_at", "updated_at"))
                            for c in session.scalars(select(CreditorRow).where(CreditorRow.docket_id == case_id)
                                                     .order_by(CreditorRow.number, CreditorRow.id))]
    return out


def _claims(session, case_id: int) -> list[dict]:
    """A bankruptcy case's claims, by claim number, each with its history by date."""
    claims = session.scalars(select(ClaimRow).where(ClaimRow.docket_id == case_id)).all()
    lines = session.scalars(select(ClaimHistoryRow).join(ClaimRow).where(ClaimRow.docket_id == case_id)
                            .order_by(ClaimHistoryRow.date_filed, ClaimHistoryRow.id)).all()
    history: dict[int, list] = {}
    for line in lines:
        history.setdefault(line.claim_id, []).append(
            _plain(line, skip=("id", "claim_id", "history_key", "created_at", "updated_at")))
    out = []
    for claim in sorted(claims, key=lambda c: (int(c.claim_number) if c.claim_number.isdigit() else 1 << 30,
                                               c.claim_number)):
        item = _plain(claim, skip=("id", "docket_id", "created_at", "updated_at"))
        item["history"] = history.get(claim.id, [])
        out.append(item)
    return out


def newest_source(engine, case_id: int, report_type: str = "docket") -> dict | None:
    """The newest raw page of ``report_type`` merged into a case."""
    with engine.connect() as conn:
        row = conn.execute(select(RawPageRow).where(RawPageRow.docket_id == case_id,
                                                    RawPageRow.report_type == report_type)
                           .order_by(RawPageRow.created_at.desc(), RawPageRow.id.desc()).limit(1)).mappings().first()
        return dict(row) if row else None

"""Documents of docket entries: from docket pages, attachment menus and PDFs, and their stored files.

A PDF or an attachment menu belongs to an entry found by document id, else by (case id, document
number); while that entry is unknown it waits as an orphan (``orphans.py``).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from pacer_spiders.db.merge_policy import DOCUMENT_FILES, DOCUMENTS, as_int, as_doc_id, as_text
from pacer_spiders.db.models import DocketEntryRow, DocketRow, DocketUpdateRow, DocumentRow
from pacer_spiders.db.writes import MergeResult, Store, insert, lock_docket_row, merge_rows, statement, utcnow, write


#: a document to merge: (entry id, page values, attachment number or None for the main document)
DocumentSource = tuple[int, dict, int | None]


def merge_documents(conn, court_id, docs: list[DocumentSource], result: MergeResult, new: bool = False) -> None:
    """Merge documents given as (entry id, page values, attachment number); ``new``: their entries
    were all made by this transaction (no document is held)."""
    if not docs:
        return
    table = DocumentRow.__table__
    entry_ids = sorted({d[0] for d in docs})
    held = {}
    held_stmt = statement(conn, ("documents_of_entries",), lambda: select(table).where(
        table.c.docket_entry_id.in_(bindparam("entry_ids", expanding=True))))
    for chunk in range(0, 0 if new else len(entry_ids), 500):
        for r in conn.execute(held_stmt, {"entry_ids": entry_ids[chunk:chunk + 500]}).mappings():
            held[(r["docket_entry_id"], r["attachment_number"])] = r
    incoming: dict[tuple[int, int | None], dict] = {}
    for entry_id, raw, attachment_number in docs:
        DOCUMENTS.fold(incoming, (entry_id, attachment_number), DOCUMENTS.read(raw, court_id))
    for attached, where, elements in (
        (False, table.c.attachment_number.is_(None), ["docket_entry_id"]),
        (True, table.c.attachment_number.isnot(None), ["docket_entry_id", "attachment_number"]),
    ):
        part = {key: values for key, values in incoming.items() if (key[1] is not None) == attached}
        merge_rows(conn, table, DOCUMENTS, "documents", held, part,
                   lambda key: {"docket_entry_id": key[0], "court_id": court_id, "attachment_number": key[1]},
                   (elements, where), result)


def find_entry(conn, court_id, pacer_doc_id=None, pacer_case_id=None, document_number=None,
               acms_document_guid=None):
    """(docket row, entry id) of the entry an ACMS document GUID, a document id or (case id,
    number) names, or None."""
    dt, et, doc = DocketRow.__table__, DocketEntryRow.__table__, DocumentRow.__table__
    guid = as_text(acms_document_guid)
    if guid:
        row = conn.execute(
            select(doc.c.docket_entry_id, doc.c.attachment_number, dt.c.id, dt.c.docket_number, dt.c.pacer_case_id)
            .join(et, et.c.id == doc.c.docket_entry_id).join(dt, dt.c.id == et.c.docket_id)
            .where(doc.c.court_id == court_id, doc.c.acms_document_guid == guid)).mappings().first()
        if row is not None:
            return dict(row)
    pacer_doc_id = as_doc_id(pacer_doc_id, court_id)
    if pacer_doc_id:
        row = conn.execute(
            select(doc.c.docket_entry_id, doc.c.attachment_number, dt.c.id, dt.c.docket_number, dt.c.pacer_case_id)
            .join(et, et.c.id == doc.c.docket_entry_id).join(dt, dt.c.id == et.c.docket_id)
            .where(doc.c.court_id == court_id, doc.c.pacer_doc_id == pacer_doc_id)
            .order_by(doc.c.attachment_number.isnot(None))).mappings().first()
        if row is not None:
            return dict(row)
        row = conn.execute(
            select(et.c.id.label("docket_entry_id"), dt.c.id, dt.c.docket_number, dt.c.pacer_case_id)
            .join(dt, dt.c.id == et.c.docket_id)
            .where(dt.c.court_id == court_id, et.c.pacer_doc_id == pacer_doc_id)).mappings().first()
        if row is not None:
            return dict(row, attachment_number=None)
    number = as_text(document_number)
    if pacer_case_id and number:
        row = conn.execute(
            select(et.c.id.label("docket_entry_id"), dt.c.id, dt.c.docket_number, dt.c.pacer_case_id)
            .join(dt, dt.c.id == et.c.docket_id)
            .where(dt.c.court_id == court_id, dt.c.pacer_case_id == as_text(pacer_case_id),
                   et.c.entry_key == f"n:{number}")).mappings().first()
        if row is not None:
            return dict(row, attachment_number=None)
    return None


class Documents:
    """Attachment menus, PDFs and stored files."""

    def __init__(self, store: Store):
        self.store = store

    def locate(self, court_id, context: dict, parsed: dict | None = None):
        """Where a PDF or attachment page belongs, or None while its docket or entry is unknown."""
        parsed = parsed or {}
        with self.store.engine.connect() as conn:
            return find_entry(conn, court_id,
                              pacer_doc_id=context.get("pacer_doc_id") or parsed.get("pacer_doc_id"),
                              pacer_case_id=context.get("pacer_case_id") or parsed.get("pacer_case_id"),
                              document_number=context.get("document_number") or parsed.get("document_number")
                              or parsed.get("entry_number"),
                              acms_document_guid=context.get("acms_document_guid")
                              or parsed.get("acms_document_guid"))

    def merge_attachment_page(self, court_id, parsed: dict, context: dict | None = None) -> MergeResult | None:
        """Merge an attachment menu into its entry; None when the entry is unknown (an orphan)."""
        context = context or {}
        result = MergeResult()
        located = self.locate(court_id, context, parsed)
        if located is None:
            return None
        with self.store.transaction() as conn:
            lock_docket_row(conn, located["id"])
            entry_id = located["docket_entry_id"]
            result.docket_id = located["id"]
            number = as_text(parsed.get("document_number")) or as_text(context.get("document_number"))
            # The menu's description is of the whole filing: the entry's text is the one we keep.
            main = {f: parsed.get(f) for f in DOCUMENTS.fields if f in parsed and f != "description"}
            main["document_number"] = number
            docs: list[DocumentSource] = [(entry_id, main, None)]
            for att in parsed.get("attachments") or []:
                att_number = as_int(att.get("attachment_number"))
                if att_number is not None:
                    docs.append((entry_id, dict(att, document_number=number), att_number))
            merge_documents(conn, court_id, docs, result)
            if result.counts["documents_added"] or result.counts["documents_changed"]:
                now = utcnow()
                write(conn, update(DocketRow).where(DocketRow.id == located["id"]).values(updated_at=now),
                      result, count=False)
                result.changes = {k: v for k, v in result.counts.items() if v and k.startswith("documents_")
                                  and not k.endswith("unchanged")}
                write(conn, insert(conn, DocketUpdateRow.__table__).values(
                    docket_id=located["id"], changed_at=now, summary=result.changes), result)
        return result

    def document_for_pdf(self, court_id, context: dict) -> MergeResult | None:
        """The document row a PDF is for (made when its entry is known); None when unknown."""
        located = self.locate(court_id, context)
        if located is None:
            return None
        result = MergeResult(docket_id=located["id"])
        attachment_number = as_int(context.get("attachment_number"))
        if located.get("attachment_number") is not None and attachment_number is None:
            attachment_number = located["attachment_number"]
        with self.store.transaction() as conn:
            lock_docket_row(conn, located["id"])
            doc, et = DocumentRow.__table__, DocketEntryRow.__table__
            entry = conn.execute(select(et).where(et.c.id == located["docket_entry_id"])).mappings().one()
            values = {"document_number": entry["document_number"]}
            for key in ("pacer_doc_id", "acms_document_guid"):
                if context.get(key):
                    values[key] = context[key]
            merge_documents(conn, court_id, [(entry["id"], values, attachment_number)], result)
            cond = (doc.c.attachment_number == attachment_number) if attachment_number is not None \
                else doc.c.attachment_number.is_(None)
            row = conn.execute(select(doc).where(doc.c.docket_entry_id == entry["id"], cond)).mappings().one()
            result.document = dict(row, pacer_case_id=located["pacer_case_id"])
        return result

    def record_file(self, document_id: int, sha1: str, filepath: str, page_count: int | None) -> MergeResult:
        """Record a stored PDF on its document row (nothing written when already recorded)."""
        result = MergeResult()
        with self.store.transaction() as conn:
            row = conn.execute(select(DocumentRow.__table__).where(DocumentRow.id == document_id)).mappings().one()
            changes = DOCUMENT_FILES.changes(row, DOCUMENT_FILES.read(
                {"sha1": sha1, "filepath": filepath, "page_count": page_count}))
            if changes:
                write(conn, update(DocumentRow).where(DocumentRow.id == document_id).values(
                    **changes, updated_at=utcnow()), result)
                result.counts["files_added"] += 1
            else:
                result.counts["files_unchanged"] += 1
        return result

    def file_with_sha1(self, sha1: str) -> str | None:
        """The stored path of a PDF with these bytes, if we hold one already."""
        with self.store.engine.connect() as conn:
            return conn.execute(select(DocumentRow.filepath).where(
                DocumentRow.sha1 == sha1, DocumentRow.filepath.isnot(None)).limit(1)).scalar()

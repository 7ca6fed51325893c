"""Stage 6: PDFs through Scrapy's FilesPipeline store (a folder, s3://, gs://, ftp://).

The spider already downloaded the PDF (a RawPage of report_type ``pdf`` carries its bytes), so
nothing is downloaded again: the bytes go straight to the pipeline's store under
``gov.uscourts.<court>.<pacer_case_id>.<document>.<attachment>.pdf`` (attachment 0 for a main
document), with their sha1 and page count recorded on the document row.  Bytes whose sha1 we
already hold are not stored a second time.  Sealed documents are never stored.
"""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

from scrapy.pipelines.files import FilesPipeline, FSFilesStore

from pacer_spiders.db.archive import Archive
from pacer_spiders.pipelines.base import ArchiveStage, logger, sha1_of
from pacer_spiders.reports.pdf import PDF_MAGIC, pdf_page_count

def pdf_name(document: dict) -> str:
    attachment = document.get("attachment_number") or 0
    parts = ["gov", "uscourts", document["court_id"], document.get("pacer_case_id") or "unknown",
             document.get("document_number") or "0", str(attachment)]
    return ".".join(re.sub(r"[^A-Za-z0-9_-]", "_", str(p)) for p in parts) + ".pdf"


class PdfWriter:
    """Stores a PDF for a document row through a FilesPipeline store and records it."""

    def __init__(self, store, archive: Archive, stats, dry_run: bool = False, settings=None):
        self.store, self.archive, self.stats, self.dry_run = store, archive, stats, dry_run
        self.settings = settings  # where orphan PDFs kept in SOURCE_STORE are read back from

    def write(self, document: dict, body: bytes):
        if document.get("is_sealed"):
            self.stats.inc_value("files/sealed_not_stored")
            logger.info("not storing sealed document %s", pdf_name(document))
            return None
        if not body.startswith(PDF_MAGIC):
            raise ValueError("not a PDF")
        sha1 = sha1_of(body)
        if self.dry_run:
            self.stats.inc_value("archive/files_added")
            return None
        path = self.archive.file_with_sha1(sha1)
        result = None
        if path is None:
            path = "pdf/" + pdf_name(document)
            result = self.store.persist_file(path, BytesIO(body), info=None, meta=None,
                                             headers={"Content-Type": "application/pdf"})
            self.stats.inc_value("files/stored")
        else:
            self.stats.inc_value("files/deduplicated")
        counts = self.archive.record_file(document["id"], sha1, path, pdf_page_count(body)).counts
        for key, value in counts.items():
            self.stats.inc_value(f"archive/{key}", value)
        return result  # a Deferred for remote stores, None for a folder


class FolderFilesStore(FSFilesStore):
    """Scrapy's folder store, creating its folders safely when several processes start at once.

    Scrapy checks that a folder is missing, then creates it: a second crawl process creating the
    same folder between the two steps failed with FileExistsError (the workers of
    tests/test_archive_concurrency.py open one new FILES_STORE at the same moment; a loaded
    machine widens the gap).  Each folder is made here first, race-free, so Scrapy finds it there.
    """

    def __init__(self, basedir):
        basedir = str(basedir)
        Path(basedir.split("://", 1)[1] if "://" in basedir else basedir).mkdir(parents=True, exist_ok=True)
        super().__init__(basedir)

    def persist_file(self, path, buf, info, meta=None, headers=None):
        (Path(self.basedir) / path).parent.mkdir(parents=True, exist_ok=True)
        return super().persist_file(path, buf, info, meta=meta, headers=headers)


def files_store(settings):
    """The store FilesPipeline would use for FILES_STORE (credentials read from the settings)."""
    uri = settings.get("FILES_STORE") or "./pacer_files"
    # No public way to give the s3/gs/ftp store classes their credentials without a crawler:
    # tests/test_scrapy_api.py fails on a Scrapy without this class method.
    FilesPipeline._update_stores(settings)
    scheme = "file" if Path(uri).is_absolute() or "://" not in uri else uri.split("://", 1)[0]
    return PdfFilesPipeline.STORE_SCHEMES[scheme](uri)


class PdfFilesPipeline(FilesPipeline):
    """FilesPipeline whose files come from the RawPage body instead of a second download."""

    STORE_SCHEMES = {**FilesPipeline.STORE_SCHEMES, "": FolderFilesStore, "file": FolderFilesStore}
    stage: ArchiveStage  # set by from_crawler

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = super().from_crawler(crawler)  # the store, configured from the settings
        pipeline.stage = ArchiveStage(crawler.settings, crawler.stats)
        return pipeline

    def open_spider(self, spider=None):
        pass  # nothing to download, so no per-spider download state

    def file_path(self, request=None, response=None, info=None, *, item=None):
        return "pdf/" + pdf_name(item["document"])

    def process_item(self, item, spider=None):
        if item.get("report_type") != "pdf" or not item.get("document") or item.get("orphan_id"):
            return item
        writer = PdfWriter(self.store, self.stage.archive, self.stage.stats, self.stage.dry_run, self.stage.settings)
        stored = writer.write(item["document"], item.get("body") or b"")
        if not item["document"].get("is_sealed"):
            item["filepath"] = self.stage.archive.file_with_sha1(sha1_of(item.get("body") or b"")) \
                if not self.stage.dry_run else None
        if stored is not None and hasattr(stored, "addCallback"):
            stored.addCallback(lambda _: item)
            return stored
        return item

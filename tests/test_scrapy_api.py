"""Scrapy names the project relies on that Scrapy does not document as public API.

Where no public way exists, a name is used anyway and tested here, so that a Scrapy upgrade
that removes it fails this file instead of a crawl; and the scrapy requirement of pyproject.toml
stops at the newest version these tests passed with.
"""

from __future__ import annotations

import inspect
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version
from scrapy.core.downloader import Downloader
from scrapy.core.downloader.handlers import DownloadHandlers
from scrapy.core.engine import ExecutionEngine
from scrapy.core.scraper import Scraper, Slot
from scrapy.pipelines.files import FilesPipeline, S3FilesStore
from scrapy.settings import Settings

import scrapy
from pacer_spiders.pipelines.files import files_store

ROOT = Path(__file__).resolve().parents[1]


def test_files_store_credentials_come_from_filespipeline_update_stores():
    # pipelines/files.py files_store(): the orphans sweep opens the PDF store without a crawler,
    # and only this private class method gives the s3/gs/ftp stores their credentials.
    assert callable(getattr(FilesPipeline, "_update_stores", None)), "FilesPipeline._update_stores is gone"
    store = files_store(Settings({"FILES_STORE": "s3://pacer-bucket/pdfs", "AWS_ACCESS_KEY_ID": "key-id",
                                  "AWS_SECRET_ACCESS_KEY": "secret", "AWS_ENDPOINT_URL": "http://127.0.0.1:9"}))
    assert isinstance(store, S3FilesStore)
    assert (store.AWS_ACCESS_KEY_ID, store.AWS_SECRET_ACCESS_KEY) == ("key-id", "secret")
    assert (store.bucket, store.prefix) == ("pacer-bucket", "pdfs")


def test_engine_parts_read_by_the_cassettes_closing_check_exist():
    # cassettes.crawl_is_closing(): engine.needs_backout() (public) told apart from a full
    # downloader or scraper through their own needs_backout() and the scraper's ``slot``.
    for owner in (ExecutionEngine, Downloader, Slot):
        assert callable(getattr(owner, "needs_backout", None)), f"{owner.__name__}.needs_backout is gone"
    assert "self.slot" in inspect.getsource(Scraper.__init__), "Scraper.slot is gone"


def test_download_handlers_reached_by_the_logout_exist():
    # login.py sends the logout at the end of a crawl straight to engine.downloader.handlers
    # (the downloader is closing); cassettes.CassetteDownloadHandler sees it there.
    assert "self.handlers" in inspect.getsource(Downloader.__init__), "Downloader.handlers is gone"
    assert inspect.iscoroutinefunction(DownloadHandlers.download_request_async)


def test_scrapy_requirement_stops_at_the_newest_tested_version():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    requirement = next(Requirement(d) for d in dependencies if Requirement(d).name.lower() == "scrapy")
    installed = Version(scrapy.__version__)
    upper = [s for s in requirement.specifier if s.operator in ("<", "<=", "~=", "==")]
    assert upper, f"pyproject.toml: {requirement} has no upper bound"
    assert requirement.specifier.contains(installed), f"{requirement} does not admit the tested Scrapy {installed}"
    next_minor = Version(f"{installed.major}.{installed.minor + 1}")
    assert not requirement.specifier.contains(next_minor), (
        f"{requirement} admits Scrapy {next_minor}, newer than the tested {installed}")

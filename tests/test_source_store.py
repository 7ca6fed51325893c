"""Raw pages kept in an s3:// object store (a real S3-compatible server on loopback: moto's server mode)."""

from __future__ import annotations

import hashlib
import importlib
import socket
import sys
import urllib.request
from urllib.parse import parse_qs, urlsplit

import pytest

from pacer_spiders.cli import main
from pipeline_support import docket, entry, pdf_bytes

COURT = "cand"
DOCKET = docket(entries=[entry(1, "COMPLAINT", doc_id="03501234567")])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def environment(monkeypatch):
    """Set environment variables; pacer_spiders.settings reads them on import, so it is read again."""
    import pacer_spiders.settings

    def configure(**env):
        for name, value in env.items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)
        importlib.reload(pacer_spiders.settings)

    yield configure
    monkeypatch.undo()
    importlib.reload(pacer_spiders.settings)


@pytest.fixture(scope="module")
def s3_endpoint():
    pytest.importorskip("botocore")
    moto_server = pytest.importorskip("moto.server")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3_store(s3_endpoint, environment, tmp_path):
    """A fresh bucket; SOURCE_STORE unset and FILES_STORE an s3:// URL, so raw pages go to <FILES_STORE>/raw."""
    import botocore.session

    bucket = "pacer-" + tmp_path.name.lower().replace("_", "-")[-40:]
    botocore.session.get_session().create_client(
        "s3", region_name="us-east-1", endpoint_url=s3_endpoint, aws_access_key_id="testing",
        aws_secret_access_key="testing").create_bucket(Bucket=bucket)
    environment(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_REGION_NAME="us-east-1",
                AWS_ENDPOINT_URL=s3_endpoint, SOURCE_STORE=None, FILES_STORE=f"s3://{bucket}/archive")
    return bucket


def _ingest(tmp_path, database_url, body: bytes, *args) -> int:
    saved = tmp_path / f"saved-{hashlib.sha1(body).hexdigest()[:8]}"
    saved.write_bytes(body)
    return main(["ingest", str(saved), "--court", COURT, "--database-url", database_url, *args])


def test_source_prints_a_signed_url_for_a_page_kept_in_s3(s3_store, pages, tmp_path, capsys):
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    body = pages.page(COURT, "docket", DOCKET)["body"]
    assert _ingest(tmp_path, database_url, body, "--type", "docket", "--pacer-case-id", "100") == 0
    capsys.readouterr()
    # The raw page went to the bucket, not to a local folder named after the URL.
    assert not (tmp_path / "s3:").exists()

    assert main(["source", "1", "--database-url", database_url]) == 0
    url = capsys.readouterr().out.strip()
    split = urlsplit(url)
    sha1 = hashlib.sha1(body).hexdigest()
    assert split.scheme == "http" and split.path == f"/{s3_store}/archive/raw/{sha1[:2]}/{sha1}.html"
    assert parse_qs(split.query)["X-Amz-Expires"] == ["3600"]
    with urllib.request.urlopen(url, timeout=30) as answer:
        assert answer.read() == body
    # The signature is what grants access: the same object without it is refused.
    with pytest.raises(urllib.request.HTTPError):
        urllib.request.urlopen(f"{split.scheme}://{split.netloc}{split.path}", timeout=30)


def test_orphan_pdf_kept_in_s3_joins_its_docket(s3_store, environment, pages, tmp_path, capsys):
    """An orphan's PDF is read back from the bucket when its docket arrives."""
    environment(FILES_STORE=str(tmp_path / "files"), SOURCE_STORE=f"s3://{s3_store}")
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    pdf = pdf_bytes(2, "orphan")
    assert _ingest(tmp_path, database_url, pdf, "--type", "pdf", "--pacer-doc-id", "03501234567") == 0
    assert '"orphans": 1' in capsys.readouterr().out
    body = pages.page(COURT, "docket", DOCKET)["body"]
    assert _ingest(tmp_path, database_url, body, "--type", "docket", "--pacer-case-id", "100") == 0
    capsys.readouterr()
    stored = list((tmp_path / "files").rglob("*.pdf"))
    assert [path.read_bytes() for path in stored] == [pdf]


def test_s3_store_without_botocore_is_one_clear_line(s3_store, environment, pages, tmp_path, monkeypatch, capsys):
    from pacer_spiders import source_store

    # PDFs to a folder (Scrapy's S3 files store has its own message); raw pages to the bucket.
    environment(FILES_STORE=str(tmp_path / "files"), SOURCE_STORE=f"s3://{s3_store}/raw")

    source_store._s3_client.cache_clear()
    for name in [name for name in sys.modules if name == "botocore" or name.startswith("botocore.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "botocore", None)  # what an environment without it sees on import
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    body = pages.page(COURT, "docket", DOCKET)["body"]
    assert _ingest(tmp_path, database_url, body, "--type", "docket", "--pacer-case-id", "100") != 0
    err = capsys.readouterr().err.strip()
    assert "needs botocore" in err and "pacer-spiders[s3]" in err and "\n" not in err
    source_store._s3_client.cache_clear()


def test_a_store_that_cannot_keep_raw_pages_is_named(tmp_path, environment, pages, capsys):
    environment(SOURCE_STORE="gs://bucket/raw")
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    body = pages.page(COURT, "docket", DOCKET)["body"]
    assert _ingest(tmp_path, database_url, body, "--type", "docket", "--pacer-case-id", "100") != 0
    assert "SOURCE_STORE gs:// cannot keep raw pages" in capsys.readouterr().err

"""``pacer-spiders demo``: the main job, one command, against the in-process sandbox."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path


def test_demo_crawls_a_docket_its_attachment_pages_and_a_pdf(tmp_path):
    env = {**os.environ, "PACER_SPIDERS_LOAD_ENTRYPOINTS": "0"}
    env = {k: v for k, v in env.items() if not k.startswith(("PACER_USERNAME", "PACER_PASSWORD", "DATABASE_URL",
                                                             "FILES_STORE"))}
    proc = subprocess.run([sys.executable, "-m", "pacer_spiders", "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    out = proc.stdout
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "PACER sandbox on http://127.0.0.1:" in out
    assert out.count("finished: finished") == 3, out
    assert "$ scrapy crawl docket -a court=okwd -a docket_number=" in out
    assert "pages fetched:" in out and "attachment_page" in out
    assert "PACER would have billed $" in out
    assert (tmp_path / "pacer_spiders.sqlite3").exists()  # the default archive, in the working directory
    archived = importlib.util.find_spec("pacer_spiders.pipelines.database") and importlib.util.find_spec(
        "pacer_spiders.reports.docket")
    if archived:
        # With the archive pipelines: the docket is stored, its PDF bought once and never again.
        assert "not fetched: already_held 1" in out
        assert "docket 1: okwd" in out
        pdfs = [p for p in Path(tmp_path / "pacer_files").rglob("*.pdf")]
        assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF-")
        assert out.count("document $") == 1  # the ledger shows one purchase

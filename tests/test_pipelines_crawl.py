"""The pipelines in a real Scrapy crawl (another process): a spider yields raw pages, the archive fills."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from pacer_spiders.testing.crawls import run_python

CRAWL = r"""
import json, sys
sys.path.insert(0, {tests!r})
from scrapy import Spider
from scrapy.crawler import CrawlerProcess
from pacer_spiders.plugin_manager import get_plugin_manager
from pacer_spiders.settings_access import project_settings
from pipeline_support import KnownPages, docket, entry, party, pdf_bytes

pages = KnownPages()
get_plugin_manager().register(pages)
items = [
    pages.page("cand", "pdf", None, body=pdf_bytes(4), pacer_doc_id="03501234567"),
    pages.page("cand", "docket", docket(entries=[entry(1, "COMPLAINT", doc_id="03501234567")],
                                        parties=[party("Alpha Inc.", attorneys=["Jane Roe"])]), pacer_case_id="77"),
    pages.page("cand", "docket", None, body=b"<html>nothing here</html>", pacer_case_id="78"),
]
items[1]["cost"] = 0.3  # a billed docket page

class RawPages(Spider):
    name = "raw_pages"

    async def start(self):
        for item in items:
            yield item

process = CrawlerProcess(project_settings({{"DATABASE_URL": sys.argv[1], "FILES_STORE": sys.argv[2], "LOG_LEVEL": "INFO",
                                           "ARCHIVE_WRITER_PROCESS": sys.argv[3]}}))
crawler = process.create_crawler(RawPages)
process.crawl(crawler)
process.start()
print(json.dumps({{k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, float, str))}}))
"""


@pytest.mark.parametrize("merge_process", [False, True], ids=["writer-thread", "merge-process"])
def test_a_scrapy_crawl_runs_the_archive_pipelines(tmp_path, merge_process):
    url = f"sqlite:///{tmp_path / 'crawl.sqlite3'}"
    files = tmp_path / "files"
    code = CRAWL.format(tests=str(Path(__file__).parent))
    proc = run_python(["-c", code, url, str(files), str(merge_process)], timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = json.loads(proc.stdout.strip().splitlines()[-1])
    assert stats["archive/dockets_added"] == 1 and stats["archive/entries_added"] == 1
    assert stats["archive/orphans_added"] == 1 and stats["archive/orphans_joined"] == 1
    assert stats["pages/rejected/empty"] == 1 and "rejected docket cand" in proc.stderr
    assert (files / "pdf" / "gov.uscourts.cand.77.1.0.pdf").is_file()
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        run = conn.execute(sa.text("SELECT spider, pages, rejected, finished_at, counts, cost FROM crawl_runs")).one()
        page_count = conn.execute(sa.text("SELECT page_count FROM documents WHERE filepath IS NOT NULL")).scalar()
    assert run.cost == pytest.approx(0.3)
    assert run.spider == "raw_pages" and run.pages == 2 and run.rejected == 1 and run.finished_at is not None
    counts = json.loads(run.counts) if isinstance(run.counts, str) else run.counts
    assert counts["entries_added"] == 1
    assert page_count == 4
    # Both pages kept in SOURCE_STORE once, the refused one too, whichever stage kept them (the
    # merge, off the reactor's thread, or the validate stage for a page it refuses; the PDF that
    # waited as an orphan is there too), and the archive's rows point at them.
    with engine.connect() as conn:
        rows = [r.path for r in conn.execute(sa.text("SELECT path FROM raw_pages"))]
    kept = {str(p) for p in (files / "raw").rglob("*.html")}
    assert stats["archive/source_pages"] == len(kept) == 2
    assert rows and set(rows) <= kept | {str(p) for p in (files / "raw").rglob("*.pdf")}


def test_the_scrapy_names_the_source_stage_reads_the_stage_order_by_still_exist():
    """``SourceFilesPipeline.merge_keeps_pages`` reads the crawl's item pipelines in order through
    ``crawler.engine.scraper.itemproc.middlewares`` (attributes Scrapy does not document); without
    them every page is kept on the reactor's thread again, a cost the relaxed crawl bench shows and
    no other test would.  This fails when a Scrapy release renames them."""
    import inspect

    from scrapy.core.engine import ExecutionEngine
    from scrapy.core.scraper import Scraper
    from scrapy.middleware import MiddlewareManager
    from scrapy.pipelines import ItemPipelineManager

    assert "self.scraper" in inspect.getsource(ExecutionEngine.__init__)
    assert "self.itemproc" in inspect.getsource(Scraper.__init__)
    assert issubclass(ItemPipelineManager, MiddlewareManager)
    assert "self.middlewares" in inspect.getsource(MiddlewareManager.__init__)

"""The PDF store's folders when several crawl processes create them at the same moment."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from scrapy.settings import Settings

from pacer_spiders.pipelines.files import files_store


def test_store_folders_made_by_another_process_meanwhile_are_no_error(tmp_path, monkeypatch):
    folder = tmp_path / "files"
    real_exists = Path.exists

    def exists_then_lose_the_race(self):
        # The interleaving of crawl processes starting at once: this process checks and sees no
        # folder, another creates it at that moment, then this one goes on to create it too.
        found = real_exists(self)
        if not found and self.suffix != ".pdf":
            self.mkdir(parents=True, exist_ok=True)
        return found

    monkeypatch.setattr(Path, "exists", exists_then_lose_the_race)
    store = files_store(Settings({"FILES_STORE": str(folder)}))
    store.persist_file("pdf/a.pdf", BytesIO(b"%PDF-1.4 a"), info=None)
    monkeypatch.undo()

    assert (folder / "pdf" / "a.pdf").read_bytes() == b"%PDF-1.4 a"

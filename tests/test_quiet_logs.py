"""A crawl's INFO log says what the crawl did: no warning for the cassette a live crawl does not use,
no lines from the migrations (they show at DEBUG)."""

from __future__ import annotations

import logging
import subprocess
import sys

from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.utils.test import get_crawler

from pacer_spiders.cli import main
from pacer_spiders.db import upgrade_database
from pacer_spiders.settings_access import project_settings


def test_no_warning_for_the_cassette_a_live_crawl_does_not_use(caplog):
    crawler = get_crawler(settings_dict=project_settings({"CASSETTE": None, "TWISTED_REACTOR_ENABLED": False}).copy_to_dict())
    with caplog.at_level(logging.DEBUG):
        manager = DownloaderMiddlewareManager.from_crawler(crawler)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "pacer_spiders.login.PacerLoginMiddleware" in caplog.text  # the other middlewares are on
    assert not any(type(mw).__name__ == "CassetteMiddleware" for mw in manager.middlewares)


def test_migrations_log_at_debug_only(tmp_path, caplog):
    # A command run before in the same process (the suite runs many) leaves alembic's loggers as
    # they were: its lines still reach a crawl's log, at DEBUG.
    assert main(["db", "upgrade", "--database-url", f"sqlite:///{tmp_path / 'before.sqlite3'}"]) == 0
    with caplog.at_level(logging.DEBUG):
        upgrade_database(f"sqlite:///{tmp_path / 'archive.sqlite3'}")
    from_alembic = [r for r in caplog.records if r.name.startswith("alembic")]
    assert any("Running upgrade" in r.getMessage() for r in from_alembic)
    assert {r.levelname for r in from_alembic} == {"DEBUG"}


def test_db_upgrade_shows_the_migrations_only_with_verbose(tmp_path):
    def stderr_of(*argv):
        done = subprocess.run([sys.executable, "-m", "pacer_spiders", *argv, "db", "upgrade", "--database-url",
                               f"sqlite:///{tmp_path / (argv[0] if argv else 'quiet')}.sqlite3"],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stderr

    assert "alembic" not in stderr_of()
    verbose = [line for line in stderr_of("-v").splitlines() if "Running upgrade" in line]
    assert verbose and all(" DEBUG alembic." in line for line in verbose)

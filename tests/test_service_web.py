"""The web page at / in a real headless browser (Debian's chromium), and ``pacer-spiders serve`` itself."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import time

import pytest

from pacer_spiders.service.config import ServiceConfig
from pacer_spiders.service.server import ServiceThread
from pacer_spiders.testing.services import free_port, wait_for_port
from pacer_spiders.testing.service_support import ApiClient, create_token

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not found:
        message = "chromium is not installed (Debian: apt-get install chromium; `make system-deps`)"
        if IN_CI:
            pytest.fail(f"required under CI=true: {message}")
        pytest.skip(message)
    return found


def rendered(url: str) -> str:
    """The DOM after the page's scripts ran (virtual time lets its fetches finish)."""
    command = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--virtual-time-budget=5000", "--dump-dom", url]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_the_page_shows_a_signed_in_users_fetches_and_prayers_only(tmp_path):
    from sqlalchemy.orm import sessionmaker

    from pacer_spiders.db import make_engine, upgrade_database
    from pacer_spiders.db.models import CrawlRunRow
    from pacer_spiders.db.work_requests import ERROR, WorkRequest
    from pacer_spiders.service.models import ServiceFetch

    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    alice, bob = create_token(database_url, "alice"), create_token(database_url, "bob")
    engine = make_engine(database_url)
    upgrade_database(engine)
    with sessionmaker(engine)() as session:  # two finished fetches, one each (no crawl needed to show them)
        for user_id, case, cost in ((1, "4242", 1.3), (2, "9999", 0.5)):
            row = WorkRequest(kind="docket", court_id="cand", params={"pacer_case_id": case}, dedupe_key=case,
                              status=ERROR, error_message="PACER refused", source="service")
            session.add(row)
            session.flush()
            session.add(ServiceFetch(work_request_id=row.id, user_id=user_id, request_type=1, fields={}, cost=cost))
        session.add(CrawlRunRow(spider="docket", started_at=dt.datetime(2026, 11, 30, 9, 0), cost=2.4, pages=3,
                                finish_reason="finished"))
        session.commit()
    engine.dispose()
    config = ServiceConfig(database_url=database_url, secret="s", files_store=str(tmp_path / "files"))
    with ServiceThread(config, start_runner=False) as url:
        dom = rendered(f"{url}/#token={alice}")
        assert "Signed in as alice" in dom
        assert "4242" in dom and "$1.30" in dom and "3 error" in dom and "PACER refused" in dom
        assert "9999" not in dom  # bob's
        assert "2026-11-30T09:00:00" in dom and "$2.40" in dom  # the recent crawl runs
        refused = rendered(f"{url}/#token=not-a-token")
        assert "Sign-in refused (403)" in refused and "4242" not in refused
        assert ApiClient(url, bob).get("/api/rest/v3/recap-fetch/").json()["count"] == 1


def test_serve_command_answers_on_its_port(tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'archive.sqlite3'}", "PACER_SERVICE_SECRET": "s",
           "FILES_STORE": str(tmp_path / "files")}
    env.pop("REDIS_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "pacer_spiders", "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        # a start-up wait, not a speed check: with parallel test workers two uvicorn workers may start slowly
        wait_for_port(port, timeout=120)
        client = ApiClient(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 20
        answer = client.get("/openapi.json")
        while answer.status != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
            answer = client.get("/openapi.json")
        assert answer.status == 200 and "/api/rest/v3/recap-fetch/" in answer.json()["paths"]
        assert client.get("/api/rest/v3/dockets/").status == 401
        token = create_token(env["DATABASE_URL"], "dana")
        assert ApiClient(client.base_url, token).get("/api/rest/v3/dockets/").status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=20)

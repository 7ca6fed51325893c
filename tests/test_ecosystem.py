"""The project as other Scrapy tools meet it: deployed to a real scrapyd, and as an add-on of a
project made by ``scrapy startproject``; both crawl the sandbox into an archive."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from spider_helpers import first_case, small_sandbox

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# What scrapyd-deploy builds the egg from (setup.py bdist_egg writes build/ beside them: a copy).
DISTRIBUTION = ["setup.py", "pyproject.toml", "README.md", "scrapy.cfg", "pacer_spiders", "plugins", "pipelines"]


@pytest.fixture(scope="module")
def sb():
    with small_sandbox() as sandbox:
        yield sandbox


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def clean_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PACER_", "SCRAPY_")) or k == "PACER_CORPUS"}
    env["PACER_SPIDERS_LOAD_ENTRYPOINTS"] = "0"
    env.update(extra)
    return env


def stored_entries(database: Path, court: str, pacer_case_id: str) -> int:
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text(
                "SELECT count(*) FROM docket_entries e JOIN dockets d ON d.id = e.docket_id "
                "WHERE d.court_id = :court AND d.pacer_case_id = :case"), {"court": court, "case": pacer_case_id}).scalar()
    finally:
        engine.dispose()


def call(url: str, data: dict | None = None) -> dict:
    body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
    with urllib.request.urlopen(url, body, timeout=30) as answer:
        return json.loads(answer.read())


@pytest.fixture
def scrapyd(sb, tmp_path):
    """A scrapyd on loopback holding PACER credentials in its environment, as in production."""
    port = free_port()
    home = tmp_path / "scrapyd"
    home.mkdir()
    (home / "scrapyd.conf").write_text(
        f"[scrapyd]\nbind_address = 127.0.0.1\nhttp_port = {port}\neggs_dir = {home / 'eggs'}\n"
        f"logs_dir = {home / 'logs'}\nitems_dir =\ndbs_dir = {home / 'dbs'}\npoll_interval = 0.5\n", "utf-8")
    process = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, env=clean_env(**sb.account_env("good")),
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # a loaded machine starts it slowly
            try:
                call(f"{url}/daemonstatus.json")
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail("scrapyd did not start")
                time.sleep(0.1)
        yield url, home
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_scrapyd_deploy_and_a_scheduled_docket_store_the_entries(sb, scrapyd, tmp_path):
    url, home = scrapyd
    source = tmp_path / "source"
    source.mkdir()
    for name in DISTRIBUTION:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, source / name, **({"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}))
    with open(source / "scrapy.cfg", "a", encoding="utf-8") as cfg:
        cfg.write(f"\n[deploy:local]\nurl = {url}/\nproject = pacer_spiders\n")
    deployed = subprocess.run([str(BIN / "scrapyd-deploy"), "local", "--version", "1"], cwd=source,
                              env=clean_env(), capture_output=True, text=True, timeout=300)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert '"status": "ok"' in deployed.stdout, deployed.stdout + deployed.stderr
    assert "docket" in call(f"{url}/listspiders.json?project=pacer_spiders")["spiders"]

    case = first_case(sb, "cand")
    archive = tmp_path / "archive.sqlite3"
    settings = {"DATABASE_URL": f"sqlite:///{archive}", "FILES_STORE": str(tmp_path / "files"),
                "DOWNLOAD_DELAY": "0", **sb.settings}
    job = call(f"{url}/schedule.json", {"project": "pacer_spiders", "spider": "docket", "court": "cand",
                                        "pacer_case_id": case.pacer_case_id,
                                        "setting": [f"{k}={v}" for k, v in settings.items()]})
    assert job["status"] == "ok", job
    for _ in range(1200):
        finished = call(f"{url}/listjobs.json?project=pacer_spiders")["finished"]
        if any(j["id"] == job["jobid"] for j in finished):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the scrapyd job did not finish")
    log = next((home / "logs").rglob(f"{job['jobid']}.log")).read_text("utf-8", "replace")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    assert stored_entries(archive, "cand", case.pacer_case_id) == len(case.entries), log[-3000:]
    assert sb.account_env("good")["PACER_PASSWORD"] not in log


def test_addon_in_a_startproject_project_crawls_a_docket(sb, tmp_path):
    made = subprocess.run([str(BIN / "scrapy"), "startproject", "courtwatch"], cwd=tmp_path, env=clean_env(),
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "courtwatch"
    with open(project / "courtwatch" / "settings.py", "a", encoding="utf-8") as settings:
        settings.write('\nADDONS = {"pacer_spiders.Addon": 0}\n')
    case = first_case(sb, "cand")
    env = clean_env(**sb.settings, **sb.account_env("good"))
    # (not `scrapy list`: Scrapy 2.19's list command reads SPIDER_MODULES before any add-on runs)
    crawled = subprocess.run([str(BIN / "scrapy"), "crawl", "docket", "-a", "court=cand",
                              "-a", f"pacer_case_id={case.pacer_case_id}"],
                             cwd=project, env=env, capture_output=True, text=True, timeout=300)
    log = crawled.stdout + crawled.stderr
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    # the archive pipelines and their defaults: an SQLite archive in the working directory
    assert stored_entries(project / "pacer_spiders.sqlite3", "cand", case.pacer_case_id) == len(case.entries), log[-3000:]
    assert "Crawl summary (finished)" in log  # the extension came along too
    # commands through the scrapy.commands entry point
    courts = subprocess.run([str(BIN / "scrapy"), "courts", "--format", "csv"], cwd=project, env=env,
                            capture_output=True, text=True, timeout=120)
    assert courts.returncode == 0 and "cand" in courts.stdout, courts.stderr

"""``pacer-spiders courts`` (and ``scrapy courts``) in each format."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pacer_spiders.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run_cli(capsys, *argv):
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def test_bankruptcy_json_lists_94_courts(capsys):
    courts = json.loads(run_cli(capsys, "courts", "--kind", "bankruptcy", "--format", "json"))
    assert len(courts) == 94
    assert {c["kind"] for c in courts} == {"bankruptcy"}
    arb = next(c for c in courts if c["court_id"] == "arb")
    assert arb["pacer_subdomain"] == "azb" and arb["url"] == "https://ecf.azb.uscourts.gov"


def test_csv_has_a_header_and_every_court(capsys):
    rows = list(csv.DictReader(io.StringIO(run_cli(capsys, "courts", "--format", "csv"))))
    assert len(rows) == 205
    assert set(rows[0]) == {"court_id", "pacer_subdomain", "kind", "system", "name", "doc_id_prefix", "url"}
    assert {r["court_id"] for r in rows} >= {"nebraskab", "uscfc", "nysb", "cand"}


def test_table_is_aligned_and_counted(capsys):
    out = run_cli(capsys, "courts", "--kind", "appellate").splitlines()
    assert out[0].split()[:3] == ["court_id", "pacer_subdomain", "kind"]
    assert out[-1] == "15 courts"
    assert len(out) == 17


def test_court_url_template_setting_applies(monkeypatch, capsys):
    monkeypatch.setenv("PACER_COURT_URL_TEMPLATE", "http://127.0.0.1:9/{subdomain}")
    # read when the command runs, not when the settings module was first imported
    out = run_cli(capsys, "courts", "--format", "json", "--kind", "special")
    urls = {c["court_id"]: c["url"] for c in json.loads(out)}
    assert urls["uscfc"] == "http://127.0.0.1:9/cofc"


def test_bad_kind_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["courts", "--kind", "nowhere"])
    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_scrapy_courts_command():
    out = subprocess.run(
        [sys.executable, "-m", "scrapy", "courts", "--kind", "district", "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    assert len(json.loads(out)) == 94


def test_scrapy_courts_into_a_closed_pipe_is_quiet():
    # `scrapy courts | head -c 10`: the reader stops early; no traceback, exit 0.
    proc = subprocess.Popen([sys.executable, "-m", "scrapy", "courts", "--format", "json"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.read(10).startswith(b"[")
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr

"""Courts of appeals crawled end to end, over real HTTP against the sandbox: appellate CM/ECF (ca1)
and ACMS (ca9), through the registry, the demo, the ``pdf`` spider's money rules and distributed
workers.  The recorded flows of both systems are replayed offline in tests/test_cassette_flows.py."""

from __future__ import annotations

import collections
import json
import os
import re
import sqlite3
import subprocess
import sys

import pytest

from pacer_spiders import sandbox as sandbox_module
from pacer_spiders.courts import court_system, get_court, parse_systems
from pacer_spiders.sandbox import acms
from pacer_spiders.sandbox.appellate import is_free

from spider_helpers import crawl, small_sandbox

SYSTEMS = {"ca1": "cmecf", "ca9": "acms"}


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PACER_USERNAME", "PACER_PASSWORD", "DATABASE_URL", "FILES_STORE", "PACER_APPELLATE"))}
    return {**env, "PACER_SPIDERS_LOAD_ENTRYPOINTS": "0", **extra}


def test_the_registry_says_which_system_each_court_of_appeals_runs_and_a_setting_moves_one():
    assert court_system(get_court("ca9")) == "acms" and court_system(get_court("ca1")) == "cmecf"
    assert court_system(get_court("nysd")) is None
    assert court_system(get_court("ca1"), "ca1=acms") == "acms"
    assert court_system(get_court("ca9"), {"ca9": "cmecf"}) == "cmecf"
    with pytest.raises(ValueError, match="neither of cmecf, acms"):
        parse_systems("ca1=pacer")
    out = subprocess.run([sys.executable, "-m", "pacer_spiders", "courts", "--kind", "appellate", "--format", "json"],
                         env=_env(PACER_APPELLATE_SYSTEMS="ca1=acms"), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    systems = {row["court_id"]: row["system"] for row in json.loads(out.stdout)}
    assert systems["ca1"] == "acms" and systems["ca9"] == "acms" and systems["ca3"] == "cmecf"


@pytest.mark.parametrize("court", ["ca1", "ca9"])
def test_the_demo_on_a_court_of_appeals(court, tmp_path, monkeypatch, capsys):
    """A docket with its entries and one purchased PDF in the archive, the cost from the receipts;
    a repeat buys nothing.  The command runs in this process (its crawls in their own); the demo's
    own process is proven in tests/test_spiders_demo.py."""
    from pacer_spiders.cli import main

    database = tmp_path / "a.db"
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("PACER_USERNAME", "PACER_PASSWORD", "DATABASE_URL", "PACER_APPELLATE")):
            monkeypatch.delenv(name)
    code = main(["demo", "--court", court, "--workdir", str(tmp_path), "--database-url", f"sqlite:///{database}",
                 "--files-store", str(tmp_path / "files")])
    captured = capsys.readouterr()
    out = captured.out
    assert code == 0, out + captured.err
    assert out.count("finished: finished") == 3, out
    assert "not fetched: already_held 1" in out  # the repeat
    billed = re.search(r"PACER would have billed \$(\d+\.\d\d) for \d+ pages \((\d+) charges: (.*)\)", out)
    # appellate CM/ECF bills its docket report; ACMS's docket is not billed; each bills one document
    assert billed.group(3).count("document $") == 1
    assert ("docket $" in billed.group(3)) == (SYSTEMS[court] == "cmecf")
    with sqlite3.connect(database) as conn:
        (dockets,) = conn.execute("SELECT count(*) FROM dockets WHERE court_id = ?", (court,)).fetchone()
        (entries,) = conn.execute("SELECT count(*) FROM docket_entries").fetchone()
        stored = conn.execute("SELECT filepath, acms_document_guid FROM documents WHERE filepath IS NOT NULL").fetchall()
        runs = [cost for (cost,) in conn.execute("SELECT round(cost, 2) FROM crawl_runs ORDER BY id")]
    assert dockets == 1 and entries >= 3
    assert len(stored) == 1 and (stored[0][1] is not None) == (SYSTEMS[court] == "acms")
    assert (tmp_path / "files" / stored[0][0]).read_bytes().startswith(b"%PDF-")
    # what each crawl says it spent is what the sandbox billed (read from the receipts); the repeat: nothing
    charges = dict(re.findall(r"(docket|document) \$(\d+\.\d\d)", billed.group(3)))
    assert runs == [float(charges.get("docket", 0)), float(charges["document"]), 0.0]


def _documents(sb, court):
    """A free order and a billed document of one appeal (the id a crawl names them by)."""
    for case in sb.cases(court):
        entries = acms.acms_entries(case) if court == "ca9" else [e for e in case.entries if e.pacer_doc_id]
        entries = [e for e in entries if not (e.sealed or e.restricted or e.unavailable or e.attachments)]
        free = next((e for e in entries if is_free(e)), None)
        billed = next((e for e in entries if not is_free(e) and e.page_count > 2), None)
        if free and billed:
            name = (lambda e, case=case: acms.document_guid(case, e, 1)) if court == "ca9" else (lambda e: e.pacer_doc_id)
            return name(free), name(billed)
    raise LookupError(f"no appeal at {court} with a free and a billed document")


@pytest.mark.parametrize("court", ["ca1", "ca9"])
def test_a_free_document_is_never_billed_and_the_cost_cap_holds(court, tmp_path):
    with small_sandbox(cases_per_court=12) as sb:
        free, billed = _documents(sb, court)
        result = crawl(sb, "pdf", tmp_path / "pdf", {"court": court, "pacer_doc_id": f"{free},{billed}"},
                       settings={"PACER_MAX_COST": "0.2", "CONCURRENT_REQUESTS": "1",
                                 "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
                                 "FILES_STORE": str(tmp_path / "files")})
        charges = sb.ledger.charges
    assert result.returncode == 0 and "Spider error" not in result.log, result.log[-3000:]
    assert charges == []  # the free one came free; the other would pass the cap: its receipt said so
    assert result.stat("pacer/free_documents") == 1 and result.stat("pacer/pages/receipt") == 1
    assert result.stat("pacer/skipped/cost_cap") == 1 and result.reason == "cost_cap"
    assert result.stat("pacer/spent", 0.0) == 0.0
    assert len(list((tmp_path / "files").rglob("*.pdf"))) == 1
    if court == "ca9":
        assert result.stat("pacer/acms/sign_ins") == 1  # ACMS's SAML sign-in, once


def test_an_acms_court_wants_a_docket_number_and_document_guids(tmp_path):
    with small_sandbox(cases_per_court=2) as sb:
        result = crawl(sb, "pdf", tmp_path / "pdf", {"court": "ca9", "pacer_doc_id": "009012345678"})
    assert result.reason == "bad_argument"
    assert "ca9 runs ACMS: pass a document's GUID, not '009012345678'" in result.log


@pytest.mark.service
def test_distributed_workers_take_appellate_work(redis_url, tmp_path, capsys):
    from pacer_spiders.cli import main
    from pacer_spiders.db.work_requests import SUCCESS, WorkRequest
    from pacer_spiders.distributed.work import session_factory
    from pacer_spiders.sandbox import render
    from pacer_spiders.testing.workers import empty_redis_database, start_worker, wait_for

    redis_url = empty_redis_database(redis_url, 11)
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    with sandbox_module.Sandbox(cases_per_court=3, entries=(3, 6)) as sb:
        cases = tmp_path / "cases.csv"
        rows = ["court_id,pacer_case_id,docket_number"]
        rows += [f"ca1,,{render.appellate_docket_number(case)}" for case in sb.cases("ca1")[:2]]
        rows += [f"ca9,,{acms.case_number(case)}" for case in sb.cases("ca9")[:2]]
        cases.write_text("\n".join(rows) + "\n")
        assert main(["enqueue", "docket", "--file", str(cases), "--redis-url", redis_url,
                     "--database-url", database_url]) == 0
        settings = {"REDIS_URL": redis_url, "DATABASE_URL": database_url, "PACER_WORKER_IDLE_CLOSE": 1.5,
                    "FILES_STORE": str(tmp_path / "files"), **sb.settings}
        workers = [start_worker("docket", settings, sb.account_env("good"), tmp_path / "w0.log")]
        assert wait_for(workers, 180) == [0]
        charges = collections.Counter(c.court_id for c in sb.ledger.charges if c.report == "docket")
    assert charges == {"ca1": 2}  # each appellate CM/ECF docket bought once; ACMS's are not billed
    with session_factory(database_url)() as session:
        assert {row.status for row in session.query(WorkRequest).all()} == {SUCCESS}
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
        held = dict(conn.execute("SELECT court_id, count(*) FROM dockets GROUP BY court_id").fetchall())
    assert held == {"ca1": 2, "ca9": 2}
    log = (tmp_path / "w0.log").read_text()
    assert "kept in this worker only" not in log and "pacer/acms/sign_ins': 1" in log  # every request went through Redis, as JSON


def test_appellate_options_and_a_filing_list_by_guid(tmp_path):
    """Appellate CM/ECF by case id with a date range and no parties; ACMS's documents of one entry."""
    from pacer_spiders.sandbox import render

    with small_sandbox(cases_per_court=2) as sb:
        case = sb.cases("ca1")[0]
        start, end = case.entries[1].date_filed, case.entries[-1].date_filed
        settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}", "FILES_STORE": str(tmp_path / "files")}
        docket = crawl(sb, "docket", tmp_path / "docket",
                       {"court": "ca1", "pacer_case_id": case.pacer_case_id, "date_start": start.isoformat(),
                        "date_end": end.isoformat(), "show_parties_and_counsel": "0"}, settings=settings)
        appeal = sb.cases("ca9")[0]
        entry = acms.acms_entries(appeal)[0]
        filing = crawl(sb, "attachment_page", tmp_path / "filing",
                       {"court": "ca9", "pacer_doc_id": acms.entry_guid(appeal, entry)}, settings=settings)
        asked = [r["path"] for r in sb.requests if "CaseSummary" in r["path"]]
        charges = [(c.court_id, c.report) for c in sb.ledger.charges]
    assert docket.reason == "finished" and filing.reason == "finished", docket.log[-2000:] + filing.log[-2000:]
    (path,) = asked
    assert f"caseId={case.pacer_case_id}" in path and "incPtyAty=N" in path and "fullDocketReport" not in path
    assert f"dateFrom={start:%m}%2F{start:%d}%2F{start:%Y}" in path
    assert charges == [("ca1", "docket")]  # ACMS's list of documents is free
    with sqlite3.connect(tmp_path / "a.db") as conn:
        (number, parties) = conn.execute("SELECT d.docket_number, (SELECT count(*) FROM parties) FROM dockets d").fetchone()
        dates = [d for (d,) in conn.execute("SELECT date_filed FROM docket_entries")]
    assert number == render.appellate_docket_number(case) and parties == 0
    assert dates and min(dates) >= start.isoformat() and max(dates) <= end.isoformat()
    assert filing.stat("pacer/pages/acms_attachment_page") == 1 and filing.stat("pacer/acms/sign_ins") == 1


def test_a_corpus_appellate_docket_served_by_the_sandbox_is_crawled_whole(tmp_path):
    """A real appellate CM/ECF page (the corpus) answers CaseSummary.jsp for its number: billed once,
    every entry of the reference's reading stored."""
    from pacer_spiders.testing.corpus import corpus_root

    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus folder (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    with small_sandbox(corpus=root, cases_per_court=1) as sb:
        (court_id, number), docket = max(sb.corpus.appellate_dockets.items(),
                                         key=lambda item: (item[0][0] == "ca1", item[1].path.name))
        expected = json.loads(docket.path.with_suffix(".json").read_text())
        result = crawl(sb, "docket", tmp_path, {"court": court_id, "docket_number": number},
                       settings={"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
                                 "FILES_STORE": str(tmp_path / "files")})
        charges = [(c.court_id, c.report, c.criteria) for c in sb.ledger.charges]
    assert result.reason == "finished", result.log[-3000:]
    assert charges == [(court_id, "docket", number)]
    with sqlite3.connect(tmp_path / "a.db") as conn:
        stored_number, = conn.execute("SELECT docket_number FROM dockets").fetchone()
        entries = conn.execute("SELECT count(*) FROM docket_entries").fetchone()[0]
    assert stored_number == number and entries == len(expected["docket_entries"])

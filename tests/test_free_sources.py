"""Free sources first (issue 14): a refresh that buys only what changed."""

from __future__ import annotations

import csv
import sqlite3

import pytest

from pacer_spiders.sandbox import Sandbox
from spider_helpers import crawl

COURT = "cand"


def held_cases(sb, n=10):
    return [c for c in sb.cases(COURT) if not c.sealed][:n]


def crawl_dockets(sb, workdir, cases):
    """Crawl whole dockets of ``cases`` into the archive at ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "cases.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["court", "pacer_case_id"])
        writer.writerows([COURT, c.pacer_case_id] for c in cases)
    result = crawl(sb, "docket", workdir, {"input": str(path)}, timeout=300)
    assert result.reason == "finished", result.log[-3000:]
    return result


def entries_held(workdir, case_id) -> set[str]:
    with sqlite3.connect(workdir / "archive.sqlite3") as db:
        rows = db.execute("select e.document_number from docket_entries e join dockets d on d.id = e.docket_id "
                          "where d.court_id = ? and d.pacer_case_id = ?", (COURT, str(case_id))).fetchall()
    return {str(n) for (n,) in rows if n is not None}


@pytest.fixture(scope="module")
def refreshed(tmp_path_factory):
    """10 held cand dockets, 3 given new entries, then ``scrapy crawl refresh -a court=cand -a all=1``."""
    workdir = tmp_path_factory.mktemp("refresh")
    with Sandbox(seed=3, cases_per_court=12, entries=(4, 12)) as sb:
        cases = held_cases(sb)
        crawl_dockets(sb, workdir, cases)
        bought_first = len(sb.ledger)
        moved = cases[1:4]
        added = {c.pacer_case_id: sb.add_entries(COURT, c.pacer_case_id, 2) for c in moved}
        result = crawl(sb, "refresh", workdir, {"court": COURT, "all": "1"}, timeout=300)
        charges = sb.ledger.charges[bought_first:]
        yield {"sb": sb, "cases": cases, "moved": moved, "added": added, "result": result, "charges": charges,
               "workdir": workdir}


def test_a_refresh_buys_only_the_dockets_with_new_entries(refreshed):
    result, charges = refreshed["result"], refreshed["charges"]
    assert result.reason == "finished", result.log[-3000:]
    assert sorted(c.pacer_case_id for c in charges) == sorted(c.pacer_case_id for c in refreshed["moved"])
    assert {c.report for c in charges} == {"docket"}
    assert all("Filed From" in c.criteria for c in charges)  # filtered to the new entries, not bought whole
    assert result.stat("pacer/refresh/checked") == 10
    assert result.stat("pacer/refresh/changed") == 3
    assert result.stat("pacer/refresh/bought") == 3
    assert result.stat("pacer/refresh/unchanged") == 7
    assert result.stat("pacer/spent") == pytest.approx(sum(c.cost for c in charges))
    assert result.stat("pacer/refresh/saved") == pytest.approx(0.70)
    assert "10 dockets checked, 3 changed, 0 unknown, 3 bought" in result.log


def test_a_refresh_stores_the_new_entries(refreshed):
    for case_id, entries in refreshed["added"].items():
        assert {str(e.document_number) for e in entries} <= entries_held(refreshed["workdir"], case_id)


def test_a_refresh_holds_each_line_of_each_docket_once(refreshed):
    # The feed's minute entries (their kind only), the filtered reports' newest day again: no row twice.
    sb, workdir = refreshed["sb"], refreshed["workdir"]
    with sqlite3.connect(workdir / "archive.sqlite3") as db:
        for case in refreshed["cases"]:
            (held,) = db.execute("select count(*) from docket_entries e join dockets d on d.id = e.docket_id "
                                 "where d.court_id = ? and d.pacer_case_id = ?", (COURT, str(case.pacer_case_id))).fetchone()
            assert held == len(sb.case(COURT, case.pacer_case_id).entries), case.pacer_case_id


def test_a_refresh_with_nothing_new_costs_nothing(refreshed):
    sb, workdir = refreshed["sb"], refreshed["workdir"]
    before = len(sb.ledger)
    result = crawl(sb, "refresh", workdir, {"court": COURT, "all": "1"}, timeout=300)
    assert result.reason == "finished", result.log[-3000:]
    assert sb.ledger.charges[before:] == []
    assert result.stat("pacer/refresh/unchanged") == 10
    assert result.stat("pacer/spent", 0) == 0


def test_a_full_rss_feed_spares_the_per_docket_queries(refreshed, tmp_path):
    sb, workdir = refreshed["sb"], refreshed["workdir"]
    moved = refreshed["cases"][5]
    sb.add_entries(COURT, moved.pacer_case_id, 1)
    sb.requests.clear()
    before = len(sb.ledger)
    result = crawl(sb, "refresh", workdir, {"court": COURT, "all": "1"}, settings={"PACER_RSS_FULL_COURTS": COURT},
                   timeout=300)
    assert result.reason == "finished", result.log[-3000:]
    assert [c.pacer_case_id for c in sb.ledger.charges[before:]] == [moved.pacer_case_id]
    asked = sb.request_counts("mobile_query.pl")
    # The feed told for the dockets whose newest entries it reaches; only the others were asked.
    assert sum(asked.values()) < 10
    assert "the RSS feed shows new entries" in result.log


def test_a_refresh_needs_a_window_or_all(tmp_path):
    with Sandbox(seed=3, cases_per_court=4, entries=(4, 6)) as sb:
        result = crawl(sb, "refresh", tmp_path, {"court": COURT, "filed_within_days": "soon"})
    assert result.stat("pacer/errors/bad_argument") == 1
    assert "filed_within_days must be a number of days" in result.log


@pytest.mark.service
@pytest.mark.fresh_interpreters  # a worker as users start it: `python -m scrapy crawl` anew
def test_the_refresh_schedule_runs_refresh_crawls_on_workers(redis_url, tmp_path):
    """``schedule once refresh`` enqueues one refresh a court; a refresh worker buys the moved docket only."""
    import datetime as dt

    from pacer_spiders.distributed.schedules import load_config, run_job
    from pacer_spiders.distributed.store import RedisStore
    from pacer_spiders.distributed.work import session_factory
    from pacer_spiders.testing.workers import empty_redis_database, start_worker, wait_for

    redis_url = empty_redis_database(redis_url, 9)
    with Sandbox(seed=3, cases_per_court=4, entries=(4, 6)) as sb:
        cases = held_cases(sb, 3)
        crawl_dockets(sb, tmp_path, cases)
        before = len(sb.ledger)
        newest = max(cases, key=lambda c: c.date_filed)
        sb.add_entries(COURT, newest.pacer_case_id, 1)
        database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        config = load_config({"courts": [COURT]})
        now = dt.datetime.combine(newest.date_filed + dt.timedelta(days=1), dt.time(6),
                                  tzinfo=dt.timezone.utc)
        report = run_job(config.schedules["refresh"], config, now, session_factory(database_url),
                         RedisStore.from_url(redis_url))
        assert len(report.enqueued) == 1
        settings = {**sb.settings, "REDIS_URL": redis_url, "DATABASE_URL": database_url, "PACER_WORKER_IDLE_CLOSE": 1.5,
                    "FILES_STORE": str(tmp_path / "files"), "LOG_LEVEL": "INFO", "TELNETCONSOLE_ENABLED": False}
        worker = start_worker("refresh", settings, sb.account_env("good"), tmp_path / "worker.log")
        assert wait_for([worker], 120) == [0]
        charges = sb.ledger.charges[before:]
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert [c.pacer_case_id for c in charges] == [newest.pacer_case_id], log[-3000:]
    assert f"{COURT} {newest.pacer_case_id}" in log and "changed:" in log
    # The worker's spending is in Redis too, where every worker's budget check sees it.
    today = dt.datetime.now(dt.timezone.utc).date().isoformat()
    shared = RedisStore.from_url(redis_url).server.get(f"pacer:budget:{sb.accounts['good'].login}:day:{today}")
    assert float(shared) == pytest.approx(sum(c.cost for c in charges))


def test_a_day_budget_stops_crawls_before_it_is_passed_and_costs_prints_the_receipts(tmp_path, capsys):
    from pacer_spiders.cli import main

    budget = {"PACER_BUDGET_DAY": "3.10"}
    with Sandbox(seed=3, cases_per_court=8, entries=(4, 8)) as sb:
        cases = held_cases(sb, 4)
        first = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": cases[0].pacer_case_id},
                      settings=budget)
        assert first.reason == "finished", first.log[-3000:]
        assert len(sb.ledger) == 1
        # Another crawl the same day: what the first spent counts, and a docket report may cost $3.00.
        second = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": cases[1].pacer_case_id},
                       settings=budget)
        assert len(sb.ledger) == 1
        spent = sb.ledger.total()
    assert second.reason == "cost_cap"
    line = f"PACER_BUDGET_DAY $3.10 of account {sb.accounts['good'].login} would be passed: ${spent:.2f} spent this day"
    assert second.stat("pacer/budget_stop").startswith(line)
    assert line in second.log and "Stopping the crawl before buying" in second.log
    assert main(["costs", "--by", "court", "--database-url", f"sqlite:///{tmp_path / 'archive.sqlite3'}"]) == 0
    out = capsys.readouterr().out
    assert f"total: 1 charges, ${spent:.2f}" in out
    assert f"{COURT} " in out
    assert f"${spent:.2f} of PACER's $30.00 quarterly waiver (within: nothing owed)" in out


def test_free_opinions_are_stored_with_their_entries_and_pdfs_for_nothing(tmp_path):
    from datetime import timedelta

    from pacer_spiders.sandbox.server import is_opinion

    with Sandbox(seed=3, cases_per_court=10, entries=(6, 14)) as sb:
        opinions = sorted(((e.date_filed, case.pacer_case_id, e) for case in sb.cases(COURT) if not case.sealed
                          for e in case.entries if is_opinion(e)), key=lambda row: row[:2])
        start = opinions[0][0]
        end = start + timedelta(days=365)
        listed = {e.pacer_doc_id for filed, _case, e in opinions if start <= filed <= end}
        # an opinion with attachments answers a menu with no receipt: not fetched (counted)
        wanted = {e.pacer_doc_id for filed, _case, e in opinions if start <= filed <= end and not e.attachments}
        result = crawl(sb, "free_opinions", tmp_path, {"court": COURT, "date_start": start.isoformat(),
                                                        "date_end": end.isoformat()}, timeout=300)
        assert result.reason == "finished", result.log[-3000:]
        assert sb.ledger.charges == []  # the report and every opinion: $0.00
    assert wanted and result.stat("pacer/free_opinions/listed") == len(listed)
    assert result.stat("pacer/skipped/attachment_menu", 0) == len(listed - wanted)
    assert result.stat("pacer/spent", 0) == 0
    with sqlite3.connect(tmp_path / "archive.sqlite3") as db:
        stored = {doc_id for (doc_id,) in db.execute(
            "select pacer_doc_id from documents where filepath is not null and court_id = ?", (COURT,))}
        entries = {doc_id for (doc_id,) in db.execute("select pacer_doc_id from docket_entries")}
    assert wanted <= stored and listed <= entries
    pdfs = [p for p in (tmp_path / "files").rglob("*.pdf")]
    assert len(pdfs) >= len(wanted) and all(p.read_bytes()[:5] == b"%PDF-" for p in pdfs)


def test_an_uncapped_transcript_is_bought_only_when_asked(tmp_path):
    from pacer_spiders.sandbox.server import is_uncapped

    with Sandbox(seed=3, cases_per_court=12, entries=(10, 30)) as sb:
        found = [(case, e) for case in sb.cases(COURT) if not case.sealed for e in case.entries
                 if is_uncapped(e) and e.page_count > 30 and not e.attachments
                 and not (e.sealed or e.restricted or e.unavailable)]
        case, entry = found[0]
        args = {"court": COURT, "pacer_doc_id": entry.pacer_doc_id, "pacer_case_id": case.pacer_case_id}
        refused = crawl(sb, "pdf", tmp_path / "refused", args)
        assert refused.reason == "finished", refused.log[-3000:]
        assert sb.ledger.charges == []
        bought = crawl(sb, "pdf", tmp_path / "bought", {**args, "uncapped": "1"})
        charges = sb.ledger.charges
    assert refused.stat("pacer/skipped/uncapped") == 1
    assert "past PACER's $3.00 cap" in refused.log and "-a uncapped=1" in refused.log
    assert [c.pages for c in charges] == [entry.page_count]  # every page billed, past 30
    assert bought.stat("pacer/spent") == pytest.approx(round(entry.page_count * 0.10, 2))
    assert bought.stat("pacer/spent") > 3.00


def free_look_states(workdir) -> dict:
    with sqlite3.connect(workdir / "archive.sqlite3") as db:
        return {doc_id: (status, reason) for doc_id, status, reason in
                db.execute("select pacer_doc_id, status, status_reason from free_looks")}


def test_nef_free_looks_are_fetched_once_inside_their_window_and_never_bought(tmp_path):
    from datetime import date

    from pacer_spiders.cli import main
    from pacer_spiders.sandbox import render

    with Sandbox(seed=3, cases_per_court=4, entries=(4, 6)) as sb:
        case = held_cases(sb, 1)[0]
        [fresh] = sb.add_entries(COURT, case.pacer_case_id, 1, when=date.today())
        old = next(e for e in case.entries if e.pacer_doc_id and not e.attachments and e is not fresh
                   and not (e.sealed or e.restricted or e.unavailable))
        database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        for name, entry in (("fresh.eml", fresh), ("old.eml", old)):
            (tmp_path / name).write_bytes(render.notice_email(case, entry, sb.court_url(COURT)))
            assert main(["ingest", str(tmp_path / name), "--court", COURT, "--type", "nef",
                         "--database-url", database_url]) == 0
        first = crawl(sb, "free_looks", tmp_path, {"court": COURT})
        assert first.reason == "finished", first.log[-3000:]
        states = free_look_states(tmp_path)
        asked = sb.request_counts("/doc1/")
        second = crawl(sb, "free_looks", tmp_path, {"court": COURT})
        assert sb.request_counts("/doc1/") == asked  # a used or expired look is not tried again
        charges = sb.ledger.charges
    assert charges == []
    assert states[fresh.pacer_doc_id][0] == "used" and states[old.pacer_doc_id][0] == "expired"
    assert sum(asked.values()) == 1
    assert first.stat("pacer/free_looks/used") == 1 and first.stat("pacer/free_looks/expired") == 1
    with sqlite3.connect(tmp_path / "archive.sqlite3") as db:
        [(filepath,)] = db.execute("select filepath from documents where pacer_doc_id = ?", (fresh.pacer_doc_id,))
    assert (tmp_path / "files" / filepath).read_bytes()[:5] == b"%PDF-"
    assert second.reason == "finished"


def test_a_spent_free_look_is_recorded_not_bought(tmp_path):
    from datetime import date

    from pacer_spiders.cli import main
    from pacer_spiders.sandbox import render

    with Sandbox(seed=3, cases_per_court=4, entries=(4, 6)) as sb:
        case = held_cases(sb, 1)[0]
        [fresh] = sb.add_entries(COURT, case.pacer_case_id, 1, when=date.today())
        raw = render.notice_email(case, fresh, sb.court_url(COURT))
        (tmp_path / "n.eml").write_bytes(raw)
        assert main(["ingest", str(tmp_path / "n.eml"), "--court", COURT, "--type", "nef",
                     "--database-url", f"sqlite:///{tmp_path / 'archive.sqlite3'}"]) == 0
        sb.used_free_looks.add((COURT, fresh.pacer_doc_id, render.free_look_magic(fresh, "counsel@example.com")))
        result = crawl(sb, "free_looks", tmp_path, {"court": COURT})
        charges = sb.ledger.charges
    assert result.reason == "finished", result.log[-3000:]
    assert charges == []
    status, reason = free_look_states(tmp_path)[fresh.pacer_doc_id]
    assert status == "used" and "spent" in reason
    assert result.stat("pacer/free_looks/spent") == 1


def notice_mails(sb):
    """Two fresh NEF e-mails of one case, and a message that is no notice."""
    from datetime import date
    from email.message import EmailMessage

    from pacer_spiders.sandbox import render

    case = held_cases(sb, 1)[0]
    entries = sb.add_entries(COURT, case.pacer_case_id, 2, when=date.today())
    other = EmailMessage()
    other["Subject"], other["From"] = "lunch?", "friend@example.com"
    other.set_content("not a notice")
    return entries, [render.notice_email(case, e, sb.court_url(COURT)) for e in entries] + [bytes(other)]


def test_a_maildir_of_notices_is_ingested_once_and_its_free_looks_fetched(tmp_path, capsys):
    import mailbox

    from pacer_spiders.cli import main

    with Sandbox(seed=3, cases_per_court=4, entries=(4, 6)) as sb:
        entries, mails = notice_mails(sb)
        box = mailbox.Maildir(tmp_path / "Maildir", create=True)
        for raw in mails:
            box.add(mailbox.MaildirMessage(raw))
        argv = ["mail", "--maildir", str(tmp_path / "Maildir"), "--database-url",
                f"sqlite:///{tmp_path / 'archive.sqlite3'}"]
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "2 notices ingested, 1 messages skipped" in out and "not a NEF/NDA notice" in out
        assert main(argv) == 0  # read messages are not ingested again
        assert "0 notices ingested, 1 messages skipped" in capsys.readouterr().out
        result = crawl(sb, "free_looks", tmp_path, {"court": COURT})
        charges = sb.ledger.charges
    assert result.stat("pacer/free_looks/used") == 2 and charges == []
    assert {e.pacer_doc_id for e in entries} == {d for d, (s, _r) in free_look_states(tmp_path).items() if s == "used"}


@pytest.mark.service
def test_an_imap_mailbox_of_notices_is_ingested_once_and_its_free_looks_fetched(tmp_path, capsys, monkeypatch):
    import imaplib
    import mailbox
    import os

    from pacer_spiders.cli import main
    from pacer_spiders.testing.imap import imap_server

    with Sandbox(seed=3, cases_per_court=4, entries=(4, 6)) as sb, imap_server() as (host, user, password, maildir):
        entries, mails = notice_mails(sb)
        box = mailbox.Maildir(maildir, create=False)
        owner = os.stat(maildir)
        for raw in mails:
            key = box.add(mailbox.MaildirMessage(raw))
            os.chown(maildir / "new" / key, owner.st_uid, owner.st_gid)
        argv = ["mail", "--imap", host, "--imap-user", user, "--database-url",
                f"sqlite:///{tmp_path / 'archive.sqlite3'}"]
        monkeypatch.setenv("PACER_IMAP_PASSWORD", "wrong")
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "IMAP refused" in err and "wrong" not in err
        monkeypatch.setenv("PACER_IMAP_PASSWORD", password)
        assert main(argv) == 0
        assert "2 notices ingested, 1 messages skipped" in capsys.readouterr().out
        assert main(argv) == 0  # the notices are \Seen now; the other message stays unread
        assert "0 notices ingested, 1 messages skipped" in capsys.readouterr().out
        name, port = host.split(":")
        client = imaplib.IMAP4(name, int(port))
        client.login(user, password)
        client.select("INBOX")
        assert len(client.search(None, "SEEN")[1][0].split()) == 2
        client.logout()
        result = crawl(sb, "free_looks", tmp_path, {"court": COURT})
        charges = sb.ledger.charges
    assert result.stat("pacer/free_looks/used") == 2 and charges == []
    assert {e.pacer_doc_id for e in entries} == {d for d, (s, _r) in free_look_states(tmp_path).items() if s == "used"}


def test_a_partial_rss_feed_never_hides_a_moved_docket(tmp_path):
    """A feed that carries only orders says nothing of a new motion: the mobile query still sees it."""
    with Sandbox(seed=3, cases_per_court=6, entries=(4, 8)) as sb:
        sb.rss_partial = {COURT: ("Order", "Judgment")}
        cases = held_cases(sb, 4)
        crawl_dockets(sb, tmp_path, cases)
        before = len(sb.ledger)
        sb.add_entries(COURT, cases[2].pacer_case_id, 1)
        result = crawl(sb, "refresh", tmp_path, {"court": COURT, "all": "1"})
        charges = sb.ledger.charges[before:]
    assert result.reason == "finished", result.log[-3000:]
    assert [c.pacer_case_id for c in charges] == [cases[2].pacer_case_id]
    assert result.stat("pacer/refresh/unchanged") == 3

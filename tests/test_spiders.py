"""The docket, attachment_page and pdf spiders end to end against the sandbox (real HTTP on loopback).

Each crawl runs ``scrapy crawl`` in a subprocess (a fresh reactor); the sandbox's ledger says
what PACER would have billed.
"""

from __future__ import annotations

import json

import pytest

from pacer_spiders.reports.possible_case_numbers import choose, main_case, matching
from pacer_spiders.spiders.pdf import parse_ranges
from spider_helpers import COURT, crawl, files_under, first_case, small_sandbox


@pytest.fixture(scope="module")
def sb():
    with small_sandbox() as sandbox:
        yield sandbox


def charges_since(sb, before):
    return sb.ledger.charges[before:]


def documents(case, **wanted):
    """(entry, attachment-less) documents of a case with the given flags."""
    found = []
    for entry in case.entries:
        if not entry.pacer_doc_id:
            continue
        flags = {"sealed": entry.sealed, "attachments": bool(entry.attachments),
                 "restricted": getattr(entry, "restricted", False), "unavailable": getattr(entry, "unavailable", False)}
        if all(flags.get(k) == v for k, v in wanted.items()):
            found.append(entry)
    return found


def buyable(case):
    return documents(case, sealed=False, attachments=False, restricted=False, unavailable=False)


def unique_number_case(sb):
    def unique(case):
        same = [c for c in sb.data.cases(COURT) if c.serial == case.serial and c.year % 100 == case.year % 100
                and c.case_type == case.case_type]
        return len(same) == 1

    return first_case(sb, predicate=unique)


def test_docket_by_docket_number_resolves_the_case_id_for_free(sb, tmp_path):
    case = unique_number_case(sb)
    number = f"{case.year % 100:02d}-{case.case_type}-{case.serial:05d}"
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "docket_number": number})
    assert result.reason == "finished", result.log[-3000:]
    assert result.stat("pacer/pages/possible_case_numbers") == 1
    assert result.stat("pacer/pages/docket") == 1
    charges = charges_since(sb, before)
    assert [(c.report, c.pacer_case_id) for c in charges] == [("docket", case.pacer_case_id)]
    assert result.stat("pacer/spent") == pytest.approx(charges[0].cost)
    assert f"is PACER case {case.pacer_case_id}" in result.log
    assert "Crawl summary (finished)" in result.log and "pages fetched: 2" in result.log


def test_docket_by_case_id_sends_the_report_options(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: len(buyable(c)) >= 3)
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": case.pacer_case_id,
                                            "doc_num_start": "2", "doc_num_end": "3", "show_parties_and_counsel": "0"})
    assert result.reason == "finished", result.log[-3000:]
    [charge] = charges_since(sb, before)
    assert "Starting with document: 2 Ending with document: 3" in charge.criteria
    whole = crawl(sb, "docket", tmp_path / "whole", {"court": COURT, "pacer_case_id": case.pacer_case_id})
    assert whole.stat("pacer/spent") >= result.stat("pacer/spent")


def test_ambiguous_docket_number_lists_the_cases_and_buys_nothing(sb, tmp_path):
    groups = {}
    for case in sb.data.cases(COURT):
        groups.setdefault((case.year % 100, case.case_type, case.serial), []).append(case)
    key, cases = next((k, v) for k, v in groups.items() if len(v) > 1)
    number = f"{key[0]:02d}-{key[1]}-{key[2]:05d}"
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "docket_number": number})
    assert f"matches {len(cases)} cases" in result.log
    for case in cases:
        assert case.pacer_case_id in result.log
    assert "-a pick=main" in result.log
    assert result.stat("pacer/errors/ambiguous_docket_number") == 1
    assert len(sb.ledger) == before
    picked = crawl(sb, "docket", tmp_path / "pick", {"court": COURT, "docket_number": number, "pick": "main"})
    assert [c.pacer_case_id for c in charges_since(sb, before)] == [min(c.pacer_case_id for c in cases)]
    assert picked.reason == "finished"
    # The page that chose the case is read once: the pipelines merge the choice, they refuse nothing.
    assert not picked.stat("pages/rejected") and picked.stat("archive/dockets_added") == 1


def test_attachment_page_spider_fetches_the_menu_for_free(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: documents(c, sealed=False, attachments=True))
    with_menu = documents(case, sealed=False, attachments=True)[0]
    without = buyable(case)[0]
    before = len(sb.ledger)
    result = crawl(sb, "attachment_page", tmp_path,
                   {"court": COURT, "pacer_doc_id": f"{with_menu.pacer_doc_id},{without.pacer_doc_id}"})
    assert result.reason == "finished", result.log[-3000:]
    assert result.stat("pacer/pages/attachment_page") == 1
    assert result.stat("pacer/skipped/no_attachments") == 1
    assert result.stat("item_scraped_count") == 1
    assert len(sb.ledger) == before  # menus and purchase pages are free


def test_docket_with_attachments_follows_every_document_link(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: documents(c, sealed=False, attachments=True))
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": case.pacer_case_id, "attachments": "1"})
    assert result.reason == "finished", result.log[-3000:]
    menus = documents(case, sealed=False, attachments=True)
    assert result.stat("pacer/pages/attachment_page") == len(menus)
    answered = sum(result.stat(k) for k in ("pacer/pages/attachment_page", "pacer/skipped/no_attachments",
                                            "pacer/skipped/sealed", "pacer/skipped/unavailable",
                                            "pacer/skipped/not_found"))
    # Sealed entries have no link; attachment links in the docket text are not followed.
    assert answered == len({e.pacer_doc_id for e in case.entries if e.pacer_doc_id and not e.sealed})


def test_pdf_purchase_follows_the_receipt_and_the_iframe(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: buyable(c))
    entry = buyable(case)[0]
    before = len(sb.ledger)
    # The purchase link form (fourth digit 1) is normalized: the receipt is read before buying.
    purchase_id = entry.pacer_doc_id[:3] + "1" + entry.pacer_doc_id[4:]
    result = crawl(sb, "pdf", tmp_path, {"court": COURT, "pacer_doc_id": purchase_id})
    assert result.reason == "finished", result.log[-3000:]
    [charge] = charges_since(sb, before)
    assert (charge.report, charge.pacer_doc_id) == ("document", entry.pacer_doc_id)
    assert result.stat("pacer/purchases") == 1
    assert result.stat("pacer/pages/pdf") == 1
    assert result.stat("pacer/spent") == pytest.approx(charge.cost)
    assert f"Buying {COURT} document {entry.pacer_doc_id} for ${charge.cost:.2f}" in result.log


def test_cost_cap_stops_the_crawl_before_passing_it(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: len(buyable(c)) >= 3)
    entries = buyable(case)[:3]
    cap = round(entries[0].page_count * 0.10 + 0.05, 2) if entries[0].page_count < 30 else 3.05
    before = len(sb.ledger)
    result = crawl(sb, "pdf", tmp_path, {"court": COURT, "pacer_doc_id": ",".join(e.pacer_doc_id for e in entries)},
                   settings={"PACER_MAX_COST": str(cap), "CONCURRENT_REQUESTS": "1"})
    assert result.reason == "cost_cap", result.log[-3000:]
    assert result.returncode == 0  # a budget reached is not a failure
    spent = sum(c.cost for c in charges_since(sb, before))
    assert spent <= cap
    assert len(charges_since(sb, before)) < len(entries)
    assert "PACER_MAX_COST" in result.log and "Stopping the crawl" in result.log
    # Whatever was paid for is stored: a purchase in flight when the cap is reached still completes.
    assert result.stat("pacer/purchases") == len(charges_since(sb, before))


def test_sealed_document_is_recorded_and_nothing_is_stored(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: documents(c, sealed=True))
    entry = documents(case, sealed=True)[0]
    before = len(sb.ledger)
    result = crawl(sb, "pdf", tmp_path, {"court": COURT, "pacer_doc_id": entry.pacer_doc_id})
    assert result.reason == "finished", result.log[-3000:]
    assert result.stat("pacer/skipped/sealed") == 1
    assert result.stat("item_scraped_count") == 0
    assert len(sb.ledger) == before
    assert not [p for p in files_under(tmp_path) if p.suffix == ".pdf"]
    assert f"document {entry.pacer_doc_id} not fetched: sealed" in result.log


def test_unknown_court_id_is_one_clear_line(sb, tmp_path):
    result = crawl(sb, "docket", tmp_path, {"court": "okwdd", "pacer_case_id": "1"})
    assert result.reason == "unknown_court"
    assert "unknown court id 'okwdd'; did you mean okwd" in result.log
    assert "Traceback" not in result.log
    assert result.stat("downloader/request_count") == 0


def test_a_corpus_docket_served_by_the_sandbox(tmp_path):
    from pacer_spiders.testing.corpus import corpus_root

    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus folder (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    with small_sandbox(corpus=root) as sandbox:
        (court_id, case_id), docket = sorted(sandbox.corpus.dockets.items())[0]
        result = crawl(sandbox, "docket", tmp_path, {"court": court_id, "pacer_case_id": case_id})
        charges = sandbox.ledger.charges
    assert result.reason == "finished", result.log[-3000:]
    assert result.stat("pacer/pages/docket") == 1
    assert [(c.report, c.pacer_case_id) for c in charges] == [("docket", case_id)]


# -- units -----------------------------------------------------------------------------------------
def test_docket_numbers_match_possible_case_numbers_candidates():
    candidates = [{"pacer_case_id": "2", "docket_number": "2:16-cr-1152", "title": "", "defendant": None},
                  {"pacer_case_id": "1", "docket_number": "2:16-cv-1152", "title": "", "defendant": None},
                  {"pacer_case_id": "3", "docket_number": "4:16-cv-1152", "title": "", "defendant": None}]
    assert [c["pacer_case_id"] for c in matching("2:16-cv-01152", candidates)] == ["1"]
    assert [c["pacer_case_id"] for c in matching("16-cv-1152", candidates)] == ["1", "3"]
    assert main_case(matching("16-cv-1152", candidates))["pacer_case_id"] == "1"
    assert choose(candidates, "16-cv-1152")[0] is None
    assert choose(candidates, "16-cv-1152", pick="main")[0]["pacer_case_id"] == "1"
    assert choose(candidates, "16-cv-1152", pick="3")[0]["pacer_case_id"] == "3"
    assert choose(candidates, "16-cv-9999") == (None, [])


def test_document_ranges():
    assert parse_ranges("1-3,7") == {1, 2, 3, 7}
    with pytest.raises(ValueError):
        parse_ranges("3-1")


def test_stats_file_is_json(sb, tmp_path):
    result = crawl(sb, "attachment_page", tmp_path, {"court": COURT, "pacer_doc_id": "abc"})
    assert result.reason == "bad_argument"
    assert "pacer_doc_id must be PACER's document id (8 to 13 digits, or an ACMS GUID), not 'abc'" in result.log
    assert json.loads((tmp_path / "stats.json").read_text())["pacer/errors/bad_argument"] == 1


def test_many_cases_from_an_input_file(sb, tmp_path):
    cases = [c for c in sb.data.cases(COURT) if not c.sealed][:2]
    rows = "court,pacer_case_id\n" + "".join(f"{COURT},{c.pacer_case_id}\n" for c in cases) + "zzzz,1\n"
    (tmp_path / "cases.csv").write_text(rows)
    before = len(sb.ledger)
    result = crawl(sb, "docket", tmp_path, {"input": str(tmp_path / "cases.csv")})
    assert result.reason == "finished", result.log[-3000:]
    assert sorted(c.pacer_case_id for c in charges_since(sb, before)) == sorted(c.pacer_case_id for c in cases)
    assert result.stat("pacer/errors/unknown_court") == 1
    assert "unknown court id 'zzzz'" in result.log
    jsonl = tmp_path / "cases.jsonl"
    jsonl.write_text(json.dumps({"court": COURT, "pacer_case_id": cases[0].pacer_case_id, "doc_num_end": "1"}) + "\n")
    before = len(sb.ledger)
    crawl(sb, "docket", tmp_path / "jsonl", {"input": str(jsonl)})
    [charge] = charges_since(sb, before)
    assert "Ending with document: 1" in charge.criteria


# -- with the archive (the pipelines store what the spiders yield) --------------------------------
def _archive_entries(database_url, court_id, pacer_case_id) -> int:
    from pacer_spiders.db.reader import ArchiveReader

    held = ArchiveReader.open(database_url).find_docket(court_id, pacer_case_id)
    return held["entry_count"] if held else 0


def test_refresh_since_last_is_billed_for_the_new_entries_only(tmp_path):
    pytest.importorskip("pacer_spiders.pipelines.database", reason="the archive pipelines are not merged yet")
    pytest.importorskip("pacer_spiders.reports.docket", reason="the docket parser is not merged yet")
    database_url = f"sqlite:///{tmp_path / 'archive.sqlite3'}"
    settings = {"DATABASE_URL": database_url, "FILES_STORE": str(tmp_path / "files")}
    with small_sandbox(case_sizes={(COURT, "100002"): 60}) as sandbox:
        case = sandbox.data.get_case(COURT, "100002")
        first = crawl(sandbox, "docket", tmp_path / "first", {"court": COURT, "pacer_case_id": "100002"},
                      settings=settings)
        assert first.reason == "finished", first.log[-3000:]
        held = _archive_entries(database_url, COURT, "100002")
        assert held == len(case.entries)
        added = sandbox.data.add_entries(COURT, "100002", count=3)
        refresh = crawl(sandbox, "docket", tmp_path / "refresh", {"court": COURT, "pacer_case_id": "100002",
                                                                  "since": "last"}, settings=settings)
        assert refresh.reason == "finished", refresh.log[-3000:]
        whole_charge, refresh_charge = sandbox.ledger.charges
    assert _archive_entries(database_url, COURT, "100002") == held + len(added)
    assert "Filed From" in refresh_charge.criteria
    # The refresh report holds the new entries (and that last day's): a page, not the whole docket.
    assert refresh_charge.pages == 1 < whole_charge.pages
    assert refresh.stat("pacer/spent") == pytest.approx(refresh_charge.cost)
    assert "since=last" in refresh.log


def test_a_crawl_of_many_cases_merges_in_a_process_and_a_short_one_in_a_thread(sb, tmp_path):
    """ARCHIVE_WRITER_PROCESS's default ("auto"): a crawl given ARCHIVE_WRITER_PROCESS_CASES cases or
    more merges in a process of its own (the other core), a shorter one in the writer thread; both
    store every docket."""
    cases = [c for c in sb.data.cases(COURT) if not c.sealed][:3]
    (tmp_path / "cases.csv").write_text("court,pacer_case_id\n" + "".join(f"{COURT},{c.pacer_case_id}\n" for c in cases))
    for label, threshold, in_process in (("long", 3, True), ("short", 4, False)):
        database_url = f"sqlite:///{tmp_path / label}.sqlite3"
        result = crawl(sb, "docket", tmp_path / label, {"input": str(tmp_path / "cases.csv")},
                       settings={"DATABASE_URL": database_url, "FILES_STORE": str(tmp_path / label / "files"),
                                 "ARCHIVE_WRITER_PROCESS_CASES": str(threshold)})
        assert result.reason == "finished", result.log[-3000:]
        assert (result.stat("archive/merge_process") == 1) is in_process, label
        assert ("in a process of their own" in result.log) is in_process, label
        assert result.stat("archive/dockets_added") == len(cases)
        for case in cases:
            assert _archive_entries(database_url, COURT, case.pacer_case_id) == len(case.entries)


@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_merge_process_killed_mid_crawl_loses_no_docket(sb, tmp_path, moment, database_url):
    """The merge process dies (SIGKILL) at its third item, before merging it or after (committed,
    never answered): the writer thread merges that item and every later one; every docket is held
    once with all its entries, and the crawl says so in one line."""
    import sqlalchemy as sa

    cases = [c for c in sb.data.cases(COURT) if not c.sealed][:6]
    (tmp_path / "cases.csv").write_text("court,pacer_case_id\n" + "".join(f"{COURT},{c.pacer_case_id}\n" for c in cases))
    result = crawl(sb, "docket", tmp_path / "crawl", {"input": str(tmp_path / "cases.csv")},
                   settings={"DATABASE_URL": database_url, "FILES_STORE": str(tmp_path / "files"),
                             "ARCHIVE_WRITER_PROCESS": "True", "PACER_KILL_MERGE_PROCESS_AT": f"3:{moment}"})
    assert result.reason == "finished", result.log[-3000:]
    assert result.log.count("the merge process died; merging in the writer thread from now on") == 1
    for case in cases:
        assert _archive_entries(database_url, COURT, case.pacer_case_id) == len(case.entries)
    with sa.create_engine(database_url).connect() as db:
        held = db.execute(sa.text("SELECT pacer_case_id, count(*) FROM dockets GROUP BY pacer_case_id")).all()
    assert sorted(held) == sorted((c.pacer_case_id, 1) for c in cases)
    # The docket merged by the dead process (after) is found held by the thread's merge of it.
    assert result.stat("archive/dockets_added") == len(cases) - (moment == "after")


def test_summary_lines_report_pages_cost_changes_and_errors():
    from pacer_spiders.summary import summary_lines

    lines = summary_lines({"pacer/pages/docket": 2, "pacer/pages/attachment_page": 3, "pacer/spent": 0.6,
                           "pacer/billed_pages": 6, "archive/entries_added": 40, "archive/entries_unchanged": 5,
                           "archive/dockets_changed": 1, "pacer/errors/http_500": 2, "pages/rejected/sealed": 1,
                           "pacer/skipped/already_held": 4})
    assert lines[0] == "pages fetched: 5 (attachment_page 3, docket 2)"
    assert lines[1].startswith("PACER cost: $0.60 (6 billed pages")
    assert lines[2] == "archive: dockets changed 1, entries added 40"
    assert lines[3] == "errors: http_500 2, pages/rejected/sealed 1"
    assert lines[4] == "not fetched: already_held 4"


def test_real_pacer_purchase_and_menu_pages_are_read_for_their_next_step():
    """On real PACER pages (the corpus): the confirmation form's goDLS fields and receipt, a menu."""
    from scrapy.http import HtmlResponse, Request

    from scrapy.utils.test import get_crawler

    from pacer_spiders.reports.receipt import receipt_cost, receipt_of
    from pacer_spiders.spiders.doc1 import read_doc1
    from pacer_spiders.spiders.pdf import PdfSpider
    from pacer_spiders.testing.corpus import corpus_root

    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus folder (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    body = (root / "confirmation_pages" / "cand_1.html").read_bytes()
    spider = PdfSpider.from_crawler(get_crawler(PdfSpider), court="cand")
    page = read_doc1(spider, HtmlResponse("https://ecf.cand.uscourts.gov/doc1/035122812318", body=body,
                                          request=Request("https://ecf.cand.uscourts.gov/doc1/035122812318")),
                     {"court_id": "cand"})
    assert page.kind == "confirmation"
    assert page.url == "https://ecf.cand.uscourts.gov/doc1/035122812318"
    assert page.fields == {"caseid": "330489", "de_seq_num": "2369", "got_receipt": "1", "pdf_toggle_possible": "1"}
    assert receipt_cost(receipt_of(body)) == pytest.approx(0.10)
    assert page.page.items[0]["receipt"]["cost"] == receipt_of(body)["cost"]
    menu = (root / "attachment_pages" / "akd_0230682806.html").read_bytes()
    page = read_doc1(spider, HtmlResponse("https://ecf.akd.uscourts.gov/doc1/0230682806", body=menu,
                                          request=Request("https://ecf.akd.uscourts.gov/doc1/0230682806")),
                     {"court_id": "akd"})
    assert page.kind == "menu"
    assert page.fields["caseid"] == "638"


def test_requests_hold_only_json_values(sb):
    """What a spider asks can be queued as JSON (a distributed crawl keeps requests in Redis)."""
    import base64

    from pacer_spiders.spiders.docket import DocketSpider

    spider = DocketSpider(court=COURT, docket_number="16-cv-100")
    spider.url_template, spider.database_url = sb.settings["PACER_COURT_URL_TEMPLATE"], None
    [lookup] = list(spider.start_requests_checked())
    [report] = spider.docket_request(spider.court(COURT), {"court_id": COURT, "pacer_case_id": "100001"},
                                     spider.report_options({"since": ""}))
    for request in (lookup, report):
        data = request.to_dict(spider=spider)
        data["body"] = base64.b64encode(data["body"]).decode()
        data["headers"] = {k.decode(): [v.decode() for v in vs] for k, vs in data["headers"].items()}
        json.dumps(data)  # raises TypeError on any non-JSON value
        assert "Cookie" not in data["headers"]


def test_pdf_of_a_document_with_attachments_buys_the_main_document(sb, tmp_path):
    case = first_case(sb, predicate=lambda c: documents(c, sealed=False, attachments=True, restricted=False,
                                                        unavailable=False))
    entry = documents(case, sealed=False, attachments=True, restricted=False, unavailable=False)[0]
    before = len(sb.ledger)
    result = crawl(sb, "pdf", tmp_path, {"court": COURT, "pacer_doc_id": entry.pacer_doc_id})
    assert result.reason == "finished", result.log[-3000:]
    [charge] = charges_since(sb, before)
    assert (charge.report, charge.pacer_doc_id, charge.pages) == ("document", entry.pacer_doc_id,
                                                                   min(entry.page_count, 30))
    assert result.stat("pacer/pages/attachment_page") == 1  # the free menu is kept on the way
    assert result.stat("pacer/purchases") == 1
    assert result.stat("pacer/spent") == pytest.approx(charge.cost)


def test_a_rejected_page_is_logged_in_one_line_without_its_bytes(sb, tmp_path):
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": "999999"})
    dropped = [line for line in result.log.splitlines() if "Dropped " in line]
    assert len(dropped) == 1, result.log[-3000:]
    assert f"Dropped {COURT} docket http" in dropped[0]
    assert "<html" not in result.log.lower() and "b'<" not in result.log


def test_a_crawl_whose_every_request_failed_exits_1(sb, tmp_path):
    from pacer_spiders.testing.services import free_port

    dead = f"http://127.0.0.1:{free_port()}/court/{{subdomain}}"  # the court site is down; login works
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "pacer_case_id": "100001"},
                   settings={"PACER_COURT_URL_TEMPLATE": dead, "RETRY_TIMES": "0"})
    assert result.reason == "finished"
    assert result.returncode == 1, result.log[-3000:]
    assert "every request failed; nothing was fetched" in result.log

"""``scrapy crawl`` exits 0 when it got everything asked (or skipped it on purpose), 2 when it got
part, 1 when it got none; the reason is one line on stderr and in ``crawl_runs.finish_reason``."""

from __future__ import annotations

import os

import sqlalchemy as sa
import pytest

from pacer_spiders.outcome import Outcome, crawl_outcome
from spider_helpers import COURT, crawl, small_sandbox


@pytest.mark.parametrize("stats, reason, spider, expected", [
    ({"outcome/stored/docket": 2}, "finished", "docket", Outcome(0, "finished")),
    ({"pacer/skipped/cost_cap": 3}, "cost_cap", "docket", Outcome(0, "cost_cap")),
    ({"pacer/skipped/already_held": 1, "outcome/dropped/pdf/sealed": 1}, "finished", "pdf", Outcome(0, "finished")),
    ({}, "finished", "docket", Outcome(0, "finished")),
    ({"outcome/stored/docket": 3, "pacer/errors/http_429": 2}, "finished", "docket",
     Outcome(2, "partial: 3 obtained, 0 skipped; not obtained: http_429 2")),
    ({"outcome/stored/docket": 1, "outcome/dropped/docket/not_found": 1}, "finished", "docket",
     Outcome(2, "partial: 1 obtained, 0 skipped; not obtained: not_found 1")),
    # A lookup refused is the spider's own error: counted once.
    ({"pacer/errors/case_not_found": 1, "outcome/dropped/possible_case_numbers/not_found": 1,
      "pacer/pages/possible_case_numbers": 1}, "finished", "docket", Outcome(1, "nothing obtained: case_not_found 1")),
    ({"outcome/stored/possible_case_numbers": 1, "pacer/errors/ambiguous_docket_number": 1}, "finished", "docket",
     Outcome(1, "nothing obtained: ambiguous_docket_number 1")),
    ({"outcome/stored/attachment_page": 1, "pacer/skipped/not_found": 1}, "finished", "pdf",
     Outcome(1, "nothing obtained: not_found 1")),
    ({"pacer/errors/download": 4}, "finished", "docket",
     Outcome(1, "every request failed; nothing was fetched: download 4")),
    ({"pacer/errors/bad_argument": 1}, "bad_argument", "docket", Outcome(1, "bad_argument")),
    ({"outcome/stored/docket": 5}, "shutdown", "docket", Outcome(1, "shutdown")),
    # A sweep's probes past the last case are how it finds the end, not failures.
    ({"outcome/stored/case_query": 3, "outcome/dropped/case_query/not_found": 5}, "finished", "case_query_sweep",
     Outcome(0, "finished")),
    ({"outcome/stored/case_query": 3, "pacer/errors/http_500": 1}, "finished", "case_query_sweep",
     Outcome(2, "partial: 3 obtained, 0 skipped; not obtained: http_500 1")),
])
def test_crawl_outcome(stats, reason, spider, expected):
    assert crawl_outcome(stats, reason, spider) == expected


def test_a_long_reason_fits_its_column():
    stats = {"outcome/stored/docket": 1, **{f"pacer/errors/kind_number_{n}": n for n in range(1, 20)}}
    outcome = crawl_outcome(stats, "finished", "docket")
    assert outcome.exit_code == 2 and len(outcome.reason) == 100 and outcome.reason.endswith("…")


@pytest.fixture(scope="module")
def sb():
    with small_sandbox() as sandbox:
        yield sandbox


def finish_reasons(result) -> list:
    engine = sa.create_engine(f"sqlite:///{result.workdir / 'archive.sqlite3'}")
    with engine.connect() as conn:
        reasons = [row[0] for row in conn.execute(sa.text("SELECT finish_reason FROM crawl_runs"))]
    engine.dispose()
    return reasons


def error_lines(result) -> list[str]:
    return [line for line in result.log.splitlines() if line.startswith("scrapy crawl: error")]


def test_a_docket_number_that_matches_nothing_exits_1(sb, tmp_path):
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "docket_number": "1:99-cv-99999"})
    assert result.returncode == 1
    assert error_lines(result) == ["scrapy crawl: error: nothing obtained: case_not_found 1"]
    assert finish_reasons(result) == ["nothing obtained: case_not_found 1"]


def test_an_ambiguous_docket_number_exits_1(sb, tmp_path):
    groups = {}
    for case in sb.data.cases(COURT):
        groups.setdefault((case.year % 100, case.case_type, case.serial), []).append(case)
    year, case_type, serial = next(key for key, cases in groups.items() if len(cases) > 1)
    result = crawl(sb, "docket", tmp_path, {"court": COURT, "docket_number": f"{year:02d}-{case_type}-{serial:05d}"})
    assert result.returncode == 1
    assert finish_reasons(result) == ["nothing obtained: ambiguous_docket_number 1"]


def test_a_pdf_that_is_not_found_exits_1(sb, tmp_path):
    result = crawl(sb, "pdf", tmp_path, {"court": COURT, "pacer_doc_id": "149099999999"})
    assert result.returncode == 1 and finish_reasons(result) == ["nothing obtained: not_found 1"]


def test_cases_of_which_one_is_missing_exit_2_and_all_found_exit_0(sb, tmp_path):
    cases = [c for c in sb.data.cases(COURT) if not c.sealed][:2]
    listing = tmp_path / "cases.csv"
    listing.write_text("court,pacer_case_id\n" + "".join(f"{COURT},{c.pacer_case_id}\n" for c in cases) + f"{COURT},999999\n")
    result = crawl(sb, "docket", tmp_path / "partial", {"input": str(listing)})
    assert result.returncode == 2, result.log[-3000:]
    assert error_lines(result) == ["scrapy crawl: error: partial: 2 obtained, 0 skipped; not obtained: not_found 1"]
    assert finish_reasons(result) == ["partial: 2 obtained, 0 skipped; not obtained: not_found 1"]
    whole = crawl(sb, "docket", tmp_path / "whole", {"court": COURT, "pacer_case_id": cases[0].pacer_case_id})
    assert whole.returncode == 0 and error_lines(whole) == [] and finish_reasons(whole) == ["finished"]


def test_dockets_lost_to_rate_limits_exit_2(tmp_path):
    with small_sandbox(faults="429=2") as sandbox:
        cases = [c for c in sandbox.data.cases(COURT) if not c.sealed][:8]
        listing = tmp_path / "cases.csv"
        listing.write_text("court,pacer_case_id\n" + "".join(f"{COURT},{c.pacer_case_id}\n" for c in cases))
        result = crawl(sandbox, "docket", tmp_path / "crawl", {"input": str(listing)}, settings={"RETRY_TIMES": "0"})
    lost = result.stat("pacer/errors/http_429")
    assert 0 < lost < len(cases), result.log[-3000:]
    assert result.returncode == 2
    assert finish_reasons(result) == [f"partial: {result.stat('outcome/stored/docket')} obtained, 0 skipped; "
                                      f"not obtained: http_429 {lost}"]


def test_a_crawl_of_real_pacer_without_an_account_stops_before_any_request(tmp_path):
    """Against PACER's own URLs (the defaults) and no credentials: one line, exit 1, nothing asked."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("PACER_") or k == "PACER_CORPUS"}
    env.update({"SCRAPY_SETTINGS_MODULE": "pacer_spiders.settings", "PACER_SPIDERS_LOAD_ENTRYPOINTS": "0"})
    proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "docket", "-a", "court=cand", "-a",
                           "pacer_case_id=100001", "-s", f"DATABASE_URL=sqlite:///{tmp_path / 'a.db'}",
                           "-s", f"FILES_STORE={tmp_path / 'files'}"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "no PACER account to log in with: set PACER_USERNAME and PACER_PASSWORD" in proc.stderr
    assert "Traceback" not in proc.stderr and "Crawled (" not in proc.stderr  # no request went out


def test_the_credentials_check_leaves_the_sandbox_and_free_feeds_alone():
    from scrapy.settings import Settings

    from pacer_spiders.scrapy_commands.crawl import credentials_problem
    from pacer_spiders.spiders.discovery import RssSpider
    from pacer_spiders.spiders.docket import DocketSpider

    real = Settings({"PACER_LOGIN_URL": "https://pacer.login.uscourts.gov/services/cso-auth"})
    assert credentials_problem(real, DocketSpider) is not None
    assert credentials_problem(real, RssSpider) is None
    assert credentials_problem(Settings({"PACER_LOGIN_URL": "http://127.0.0.1:8000/services/cso-auth"}),
                               DocketSpider) is None
    with_account = Settings({**real.copy_to_dict(), "PACER_USERNAME": "u", "PACER_PASSWORD": "p"})
    assert credentials_problem(with_account, DocketSpider) is None

"""Spidermon monitors (the ``monitoring`` extra): a crawl that spends more than
``PACER_MONITOR_MAX_COST`` fails its cost monitor, and the failure runs the configured action."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from spider_helpers import crawl, first_case, small_sandbox

pytest.importorskip("spidermon")


@pytest.fixture(scope="module")
def sb():
    with small_sandbox() as sandbox:
        yield sandbox


def test_a_crawl_over_the_cost_threshold_fails_its_monitor_and_writes_the_report(sb, tmp_path):
    case = first_case(sb, "cand")
    report = tmp_path / "monitors.html"
    result = crawl(sb, "docket", tmp_path, {"court": "cand", "pacer_case_id": case.pacer_case_id},
                   settings={"PACER_MONITORING": "1", "PACER_MONITOR_MAX_COST": "0.01", "PACER_MONITOR_ACTIONS": "report",
                             "SPIDERMON_REPORT_TEMPLATE": "reports/email/monitors/result.jinja",
                             "SPIDERMON_REPORT_FILENAME": str(report)})
    assert result.reason == "finished", result.log[-3000:]
    assert result.stat("pacer/spent") > 0.01
    assert "PACER crawl/cost within the threshold... FAIL" in result.log
    assert "PACER crawl/something stored... OK" in result.log and "PACER crawl/logins accepted... OK" in result.log
    assert "over the $0.01 threshold" in result.log
    assert report.exists() and "cost within the threshold" in report.read_text("utf-8")


def test_actions_are_named_in_the_settings():
    from spidermon.contrib.actions.email.smtp import SendSmtpEmail
    from spidermon.contrib.actions.sentry import SendSentryMessage
    from spidermon.contrib.actions.slack.notifiers import SendSlackMessageSpiderFinished

    from pacer_spiders.monitors import configured_actions

    assert configured_actions(Settings({"PACER_MONITOR_ACTIONS": "email,slack,sentry"})) == [
        SendSmtpEmail, SendSlackMessageSpiderFinished, SendSentryMessage]
    assert configured_actions(Settings({"PACER_MONITOR_ACTIONS": ""})) == []


def test_a_worker_that_receives_nothing_for_too_long_fails_the_idle_monitor(tmp_path):
    # every answer takes 2.5 s: two checks a second apart see no new page in between
    with small_sandbox(latency=2500) as slow:
        case = first_case(slow, "cand")
        result = crawl(slow, "docket", tmp_path, {"court": "cand", "pacer_case_id": case.pacer_case_id},
                       settings={"PACER_MONITORING": "1", "PACER_MONITOR_IDLE_SECONDS": "1"})
    assert result.reason == "finished", result.log[-3000:]
    assert "PACER worker/not idle too long... FAIL" in result.log
    assert "no page received in the last 1 s" in result.log


def test_a_refused_login_fails_the_login_and_stored_monitors(sb, tmp_path):
    case = first_case(sb, "cand")
    result = crawl(sb, "docket", tmp_path, {"court": "cand", "pacer_case_id": case.pacer_case_id},
                   env={"PACER_PASSWORD": "not-the-password"}, settings={"PACER_MONITORING": "1"})
    assert "PACER crawl/logins accepted... FAIL" in result.log, result.log[-3000:]
    assert "PACER crawl/something stored... FAIL" in result.log
    assert "not-the-password" not in result.log

"""Bad pages never become data: cut short, of another court, no page at all, a heading without its
report, and 1,000 seeded mutations of real pages (no crash, no docket from garbage)."""

from __future__ import annotations

import json
import random

import pytest

from pacer_spiders.cli import main
from pacer_spiders.reports import read
from pacer_spiders.testing.corpus import corpus_cases, corpus_root, court_of


def _need_corpus():
    if corpus_root() is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")


def _page(folder: str, court: str):
    return next(page for page, expected in corpus_cases(folder)
                if court_of(page) == court and json.loads(expected.read_text("utf-8")))


def _read(body: bytes, court_id: str = "cand", report: str = "docket"):
    return read(report, body, {"court_id": court_id, "url": "file://x", "context": {}})


def test_a_page_of_another_court_is_refused_naming_both(tmp_path, capsys):
    _need_corpus()
    page = _page("dockets/district", "cand")
    code = main(["ingest", str(page), "--court", "nysd", "--type", "docket",
                 "--database-url", f"sqlite:///{tmp_path / 'a.sqlite3'}"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["counts"].get("dockets_added", 0) == 0
    [reason] = report["rejected"]
    assert reason.startswith("wrong_court:") and "cand" in reason and "nysd" in reason


@pytest.mark.parametrize("body,kind", [
    (b"<html><h3>CIVIL DOCKET FOR CASE #: 1:20-cv-00001</h3><table><tr><td>x</td></tr></table></html>",
     "not_the_report"),
    (b"<html><body><p>See the Docket Text column.</p><table><tr><td>Docket Text</td></tr></table></body></html>",
     "empty"),
    (b"PK\x03\x04" + bytes(200), "not_text"),
    (bytes(range(256)) * 4, "not_text"),
    (b"<html><body>" + b"<table><tr><td>" * 1000 + b"<h3>CIVIL DOCKET FOR CASE #: 1:20-cv-00001</h3></body></html>",
     "malformed"),
])
def test_garbage_is_refused_with_a_true_reason(body, kind):
    page = _read(body)
    assert page.parsed is None and page.problem.kind == kind, page.problem
    assert "\n" not in page.problem.reason


def _mutations(body: bytes, rng: random.Random):
    """(name, mutated body, must it be refused?)"""
    size = len(body)
    cut = rng.randrange(size // 10, size * 9 // 10)
    yield "cut", body[:cut], True
    yield "binary", bytes(rng.randrange(256) for _ in range(512)) + body[:200], True
    start = rng.randrange(size)
    yield "bytes", body[:start] + bytes(rng.randrange(256) for _ in range(20)) + body[start + 20:], False
    yield "tags", body.replace(b"</td>", b"", rng.randrange(1, 50)), False
    yield "nesting", body[:start] + b"<table><tr><td>" * 500 + body[start:], True


def test_a_thousand_mutated_pages_crash_nothing_and_garbage_is_never_a_docket():
    _need_corpus()
    rng = random.Random(20261201)
    pages = [(page, report) for folder, report in (("dockets/district", "docket"), ("dockets/bankruptcy", "docket"),
                                                  ("docket_history_reports", "history"))
             for page, expected in corpus_cases(folder) if json.loads(expected.read_text("utf-8"))]
    pages.sort(key=lambda pair: pair[0].stat().st_size)
    pages = pages[: len(pages) * 2 // 3]  # the smaller two thirds: 1,000 mutations in seconds
    outcomes: dict[str, int] = {}
    tried = 0
    while tried < 1000:
        page, report = rng.choice(pages)
        court = court_of(page)
        for name, body, must_refuse in _mutations(page.read_bytes(), rng):
            tried += 1
            result = _read(body, court, report)
            kind = result.problem.kind if result.problem else "parsed"
            outcomes[kind] = outcomes.get(kind, 0) + 1
            assert kind != "parse_error", (page.name, name, result.problem)
            if must_refuse:
                assert result.parsed is None, (page.name, name)
    print(f"\n[fuzz] {tried} mutated pages: {dict(sorted(outcomes.items()))}")
    assert outcomes.get("truncated", 0) > 0 and outcomes.get("parsed", 0) > 0

"""``pacer-spiders parse`` on folders of real corpus pages copied into a temp dir at test time."""

from __future__ import annotations

import json
import shutil

import pytest

from pacer_spiders.cli import main
from pacer_spiders.hookspecs import hookimpl
from pacer_spiders.plugin_manager import get_plugin_manager
from pacer_spiders.scales import to_scales
from pacer_spiders.testing.corpus import compare, corpus_root

pytestmark = pytest.mark.corpus

PAGES = {
    "akd_0230682806.html": "attachment_pages",
    "cand_317868.html": "case_queries",
    "cand_1.html": "confirmation_pages",
    "wvsd.xml": "rss_feeds",
    "sealed_case.xml": "possible_case_numbers",
}


@pytest.fixture
def corpus():
    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    return root


@pytest.fixture
def pages(tmp_path, corpus):
    folder = tmp_path / "html"
    folder.mkdir()
    for name, source in PAGES.items():
        shutil.copy(corpus / source / name, folder / name)
    return folder


def _expected(corpus, name):
    return json.loads((corpus / PAGES[name] / name).with_suffix(".json").read_text())


def _out(folder, stem):
    return json.loads((folder / f"{stem}.json").read_text())


def test_parse_detects_reports_and_writes_reference_json(pages, corpus, capsys):
    assert main(["parse", str(pages), "-d"]) == 0
    out = pages.parent / "json"  # the default: INPUT_DIR/../json
    for name in ("akd_0230682806.html", "cand_317868.html", "cand_1.html", "wvsd.xml"):
        ours, expected = _out(out, name.rsplit(".", 1)[0]), _expected(corpus, name)
        assert compare(ours, expected).ratio == 1.0, name
    assert _out(out, "sealed_case") == {}  # not a report: {} and its reason in the summary
    summary = capsys.readouterr().out
    assert "parsed: 4" in summary and "skipped: 0" in summary and "failed: 0" in summary
    assert "not the report: 1" in summary and "Case Under Seal" in summary


def test_existing_outputs_are_skipped_unless_forced(pages, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["parse", str(pages), "-o", str(out), "-d"]) == 0
    (out / "cand_1.json").write_text('"left alone"')
    capsys.readouterr()
    assert main(["parse", str(pages), "-o", str(out), "-d"]) == 0
    assert "skipped: 5" in capsys.readouterr().out
    assert json.loads((out / "cand_1.json").read_text()) == "left alone"
    assert main(["parse", str(pages), "-o", str(out), "-d", "-f"]) == 0
    assert "parsed: 4" in capsys.readouterr().out
    assert _out(out, "cand_1")["cost"] == "0.10"


def test_force_ucids_reruns_only_the_listed_cases(pages, tmp_path, capsys):
    out = tmp_path / "out"
    shutil.copy(pages / "cand_317868.html", pages / "cand_other.html")
    assert main(["parse", str(pages), "-o", str(out), "-d"]) == 0
    listed = _out(out, "cand_317868")
    (out / "cand_317868.json").write_text(json.dumps({**listed, "case_name": "stale"}))
    (out / "cand_other.json").write_text(json.dumps({**listed, "docket_number": "3:99-cv-00001", "case_name": "stale"}))
    ucids = tmp_path / "ucids.csv"
    ucids.write_text("ucid,note\ncand;;3:17-cv-05729,rerun me\n")
    capsys.readouterr()
    assert main(["parse", str(pages), "-o", str(out), "--force-ucids", str(ucids), "-d"]) == 0
    assert _out(out, "cand_317868")["case_name"] == "Ngo v. Jennings"
    assert _out(out, "cand_other")["case_name"] == "stale"
    assert "parsed: 1" in capsys.readouterr().out


def test_force_ucids_needs_a_ucid_column(pages, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("case\ncand;;1\n")
    assert main(["parse", str(pages), "--force-ucids", str(bad)]) == 1
    assert "no 'ucid' column" in capsys.readouterr().err


def test_court_from_flag_else_from_file_name(tmp_path, corpus):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(corpus / "case_queries" / "cand_317868.html", folder / "query.html")
    assert main(["parse", str(folder), "-o", str(tmp_path / "a"), "-d"]) == 0
    assert _out(tmp_path / "a", "query")["court_id"] == "query"
    assert main(["parse", str(folder), "-o", str(tmp_path / "b"), "-c", "cand", "-d"]) == 0
    assert _out(tmp_path / "b", "query")["court_id"] == "cand"


def test_report_flag_overrides_detection(pages, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["parse", str(pages), "-o", str(out), "-r", "case_query", "-d"]) == 0
    assert _out(out, "cand_317868")["docket_number"] == "3:17-cv-05729"
    assert _out(out, "akd_0230682806") == {}  # an attachment menu is not a case query
    summary = capsys.readouterr().out
    assert "parsed: 1" in summary and "not the report: 4" in summary


def test_undetectable_page_is_not_the_report(tmp_path, corpus, capsys):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(corpus / "case_queries" / "alsd.html", folder / "alsd.html")  # "Case not found."
    assert main(["parse", str(folder), "-d"]) == 0
    assert _out(tmp_path / "json", "alsd") == {}
    assert "not a page of any report" in capsys.readouterr().out


def test_two_workers_write_what_one_process_writes(pages, tmp_path, capsys):
    assert main(["parse", str(pages), "-o", str(tmp_path / "one"), "-d"]) == 0
    assert main(["parse", str(pages), "-o", str(tmp_path / "two"), "-nw", "2"]) == 0
    one = {p.name: p.read_text() for p in (tmp_path / "one").iterdir()}
    two = {p.name: p.read_text() for p in (tmp_path / "two").iterdir()}
    assert one == two and len(one) == len(PAGES)
    assert "parsed: 4" in capsys.readouterr().out


def test_scales_format(pages, tmp_path):
    out = tmp_path / "scales"
    assert main(["parse", str(pages), "-o", str(out), "--format", "scales", "-d"]) == 0
    case = _out(out, "cand_317868")
    assert case["ucid"] == "cand;;3:17-cv-05729" and case["case_id"] == "3:17-cv-05729"
    assert case["judge"] == "Richard Seeborg" and case["case_status"] == "closed"
    receipt = _out(out, "cand_1")
    assert (receipt["billable_pages"], receipt["cost"], receipt["download_timestamp"]) == (1, 0.1, "2023-03-02T13:53:33")
    menu = _out(out, "akd_0230682806")
    assert menu["documents"]["1"]["url"].endswith("/doc1/0230682807")
    feed = _out(out, "wvsd")
    assert feed[0]["ucid"] == "wvsd;;2:13-cv-01808" and feed[0]["docket"][0]["ind"] == "13"


def test_scales_conversion_of_a_docket(corpus):
    """The reusable conversion on a docket's reference JSON: parties, counsel flags, entries, receipt."""
    docket = json.loads((corpus / "dockets" / "district" / "akd.json").read_text())
    receipt = {"billable_pages": "3", "cost": "0.30", "transaction_date": "2023-03-02T13:53:33"}
    scales = to_scales("docket", docket, "akd", receipt)
    assert scales["ucid"] == f"akd;;{docket['docket_number']}"
    plaintiff = scales["parties"][0]
    assert plaintiff["party_type"] == "plaintiff" and plaintiff["is_pro_se"] is False
    lawyer = plaintiff["counsel"][0]
    assert lawyer["is_lead_attorney"] and lawyer["is_notice_attorney"] and not lawyer["is_pro_hac_vice"]
    assert lawyer["entity_info"]["email"] == "jamiesonb@lanepowell.com"
    assert lawyer["entity_info"]["office_name"] == "Lane Powell LLC"
    entry = next(e for e in scales["docket"] if e["ind"] == "4")
    assert entry["date_filed"] == "2009-01-09" and entry["docket_text"].startswith("AFFIDAVIT of Service")
    assert entry["documents"]["0"]["url"].endswith("/doc1/0230436525")
    assert (scales["billable_pages"], scales["cost"]) == (3, 0.3)


class _BrokenCourtParser:
    """A court plugin whose case query parser crashes: the batch goes on and counts the failure."""

    @staticmethod
    def _crash(body, context):
        raise ValueError("layout not understood\nsecond line")

    @hookimpl
    def page_parser(self, court_id, report):
        return self._crash if court_id == "boom" else None


def test_a_crashing_parser_is_counted_as_failed(tmp_path, corpus, capsys):
    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(corpus / "case_queries" / "cand_317868.html", folder / "boom_1.html")
    shutil.copy(corpus / "case_queries" / "cand_317868.html", folder / "cand_2.html")
    plugin = _BrokenCourtParser()
    get_plugin_manager().register(plugin)
    try:
        assert main(["parse", str(folder), "-d"]) == 1
    finally:
        get_plugin_manager().unregister(plugin)
    summary = capsys.readouterr().out
    assert "parsed: 1" in summary and "failed: 1" in summary
    assert "1 x ValueError: layout not understood" in summary and "second line" not in summary
    assert not (tmp_path / "json" / "boom_1.json").exists()  # nothing written for a failed page


@pytest.mark.parametrize(
    "folder, report",
    [
        ("attachment_pages", "attachment_page"),
        ("case_queries", "case_query"),
        ("docket_history_reports", "history"),
        ("dockets/bankruptcy", "docket"),
        ("dockets/district", "docket"),
        ("confirmation_pages", "receipt"),
        ("possible_case_numbers", "possible_case_numbers"),
        ("rss_feeds", "rss"),
        ("dockets/appellate", "appellate_docket"),
        ("appellate_attachment_pages", "appellate_attachment_page"),
    ],
)
def test_detection_of_every_corpus_page(corpus, folder, report):
    """What ``parse`` does without -r: every real page of a folder is recognised as its report
    (pages that are PACER's messages rather than reports, whose expected JSON is empty, aside)."""
    from pacer_spiders.reports import detect_report

    wrong = []
    for page in sorted((corpus / folder).iterdir()):
        if page.suffix not in (".html", ".xml"):
            continue
        expected = page.with_suffix(".json")
        if expected.exists() and json.loads(expected.read_text()) in ({}, []):
            continue
        if not expected.exists():
            continue
        detected = detect_report(page.read_bytes())
        if detected != report:
            wrong.append(f"{page.name}: {detected}")
    assert not wrong, wrong


def test_progress_bar_on_a_terminal_only(pages, tmp_path):
    """The console script draws a progress bar when stderr is a terminal, and none into a pipe."""
    import os
    import pty
    import subprocess
    import sys

    command = [sys.executable, "-m", "pacer_spiders", "parse", str(pages), "-d"]
    primary, secondary = pty.openpty()
    try:
        done = subprocess.run(
            command + ["-o", str(tmp_path / "tty")], stdout=subprocess.PIPE, stderr=secondary, timeout=120
        )
        os.close(secondary)
        drawn = b""
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal's other end is closed: all is read
                break
            if not chunk:
                break
            drawn += chunk
    finally:
        os.close(primary)
    assert done.returncode == 0
    assert f"] {len(PAGES)}/{len(PAGES)}".encode() in drawn and b"[#" in drawn
    piped = subprocess.run(command + ["-o", str(tmp_path / "pipe")], capture_output=True, timeout=120)
    assert piped.returncode == 0 and b"[#" not in piped.stderr
    assert b"parsed: 4" in piped.stdout


def test_parsing_imports_neither_scrapy_twisted_nor_sqlalchemy(pages, tmp_path):
    """``pacer-spiders parse`` loads only what parsing needs (its start-up is most of a short run)."""
    import subprocess
    import sys

    script = ("import sys\nfrom pacer_spiders.cli import main\n"
              f"code = main(['parse', {str(pages)!r}, '-o', {str(tmp_path / 'out')!r}, '-nw', '1'])\n"
              "print(code, sorted(m for m in ('scrapy', 'twisted', 'sqlalchemy', 'itemadapter') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.split("\n")[-2] == "0 []", done.stdout + done.stderr
    assert len(list((tmp_path / "out").glob("*.json"))) == len(PAGES)


def test_outputs_are_json_dumps_text_exactly(pages, tmp_path):
    """Each output is the text of ``json.dumps(indent=2, ensure_ascii=False)`` and a final newline,
    to the byte (the command writes it without the json module's slow indenting encoder)."""
    out = tmp_path / "out"
    assert main(["parse", str(pages), "-o", str(out), "-d"]) == 0
    for path in sorted(out.glob("*.json")):
        text = path.read_text(encoding="utf-8")
        assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n", path.name


def test_console_script_exit_code_and_output_of_a_batch_with_a_failure(tmp_path, corpus):
    """The console script ends the process at once after a batch: its exit code (1: a page failed),
    the summary on stdout and the error line on stderr are complete, and every output is written."""
    import subprocess
    import sys

    folder = tmp_path / "pages"
    folder.mkdir()
    shutil.copy(corpus / "case_queries" / "cand_317868.html", folder / "boom_1.html")
    shutil.copy(corpus / "case_queries" / "cand_317868.html", folder / "cand_2.html")
    script = (
        "import sys\n"
        "from pacer_spiders.cli import main\n"
        "from pacer_spiders.hookspecs import hookimpl\n"
        "from pacer_spiders.plugin_manager import get_plugin_manager\n"
        "def crash(body, context):\n"
        "    raise ValueError('layout not understood')\n"
        "class Broken:\n"
        "    @hookimpl\n"
        "    def page_parser(self, court_id, report):\n"
        "        return crash if court_id == 'boom' else None\n"
        "get_plugin_manager().register(Broken())\n"
        f"sys.argv = ['pacer-spiders', 'parse', {str(folder)!r}, '-nw', '1']\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == ["parsed: 1", "skipped: 0", "not the report: 0", "failed: 1",
                                        "  1 x ValueError: layout not understood"]
    assert "boom_1.html: failed: ValueError: layout not understood" in done.stderr
    written = tmp_path / "json" / "cand_2.json"
    assert json.loads(written.read_text())["case_name"]
    assert sorted(p.name for p in (tmp_path / "json").iterdir()) == ["cand_2.json"]  # no .part left

"""PACER page structures the development corpus holds few or none of, each on a sandbox page.

The sandbox renders the structure (an option of the synthetic docket, menu or case query); the
page is fetched over HTTP where the sandbox serves it, parsed through the report's parser, and
compared with the generator's data.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from pacer_spiders.cli import main
from pacer_spiders.courts import get_court
from pacer_spiders.db.archive import Archive
from pacer_spiders.db.exports import case_json
from pacer_spiders.hookspecs import hookimpl
from pacer_spiders.parsers import parser_for
from pacer_spiders.plugin_manager import get_plugin_manager
from pacer_spiders.sandbox import Sandbox, expected, render
from pacer_spiders.sandbox.synthetic import SyntheticCourtData
from pacer_spiders.testing.corpus import compare
from pacer_spiders.testing.sandbox_fixtures import SandboxClient

SEED = 5
pytestmark = pytest.mark.sandbox(seed=SEED)  # options of the pacer_sandbox fixture


def _with_attachments(cases, at_least: int = 1):
    for case in cases:
        for entry in case.entries:
            if len(entry.attachments) >= at_least and not (entry.sealed or entry.restricted or entry.unavailable):
                return case, entry
    raise AssertionError("no synthetic entry with attachments")


def test_docket_run_with_view_multiple_documents_lists_each_entrys_documents(pacer_sandbox, sandbox_client):
    case, _ = _with_attachments(c for c in pacer_sandbox.cases("cand") if c.kind == "civil")
    body = sandbox_client.docket("cand", case.pacer_case_id, view_multi_docs="on").body
    assert b'name="view_multi_docs"' in body and b'name="download_documents"' in body
    ours = parser_for("docket", "cand")(body, {"court_id": "cand", "pacer_case_id": case.pacer_case_id})
    # Everything else reads as in a plain run.
    agreement = compare(ours, expected.docket(case, case.entries))
    assert agreement.differences == [], "\n".join(agreement.differences[:20])
    parsed = {e["pacer_doc_id"]: e for e in ours["docket_entries"] if e["pacer_doc_id"]}
    listed = [e for e in case.entries if e.attachments and not e.sealed]
    assert listed
    for entry in listed:
        got = parsed[entry.pacer_doc_id]
        # The main document's row (number 0) gives the entry its pages and size.
        assert (got["page_count"], got["file_size_str"], got["file_size_bytes"]) == (
            entry.page_count, f"{entry.page_count * 17} kb", render.inline_size_bytes(entry.page_count))
        assert got["attachments"] == [
            {"attachment_number": a.attachment_number, "description": a.description, "page_count": a.page_count,
             "file_size_str": a.file_size_str, "pacer_doc_id": a.pacer_doc_id, "pacer_seq_no": str(entry.pacer_seq_no),
             "file_size_bytes": render.inline_size_bytes(a.page_count)}
            for a in entry.attachments
        ]


def test_view_multiple_documents_docket_ingested_keeps_pages_and_sizes(pacer_sandbox, sandbox_client, database_url,
                                                                       tmp_path, capsys):
    case, entry = _with_attachments(c for c in pacer_sandbox.cases("cand") if c.kind == "civil")
    page = tmp_path / "docket.html"
    page.write_bytes(sandbox_client.docket("cand", case.pacer_case_id, view_multi_docs="on").body)
    code = main(["ingest", str(page), "--court", "cand", "--type", "docket", "--pacer-case-id", case.pacer_case_id,
                 "--database-url", database_url])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and not out["rejected"], out
    engine = Archive.open(database_url).engine
    with engine.connect() as conn:
        [docket_id] = conn.exec_driver_sql("SELECT id FROM dockets").scalars().all()
    stored = next(e for e in case_json(engine, docket_id)["docket_entries"] if e["pacer_doc_id"] == entry.pacer_doc_id)
    sizes = {d["attachment_number"]: (d["page_count"], d["file_size_str"], d["file_size_bytes"]) for d in stored["documents"]}
    assert sizes == {
        None: (entry.page_count, f"{entry.page_count * 17} kb", render.inline_size_bytes(entry.page_count)),
        **{a.attachment_number: (a.page_count, a.file_size_str, render.inline_size_bytes(a.page_count))
           for a in entry.attachments},
    }


class _ChangeoverPlugin:
    """A court plugin that sets a court's attachment-numbering changeover."""

    def __init__(self, court_id: str, last_part_numbered: int):
        self.court = dict(dataclasses.asdict(get_court(court_id)), attachments_part_numbered_through=last_part_numbered)

    @hookimpl
    def pacer_courts(self):
        return [self.court]


def test_menu_of_a_court_that_changed_attachment_numbering():
    # Attachments filed up to the changeover were numbered as parts (one up); later ones are not,
    # so the menu shows the same number twice.  A court plugin supplies the changeover.
    case, entry = _with_attachments(
        (c for c in SyntheticCourtData(seed=SEED).cases("cand") if c.kind == "civil"), at_least=2)
    first, second = entry.attachments[:2]
    plugin = _ChangeoverPlugin("cand", int(first.pacer_doc_id[3:]))
    pm = get_plugin_manager()
    pm.register(plugin)
    try:
        with Sandbox(seed=SEED) as sandbox:
            c = SandboxClient(sandbox)
            c.login()
            body = c.get("cand", f"/doc1/{entry.pacer_doc_id}").body
        shown = [render.shown_attachment_number(sandbox.case("cand", case.pacer_case_id), a.attachment_number,
                                                a.pacer_doc_id) for a in (first, second)]
        assert shown == [2, 2]
        ours = parser_for("attachment_page", "cand")(body, {"court_id": "cand"})
    finally:
        pm.unregister(plugin)
    assert [a["attachment_number"] for a in ours["attachments"]] == [a.attachment_number for a in entry.attachments]
    agreement = compare(ours, expected.attachment_page(case, entry))
    assert agreement.differences == [], "\n".join(agreement.differences[:20])
    # Without the plugin the registry knows no changeover for the court: numbers are read as shown.
    plain = parser_for("attachment_page", "cand")(body, {"court_id": "cand"})
    assert [a["attachment_number"] for a in plain["attachments"]][:2] == [2, 2]


def test_registry_changeover_shifts_only_documents_up_to_it():
    changeover = get_court("gamd").attachments_part_numbered_through
    assert changeover == 995021  # juriscraper pull request #721
    assert get_court("caed").attachments_part_numbered_through is None


def test_bankruptcy_menu_rows_of_six_cells(pacer_sandbox, sandbox_client):
    case, entry = _with_attachments(c for c in pacer_sandbox.cases("canb") if c.kind == "bankruptcy")
    body = sandbox_client.get("canb", f"/doc1/{entry.pacer_doc_id}").body
    assert b"<td></td><td>" in body  # the empty cell before each description
    ours = parser_for("attachment_page", "canb")(body, {"court_id": "canb"})
    assert ours["document_number"] is None  # bankruptcy menus do not show it
    assert (ours["pacer_doc_id"], ours["page_count"], ours["file_size_bytes"]) == (
        entry.pacer_doc_id, entry.page_count, render.inline_size_bytes(entry.page_count))
    assert [(a["attachment_number"], a["description"], a["page_count"], a["pacer_doc_id"], a["file_size_str"])
            for a in ours["attachments"]] == [
        (a.attachment_number, a.description, a.page_count, a.pacer_doc_id, a.file_size_str) for a in entry.attachments]


def test_bankruptcy_number_with_a_chapter_suffix(pacer_sandbox):
    case = next(c for c in pacer_sandbox.cases("canb") if c.kind == "bankruptcy")
    page = render.case_query(case, pacer_sandbox.court_url("canb"), chapter_suffix=True)
    printed = f"{case.short_number}-{case.assigned_to[1]}-{case.chapter or 7}"
    assert printed in page
    ours = parser_for("case_query", "canb")(page.encode(), {"court_id": "canb"})
    assert ours["docket_number"] == case.short_number
    assert ours["federal_dn_judge_initials_assigned"] == case.assigned_to[1]
    assert ours["federal_defendant_number"] is None  # the chapter is not a defendant


def test_case_query_free_text_line_is_not_a_field(pacer_sandbox):
    case = next(c for c in pacer_sandbox.cases("cand") if c.kind == "criminal")
    note = "Case created for the electronic disclosure of the PSR."
    page = render.case_query(case, pacer_sandbox.court_url("cand"), free_text=note)
    assert note in page
    ours = parser_for("case_query", "cand")(page.encode(), {"court_id": "cand"})
    assert None not in [value for key, value in ours.items() if "electronic" in key or "psr" in key]
    assert not [key for key in ours if "electronic" in key]
    agreement = compare(ours, expected.case_query(case))
    assert agreement.differences == [], "\n".join(agreement.differences[:20])
    assert ours["date_last_filing"] == max((e.date_filed for e in case.entries), default=case.date_filed).isoformat()
    assert isinstance(date.fromisoformat(ours["date_filed"]), date)

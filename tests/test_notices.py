"""NEF and NDA e-mails, Internet Archive docket XML and PACER's login page, through their public
entry points: sandbox notices (raw MIME: quoted-printable HTML, plain text, base64, multipart) read
by the ``nef`` and ``nda`` units; ``pacer-spiders ingest --type nef|nda|ia_docket_xml`` into an
archive on SQLite and PostgreSQL, each document's free-look link kept with its document row."""

from __future__ import annotations

import json
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from sqlalchemy import create_engine, text

from pacer_spiders.cli import main
from pacer_spiders.db.archive import Archive, entry_keys
from pacer_spiders.db.free_looks import FREE_LOOK_DAYS, due_free_looks, mark_free_look
from pacer_spiders.pages import NotTheReport
from pacer_spiders.parsers import parser_for
from pacer_spiders.parsers.common import harmonize_case_name
from pacer_spiders.reports import detect_report, read, unit_for, units
from pacer_spiders.sandbox import Sandbox, render
from pacer_spiders.testing.corpus import corpus_root

COURT = "cand"
BASE = "https://ecf.cand.uscourts.gov"


@pytest.fixture(scope="module")
def sb():
    with Sandbox(seed=7) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def filing(sb):
    """A case and an entry with a document and attachments."""
    case = sb.case(COURT, 100001)
    entry = next(e for e in case.entries if e.pacer_doc_id and e.attachments and not (e.sealed or e.restricted))
    return case, entry


def _entry_of(page):
    [docket] = page.parsed["dockets"]
    [entry] = docket["docket_entries"]
    return docket, entry


@pytest.mark.parametrize("kind,html", [("nef", True), ("nef", False), ("nda", True), ("nda", False)])
def test_a_notice_email_becomes_its_entry_with_the_free_look_link(filing, kind, html):
    case, entry = filing
    raw = render.notice_email(case, entry, BASE, recipient="a@example.com", magic_num="12345678", kind=kind, html=html)
    assert detect_report(raw) == kind
    page = read(kind, raw, {"court_id": COURT, "url": "mailbox:1", "context": {}})
    assert page.problem is None, page.problem
    [item] = page.items
    assert type(item) is unit_for(kind).item_class and item["appellate"] == (kind == "nda")
    docket, parsed = _entry_of(page)
    assert docket["docket_number"] == case.docket_number
    assert docket["case_name"] == harmonize_case_name(case.case_name)
    assert parsed["pacer_case_id"] == case.pacer_case_id and parsed["pacer_seq_no"] == str(entry.pacer_seq_no)
    assert parsed["pacer_doc_id"] == entry.pacer_doc_id and parsed["pacer_magic_num"] == "12345678"
    assert parsed["document_url"].startswith(f"{BASE}/doc1/{entry.pacer_doc_id}?")
    # As the reference reads notices: "(Attachments: # 1 ...)" loses its number signs.
    assert parsed["description"] == entry.text.replace("# ", "")
    assert parsed["short_description"] == entry.short_description
    assert parsed["date_filed"] == entry.date_filed.isoformat()
    if kind == "nef":
        assert parsed["document_number"] == str(entry.document_number)
        assert page.parsed["contains_attachments"] is True
    assert page.parsed["recipients"] and all("@" in a for r in page.parsed["recipients"] for a in r["email_addresses"])


def test_mime_forms_read_alike(filing):
    """Base64 and multipart/alternative messages carry the same notice as quoted-printable."""
    case, entry = filing
    original = message_from_bytes(render.notice_email(case, entry, BASE, magic_num="42"), policy=policy.default)
    html = original.get_body(("html",)).get_content()
    expected = read("nef", bytes(original), {"court_id": COURT, "context": {}}).parsed["dockets"]
    base64 = EmailMessage()
    base64["Subject"], base64["Date"] = original["Subject"], original["Date"]
    base64.set_content(html, subtype="html", cte="base64")
    multipart = EmailMessage()
    multipart["Subject"], multipart["Date"] = original["Subject"], original["Date"]
    multipart.set_content("Plain text part: see the HTML part.")
    multipart.add_alternative(html, subtype="html")
    for message in (base64, multipart):
        assert read("nef", bytes(message), {"court_id": COURT, "context": {}}).parsed["dockets"] == expected
    # The HTML body alone (a notice saved from a mail client) reads the same, without the subject's
    # short description.
    body_only = read("nef", html.encode(), {"court_id": COURT, "context": {}}).parsed["dockets"]
    assert body_only[0]["docket_entries"][0]["pacer_magic_num"] == "42"


def test_not_a_notice_is_refused_with_a_reason():
    message = EmailMessage()
    message["Subject"] = "Lunch on Friday?"
    message.set_content("Shall we meet at noon?")
    for kind in ("nef", "nda"):
        with pytest.raises(NotTheReport) as refused:
            parser_for(kind)(bytes(message), {"court_id": COURT})
        assert refused.value.problem.kind == "not_notice" and "\n" not in refused.value.problem.reason


def _ingest(body: bytes, tmp_path, database_url: str, report: str, name: str, court: str = COURT) -> dict:
    path = tmp_path / name
    path.write_bytes(body)
    code = main(["ingest", str(path), "--court", court, "--type", report, "--database-url", database_url])
    return code


def _out(capsys) -> dict:
    return json.loads(capsys.readouterr().out)


def test_notices_merge_as_partial_dockets_keeping_each_free_look(sb, filing, tmp_path, capsys, database_url):
    case, entry = filing
    raw = render.notice_email(case, entry, BASE, magic_num="777", html=True)
    assert _ingest(raw, tmp_path, database_url, "nef", "nef.eml") == 0
    counts = _out(capsys)["counts"]
    assert counts["dockets_added"] == 1 and counts["entries_added"] == 1 and counts["free_looks_added"] == 1
    engine = Archive.open(database_url).engine
    with engine.connect() as conn:
        look = conn.execute(text(
            "SELECT f.*, d.pacer_doc_id AS held_doc_id, e.document_number AS entry_number FROM free_looks f "
            "JOIN documents d ON d.id = f.document_id JOIN docket_entries e ON e.id = f.docket_entry_id")).mappings().one()
    assert look["held_doc_id"] == entry.pacer_doc_id and look["magic_num"] == "777" and look["notice"] == "nef"
    assert look["entry_number"] == str(entry.document_number) and look["status"] == "unused"
    assert look["expires_on"] == (entry.date_filed + timedelta(days=FREE_LOOK_DAYS)).isoformat()

    # The same notice again writes nothing; the NDA form of it joins the same docket and entry.
    assert _ingest(raw, tmp_path, database_url, "nef", "again.eml") == 0
    counts = _out(capsys)["counts"]
    assert counts.get("rows_written", 0) == 0 and counts["free_looks_unchanged"] == 1
    nda = render.notice_email(case, entry, BASE, magic_num="888", kind="nda")
    assert _ingest(nda, tmp_path, database_url, "nda", "nda.eml") == 0
    counts = _out(capsys)["counts"]
    assert counts.get("dockets_added", 0) == 0 and counts["free_looks_added"] == 1

    # The free looks still inside their window, until one is recorded as used.
    within = entry.date_filed + timedelta(days=1)
    due = due_free_looks(engine, COURT, today=within)
    assert sorted(d["magic_num"] for d in due) == ["777", "888"]
    assert due_free_looks(engine, COURT, today=entry.date_filed + timedelta(days=FREE_LOOK_DAYS + 1)) == []
    mark_free_look(engine, due[0]["id"], "used")
    assert [d["id"] for d in due_free_looks(engine, COURT, today=within)] == [due[1]["id"]]
    with pytest.raises(ValueError):
        mark_free_look(engine, due[1]["id"], "retry")

    # The docket bought later merges into the docket the notice made.
    body = _ingest_docket(sb, case, tmp_path, database_url)
    counts = _out(capsys)["counts"]
    # One row per line of the docket (its two identical minute orders of 2016-01-21 are two), the
    # notice's entry among them.
    listed = entry_keys(read("docket", body, {"court_id": COURT, "context": {}}).parsed["docket_entries"])
    assert len(set(listed)) == len(listed) == len(case.entries)
    assert counts.get("dockets_added", 0) == 0 and counts["entries_added"] == len(listed) - 1
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM dockets")).scalar() == 1
        assert conn.execute(text("SELECT count(*) FROM docket_entries")).scalar() == len(listed)
        assert conn.execute(text("SELECT count(*) FROM free_looks WHERE document_id IS NOT NULL")).scalar() == 2


def _ingest_docket(sb, case, tmp_path, database_url: str) -> bytes:
    from pacer_spiders.testing.sandbox_fixtures import SandboxClient

    client = SandboxClient(sb)
    client.login()
    body = client.docket(COURT, case.pacer_case_id).body
    path = tmp_path / "docket.html"
    path.write_bytes(body)
    assert main(["ingest", str(path), "--court", COURT, "--type", "docket", "--pacer-case-id", case.pacer_case_id,
                 "--database-url", database_url]) == 0
    return body


def _minute_orders(engine, day: str) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT description FROM docket_entries WHERE document_number IS NULL AND date_filed = :day "
            "AND description LIKE 'Minute Order%' ORDER BY id"), {"day": day}).scalars())


@pytest.mark.parametrize("notice_first", [True, False], ids=["notice-then-docket", "docket-then-notice"])
def test_a_notice_of_a_minute_entry_and_its_docket_hold_it_once(sb, tmp_path, capsys, database_url, notice_first):
    """A minute entry has no number and no link: the docket's text ends "(Entered: 01/21/2016)", its
    notice's does not, and the day has two identical ones: whichever comes first, each stays one row."""
    case = sb.case(COURT, 100001)
    minute = [e for e in case.entries if e.document_number is None and e.date_filed.isoformat() == "2016-01-21"]
    assert len(minute) == 2 and minute[0].text == minute[1].text  # the situation this test is about
    notice = render.notice_email(case, minute[1], BASE, magic_num="555", html=True)
    if not notice_first:
        _ingest_docket(sb, case, tmp_path, database_url)
        _out(capsys)
    assert _ingest(notice, tmp_path, database_url, "nef", "minute.eml") == 0
    counts = _out(capsys)["counts"]
    assert counts.get("entries_added", 0) == (1 if notice_first else 0)
    if notice_first:
        _ingest_docket(sb, case, tmp_path, database_url)
        assert _out(capsys)["counts"]["entries_added"] == len(case.entries) - 1
    engine = Archive.open(database_url).engine
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM docket_entries")).scalar() == len(case.entries)
    # Whichever came first, the docket's text of the entry (with its "(Entered: ...)") is held.
    assert _minute_orders(engine, "2016-01-21") == ["Minute Order: the hearing is continued. (Entered: 01/21/2016)"] * 2


def test_an_archive_keyed_before_0005_merges_its_docket_again_without_adding(sb, tmp_path, capsys, database_url):
    """Unnumbered entries stored with the keys of before (their whole text digested, "(Entered: ...)"
    included) are keyed again by `pacer-spiders db upgrade`: the same docket adds nothing, and a
    notice of one of them joins it."""
    import hashlib

    case = sb.case(COURT, 100001)
    _ingest_docket(sb, case, tmp_path, database_url)
    _out(capsys)
    engine = Archive.open(database_url).engine
    with engine.begin() as conn:
        rows = conn.execute(text("SELECT id, entry_key, description FROM docket_entries "
                                 "WHERE entry_key LIKE 't:%' ORDER BY id")).all()
        seen: dict[str, int] = {}
        for row in rows:  # the keys as entry_key made them before 0005
            day = row.entry_key.split(":")[1]
            digest = hashlib.sha1(" ".join(row.description.split()).lower().encode()).hexdigest()[:20]
            seen[digest] = ordinal = seen.get(digest, 0) + 1
            old = f"t:{day}:{digest}" + (f":{ordinal}" if ordinal > 1 else "")
            conn.execute(text("UPDATE docket_entries SET entry_key = :key WHERE id = :id"), {"key": old, "id": row.id})
        conn.execute(text("UPDATE alembic_version SET version_num = '0004_freesources'"))
    assert len(rows) == 7
    assert main(["db", "upgrade", "--database-url", database_url]) == 0
    capsys.readouterr()
    _ingest_docket(sb, case, tmp_path, database_url)
    counts = _out(capsys)["counts"]
    assert counts.get("entries_added", 0) == 0 and counts.get("entries_changed", 0) == 0
    minute = next(e for e in case.entries if e.document_number is None)
    assert _ingest(render.notice_email(case, minute, BASE, magic_num="1"), tmp_path, database_url, "nef", "m.eml") == 0
    assert _out(capsys)["counts"].get("entries_added", 0) == 0
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM docket_entries")).scalar() == len(case.entries)


def test_internet_archive_docket_xml_is_ingested_as_a_docket(sb, tmp_path, capsys, database_url):
    case = sb.case(COURT, 100002)
    xml = render.ia_docket_xml(case).encode()
    assert detect_report(xml) == "ia_docket_xml"
    assert _ingest(xml, tmp_path, database_url, "ia_docket_xml", "gov.uscourts.cand.docket.xml") == 0
    counts = _out(capsys)["counts"]
    numbered = [e for e in case.entries if e.document_number is not None]
    assert counts["dockets_added"] == 1 and counts["entries_added"] == len(numbered)
    assert counts["parties_added"] == len(case.parties)
    assert counts["attorneys_added"] == len({a.name for p in case.parties for a in p.attorneys})
    attachments = sum(len(e.attachments) for e in numbered)
    assert counts["documents_added"] == attachments + sum(1 for e in numbered if e.pacer_doc_id)
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        row = conn.execute(text("SELECT docket_number, case_name, pacer_case_id FROM dockets")).one()
    assert (row.docket_number, row.case_name, row.pacer_case_id) == (
        case.docket_number, harmonize_case_name(case.case_name), case.pacer_case_id)


def test_pacer_login_page_is_refused_as_login_by_every_report():
    root = corpus_root()
    if root is None:
        pytest.skip("the PACER corpus (../shared/pacer-corpus or $PACER_CORPUS) is absent")
    body = (root / "authentication_samples" / "please_log_in.html").read_bytes()
    assert detect_report(body) is None
    for unit in units():
        if unit.name in ("rss", "possible_case_numbers", "ia_docket_xml") or unit.json_pages:
            continue  # XML and JSON reports refuse it for not being their XML or JSON
        with pytest.raises(NotTheReport) as refused:
            parser_for(unit.name, COURT)(body, {"court_id": COURT})
        assert refused.value.problem.kind == "login", (unit.name, refused.value.problem)

"""Bad input on the command line: one line saying why, a non-zero exit, never a traceback."""

from __future__ import annotations

import socket

import pytest

from pacer_spiders.cli import main


def unreachable_postgres_url() -> str:
    """A PostgreSQL URL on a loopback port where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://nobody@127.0.0.1:{port}/nothing"


def error_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().err.splitlines() if line.strip()]


@pytest.mark.parametrize("argv", [
    ["db", "upgrade"],
    ["export", "updated", "--date", "2026-01-01"],
    ["orphans", "list"],
    ["source", "1"],
])
def test_unreachable_database_is_one_line(argv, capsys):
    url = unreachable_postgres_url()
    assert main([*argv, "--database-url", url]) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"pacer-spiders {argv[0]}: error: ")
    assert "127.0.0.1" in lines[0] and "Traceback" not in lines[0]


def test_ingest_refuses_an_unknown_court(tmp_path, capsys):
    page = tmp_path / "page.html"
    page.write_text("<html></html>")
    database = tmp_path / "archive.sqlite3"
    assert main(["ingest", str(page), "--court", "cnad", "--type", "docket",
                 "--database-url", f"sqlite:///{database}"]) == 1
    lines = error_lines(capsys)
    assert lines == [lines[0]] and lines[0].startswith("pacer-spiders ingest: error: unknown court id 'cnad'")
    assert "cand" in lines[0]  # the closest known ids are named
    assert not database.exists()  # refused before anything was opened


def test_parse_refuses_an_unknown_court(tmp_path, capsys):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "page.html").write_text("<html></html>")
    assert main(["parse", str(pages), "-c", "xxx", "-o", str(tmp_path / "json"), "-d"]) == 1
    lines = error_lines(capsys)
    assert lines == [lines[0]] and lines[0].startswith("pacer-spiders parse: error: unknown court id 'xxx'")
    assert not (tmp_path / "json").exists()


@pytest.mark.parametrize("argv", [
    ["ingest", "missing.html", "--court", "cand", "--type", "docket"],
    ["parse", "missing-folder"],
])
def test_missing_input_is_one_line(argv, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and "missing" in lines[0], lines

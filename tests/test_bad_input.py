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

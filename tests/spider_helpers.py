"""Shared by the spider and login tests: a small sandbox, a crawl against it, a secret scan."""

from __future__ import annotations

import json
from pathlib import Path

from pacer_spiders.testing.crawls import CrawlResult, run_crawl

from pacer_spiders.sandbox import Sandbox

COURT = "okwd"


def small_sandbox(**kwargs):
    """A sandbox with few, small cases, so every crawl stays fast."""
    kwargs.setdefault("seed", 0)
    kwargs.setdefault("cases_per_court", 8)
    kwargs.setdefault("entries", (4, 8))
    return Sandbox(**kwargs)


def account_env(sb, *roles: str, with_secrets: bool = True) -> dict:
    """PACER_USERNAME/PASSWORD(/TOTP/CLIENT_CODE) of the roles, numbered _2, _3... after the first."""
    env = {}
    for number, role in enumerate(roles, 1):
        suffix = "" if number == 1 else f"_{number}"
        for key, value in sb.account_env(role).items():
            if not with_secrets and key in ("PACER_TOTP_SECRET", "PACER_CLIENT_CODE"):
                continue
            env[key + suffix] = value
    return env


def crawl(sb, spider: str, workdir: Path, args: dict | None = None, roles=("good",), env=None,
          settings=None, **kwargs) -> CrawlResult:
    all_env = {**(account_env(sb, *roles) if roles else {}), **(env or {})}
    all_settings = {**sb.settings, **(settings or {})}
    return run_crawl(spider, workdir, args=args, settings=all_settings, env=all_env, **kwargs)


def first_case(sb, court_id=COURT, predicate=lambda case: True):
    for case in sb.data.cases(court_id):
        if not case.sealed and predicate(case):
            return case
    raise LookupError("no such case in the sandbox")


def files_under(path: Path) -> list[Path]:
    return [p for p in Path(path).rglob("*") if p.is_file()]


def scan_for_secrets(secrets: list[str], texts: dict[str, bytes | str]) -> list[str]:
    """Where any of ``secrets`` appears (``name: secret[:4]…``); an empty list when nowhere."""
    found = []
    for name, text in texts.items():
        data = text if isinstance(text, bytes) else str(text).encode("utf-8", "replace")
        for secret in secrets:
            if secret and secret.encode() in data:
                found.append(f"{name}: {secret[:4]}…")
    return found


def database_dump(url: str) -> str:
    """Every row of every table of an SQLite archive, as text."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    parts = []
    with engine.connect() as conn:
        for table in sa.inspect(engine).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                parts.append(json.dumps([str(v) for v in row]))
    engine.dispose()
    return "\n".join(parts)

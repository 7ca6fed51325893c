"""The flows kept in ``cassettes/``: how each is recorded from the sandbox and replayed offline.

A flow is one or more ``scrapy crawl`` steps run against a fresh sandbox (``prepare`` shapes it:
a sealed case, new entries between two steps, an expiring session...).  Recording writes
``cassettes/<name>.json`` with the sandbox's changing origin replaced by ``SANDBOX_ORIGIN`` and the
steps kept in the cassette's recipe, so that ``replay`` runs the same crawls with no sandbox, no
network (the origin is mapped to a loopback port where nothing listens) and dummy credentials.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from pacer_spiders.cassettes import RECIPE, read_recipe

SANDBOX_ORIGIN = "http://pacer-sandbox.invalid"
# What replay logs in with: placeholders of the right shape (the TOTP secret must be base32).
DUMMY_CREDENTIALS = {
    "PACER_USERNAME": "dummy-user",
    "PACER_PASSWORD": "dummy-password",
    "PACER_TOTP_SECRET": "AAAAAAAAAAAAAAAA",
    "PACER_CLIENT_CODE": "dummy-client",
}
CREDENTIAL_NAMES = tuple(DUMMY_CREDENTIALS)


@dataclass
class Step:
    spider: str
    arguments: dict = field(default_factory=dict)
    settings: dict = field(default_factory=dict)
    # Called with the running sandbox before this step (new entries for a refresh...).
    before: Callable | None = None


@dataclass
class Flow:
    name: str
    description: str
    steps: list[Step]
    account: str = "good"  # the sandbox account role that records it
    # Called with the sandbox before the first step; returns values that the steps' arguments
    # may name as "{key}" (a case id the sandbox made...).
    prepare: Callable | None = None
    sandbox_options: dict = field(default_factory=dict)


def crawl_command(step: dict, settings: dict) -> list[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", step["spider"]]
    for key, value in step.get("arguments", {}).items():
        command += ["-a", f"{key}={value}"]
    for key, value in settings.items():
        command += ["-s", f"{key}={json.dumps(value) if isinstance(value, (dict, list)) else value}"]
    return command


def run_crawl(command: list[str], env: dict, cwd: Path) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "pacer_spiders.settings", **env}
    for name in CREDENTIAL_NAMES:
        if name not in env:
            full_env.pop(name, None)
    return subprocess.run(command, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=600)


def _fill(value, values: dict):
    return value.format(**values) if isinstance(value, str) else value


def record_flow(flow: Flow, directory: str | Path, workdir: str | Path | None = None) -> Path:
    """Record a flow from a fresh sandbox into ``directory/<name>.json``; returns the path."""
    from pacer_spiders.sandbox import Sandbox

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{flow.name}.json"
    if path.exists():
        path.unlink()
    work = Path(workdir or tempfile.mkdtemp(prefix=f"record-{flow.name}-"))
    with Sandbox(**flow.sandbox_options) as sandbox:
        values = (flow.prepare(sandbox) if flow.prepare else None) or {}
        env = sandbox.account_env(flow.account)
        steps = []
        for number, step in enumerate(flow.steps):
            if step.before:
                values.update(step.before(sandbox, values) or {})
            arguments = {k: _fill(v, values) for k, v in step.arguments.items()}
            settings = {
                **sandbox.settings,
                "DATABASE_URL": f"sqlite:///{work / 'archive.sqlite3'}",
                "FILES_STORE": str(work / "files"),
                **step.settings,
                "CASSETTE": str(path),
                "CASSETTE_MODE": "once" if number == 0 else "new_episodes",
                "CASSETTE_PLACEHOLDERS": {SANDBOX_ORIGIN: sandbox.url},
            }
            result = run_crawl(crawl_command({"spider": step.spider, "arguments": arguments}, settings), env, work)
            (work / f"step{number + 1}.log").write_text(result.stderr)
            if result.returncode != 0:
                raise RuntimeError(f"flow {flow.name}: step {number + 1} ({step.spider}) exited {result.returncode}; "
                                   f"log: {work / f'step{number + 1}.log'}")
            steps.append({"spider": step.spider, "arguments": arguments, "settings": step.settings})
        charges = [c.as_dict() for c in sandbox.ledger.charges()]
    data = json.loads(path.read_text(encoding="utf-8"))
    recipe = data.setdefault(RECIPE, {})
    recipe.update({
        "flow": flow.name,
        "description": flow.description,
        "steps": steps,
        "credentials": [name for name in CREDENTIAL_NAMES if name in env],
        "recorded_from": "pacer_spiders sandbox",
        "sandbox_charges": len(charges),
        "sandbox_cost": round(sum(c.get("cost", 0) for c in charges), 2),
    })
    from pacer_spiders.cassettes import PacerJSONSerializer

    path.write_text(PacerJSONSerializer().serialize(data), encoding="utf-8")
    return path


@dataclass
class Replay:
    workdir: Path
    database_url: str
    files_store: Path
    results: list[subprocess.CompletedProcess]

    @property
    def log(self) -> str:
        return "\n".join(r.stderr for r in self.results)


def replay(path: str | Path, workdir: str | Path | None = None, database_url: str | None = None,
           files_store: str | Path | None = None, origin: str | None = None, extra_settings: dict | None = None) -> Replay:
    """Run a cassette's recorded steps again with ``CASSETTE_MODE=none`` and dummy credentials.

    ``origin`` is where the cassette's placeholder origin points during the replay (default: a
    loopback port where nothing listens), so a request the cassette misses fails to connect
    instead of reaching anything.
    """
    from pacer_spiders.testing.services import free_port

    path = Path(path).resolve()
    recipe = read_recipe(path)
    if not recipe:
        raise ValueError(f"{path} has no {RECIPE!r} recipe: replay it with scrapy crawl ... -s CASSETTE_MODE=none")
    work = Path(workdir or tempfile.mkdtemp(prefix="replay-"))
    work.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{work / 'archive.sqlite3'}"
    files_store = Path(files_store or work / "files")
    origin = origin or f"http://127.0.0.1:{free_port()}"
    env = {name: DUMMY_CREDENTIALS[name] for name in recipe.get("credentials", ["PACER_USERNAME", "PACER_PASSWORD"])}
    url_settings = {k: v.replace(SANDBOX_ORIGIN, origin) for k, v in recipe.get("settings", {}).items()}
    steps = recipe.get("steps") or [{"spider": recipe["spider"], "arguments": recipe.get("arguments", {})}]
    results = []
    for step in steps:
        settings = {
            **url_settings,
            "DATABASE_URL": database_url,
            "FILES_STORE": str(files_store),
            **step.get("settings", {}),
            **(extra_settings or {}),
            "CASSETTE": str(path),
            "CASSETTE_MODE": "none",
            "CASSETTE_PLACEHOLDERS": {SANDBOX_ORIGIN: origin},
        }
        result = run_crawl(crawl_command(step, settings), env, work)
        results.append(result)
        if result.returncode != 0:
            break
    return Replay(work, database_url, files_store, results)


def cassettes_dir() -> Path:
    """The repository's ``cassettes/`` folder."""
    return Path(__file__).resolve().parents[1] / "cassettes"


FLOWS: list[Flow] = []


def flow_named(name: str) -> Flow:
    for flow in FLOWS:
        if flow.name == name:
            return flow
    raise KeyError(f"no flow {name!r}; flows: {', '.join(f.name for f in FLOWS) or 'none'}")

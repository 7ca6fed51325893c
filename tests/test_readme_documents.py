"""README.md documents every hook, setting, command and spider (datasette checks its hooks
against its docs the same way): adding one without its README line fails here."""

from __future__ import annotations

import argparse
import pkgutil
import re
from pathlib import Path

import pytest
from scrapy.settings import default_settings

import pacer_spiders.settings as project_settings_module
from pacer_spiders import hookspecs, scrapy_commands
from pacer_spiders.cli import build_parser
from pacer_spiders.settings_access import project_settings
from pacer_spiders.spiderloader import PluginSpiderLoader

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCES = [p for folder in ("pacer_spiders", "plugins", "pipelines") for p in (ROOT / folder).rglob("*.py")]
SCRAPY_SETTINGS = {name for name in dir(default_settings) if name.isupper()}

SETTING_READ = re.compile(r"\.get(?:int|float|bool|list|dict|dictorlist|withbase)?\(\s*[\"']([A-Z][A-Z0-9_]{2,})[\"']")
ENV_READ = re.compile(r"(?:environ(?:\.get|\.setdefault|\.pop)?|getenv)[\[(]\s*(?:[\"']([A-Z][A-Z0-9_]+)[\"']|([A-Z][A-Z0-9_]+)\b)")


def table_rows(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("|")]


def undocumented_in_tables(names, text: str = README) -> list[str]:
    """Names that head no README table row: the row's first cell shows them as code (`NAME`,
    `NAME=...`, `$NAME`); a mention in another row's text is not a row of their own."""
    first_cells = [row.split("|")[1] for row in table_rows(text) if row.count("|") >= 2]
    return sorted(n for n in names
                  if not any(re.search(rf"`\$?{re.escape(n)}(?![A-Za-z0-9_])", cell) for cell in first_cells))


def hook_names() -> set[str]:
    return {name for name, value in vars(hookspecs).items() if hasattr(value, f"{hookspecs.PROJECT}_spec")}


def settings_of_the_project() -> set[str]:
    """Settings pacer_spiders/settings.py defines and names the package reads from the settings or
    the environment; Scrapy's own settings and environment variables are Scrapy's to document."""
    names = {n for n in vars(project_settings_module) if n.isupper()}
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        names.update(SETTING_READ.findall(text))
        for literal, constant in ENV_READ.findall(text):
            if literal:
                names.add(literal)
            else:  # os.environ.get(SOME_CONSTANT): the constant's value
                found = re.search(rf"^{constant}\s*=\s*[\"']([A-Z][A-Z0-9_]+)[\"']", text, re.M)
                if found:
                    names.add(found.group(1))
    # Python's own environment (PYTHONPATH, read to start test crawls as `python -m` would) is Python's
    return {n for n in names if n not in SCRAPY_SETTINGS and not n.startswith(("SCRAPY_", "PYTHON"))}


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    found = {}
    for action in parser._actions:  # argparse lists subparsers nowhere public
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def command_paths() -> list[tuple[str, ...]]:
    """("courts",), ("orphans", "list")... every `pacer-spiders` command and subcommand."""
    paths = []

    def walk(parser, prefix):
        for name, sub in subcommands(parser).items():
            paths.append((*prefix, name))
            walk(sub, (*prefix, name))

    walk(build_parser(), ())
    return paths


def test_every_hook_has_a_row_in_the_plugins_table():
    hooks = hook_names()
    assert {"spider_classes", "register_commands", "query_params"} <= hooks
    assert undocumented_in_tables(hooks) == []


def test_every_setting_the_project_defines_or_reads_has_a_row():
    names = settings_of_the_project()
    # read in code only, through settings.get*() or os.environ (a constant holding the name)
    assert {"PACER_WEBHOOK_CLOSE_TIMEOUT", "PACER_SPIDERS_LOAD_ENTRYPOINTS", "PACER_REPLAY_MAX_BYTES"} <= names
    assert "CONCURRENT_REQUESTS" not in names and "SCRAPY_SETTINGS_MODULE" not in names
    assert undocumented_in_tables(names) == []


def test_every_pacer_spiders_command_and_subcommand_has_a_row():
    paths = command_paths()
    assert ("orphans", "sweep") in paths and ("courts",) in paths
    rows = table_rows(README)
    missing = []
    for path in paths:
        first_cells = [re.split(r"(?<!\\)\|", r)[1] for r in rows if r.startswith(f"| `pacer-spiders {path[0]}")]
        if not any(all(re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", cell) for word in path) for cell in first_cells):
            missing.append(" ".join(path))
    assert missing == []


def test_every_scrapy_command_of_the_project_is_named():
    names = [m.name for m in pkgutil.iter_modules(scrapy_commands.__path__) if not m.name.startswith("_")]
    assert "courts" in names
    assert [n for n in names if f"`scrapy {n}" not in README] == []


def test_every_spider_has_a_row_in_the_spiders_table():
    spiders = PluginSpiderLoader.from_settings(project_settings()).list()
    assert "docket" in spiders
    assert [s for s in spiders if not any(r.startswith(f"| `{s}` |") for r in table_rows(README))] == []


@pytest.mark.parametrize("row_start", ["| `spider_classes`", "| `PACER_WEBHOOK_CLOSE_TIMEOUT`"])
def test_a_row_taken_out_of_the_readme_is_reported(row_start):
    name = row_start.split("`")[1]
    without = "\n".join(line for line in README.splitlines() if not line.startswith(row_start))
    assert undocumented_in_tables([name], without) == [name]

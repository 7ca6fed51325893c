"""The project's Scrapy settings outside a crawl (console commands, pipelines run by hand), and
their checks: a value that cannot work is named in one line before anything starts."""

from __future__ import annotations

import math
import os
from pathlib import Path

from scrapy.settings import Settings, default_settings


class SettingsError(ValueError):
    """A setting whose value cannot work; the message names it."""


def project_settings(overrides: dict | None = None) -> Settings:
    """``pacer_spiders.settings`` (which reads the environment), then ``overrides``; checked."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "pacer_spiders.settings")
    from scrapy.utils.project import get_project_settings

    from pacer_spiders import settings as module

    settings = get_project_settings()
    settings.setdict(_environment_now(module), priority="project")
    if overrides:
        settings.setdict(overrides, priority="cmdline")
    problem = settings_problem(settings)
    if problem:
        raise SettingsError(problem)
    return settings


# Numbers whose default is None or lives in the code that reads them, with their type.
OPTIONAL_NUMBERS = {"PACER_MAX_COST": float, "PACER_MONITOR_MAX_COST": float, "PACER_WEBHOOK_CLOSE_TIMEOUT": float, "PACER_REPLAY_MAX_BYTES": int,
                    "PACER_DEAD_SESSION_HOLD": float}
# Scrapy reads these with getfloat although their defaults are whole numbers.
FRACTIONAL = ("DNS_TIMEOUT", "DOWNLOAD_DELAY", "DOWNLOAD_TIMEOUT")
BOOL_WORDS = ("1", "0", "true", "false")


def _declared_types() -> dict[str, type]:
    """The type of every numeric or boolean setting: Scrapy's defaults, then the project's."""
    from pacer_spiders import settings as project

    types = {}
    for module in (default_settings, project):
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, (bool, int, float)):
                types[name] = bool if isinstance(value, bool) or name.endswith("_ENABLED") else type(value)
    return {**types, **OPTIONAL_NUMBERS}


def number_problem(name: str, value, kind: type = float) -> str | None:
    """Why ``value`` cannot be the number setting ``name`` (not a number, nan, infinite, negative)."""
    try:
        number = (int if kind is int and name not in FRACTIONAL else float)(value)
    except (TypeError, ValueError):
        whole = kind is int and name not in FRACTIONAL
        return f"{name} must be a {'whole ' if whole else ''}number, not {value!r}"
    if isinstance(number, float) and not math.isfinite(number):
        return f"{name} must be a finite number, not {value!r}"
    if number < 0 and "PRIORITY" not in name:  # priorities are the only settings below zero
        return f"{name} must not be negative, not {value!r}"
    return None


def _template_problem(template) -> str | None:
    try:
        url = str(template).format(subdomain="cand", court_id="cand")
    except (KeyError, IndexError, ValueError) as exc:
        return (f"PACER_COURT_URL_TEMPLATE {template!r} cannot be filled in ({type(exc).__name__}: {exc}); "
                "its placeholders are {subdomain} and {court_id}")
    if not url.startswith(("http://", "https://")):
        return f"PACER_COURT_URL_TEMPLATE must give an http(s):// URL, not {template!r}"
    return None


def _local_path(uri: str) -> Path | None:
    """A store URI's local folder (a path or file://), None for s3:// and the like."""
    if uri.startswith("file://"):
        return Path(uri[len("file://"):])
    return Path(uri) if "://" not in uri else None


def _path_problems(settings) -> str | None:
    for name in ("FILES_STORE", "SOURCE_STORE"):
        value = settings.get(name)
        path = _local_path(str(value)) if value else None
        if path is not None and path.exists() and not path.is_dir():
            return f"{name} must be a folder; {str(path)!r} is a file"
    stats_file = settings.get("PACER_STATS_FILE")
    return file_path_problem("PACER_STATS_FILE", stats_file) if stats_file else None


def file_path_problem(name: str, path: str) -> str | None:
    """Why the setting ``name`` cannot name the file ``path`` (a folder, or in no folder)."""
    if Path(path).is_dir():
        return f"{name} must name a file, not the folder {path!r}"
    if not Path(path).parent.is_dir():
        return f"{name} {path!r}: no folder {str(Path(path).parent)!r} to write it in"
    return None


def _court_limits_problem(settings) -> str | None:
    try:
        limits = settings.getdict("PACER_COURT_LIMITS") or {}
    except ValueError:
        return f"PACER_COURT_LIMITS must be a JSON object, not {settings.get('PACER_COURT_LIMITS')!r}"
    for court, limit in limits.items():
        if not isinstance(limit, dict):
            return f"PACER_COURT_LIMITS[{court!r}] must be an object with concurrency and interval"
        for key, kind in (("concurrency", int), ("interval", float)):
            if key in limit and (problem := number_problem(f"PACER_COURT_LIMITS[{court!r}].{key}", limit[key], kind)):
                return problem
    return None


def settings_problem(settings) -> str | None:
    """The first setting whose value cannot work, in one line naming it; None when all can.

    Checked without touching the network: numbers and booleans of Scrapy and of the project,
    PACER_MAX_COST, the court URL template, the store folders, the stats file, DATABASE_URL's
    kind.  Reaching the database and Redis is the crawl command's check.
    """
    for name, kind in _declared_types().items():
        value = settings.get(name)
        if value is None or (value == "" and name in OPTIONAL_NUMBERS):
            continue
        if kind is bool:
            if not isinstance(value, (bool, int)) and str(value).strip().lower() not in BOOL_WORDS:
                return f"{name} must be true or false (1 or 0), not {value!r}"
        elif problem := number_problem(name, value, kind):
            return problem
    template = settings.get("PACER_COURT_URL_TEMPLATE")
    if template and (problem := _template_problem(template)):
        return problem
    database_url = settings.get("DATABASE_URL")
    if database_url:
        from pacer_spiders.db import database_url_problem

        if problem := database_url_problem(database_url):
            return problem
    return _path_problems(settings) or _court_limits_problem(settings)


def _environment_now(module) -> dict:
    """The module read the environment once, when it was imported: its settings read now."""
    return {name: os.environ[name] for name in getattr(module, "environment_settings", ())
            if os.environ.get(name) not in (None, "")}


def framework_defaults() -> dict:
    """{name: value} of every setting of ``pacer_spiders.settings`` (those of the environment read
    now), whatever project is running: what ``pacer_spiders.Addon`` brings to another project."""
    from pacer_spiders import settings as module

    values = {name: getattr(module, name) for name in dir(module) if name.isupper()}
    values.update(_environment_now(module))
    return values

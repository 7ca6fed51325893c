"""Shared fixtures: real PostgreSQL and Redis servers, hermetic plugin loading."""

from __future__ import annotations

import os

import pytest

# Hermetic: whatever else is installed in the environment must not change the tests.  The
# entry-point test turns loading back on in a subprocess of its own.
os.environ.setdefault("PACER_SPIDERS_LOAD_ENTRYPOINTS", "0")

from pacer_spiders.testing.services import ServiceUnavailable, postgres_server, redis_server  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

pytest_plugins = ["pacer_spiders.testing.sandbox_fixtures"]


FRESH_INTERPRETERS = os.environ.get("PACER_TEST_FRESH_INTERPRETERS", "") not in ("", "0")


def pytest_configure(config):
    # Each test crawl is still `scrapy crawl` (a worker, a discovery crawl, the service's crawl) in a
    # process of its own, forked from an interpreter that has imported Scrapy and the project once
    # (PACER_TEST_FRESH_INTERPRETERS=1: python started anew, as users always have it).
    if not FRESH_INTERPRETERS:
        from pacer_spiders.testing.crawls import use_preloaded_interpreter

        use_preloaded_interpreter()


def pytest_unconfigure(config):
    if not FRESH_INTERPRETERS:  # a failed test's workers must not keep this process from exiting
        from pacer_spiders.testing.preloaded import kill_leftovers

        kill_leftovers()


@pytest.fixture(autouse=True)
def _interpreters_of_the_test(request):
    if FRESH_INTERPRETERS or request.node.get_closest_marker("fresh_interpreters") is None:
        yield
        return
    from pacer_spiders.testing.crawls import use_preloaded_interpreter

    use_preloaded_interpreter(False)
    try:
        yield
    finally:
        use_preloaded_interpreter()


def _missing(exc: Exception):
    # Under CI a missing service is a failure, never a silent skip.
    if IN_CI:
        pytest.fail(f"service required under CI=true: {exc}")
    pytest.skip(str(exc))


def _service(env_name: str, start_server):
    """Yield $env_name when set, else the URL of a server started for this session."""
    if os.environ.get(env_name):
        yield os.environ[env_name]
        return
    try:
        server = start_server()
        url = server.__enter__()
    except ServiceUnavailable as exc:
        _missing(exc)
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


@pytest.fixture(scope="session")
def postgres_url():
    """A ``postgresql+psycopg://`` URL of a throwaway server (or $PACER_TEST_POSTGRES_URL)."""
    yield from _service("PACER_TEST_POSTGRES_URL", postgres_server)


@pytest.fixture(scope="session")
def redis_url():
    """A ``redis://`` URL of a throwaway redis-server (or $PACER_TEST_REDIS_URL)."""
    yield from _service("PACER_TEST_REDIS_URL", redis_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Each test using it runs on an SQLite file and on the real PostgreSQL (a fresh schema each)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'archive.sqlite3'}"
        return
    import uuid

    import sqlalchemy as sa

    base = request.getfixturevalue("postgres_url")
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    yield base.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _untracked_in_checkout(root) -> set[str] | None:
    """Untracked and ignored paths of the checkout (``git status``), or None outside a git checkout."""
    import subprocess

    try:
        out = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--ignored", "--untracked-files=normal", "."],
                             cwd=root, capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return {line[3:] for line in out.splitlines() if line[:2] in ("??", "!!")}


@pytest.fixture(scope="session", autouse=True)
def files_store_outside_the_checkout(tmp_path_factory):
    """Commands run in-process without --files-store keep files in a session folder, never in
    the default ./pacer_files of the checkout (a test that cares sets its own)."""
    if os.environ.get("FILES_STORE"):
        yield
        return
    os.environ["FILES_STORE"] = str(tmp_path_factory.mktemp("files_store"))
    yield
    os.environ.pop("FILES_STORE", None)


@pytest.fixture(scope="session", autouse=True)
def nothing_written_into_the_checkout(request, files_store_outside_the_checkout):
    """Tests write in temporary folders only: a run that leaves a new file or folder in the
    checkout (an archive, pacer_files/, raw pages) fails, naming it."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    before = _untracked_in_checkout(root)
    yield
    after = _untracked_in_checkout(root)
    if before is None or after is None:
        return
    # Python's own caches are not the tests' writing.
    new = sorted(p for p in after - before if "__pycache__" not in p and not p.startswith(".pytest_cache"))
    if new:
        pytest.fail(f"the tests wrote into the checkout: {', '.join(new)}", pytrace=False)


@pytest.fixture
def pages():
    """A KnownPages plugin (tests/pipeline_support.py), registered for one test."""
    from pacer_spiders.plugin_manager import get_plugin_manager
    from pipeline_support import KnownPages

    plugin = KnownPages()
    get_plugin_manager().register(plugin)
    yield plugin
    get_plugin_manager().unregister(plugin)

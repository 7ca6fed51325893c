"""The flows kept in ``cassettes/``: how each is recorded from the sandbox and replayed offline.

A flow is one or more ``scrapy crawl`` steps run against a fresh sandbox (``prepare`` shapes it:
a sealed case, new entries between two steps, an expiring session...).  Recording writes
``cassettes/<name>.json`` with the sandbox's changing origin replaced by ``SANDBOX_ORIGIN`` and the
steps kept in the cassette's recipe, so that ``replay`` runs the same crawls with no sandbox, no
network (the origin is mapped to a loopback port where nothing listens) and dummy credentials.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from pacer_spiders.cassettes import RECIPE, read_recipe
from pacer_spiders.testing.crawls import run_crawl

SANDBOX_ORIGIN = "http://pacer-sandbox.invalid"
# What replay logs in with: placeholders of the right shape (the TOTP secret must be base32).
DUMMY_CREDENTIALS = {
    "PACER_USERNAME": "dummy-user",
    "PACER_PASSWORD": "dummy-password",
    "PACER_TOTP_SECRET": "A" * 32,  # pyotp wants 160 bits
    "PACER_CLIENT_CODE": "dummy-client",
}
CREDENTIAL_NAMES = tuple(DUMMY_CREDENTIALS)  # run_crawl gives a crawl no other PACER_* variable


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


def _setting(value) -> str:
    return json.dumps(value) if isinstance(value, (dict, list)) else str(value)


# The stats that say what a crawl did (pages, purchases, logins, cost, why it ended), which a
# replay must repeat; timings, memory and byte counts are left out.
OUTCOME_PREFIXES = ("pacer/", "item_scraped_count", "item_dropped_count", "finish_reason", "archive/", "pages/")
OUTCOME_SKIP = ("pacer/progress", "pacer/elapsed")


def outcome(stats: dict) -> dict:
    return {k: v for k, v in sorted(stats.items())
            if k.startswith(OUTCOME_PREFIXES) and not k.startswith(OUTCOME_SKIP)}


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
                "CASSETTE_STEP": number + 1,
                "CASSETTE_PLACEHOLDERS": {SANDBOX_ORIGIN: sandbox.url},
            }
            result = run_crawl(step.spider, work / f"step{number + 1}", args=arguments,
                               settings={k: _setting(v) for k, v in settings.items()}, env=env, timeout=600)
            if result.returncode != 0:
                raise RuntimeError(f"flow {flow.name}: step {number + 1} ({step.spider}) exited {result.returncode}; "
                                   f"log: {result.workdir / 'crawl.log'}")
            stats = result.stats
            steps.append({"spider": step.spider, "arguments": arguments, "settings": step.settings,
                          "recorded_stats": outcome(stats)})
        # What the recording was billed (never the account: only report, pages and cost).
        charges: list[dict[str, Any]] = [{"report": c.report, "pages": c.pages, "cost": c.cost} for c in sandbox.ledger.charges]
    data = json.loads(path.read_text(encoding="utf-8"))
    recipe = data.setdefault(RECIPE, {})
    recipe.update({
        "flow": flow.name,
        "description": flow.description,
        "steps": steps,
        "credentials": [name for name in CREDENTIAL_NAMES if name in env],
        "recorded_from": "pacer_spiders sandbox",
        "sandbox_charges": charges,
        "sandbox_cost": round(sum(c["cost"] for c in charges), 2),
    })
    from pacer_spiders.cassettes import PacerJSONSerializer

    path.write_text(PacerJSONSerializer().serialize(data), encoding="utf-8")
    return path


@dataclass
class Replay:
    workdir: Path
    database_url: str
    files_store: Path
    results: list  # each step's pacer_spiders.testing.crawls.CrawlResult

    @property
    def stats(self) -> list[dict]:
        return [result.stats for result in self.results]

    @property
    def log(self) -> str:
        return "\n".join(result.log for result in self.results)

    def total(self, key: str):
        return sum(step.get(key, 0) for step in self.stats)


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
    for number, step in enumerate(steps, 1):
        settings = {
            **url_settings,
            "DATABASE_URL": database_url,
            "FILES_STORE": str(files_store),
            **step.get("settings", {}),
            **(extra_settings or {}),
            "CASSETTE": str(path),
            "CASSETTE_MODE": "none",
            **({"CASSETTE_STEP": number} if recipe.get("steps") else {}),
            "CASSETTE_PLACEHOLDERS": {SANDBOX_ORIGIN: origin},
        }
        result = run_crawl(step["spider"], work / f"step{number}", args=step.get("arguments", {}),
                           settings={k: _setting(v) for k, v in settings.items()}, env=env, timeout=600)
        results.append(result)
        if result.returncode != 0:
            break
    return Replay(work, database_url, files_store, results)


def cassettes_dir() -> Path:
    """The repository's ``cassettes/`` folder."""
    return Path(__file__).resolve().parents[1] / "cassettes"


# -- the flows -------------------------------------------------------------------------------------
# Every step runs one request at a time, so that a replay asks in the order of the recording (a
# page that said "log in" answers the same request again after the re-login).
SEQUENTIAL = {"CONCURRENT_REQUESTS": 1, "DOWNLOAD_DELAY": 0}


def small_case(sandbox, court_id: str, entries: int = 3, attachments: bool = False):
    """A new small case with plain documents (none sealed, restricted or unavailable)."""
    for _ in range(20):
        case = sandbox.add_case(court_id, entries=entries)
        for entry in case.entries:
            entry.sealed = entry.restricted = entry.unavailable = False
        if not attachments or any(e.attachments for e in case.entries):
            return case
    raise RuntimeError(f"the sandbox made no case with attachments in {court_id}")


def _plain_document(case):
    """A numbered document without attachments (its doc1 page is the purchase receipt)."""
    for entry in case.entries:
        if entry.pacer_doc_id and not entry.attachments and entry.document_number:
            return entry
    raise RuntimeError(f"case {case.pacer_case_id} has no document without attachments")


def prepare_purchase(sandbox):
    case = small_case(sandbox, "okwd", entries=3, attachments=True)
    return {"pacer_case_id": case.pacer_case_id, "pacer_doc_id": _plain_document(case).pacer_doc_id}


def prepare_case(court_id: str, entries: int = 3):
    def prepare(sandbox):
        return {"pacer_case_id": small_case(sandbox, court_id, entries=entries).pacer_case_id}

    return prepare


def prepare_expiring_session(sandbox):
    """A case with attachment pages, and a session that expires after the second court request."""
    values = prepare_purchase(sandbox)
    session = sandbox.auth.session
    seen = {"valid": 0}

    def expiring(token):
        found = session(token)
        if found is not None:
            seen["valid"] += 1
            if seen["valid"] == 3:
                sandbox.auth.expire_all()
                return None
        return found

    sandbox.auth.session = expiring
    return values


def prepare_sealed(sandbox):
    case = small_case(sandbox, "okwd", entries=3)
    entry = _plain_document(case)
    entry.sealed = True
    return {"pacer_case_id": case.pacer_case_id, "pacer_doc_id": entry.pacer_doc_id}


def prepare_cost_cap(sandbox):
    case = small_case(sandbox, "okwd", entries=4)
    docs = [e.pacer_doc_id for e in case.entries if e.pacer_doc_id and not e.attachments and e.document_number]
    return {"pacer_case_id": case.pacer_case_id, "pacer_doc_ids": ",".join(docs)}


def prepare_discovery(sandbox):
    """okwd's cases: the sweep counts from the oldest id; the window spans every filing."""
    cases = sorted(sandbox.cases("okwd"), key=lambda case: int(case.pacer_case_id))
    filed = sorted(case.date_filed for case in cases)
    return {"after": cases[0].pacer_case_id, "after_filed": cases[0].date_filed.isoformat(),
            "date_start": filed[0].isoformat(), "date_end": filed[-1].isoformat()}


def add_new_entries(sandbox, values):
    sandbox.add_entries("okwd", values["pacer_case_id"], 2)
    return {}


def prepare_appellate(court_id: str):
    """A small appeal with a filing of several documents and a billed document (never a free order)."""
    def prepare(sandbox):
        from pacer_spiders.sandbox import acms, render
        from pacer_spiders.sandbox.appellate import is_free

        case = small_case(sandbox, court_id, entries=3, attachments=True)
        entry = _plain_document(case)
        if is_free(entry):
            entry.short_description = "Brief"
        values = {"pacer_case_id": case.pacer_case_id, "pacer_doc_id": entry.pacer_doc_id,
                  "docket_number": render.appellate_docket_number(case)}
        if court_id == "ca9":
            values.update(docket_number=acms.case_number(case),
                          acms_document_guid=acms.document_guid(case, entry, 1))
        return values

    return prepare


def appellate_flow(name: str, what: str, document: str) -> Flow:
    """A court of appeals' docket by number with its filings' documents, then one document bought."""
    court = name.split("_")[0]
    return Flow(name, f"a court of appeals on {what}",
                [Step("docket", {"court": court, "docket_number": "{docket_number}", "attachments": "1"}, SEQUENTIAL),
                 Step("pdf", {"court": court, "pacer_doc_id": "{%s}" % document}, SEQUENTIAL)],
                prepare=prepare_appellate(court))


FLOWS: list[Flow] = [
    Flow("okwd_docket_attachments_pdf",
         "login, a district docket with its attachment pages, then one PDF bought",
         [Step("docket", {"court": "okwd", "pacer_case_id": "{pacer_case_id}", "attachments": "1"}, SEQUENTIAL),
          Step("pdf", {"court": "okwd", "pacer_doc_id": "{pacer_doc_id}"}, SEQUENTIAL)],
         prepare=prepare_purchase),
    Flow("okwd_login_mfa", "login of an account with multi-factor authentication (TOTP), then a docket",
         [Step("docket", {"court": "okwd", "pacer_case_id": "{pacer_case_id}"}, SEQUENTIAL)],
         account="mfa", prepare=prepare_case("okwd", 2)),
    Flow("okwd_relogin_expired_session",
         "the session expires in the middle of a crawl: PACER's login page, a new login, the same pages again",
         [Step("docket", {"court": "okwd", "pacer_case_id": "{pacer_case_id}", "attachments": "1"}, SEQUENTIAL)],
         prepare=prepare_expiring_session),
    Flow("okwd_sealed_document", "a document under seal: PACER's message, nothing bought or kept",
         [Step("pdf", {"court": "okwd", "pacer_doc_id": "{pacer_doc_id}"}, SEQUENTIAL)],
         prepare=prepare_sealed),
    Flow("okwb_bankruptcy_docket", "a bankruptcy court's docket report",
         [Step("docket", {"court": "okwb", "pacer_case_id": "{pacer_case_id}"}, SEQUENTIAL)],
         prepare=prepare_case("okwb", 3)),
    Flow("okwd_incremental_refresh",
         "a docket, then two new entries, then a refresh that asks only for entries since the newest held",
         [Step("docket", {"court": "okwd", "pacer_case_id": "{pacer_case_id}"}, SEQUENTIAL),
          Step("docket", {"court": "okwd", "pacer_case_id": "{pacer_case_id}", "since": "last"}, SEQUENTIAL,
               before=add_new_entries)],
         prepare=prepare_case("okwd", 3)),
    Flow("okwd_discovery",
         "discovery as schedules run it: the court's RSS feed (free, no login), then a case query sweep "
         "past the oldest case id until two ids in a row are no case, logged out at the end",
         [Step("rss", {"court": "okwd", "date_start": "{date_start}", "date_end": "{date_end}"}, SEQUENTIAL),
          Step("case_query_sweep", {"court": "okwd", "after": "{after}", "after_filed": "{after_filed}",
                                    "date_start": "{date_start}", "date_end": "{date_end}", "max_misses": "2"},
               SEQUENTIAL)],
         prepare=prepare_discovery, sandbox_options={"cases_per_court": 3, "entries": (2, 4)}),
    Flow("okwd_cost_cap_stop", "PDF purchases that stop before PACER_MAX_COST would be passed",
         [Step("pdf", {"court": "okwd", "pacer_doc_id": "{pacer_doc_ids}"}, {**SEQUENTIAL, "PACER_MAX_COST": 0.5})],
         prepare=prepare_cost_cap),
    appellate_flow("ca1_appellate_docket_pdf", "appellate CM/ECF: its docket (billed) with each filing's "
                   "documents, then one document bought after its download confirmation's receipt", "pacer_doc_id"),
    appellate_flow("ca9_acms_docket_pdf", "ACMS: the SAML sign-in after PACER's login, the docket JSON with each "
                   "entry's documents, then one document bought by its GUID after its receipt", "acms_document_guid"),
]


def flow_named(name: str) -> Flow:
    for flow in FLOWS:
        if flow.name == name:
            return flow
    raise KeyError(f"no flow {name!r}; flows: {', '.join(f.name for f in FLOWS) or 'none'}")

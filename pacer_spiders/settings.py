"""Scrapy settings of pacer_spiders.  Every setting is documented in README.md ("Settings").

Deployment settings read the environment first, so the same project runs on a laptop (SQLite,
local files, one machine) and in production (PostgreSQL, Redis) without edits.  Credentials come
from the environment only: they are never written in a file of the project.
"""

import os


# The settings read from the environment: a process that changes its environment after this
# module was imported (a test, a service) gets them again from settings_access.project_settings.
environment_settings: set[str] = set()


def _env(name, default=None):
    environment_settings.add(name)
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_number(name, default=None, kind=float):
    """A number from the environment; one line instead of a traceback out of the settings module."""
    value = _env(name, default)
    if value is None:
        return None
    from pacer_spiders.settings_access import number_problem

    problem = number_problem(name, value, kind)
    if problem:
        raise SystemExit(problem)
    return kind(value)


def _env_float(name, default=None):
    return _env_number(name, default, float)


BOT_NAME = "pacer_spiders"
SPIDER_MODULES = ["pacer_spiders.spiders"]
NEWSPIDER_MODULE = "pacer_spiders.spiders"
COMMANDS_MODULE = "pacer_spiders.scrapy_commands"
# Spiders listed by plugins (the ``spider_classes`` hook) join those of SPIDER_MODULES.
SPIDER_LOADER_CLASS = "pacer_spiders.spiderloader.PluginSpiderLoader"

# --- where data goes -------------------------------------------------------------------
# An SQLite file in the working directory by default; postgresql+psycopg://... in production.
DATABASE_URL = _env("DATABASE_URL", "sqlite:///pacer_spiders.sqlite3")
# PDFs and other files (Scrapy's FilesPipeline store: a folder, s3://, gs://, ftp://).
FILES_STORE = _env("FILES_STORE", "./pacer_files")
# Unset: one machine.  redis://host:port/db: distributed crawls through scrapy-redis.
REDIS_URL = _env("REDIS_URL")

# --- PACER ------------------------------------------------------------------------------
# From the environment only.
PACER_USERNAME = _env("PACER_USERNAME")
PACER_PASSWORD = _env("PACER_PASSWORD")
PACER_TOTP_SECRET = _env("PACER_TOTP_SECRET")
PACER_CLIENT_CODE = _env("PACER_CLIENT_CODE")
# PACER's central authentication service (the sandbox prints its own).
PACER_LOGIN_URL = _env("PACER_LOGIN_URL", "https://pacer.login.uscourts.gov/services/cso-auth")
PACER_LOGOUT_URL = _env("PACER_LOGOUT_URL", "https://pacer.login.uscourts.gov/services/cso-logout")
# A court's CM/ECF site; {subdomain} is PACER's (azb), {court_id} CourtListener's (arb).
PACER_COURT_URL_TEMPLATE = _env("PACER_COURT_URL_TEMPLATE", "https://ecf.{subdomain}.uscourts.gov")
# Courts of appeals: which run ACMS instead of appellate CM/ECF, beyond the registry's word
# ({"ca1": "acms"} or "ca1=acms,ca2=cmecf"): a court that moves is moved here.
PACER_APPELLATE_SYSTEMS = _env("PACER_APPELLATE_SYSTEMS")
# An ACMS court's web application ({court_id}: ca9).
PACER_ACMS_URL_TEMPLATE = _env("PACER_ACMS_URL_TEMPLATE", "https://{court_id}-showdoc.azurewebsites.us")
# A dollar cap for one crawl: nothing is bought that would pass it.  None: no cap.
PACER_MAX_COST = _env_float("PACER_MAX_COST")
# Fee budgets per account, in dollars, checked before each purchase against every receipt the
# archive (and Redis, when distributed) holds for the UTC day and the calendar quarter.  None: none.
PACER_BUDGET_DAY = _env_float("PACER_BUDGET_DAY")
PACER_BUDGET_QUARTER = _env_float("PACER_BUDGET_QUARTER")
# Courts whose RSS feed carries every docket entry ("*": all): there a refresh may take the feed's
# silence for "nothing new"; elsewhere a feed only names dockets that moved.
PACER_RSS_FULL_COURTS: list[str] = []
PACER_REFRESH_RSS = True

# --- a process that holds PACER credentials exposes no remote control ----------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
EXTENSIONS: dict[str, int | None] = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
}

# --- politeness and Scrapy defaults -------------------------------------------------------
ROBOTSTXT_OBEY = False  # PACER's report scripts are what a paying user asks for
USER_AGENT = "pacer_spiders/0.1 (+https://github.com/pacer-spiders)"
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
COOKIES_ENABLED = True
RETRY_TIMES = 3
# An answer that breaks off reaches the spider marked "dataloss" (Scrapy would drop it as a
# download error): PACER bills a page it served even when the connection broke, so the spider
# counts what it cost and refuses the page as truncated, instead of buying it again unawares.
DOWNLOAD_FAIL_ON_DATALOSS = False
# How many more times a billed report that broke off is bought again (each try is billed).
PACER_PAID_RETRIES = _env_number("PACER_PAID_RETRIES", 1, int)
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = _env("LOG_LEVEL", "INFO")
# Item log lines name the page (court, report, URL) instead of printing its bytes.
LOG_FORMATTER = "pacer_spiders.logformatter.PacerLogFormatter"

# --- distributed and scheduled crawls (README, "Distributed and scheduled crawls") ----------------
# With REDIS_URL set, this add-on swaps in the shared Redis scheduler, queues and duplicate filter.
ADDONS = {"pacer_spiders.distributed.DistributedAddon": 0, "pacer_spiders.addon.MonitoringSwitch": 10}
PACER_REDIS_PREFIX = _env("PACER_REDIS_PREFIX", "pacer")
# Per court, for all workers together: requests in flight, and seconds between two request starts.
PACER_COURT_CONCURRENCY = _env_number("PACER_COURT_CONCURRENCY", 2, int)
PACER_COURT_INTERVAL = _env_float("PACER_COURT_INTERVAL", 0.5)
PACER_COURT_LIMITS: dict[str, dict] = {}  # {"nysd": {"concurrency": 1, "interval": 2.0}}
# A worker that holds a request renews its lease; one killed loses it after this many seconds.
PACER_LEASE_SECONDS = _env_float("PACER_LEASE_SECONDS", 60)
# Seconds with nothing left in Redis after which a worker stops (0: wait for work forever).
PACER_WORKER_IDLE_CLOSE = _env_float("PACER_WORKER_IDLE_CLOSE", 0)
# Work requests enqueued as bulk run only from 6 p.m. to 6 a.m. Central time (PACER's request).
PACER_BULK_WINDOW = True
PACER_WORK_ATTEMPTS = 3  # tries of a work request that failed for a passing reason
PACER_WORK_RETRY_DELAY = 30.0  # seconds before its first retry, doubled each time
PACER_WEBHOOK_ATTEMPTS = 6
PACER_WEBHOOK_BACKOFF = 1.0  # seconds before the first webhook retry, doubled each time
# Schedules of `pacer-spiders schedule`: None for the built-in ones, or a TOML/JSON file.
PACER_SCHEDULES_FILE = _env("PACER_SCHEDULES_FILE")

# --- PACER login, crawl summary ------------------------------------------------------------
# Several accounts: a JSON list [{"username": ..., "password": ..., "totp_secret": ..., "client_code": ...}]
# (or PACER_USERNAME_2, PACER_PASSWORD_2... in the environment).  Requests take the accounts in turn.
PACER_ACCOUNTS = _env("PACER_ACCOUNTS")
# A token is used at most this long (seconds), then the account logs in again.
PACER_TOKEN_MAX_AGE = _env_float("PACER_TOKEN_MAX_AGE", 3600)
DOWNLOADER_MIDDLEWARES = {
    # After the cookie middleware (700) and the HTTP cache (900): the token is added last and
    # taken off first, so no cache, queue or cookie log ever holds it.
    "pacer_spiders.login.PacerLoginMiddleware": 950,
    # Before the cookie middleware (700): a request waiting for ACMS's sign-in gets its cookies.
    "pacer_spiders.acms_session.AcmsSessionMiddleware": 650,
}
EXTENSIONS["pacer_spiders.summary.CrawlSummary"] = 100
# Whether the crawl got what it was asked for: the exit code of `scrapy crawl`, crawl_runs.finish_reason.
EXTENSIONS["pacer_spiders.outcome.CrawlOutcome"] = 110
# Scrapy's cookie debug log would print session cookies PACER sets; keep it off.
COOKIES_DEBUG = False
# Log progress every minute while a crawl runs (pages, items, cost: see pacer_spiders.summary).
PACER_PROGRESS_INTERVAL = _env_float("PACER_PROGRESS_INTERVAL", 60)
# A path: the final stats of each crawl are written there as JSON (for schedulers and tests).
PACER_STATS_FILE = _env("PACER_STATS_FILE")

# --- cassettes (pacer_spiders/cassettes.py) -----------------------------------------------
# A betamax cassette to record the crawl's HTTP into and replay it from; unset: live crawl.
CASSETTE = _env("CASSETTE")
# once | new_episodes | none | all (betamax's record modes; `none` never touches the network).
CASSETTE_MODE = _env("CASSETTE_MODE", "once")
# Further strings to scrub from cassettes (besides PACER_USERNAME, PACER_PASSWORD, ... which always are).
CASSETTE_SECRETS: list[str] = []
# Next to the downloader, so that login, cookies, redirects and retries see replayed answers as live
# (beside the login middleware, 950).
DOWNLOADER_MIDDLEWARES["pacer_spiders.cassettes.CassetteMiddleware"] = 990
# Downloads that skip the middlewares (the logout at the end of a crawl) go through the cassette too;
# without CASSETTE these are Scrapy's own http(s) handler.
DOWNLOAD_HANDLERS = {scheme: "pacer_spiders.cassettes.CassetteDownloadHandler" for scheme in ("http", "https")}
# {text written in the cassette: text of this run}: e.g. {"http://pacer-sandbox.invalid": "http://127.0.0.1:8123"}
# writes a stable origin for a server whose port changes, and maps it back when replaying.
CASSETTE_PLACEHOLDERS: dict[str, str] = {}
# A cassette holding several crawls (a first crawl, then a refresh): this crawl records its
# interactions under this step and replays only those.  Unset: every interaction.
CASSETTE_STEP = None
# --- the archive pipelines (pipelines/), in the order of DESIGN.md ---------------------------
ITEM_PIPELINES = {
    "pacer_spiders.pipelines.source.SourceFilesPipeline": 100,
    "pacer_spiders.pipelines.parse.ParsePipeline": 200,
    "pacer_spiders.pipelines.validate.ValidatePipeline": 300,
    "pacer_spiders.pipelines.database.DatabasePipeline": 500,
    "pacer_spiders.pipelines.files.PdfFilesPipeline": 600,
    "pacer_spiders.pipelines.export.ExportablePipeline": 900,
}
# Feed exports (-O dockets.csv): nested values (parties, entries ...) as JSON text in their cell.
FEED_EXPORTERS = {"csv": "pacer_spiders.exporters.CsvItemExporter"}
# Raw pages, content-addressed (<sha1[:2]>/<sha1>.html), in a folder or s3://bucket/prefix; unset: <FILES_STORE>/raw.
SOURCE_STORE = _env("SOURCE_STORE")
# An s3:// store: Scrapy's AWS_* settings; unset keys use botocore's own chain (environment, ~/.aws, role).
AWS_ENDPOINT_URL = _env("AWS_ENDPOINT_URL")
AWS_REGION_NAME = _env("AWS_REGION_NAME")
# True: every stage works out what it would write and writes nothing (ingest --dry-run).
ARCHIVE_DRY_RUN = False
# Where a crawl merges into the archive (pipelines/database.py): True, a process of its own; False,
# a thread; "auto": the process for a crawl given ARCHIVE_WRITER_PROCESS_CASES cases or more (a second
# core for a long crawl), the thread for fewer (a process's start is not worth a few dockets).
ARCHIVE_WRITER_PROCESS = "auto"
ARCHIVE_WRITER_PROCESS_CASES = 50

# --- the HTTP service (pacer-spiders serve; README "Service") ------------------------------
# Signs links, encrypts kept PACER sessions, derives users' webhook keys: the same value in every
# service process and worker.  Unset: a random one per process (links die with it).
PACER_SERVICE_SECRET = _env("PACER_SERVICE_SECRET")
PACER_SERVICE_THROTTLE = _env("PACER_SERVICE_THROTTLE", "120/minute")  # per token: N/second|minute|hour|day
PACER_SERVICE_PRAYER_QUOTA = int(_env("PACER_SERVICE_PRAYER_QUOTA", "5"))  # prayers a user may make a day
PACER_SERVICE_RUNNERS = int(_env("PACER_SERVICE_RUNNERS", "1"))  # crawls at once per service process
PACER_SERVICE_RUN_CRAWLS = _env("PACER_SERVICE_RUN_CRAWLS", "1") not in ("0", "false", "False", "no", "off")
PACER_SERVICE_CRAWL_TIMEOUT = _env_float("PACER_SERVICE_CRAWL_TIMEOUT", 600)  # seconds before a crawl is stopped
PACER_SERVICE_SPOOL = _env("PACER_SERVICE_SPOOL")  # uploads waiting their turn; default <FILES_STORE>/uploads
PACER_SERVICE_LOG_DIR = _env("PACER_SERVICE_LOG_DIR")  # keep each crawl's log there
# Webhooks to loopback, private and link-local addresses: refused by the service unless on.
PACER_WEBHOOK_ALLOW_PRIVATE = _env("PACER_WEBHOOK_ALLOW_PRIVATE", "") in ("1", "true", "True", "yes", "on")

# --- monitors (the `monitoring` extra: Spidermon; README "Monitoring") ----------------------------
# On: Spidermon checks every crawl when it closes (and idle workers while they run).
PACER_MONITORING = _env("PACER_MONITORING", "") in ("1", "true", "True", "yes", "on")
PACER_MONITOR_MAX_COST = _env_float("PACER_MONITOR_MAX_COST")  # dollars; None: no cost monitor
PACER_MONITOR_MAX_ERRORS = 0  # ERROR lines a crawl may log
PACER_MONITOR_EXPECT_STORED = True  # a crawl that stores nothing fails
PACER_MONITOR_IDLE_SECONDS = _env_float("PACER_MONITOR_IDLE_SECONDS", 0)  # 0: no idle monitor
# On failure: any of email, slack, sentry, report (Spidermon's actions, set up by its SPIDERMON_* settings).
PACER_MONITOR_ACTIONS = _env("PACER_MONITOR_ACTIONS", "")

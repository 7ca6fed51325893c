"""The service's settings, read once from the project settings (environment) and overrides."""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)


@dataclass
class ServiceConfig:
    database_url: str
    redis_url: str | None = None
    # signs links, encrypts PACER sessions, derives webhook keys; shared by every service process
    secret: str = ""
    files_store: str = "./pacer_files"
    spool_dir: str = "./pacer_files/uploads"
    throttle: str = "120/minute"  # per token
    prayer_quota: int = 5  # prayers a user may make per UTC day
    allow_private_webhooks: bool = False
    run_crawls: bool = True  # without Redis: a runner thread takes the queued work
    runner_threads: int = 1
    crawl_timeout: float = 600.0
    log_dir: str | None = None  # where the crawls' logs are kept (none: dropped with their temp dir)
    webhook_attempts: int = 6
    webhook_backoff: float = 1.0
    link_seconds: int = 3600
    session_seconds: int = 3600
    pacer_settings: dict = field(default_factory=dict)  # login/court URLs, passed to the crawls

    @classmethod
    def from_settings(cls, overrides: dict | None = None) -> "ServiceConfig":
        from pacer_spiders.settings_access import project_settings

        settings = project_settings(overrides)
        secret = settings.get("PACER_SERVICE_SECRET") or ""
        if not secret:
            # Links and sessions then die with the process; several processes need the setting.
            logger.warning("PACER_SERVICE_SECRET is not set: using a random one for this process")
            secret = secrets.token_urlsafe(32)
        files_store = settings.get("FILES_STORE") or "./pacer_files"
        return cls(
            database_url=settings.get("DATABASE_URL"),
            redis_url=settings.get("REDIS_URL") or None,
            secret=secret,
            files_store=files_store,
            spool_dir=settings.get("PACER_SERVICE_SPOOL") or str(Path(files_store) / "uploads"),
            throttle=settings.get("PACER_SERVICE_THROTTLE") or "120/minute",
            prayer_quota=settings.getint("PACER_SERVICE_PRAYER_QUOTA", 5),
            allow_private_webhooks=settings.getbool("PACER_WEBHOOK_ALLOW_PRIVATE", False),
            webhook_attempts=settings.getint("PACER_WEBHOOK_ATTEMPTS", 6),
            webhook_backoff=settings.getfloat("PACER_WEBHOOK_BACKOFF", 1.0),
            run_crawls=settings.getbool("PACER_SERVICE_RUN_CRAWLS", True),
            runner_threads=settings.getint("PACER_SERVICE_RUNNERS", 1),
            crawl_timeout=settings.getfloat("PACER_SERVICE_CRAWL_TIMEOUT", 600.0),
            log_dir=settings.get("PACER_SERVICE_LOG_DIR") or None,
            pacer_settings={name: settings.get(name) for name in (
                "PACER_LOGIN_URL", "PACER_LOGOUT_URL", "PACER_COURT_URL_TEMPLATE", "PACER_MAX_COST",
                "SOURCE_STORE") if settings.get(name) not in (None, "")},
        )

    def key(self, purpose: str) -> bytes:
        """A 32-byte key of its own for each use of the secret."""
        return hashlib.sha256(f"{purpose}\0{self.secret}".encode()).digest()

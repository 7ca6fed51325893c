"""Running the app: ``serve`` (uvicorn, N worker processes) and ``ServiceThread`` (tests, benchmarks)."""

from __future__ import annotations

import threading

APP_FACTORY = "pacer_spiders.service.server:app_from_environment"


def app_from_environment():
    """The app of ``serve --workers N`` (each worker process builds its own from the settings)."""
    from pacer_spiders.service.app import create_app
    from pacer_spiders.service.config import ServiceConfig

    return create_app(ServiceConfig.from_settings())


def serve(host: str, port: int, workers: int = 1, log_level: str = "info") -> None:
    import uvicorn

    # access_log off: query strings of signed links are not for a log
    if workers > 1:
        from pacer_spiders.db import upgrade_database
        from pacer_spiders.settings_access import project_settings

        if not project_settings().get("PACER_SERVICE_SECRET"):
            raise ValueError("--workers N needs PACER_SERVICE_SECRET (shared by the worker processes)")
        upgrade_database(project_settings().get("DATABASE_URL"))  # once, before the workers race to it
        uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers, access_log=False,
                    log_level=log_level)
    else:
        uvicorn.run(app_from_environment(), host=host, port=port, access_log=False, log_level=log_level)


class ServiceThread:
    """The service on loopback in a thread of this process: ``with ServiceThread(config) as url: ...``."""

    def __init__(self, config, host: str = "127.0.0.1", port: int = 0, start_runner: bool = True):
        import uvicorn

        from pacer_spiders.service.app import create_app
        from pacer_spiders.testing.services import free_port

        self.app = create_app(config, start_runner=start_runner)
        self.port = port or free_port()
        self.url = f"http://{host}:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.app, host=host, port=self.port, access_log=False,
                                                    log_level="warning", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="service")

    def __enter__(self) -> str:
        from pacer_spiders.testing.services import wait_for_port

        self.thread.start()
        wait_for_port(self.port)
        while not self.server.started:
            threading.Event().wait(0.02)
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(15)

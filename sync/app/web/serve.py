"""The dashboard's HTTP server (uvicorn): in the foreground for ``kpiokr serve``, or in a thread
beside the daemon's scheduler for ``kpiokr daemon --serve``."""

from __future__ import annotations

import threading

import uvicorn
from starlette.types import ASGIApp

from sync.config import DashboardSettings


class DashboardServer:
    """The server of one dashboard app on ``[dashboard]``'s address and port."""

    def __init__(self, app: ASGIApp, settings: DashboardSettings) -> None:
        config = uvicorn.Config(
            app, host=settings.bind, port=settings.port, log_level="warning", access_log=False, server_header=False
        )
        self.server = uvicorn.Server(config)
        self.url = f"http://{_host(settings.bind)}:{settings.port}{settings.base_path}/"
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM."""
        self.server.run()

    def start(self) -> None:
        """Serve in a thread of its own; :meth:`stop` ends it."""
        self._thread = threading.Thread(target=self.server.run, name="dashboard", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread :meth:`start` began, after the requests in flight."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)


def _host(bind: str) -> str:
    return f"[{bind}]" if ":" in bind else bind

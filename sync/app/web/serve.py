"""The dashboard's HTTP server (uvicorn): in the foreground for ``kpiokr serve``, or in a thread
beside the daemon's scheduler for ``kpiokr daemon --serve``.

The listening socket is opened before anything else runs, in the caller's thread: an address in use
or a name that does not resolve ends ``serve`` and ``daemon --serve`` at start with
:class:`DashboardUnavailable`, not a thread that dies while the daemon goes on without its dashboard.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

import uvicorn
from starlette.types import ASGIApp

from sync.config import DashboardSettings
from sync.errors import KpiokrError


class DashboardUnavailable(KpiokrError):  # noqa: N818 - reads as what happened
    """The dashboard cannot listen on ``[dashboard]``'s address and port."""


class DashboardServer:
    """The server of one dashboard app on ``[dashboard]``'s address and port."""

    def __init__(self, app: ASGIApp, settings: DashboardSettings) -> None:
        config = uvicorn.Config(
            app, host=settings.bind, port=settings.port, log_level="warning", access_log=False, server_header=False
        )
        self.server = uvicorn.Server(config)
        self.settings = settings
        self.url = settings.url
        self._thread: threading.Thread | None = None

    def run(self) -> None:
        """Serve until SIGINT or SIGTERM; :class:`DashboardUnavailable` when the port cannot be had."""
        with listen(self.settings) as sock:
            self.server.run(sockets=[sock])

    def start(self) -> None:
        """Serve in a thread of its own, listening before this returns; :meth:`stop` ends it."""
        sock = listen(self.settings)

        def serve() -> None:
            with sock:
                self.server.run(sockets=[sock])

        self._thread = threading.Thread(target=serve, name="dashboard", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread :meth:`start` began, after the requests in flight."""
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)


def listen(settings: DashboardSettings) -> socket.socket:
    """A socket listening on ``settings``' address and port, or :class:`DashboardUnavailable` saying why."""
    where = urlsplit(settings.url).netloc
    try:
        family = socket.getaddrinfo(settings.bind, settings.port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((settings.bind, settings.port), family=family)
    except OSError as error:
        reason = error.strerror or str(error)
        raise DashboardUnavailable(
            f"the dashboard cannot listen on {where}: {reason}. Another program may be using the port: stop it,"
            " or set another `port` (or `bind`) under [dashboard] in the config"
        ) from None

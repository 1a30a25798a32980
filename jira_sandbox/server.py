"""The HTTP side: a threaded server speaking Jira's wire format, authentication, faults, routing.

For demos and tests only: it binds to 127.0.0.1 by default and its control endpoints under
``/_sandbox/`` need no credentials.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import socket
import struct
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from jira_sandbox import api_agile, api_comments, api_control, api_platform, api_properties, webhooks
from jira_sandbox.catalog import FLAVORS, User
from jira_sandbox.faults import Fault, FaultSet
from jira_sandbox.jql import JqlError
from jira_sandbox.payload import EditError
from jira_sandbox.routing import ApiError, Request, Response, Route, error_body
from jira_sandbox.search import SearchEngine
from jira_sandbox.site import Site
from jira_sandbox.wire import Renderer

ROUTES: list[Route] = [
    *api_platform.ROUTES,
    *api_agile.ROUTES,
    *api_comments.ROUTES,
    *api_properties.ROUTES,
    *webhooks.ROUTES,
]
NOT_AUTHENTICATED = "You are not authenticated. Authentication required to perform this operation."
#: Largest page per kind of answer; tests may lower them on a running server.
DEFAULT_LIMITS = {"cloud_search": 100, "cloud_search_ids": 5000, "dc_search": 1000, "changelog": 100, "agile_list": 50}


class Context:
    """What endpoint handlers see: the site, the flavour, renderers, the search engine, limits."""

    def __init__(self, server: SandboxServer) -> None:
        self.server = server
        self.site = server.site
        self.flavor = server.flavor
        self.cloud = server.flavor == "cloud"
        self.search = SearchEngine(server.site, server.flavor)
        self.limits = dict(DEFAULT_LIMITS)
        self.tasks: dict[str, dict[str, Any]] = {}
        self._renderers: dict[str, Renderer] = {}
        self.webhooks = webhooks.WebhookHub(self)

    @property
    def base(self) -> str:
        """The server's base URL."""
        return self.server.url

    def renderer(self, api: str = "2") -> Renderer:
        """The renderer for a REST API version ("2" or "3")."""
        r = self._renderers.get(api)
        if r is None:
            r = self._renderers[api] = Renderer(self.site, self.flavor, self.base, api)
        return r


class SandboxServer:
    """A Jira emulator over ``site``; ``flavor`` is "cloud" or "datacenter"; ``port=0`` picks one.

    Use as a context manager, or call :meth:`start` and :meth:`stop`.
    """

    def __init__(self, site: Site, flavor: str = "cloud", *, host: str = "127.0.0.1", port: int = 0) -> None:
        if flavor not in FLAVORS:
            raise ValueError(f"flavor must be one of {FLAVORS}, not {flavor!r}")
        self.site, self.flavor, self.host, self.port = site, flavor, host, port
        self.faults = FaultSet()
        self._log: list[tuple[str, str, int]] = []
        self._log_lock = threading.Lock()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.context = Context(self)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` once started."""
        return f"http://{self.host}:{self.port}"

    @property
    def request_log(self) -> list[tuple[str, str, int]]:
        """(method, path with query, status) of every request served, oldest first (a copy).

        Control requests under ``/_sandbox/`` are not logged; connections reset by a fault log 0.
        """
        with self._log_lock:
            return list(self._log)

    def clear_request_log(self) -> None:
        """Forget the requests served so far."""
        with self._log_lock:
            self._log.clear()

    def log(self, method: str, target: str, status: int) -> None:
        """Append one entry to the request log."""
        with self._log_lock:
            self._log.append((method, target, status))

    def start(self) -> SandboxServer:
        """Bind and serve in a background thread."""
        self._httpd = _HTTPServer((self.host, self.port), _Handler)
        self._httpd.app = self
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"jira-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def wait(self) -> None:
        """Block until the server thread ends (``python -m jira_sandbox`` waits here for Ctrl-C)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- one request ----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], body: bytes) -> Response | None:
        """Answer one request; None means "drop the connection" (a reset fault)."""
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        req = Request(method, path, target, parse_qs(parts.query, keep_blank_values=True), body, headers)
        if path == "/_sandbox" or path.startswith("/_sandbox/"):
            return self._dispatch(req, [*api_control.ROUTES, *webhooks.CONTROL_ROUTES], control=True)
        fault = self.faults.take(method, path)
        if fault is not None:
            early = self._fault_response(fault)
            if early is not None or fault.kind == "reset":
                return early
        response = self._dispatch(req, ROUTES)
        if fault is not None and fault.kind == "truncated":
            data = response.body.encode() if isinstance(response.body, str) else response.body
            response = Response(200, data[: max(1, len(data) // 2)], content_type=response.content_type)
        return response

    def _fault_response(self, fault: Fault) -> Response | None:
        if fault.kind == "slow":
            time.sleep(fault.delay)
        elif fault.kind == "status":
            headers = {"Retry-After": str(int(fault.retry_after))} if fault.retry_after is not None else {}
            headers.update(fault.headers)
            body = fault.body if fault.body is not None else error_body([_STATUS_TEXT.get(fault.status, "Error")])
            return Response(fault.status, body, headers)
        elif fault.kind == "garbage":
            body = fault.body or "<html><head><title>Log in</title></head><body>Proxy says hello</body></html>"
            return Response(200, body, content_type="text/html;charset=UTF-8")
        return None

    def _dispatch(self, req: Request, routes: list[Route], control: bool = False) -> Response:
        path = req.path
        if not control:
            path = path.replace("/rest/api/latest/", "/rest/api/2/", 1)
            if path.startswith("/rest/api/") and not path.startswith(
                ("/rest/api/2/", "/rest/api/3/" if self.context.cloud else "/rest/api/2/")
            ):
                return _not_found(req)
        matched = [(r, m) for r in routes if self.flavor in r.flavors and (m := r.regex.match(path))]
        if not matched:
            return _not_found(req)
        hit = next(((r, m) for r, m in matched if r.method == req.method), None)
        if hit is None:
            allow = ", ".join(sorted({r.method for r, _ in matched}))
            return Response(405, error_body([f"Method {req.method} is not allowed here."]), {"Allow": allow})
        route, match = hit
        req.params = match.groupdict()
        try:
            if not control:
                req.user = self._authenticate(req, route)
            return route.handler(self.context, req)
        except ApiError as exc:
            return Response(exc.status, error_body(exc.messages, exc.errors), exc.headers)
        except JqlError as exc:
            return Response(400, error_body([str(exc)]))
        except EditError as exc:
            return Response(400, error_body(exc.messages, exc.errors))
        except Exception:  # a sandbox bug: answer like Jira's 500 page would, and say where
            traceback.print_exc(file=sys.stderr)
            return Response(500, error_body(["Internal server error (jira_sandbox bug, see its stderr)."]))

    def _authenticate(self, req: Request, route: Route) -> User | None:
        header = req.headers.get("authorization", "")
        if not header:
            if route.anonymous:
                return None
            raise ApiError(401, NOT_AUTHENTICATED, headers={"WWW-Authenticate": 'Basic realm="protected-area"'})
        user = self._credentials(header)
        if user is None:
            raise ApiError(
                401,
                NOT_AUTHENTICATED,
                headers={
                    "WWW-Authenticate": 'Basic realm="protected-area"',
                    "X-Seraph-LoginReason": "AUTHENTICATED_FAILED",
                },
            )
        if route.access == "write" and not user.can_write:
            raise ApiError(403, "You do not have permission to edit issues in this project.")
        if route.access == "admin" and not user.admin:
            raise ApiError(403, "Only Jira administrators can access this resource.")
        return user

    def _credentials(self, header: str) -> User | None:
        scheme, _, value = header.partition(" ")
        users = self.site.users.values()
        if scheme.lower() == "bearer" and not self.context.cloud:
            return next((u for u in users if u.pat and u.pat == value.strip()), None)
        if scheme.lower() != "basic":
            return None
        try:
            login, _, secret = base64.b64decode(value.strip()).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        for u in users:
            if u.token is None or secret != u.token:
                continue
            if login.lower() == u.email.lower() or (not self.context.cloud and login.lower() == u.name.lower()):
                return u
        return None


_STATUS_TEXT = {
    401: NOT_AUTHENTICATED,
    403: "You do not have permission to perform this operation.",
    429: "Rate limit exceeded.",
    500: "Internal server error.",
    502: "Bad gateway.",
    503: "Service unavailable: Jira is temporarily unable to handle the request.",
    504: "Gateway timeout.",
}


def _not_found(req: Request) -> Response:
    return Response(404, error_body([f"No Jira resource at {req.method} {req.path} (kpiokr Jira sandbox)."]))


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: SandboxServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall
    server: _HTTPServer
    timeout = 60

    def _serve(self) -> None:
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        control = self.path.startswith("/_sandbox")
        if len(body) < length:  # the client went away mid-request: like Jira, never act on half a request
            if not control:
                app.log(self.command, self.path, 0)
            self.close_connection = True
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        response = app.handle(self.command, self.path, headers, body)
        if response is None:
            if not control:
                app.log(self.command, self.path, 0)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        data = response.body.encode() if isinstance(response.body, str) else response.body
        if not control:
            app.log(self.command, self.path, response.status)
        self.send_response(response.status)
        if response.status != 204:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.status != 204:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header: the site's clock, as Jira's answers carry its own."""
        instant = self.server.app.site.clock().timestamp() if timestamp is None else timestamp
        return email.utils.formatdate(instant, usegmt=True)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log replaces access logging."""

"""Who may read the dashboard, and the guard every request passes: read-only methods, access
control, and the security headers of every answer.

Access is a token (``Authorization: Bearer ...``), HTTP basic-auth credentials, or a header a
reverse proxy sets once it has authenticated the reader. ``/healthz`` answers monitors without it.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.config import DashboardSettings, read_secret
from sync.errors import ConfigError

READ_METHODS = ("GET", "HEAD")
OPEN_PATHS = ("/healthz",)
#: The scope key the guard sets to whether the reader passed the access control (open paths let anyone in).
SIGNED_IN = "kpiokr.signed_in"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@dataclass(frozen=True)
class Access:
    """The credentials a reader must present; none of them: anyone who reaches the port may read."""

    token: str | None = None
    basic: tuple[str, str] | None = None
    trusted_header: str | None = None

    @property
    def open(self) -> bool:
        """True when no access control is set."""
        return self.token is None and self.basic is None and self.trusted_header is None

    def allows(self, headers: Headers) -> bool:
        """True when ``headers`` carry one of the accepted credentials (any, when none is set)."""
        if self.open:
            return True
        if self.trusted_header is not None and headers.get(self.trusted_header, "").strip():
            return True
        scheme, _, value = headers.get("authorization", "").partition(" ")
        if self.token is not None and scheme.lower() == "bearer":
            return hmac.compare_digest(value.strip().encode(), self.token.encode())
        if self.basic is not None and scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value.strip(), validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return False
            return hmac.compare_digest(user.encode(), self.basic[0].encode()) & hmac.compare_digest(
                password.encode(), self.basic[1].encode()
            )
        return False

    @property
    def challenge(self) -> str:
        """The ``WWW-Authenticate`` value of a 401."""
        return 'Basic realm="kpiokr"' if self.basic is not None else 'Bearer realm="kpiokr"'


def dashboard_access(settings: DashboardSettings, environ: Mapping[str, str], base_dir: Path) -> Access:
    """The access control ``[dashboard]`` sets, its secrets read from the environment or their files.

    Raises :class:`ConfigError` when the dashboard would listen beyond loopback open to anyone."""
    token = read_secret(settings.token_env, settings.token_file, environ, base_dir, "dashboard.token_file")
    password = read_secret(
        settings.basic_password_env,
        settings.basic_password_file,
        environ,
        base_dir,
        "dashboard.basic_password_file",
        what="password",
    )
    if token is None and settings.token_env:  # a token file holds one or fails to be read
        raise ConfigError(
            f"dashboard.token_env names {settings.token_env}, which holds no token: export {settings.token_env} with"
            " the token readers send, or remove token_env from [dashboard] to serve without one"
        )
    if settings.basic_user is None and (settings.basic_password_env or settings.basic_password_file):
        setting = "basic_password_env" if settings.basic_password_env else "basic_password_file"
        raise ConfigError(
            f"dashboard.{setting} is set without basic_user: set dashboard.basic_user to the name readers sign"
            f" in with, or remove {setting}"
        )
    if settings.basic_user is not None and password is None:
        raise ConfigError(
            "dashboard.basic_user is set without a password: set the environment variable named by"
            " dashboard.basic_password_env, or dashboard.basic_password_file"
        )
    basic = (settings.basic_user, password) if settings.basic_user is not None and password is not None else None
    access = Access(token, basic, settings.trusted_header)
    if access.open and not _loopback(settings.bind):
        raise ConfigError(
            f"dashboard.bind = {settings.bind!r} reaches beyond this machine, and no access control is set: set"
            " dashboard.token_env (or token_file), basic_user with basic_password_env (or basic_password_file), or"
            " trusted_header behind an authenticating reverse proxy; or bind to 127.0.0.1"
        )
    return access


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Guard:
    """ASGI middleware: only GET and HEAD (else 405), the reader's access checked (else 401), and
    :data:`SECURITY_HEADERS` on every answer."""

    def __init__(self, app: ASGIApp, access: Access, base_path: str = "") -> None:
        self.app = app
        self.access = access
        self.open_paths = tuple(base_path + p for p in OPEN_PATHS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer one request."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend((k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items())
                message = {**message, "headers": headers}
            await send(message)

        headers = Headers(scope=scope)
        if scope["method"] not in READ_METHODS:
            refused = PlainTextResponse("the dashboard only reads: use GET", 405, {"allow": ", ".join(READ_METHODS)})
            await refused(scope, receive, send_secured)
        elif not (allowed := self.access.allows(headers)) and scope["path"] not in self.open_paths:
            challenge = {"www-authenticate": self.access.challenge}
            await PlainTextResponse("sign in to read the dashboard", 401, challenge)(scope, receive, send_secured)
        else:
            await self.app({**scope, SIGNED_IN: allowed}, receive, send_secured)


def signed_in(scope: Scope) -> bool:
    """Whether the reader of this request passed the dashboard's access control (see :class:`Guard`)."""
    return bool(scope.get(SIGNED_IN, False))

"""The small HTTP vocabulary the endpoint modules share: requests, responses, routes, errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jira_sandbox.catalog import User
from jira_sandbox.wire import dumps

if TYPE_CHECKING:
    from jira_sandbox.server import Context


class ApiError(Exception):
    """An error answer in Jira's ``{"errorMessages": [...], "errors": {...}}`` shape."""

    def __init__(
        self, status: int, *messages: str, errors: dict[str, str] | None = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status}: {'; '.join(messages)}")
        self.status, self.messages, self.errors, self.headers = status, list(messages), errors or {}, headers or {}


@dataclass
class Request:
    """A parsed request."""

    method: str
    path: str
    target: str
    query: dict[str, list[str]]
    body: bytes
    headers: dict[str, str]
    user: User | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> str:
        """The version of the REST API the request's path names: ``"3"`` (Cloud's v3), else ``"2"``."""
        return "3" if self.path.startswith("/rest/api/3/") else "2"

    def arg(self, name: str, default: str | None = None) -> str | None:
        """The last value of a query parameter."""
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        """Every value of a (possibly repeated, comma-separated) query parameter."""
        return [v.strip() for raw in self.query.get(name, []) for v in raw.split(",") if v.strip()]

    def int_arg(self, name: str, default: int) -> int:
        """An integer query parameter; 400 when it is not one."""
        raw = self.arg(name)
        if raw is None or raw == "":
            return default
        try:
            return int(raw)
        except ValueError:
            raise ApiError(400, f"The value '{raw}' of the '{name}' parameter is not a valid number.") from None

    def json(self) -> Any:
        """The JSON body; 400 when it does not parse."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ApiError(400, f"Unexpected character in the request body: {exc}") from None

    def json_object(self) -> dict[str, Any]:
        """The JSON body, which must be an object."""
        data = self.json()
        if not isinstance(data, dict):
            raise ApiError(400, "Can not deserialize instance of the request body out of a non-object token.")
        return data


@dataclass
class Response:
    """An answer: status, body text (JSON unless ``content_type`` says otherwise), headers."""

    status: int
    body: str | bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json;charset=UTF-8"


def ok(obj: Any, status: int = 200) -> Response:
    """A JSON answer from a Python object."""
    return Response(status, dumps(obj))


def raw(text: str, status: int = 200) -> Response:
    """A JSON answer from pre-rendered JSON text."""
    return Response(status, text)


def error_body(messages: list[str], errors: dict[str, str] | None = None) -> str:
    """Jira's error JSON."""
    return dumps({"errorMessages": messages, "errors": errors or {}})


Handler = Callable[["Context", Request], Response]


@dataclass
class Route:
    """One endpoint. ``flavors`` limits it to cloud/datacenter; ``access`` is read, write or admin."""

    method: str
    pattern: str
    handler: Handler
    flavors: tuple[str, ...] = ("cloud", "datacenter")
    access: str = "read"
    anonymous: bool = False
    regex: re.Pattern[str] = field(init=False)

    def __post_init__(self) -> None:
        self.regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.pattern) + "$")


def page(values: list[Any], start: int, size: int, total: int | None = None) -> dict[str, Any]:
    """The agile/platform ``{maxResults, startAt, total, isLast, values}`` page envelope."""
    total = len(values) if total is None else total
    chunk = values[start : start + size]
    return {
        "maxResults": size,
        "startAt": start,
        "total": total,
        "isLast": start + len(chunk) >= total,
        "values": chunk,
    }

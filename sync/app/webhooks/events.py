"""What a webhook body says happened, read as a hint: which projects or boards an event touches.

The body is never data: the pass it leads to fetches the issues from Jira through the normal path,
so a forged body can at most ask for a pass. An event kpiokr does not act on is ``None``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sync.errors import KpiokrError

ISSUE_EVENTS = ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted")
SPRINT_EVENTS = ("sprint_started", "sprint_closed", "sprint_updated", "sprint_created", "sprint_deleted")
BOARD_EVENTS = ("board_configuration_changed", "board_updated")
#: The events ``kpiokr setup --webhook`` registers.
REGISTERED_EVENTS = (*ISSUE_EVENTS, "sprint_started", "sprint_closed", "board_configuration_changed")


class WebhookBodyError(KpiokrError):
    """A signed webhook body that is not a Jira event (answered 400)."""


@dataclass(frozen=True)
class Hint:
    """An event: what it names, and the keys a redelivery or a replay of it would carry again."""

    event: str
    keys: tuple[str, ...]
    project: str | None = None
    issue_id: str | None = None
    board_id: int | None = None
    timestamp_ms: int | None = None
    #: When it arrived (``time.monotonic()``), for the latency of the pass it leads to.
    arrived: float = 0.0
    #: An update's change as the body tells it, shaped like a changelog entry: its ``author`` (the body's
    #: ``user``) and ``items``; None when the body has no changelog.
    change: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def deleted(self) -> bool:
        """True when the event says an issue was deleted (kpiokr asks Jira before forgetting it)."""
        return self.event == "jira:issue_deleted"


def read_hint(body: bytes, identifier: str | None) -> Hint | None:
    """The hint in a signed webhook ``body`` delivered with ``identifier`` (``X-Atlassian-Webhook-Identifier``);
    None for an event kpiokr does not act on. Raises :class:`WebhookBodyError` for a body that is no event."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookBodyError("the webhook body is not JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("webhookEvent"), str):
        raise WebhookBodyError("the webhook body names no webhookEvent: it is not a Jira webhook")
    event: str = data["webhookEvent"]
    timestamp = data.get("timestamp") if isinstance(data.get("timestamp"), int) else None
    keys = [f"id:{identifier.strip()}"] if identifier and identifier.strip() else []
    if event in ISSUE_EVENTS:
        issue = _object(data.get("issue"))
        issue_id = str(issue.get("id", "")) or None
        project = _object(_object(issue.get("fields")).get("project")).get("key")
        changelog = _object(data.get("changelog"))
        keys.append(f"{event}:{issue_id}:{changelog.get('id', '')}:{timestamp}")
        return Hint(
            event,
            tuple(keys),
            project if isinstance(project, str) else None,
            issue_id,
            None,
            timestamp,
            change=_change(_object(data.get("user")), changelog.get("items")),
        )
    if event in SPRINT_EVENTS or event in BOARD_EVENTS:
        entity = _object(data.get("sprint") if event in SPRINT_EVENTS else _board_of(data))
        board = entity.get("originBoardId") if event in SPRINT_EVENTS else entity.get("id")
        keys.append(f"{event}:{entity.get('id', '')}:{timestamp}")
        return Hint(event, tuple(keys), board_id=_int(board), timestamp_ms=timestamp)
    return None


def _change(user: dict[str, Any], items: Any) -> dict[str, Any] | None:
    """An update's ``user`` and changelog ``items`` as a changelog entry; None unless every item is an object."""
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return None
    return {"author": user, "items": items}


def _board_of(data: dict[str, Any]) -> dict[str, Any]:
    """The board a board event names: ``board`` (created, updated), or the board configuration Jira
    sends as ``configuration`` with ``board_configuration_changed``."""
    return _object(data.get("board")) or _object(data.get("configuration"))


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None

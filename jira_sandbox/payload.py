"""PUT payloads: turning ``{"fields": {...}, "update": {...}}`` into internal values, or Jira's errors.

Number fields take numbers, select fields ``{"value": ...}`` or ``{"id": ...}`` of an existing
option, text fields strings; a field that is unknown, deleted or not editable answers Jira's
"cannot be set" message. Every bad field is reported at once.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any

from jira_sandbox.catalog import Field
from jira_sandbox.model import Issue

if TYPE_CHECKING:
    from jira_sandbox.site import Site

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class EditError(Exception):
    """A rejected change, carrying Jira's ``{"errorMessages": [...], "errors": {...}}`` content."""

    def __init__(self, errors: dict[str, str] | None = None, messages: list[str] | None = None) -> None:
        self.errors = errors or {}
        self.messages = messages or []
        super().__init__("; ".join([*self.messages, *(f"{k}: {v}" for k, v in self.errors.items())]))


def cannot_set(field_id: str) -> str:
    """Jira's message for a field that is unknown, deleted or not on the edit screen."""
    return f"Field '{field_id}' cannot be set. It is not on the appropriate screen, or unknown."


def _number(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        raise ValueError("Operation value must be a number")
    return float(raw)


def _text(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    if raw is None and field.key != "summary":
        return None
    if isinstance(raw, dict) and field.key == "description":
        return _adf_text(raw) or None
    if not isinstance(raw, str):
        raise ValueError("Operation value must be a string")
    if field.key == "summary":
        if not raw.strip():
            raise ValueError("You must specify a summary of the issue.")
        if "\n" in raw:
            raise ValueError("The summary is invalid because it contains newline characters.")
    if field.custom and len(raw) > 255:
        raise ValueError("The entered text is too long. It exceeds the allowed limit of 255 characters.")
    return raw or None


def _select(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not ({"value", "id"} & raw.keys()):
        raise ValueError("Could not find valid 'id' or 'value' in the Option object.")
    if "id" in raw:
        if str(raw["id"]) not in field.options:
            raise ValueError(f"Option id '{raw['id']}' is not valid")
        return str(raw["id"])
    for oid, val in field.options.items():
        if val == raw["value"]:
            return oid
    raise ValueError(f"Option value '{raw['value']}' is not valid")


def _labels(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise ValueError("Operation value must be an array of strings")
    for label in raw:
        if not label or " " in label:
            raise ValueError(f"The label '{label}' contains spaces which is invalid.")
    return tuple(dict.fromkeys(raw)) or None


def _date(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    if raw is None:
        return None
    if not isinstance(raw, str) or not _DATE.match(raw):
        raise ValueError(f"Error parsing date string: {raw}")
    return raw


def _priority(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    for p in site.priorities.values():
        if isinstance(raw, dict) and (raw.get("id") == p.id or raw.get("name") == p.name):
            return p.id
    raise ValueError("The priority selected is invalid.")


def _user(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    if raw is None:
        return None
    login = raw if isinstance(raw, str) else (raw.get("accountId") or raw.get("name") or raw.get("key"))
    user = site.user(login) if isinstance(login, str) else None
    if user is None:
        raise ValueError(f"User '{login}' does not exist.")
    return user.key


def _sprint(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    if raw is None:
        return None
    sprint = site.sprints.get(raw) if isinstance(raw, int) and not isinstance(raw, bool) else None
    if sprint is None:
        raise ValueError(f"Sprint with id '{raw}' does not exist")
    if sprint.state == "closed":
        raise ValueError("Issue can be assigned only active or future sprints.")
    kept = [s for s in issue.values.get("sprint", ()) if site.sprints[s].state == "closed"]
    return tuple(dict.fromkeys([*kept, sprint.id]))


def _epic(site: Site, issue: Issue, field: Field, raw: Any) -> Any:
    if raw is None:
        return None
    ref = raw.get("key") or raw.get("id") if isinstance(raw, dict) else raw
    epic = site.issue(str(ref)) if ref is not None else None
    if epic is None or site.issue_types[epic.values["issuetype"]].name != "Epic":
        raise ValueError(f"Epic '{ref}' does not exist or is not an epic.")
    return epic.id


_PARSERS = {
    "number": _number,
    "string": _text,
    "text": _text,
    "select": _select,
    "labels": _labels,
    "date": _date,
    "priority": _priority,
    "user": _user,
    "sprint": _sprint,
    "epiclink": _epic,
    "parent": _epic,
}


def _adf_text(doc: dict[str, Any]) -> str:
    """The plain text inside an Atlassian Document Format value."""
    if doc.get("type") == "text":
        return str(doc.get("text", ""))
    parts = [_adf_text(c) for c in doc.get("content", []) if isinstance(c, dict)]
    return ("\n" if doc.get("type") == "doc" else "").join(parts)


def parse_payload(
    site: Site,
    issue: Issue,
    fields: dict[str, Any],
    update: dict[str, Any] | None = None,
    flavor: str | None = None,
) -> dict[str, Any]:
    """Internal changes for a PUT body; raises :class:`EditError` listing every bad field."""
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    requests = list(fields.items())
    for wid, ops in (update or {}).items():
        if not isinstance(ops, list):
            errors[wid] = "Operation value must be a list"
            continue
        field = site.field(wid, flavor)
        current: Any = list(issue.values.get(field.key) or ()) if field and field.kind == "labels" else None
        for op in ops:
            if isinstance(op, dict) and "set" in op:
                current = op["set"]
            elif isinstance(op, dict) and ({"add", "remove"} & op.keys()) and isinstance(current, list):
                if "add" in op and op["add"] not in current:
                    current.append(op["add"])
                if "remove" in op and op["remove"] in current:
                    current.remove(op["remove"])
            else:
                errors[wid] = f"Unsupported update operation {op!r}"
        if wid not in errors:
            requests.append((wid, current))
    for wid, raw in requests:
        field = site.field(wid, flavor)
        if field is None or not field.editable or (field.kind == "parent" and flavor == "datacenter"):
            errors[wid] = cannot_set(wid)
            continue
        if field.kind == "parent":
            field = site.fields["epic_link"]
        parser = _PARSERS.get(field.kind)
        if parser is None:
            errors[wid] = cannot_set(wid)
            continue
        try:
            changes[field.key] = parser(site, issue, field, raw)
        except ValueError as exc:
            errors[wid] = str(exc)
    if errors:
        raise EditError(errors)
    return changes

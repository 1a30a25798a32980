"""Entity properties over REST: read and write an issue's or a project's property, and Cloud's bulk set.

Cloud sets issue properties in bulk (``POST /rest/api/3/issue/properties/multi``, up to 100 issues a
request): Jira answers 303 to an asynchronous task, which the HTTP session follows, so the answer
read is the task. Data Center has no bulk endpoint: one ``PUT`` a property.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sync.errors import JiraNotFound, JiraRequestRejected
from sync.jira.http import ErrorHint, JiraHttp

Entity = Literal["issue", "project"]
#: The most issues Cloud's bulk endpoint takes in one request.
BULK_ISSUES = 100
_FAILED_TASK = ("FAILED", "CANCELLED", "CANCEL_REQUESTED", "DEAD")


def _hint(entity: Entity, key: str, property_key: str) -> ErrorHint:
    if entity == "issue":
        return ErrorHint(
            subject=f"set the property {property_key} of issue {key}",
            permission=f"'Browse projects' and 'Edit Issues' in {key}'s project",
        )
    return ErrorHint(
        subject=f"set the property {property_key} of project {key}",
        permission=f"'Administer Projects' in project {key} (or the 'Administer Jira' permission)",
        fix="or turn project properties off with writeback.properties = false",
    )


def get_property(http: JiraHttp, api: str, entity: Entity, key: str, property_key: str) -> Any | None:
    """The value of ``property_key`` on the issue or project ``key``, ``None`` when it is not set."""
    path = f"{api}/{entity}/{key}/properties/{property_key}"
    try:
        answer = http.call("GET", path, hint=ErrorHint(subject=f"read the property {property_key} of {key}"))
    except JiraNotFound:
        return None
    return answer.get("value") if isinstance(answer, Mapping) else None


def set_property(http: JiraHttp, api: str, entity: Entity, key: str, property_key: str, *, value: Any) -> None:
    """Set ``property_key`` on the issue or project ``key`` in one PUT."""
    path = f"{api}/{entity}/{key}/properties/{property_key}"
    http.call("PUT", path, json_body=value, hint=_hint(entity, key, property_key))


def set_issue_properties(http: JiraHttp, property_key: str, values: Mapping[int, Any]) -> None:
    """Cloud: set ``property_key`` on up to 100 issues (by id) in one request; raises when the task failed."""
    if len(values) > BULK_ISSUES:
        raise ValueError(f"Cloud's bulk endpoint takes at most {BULK_ISSUES} issues a request, not {len(values)}")
    body = {"issues": [{"issueID": issue_id, "properties": {property_key: v}} for issue_id, v in values.items()]}
    path = "/rest/api/3/issue/properties/multi"
    hint = ErrorHint(
        subject=f"set the property {property_key} of {len(values)} issue(s)",
        permission="'Browse projects' and 'Edit Issues' in the objectives' projects",
    )
    task = http.call("POST", path, json_body=body, hint=hint)
    status = task.get("status") if isinstance(task, Mapping) else None
    if status in _FAILED_TASK:
        message = f"Jira's task setting {property_key} ended {status}: {task.get('message') or 'no message'}"
        raise JiraRequestRejected(message, method="POST", path=path)

"""Entity properties over REST: read and write an issue's or a project's property, and Cloud's bulk set.

Cloud sets issue properties in bulk (``POST /rest/api/3/issue/properties/multi``, up to 100 issues a
request): Jira answers 303 to an asynchronous task, which the HTTP session follows, so the answer
read is the task. A task still queued or running is read again a few times, a little longer apart
each time (:data:`TASK_WAITS`); one still not done after that is reported unfinished rather than
taken as written. Data Center has no bulk endpoint: one ``PUT`` a property.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from sync.errors import JiraNotFound, JiraRequestRejected
from sync.jira.http import ErrorHint, JiraHttp

Entity = Literal["issue", "project"]
#: The most issues Cloud's bulk endpoint takes in one request.
PROPERTY_BULK_ISSUES = 100
_FAILED_TASK = ("FAILED", "CANCELLED", "CANCEL_REQUESTED", "DEAD")
_UNFINISHED_TASK = ("ENQUEUED", "RUNNING")
#: Seconds waited before each further read of a bulk task still queued or running.
TASK_WAITS = (0.5, 1.0, 2.0, 4.0)


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


def set_issue_properties(
    http: JiraHttp,
    property_key: str,
    values: Mapping[int, Any],
    *,
    sleep: Callable[[float], None],
    waits: Sequence[float] = TASK_WAITS,
) -> bool:
    """Cloud: set ``property_key`` on up to 100 issues (by id) in one request. True once Jira's task is
    complete; False when it is still queued or running after ``waits`` (each slept through ``sleep``
    before the task is read again); raises :class:`JiraRequestRejected` when the task failed."""
    if len(values) > PROPERTY_BULK_ISSUES:
        most = PROPERTY_BULK_ISSUES
        raise ValueError(f"Cloud's bulk endpoint takes at most {most} issues a request, not {len(values)}")
    body = {"issues": [{"issueID": issue_id, "properties": {property_key: v}} for issue_id, v in values.items()]}
    path = "/rest/api/3/issue/properties/multi"
    hint = ErrorHint(
        subject=f"set the property {property_key} of {len(values)} issue(s)",
        permission="'Browse projects' and 'Edit Issues' in the objectives' projects",
    )
    task = http.call("POST", path, json_body=body, hint=hint)
    for wait in waits:
        if _status(task) not in _UNFINISHED_TASK or not isinstance(task, Mapping) or "id" not in task:
            break
        sleep(wait)
        task = http.call(
            "GET", f"/rest/api/3/task/{task['id']}", hint=ErrorHint(subject=f"read Jira's task {task['id']}")
        )
    status = _status(task)
    if status in _FAILED_TASK:
        message = f"Jira's task setting {property_key} ended {status}: {task.get('message') or 'no message'}"
        raise JiraRequestRejected(message, method="POST", path=path)
    return status not in _UNFINISHED_TASK


def _status(task: Any) -> Any:
    return task.get("status") if isinstance(task, Mapping) else None

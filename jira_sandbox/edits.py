"""Changing issues: changelog items, the side effects Jira applies, and the site operations.

One code path records every change, whether the seed generator simulates six months of work or a
client PUTs a score: :func:`apply_changes` writes values, one history per call with one item per
changed field, and keeps ``updated``, ``resolutiondate`` and ``statuscategorychangedate`` right.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from jira_sandbox import catalog
from jira_sandbox.catalog import Field
from jira_sandbox.model import History, Issue, Item
from jira_sandbox.payload import EditError, parse_payload

if TYPE_CHECKING:
    from jira_sandbox.site import Site


def num_str(value: float) -> str:
    """A number as Jira writes it into changelog strings: 13.0 -> "13", 4.5 -> "4.5"."""
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


# --- changelog items --------------------------------------------------------------------------


def _strings(site: Site, field: Field, value: Any) -> tuple[str | None, str | None]:
    """(``from``/``to``, ``fromString``/``toString``) of one internal value."""
    kind = field.kind
    if value is None:
        return ("", "") if kind in ("sprint", "labels") else (None, None)
    if kind == "status":
        return value, site.statuses[value].name
    if kind == "resolution":
        return value, site.resolutions[value].name
    if kind == "priority":
        return value, site.priorities[value].name
    if kind == "issuetype":
        return value, site.issue_types[value].name
    if kind == "user":
        return value, site.users[value].display_name
    if kind == "labels":
        return None, " ".join(value)
    if kind == "number":
        return None, num_str(value)
    if kind == "date":
        return value, f"{value} 00:00:00.0"
    if kind == "seconds":
        return str(value), str(value)
    if kind == "sprint":
        return ", ".join(str(s) for s in value), ", ".join(site.sprints[s].name for s in value)
    if kind in ("epiclink", "parent"):
        return str(value), site.by_id[value].key
    if kind == "select":
        return value, field.options.get(value, value)
    return None, str(value)


def item_for(site: Site, field: Field, old: Any, new: Any) -> Item:
    """The changelog item for ``field`` going from ``old`` to ``new`` (shared when repeated)."""
    memo = site.item_memo
    memo_key = (field.key, old, new)
    item = memo.get(memo_key)
    if item is None:
        f, fs = _strings(site, field, old)
        t, ts = _strings(site, field, new)
        item = Item(field.key, f, fs, t, ts)
        if len(memo) < 500_000:
            memo[memo_key] = item
    return item


RANKED_HIGHER = Item("rank", "", "", "", "Ranked higher")
RANKED_LOWER = Item("rank", "", "", "", "Ranked lower")


def apply_changes(
    site: Site,
    issue: Issue,
    changes: dict[str, Any],
    author: str,
    ms: int,
    *,
    history_id: int = 0,
    extra: tuple[Item, ...] = (),
) -> History | None:
    """Set internal values and record one history (None when nothing changed)."""
    values = issue.values
    items: list[Item] = []
    stamp = (ms, site.users[author].time_zone)
    for key, new in changes.items():
        old = values.get(key)
        if old == new:
            continue
        items.append(item_for(site, site.fields[key], old, new))
        if new is None:
            values.pop(key, None)
        else:
            values[key] = new
        if key == "status":
            if old is None or site.statuses[old].category_id != site.statuses[new].category_id:
                values["statuscategorychangedate"] = stamp
        elif key == "resolution":
            if new is None:
                values.pop("resolutiondate", None)
            else:
                values["resolutiondate"] = stamp
    items.extend(extra)
    if not items:
        return None
    values["updated"] = stamp
    history = History(history_id, author, ms, tuple(items))
    issue.histories.append(history)
    return history


# --- site operations ----------------------------------------------------------------------------


def _author(site: Site, author: str | None) -> str:
    user = site.user(author or "pm")
    if user is None:
        raise EditError(messages=[f"Unknown author '{author}'"])
    return user.key


def _ms(site: Site, at: datetime | None) -> int:
    return int((at or site.clock()).timestamp() * 1000)


def edit_issue(
    site: Site,
    key: str,
    fields: dict[str, Any],
    *,
    author: str | None = None,
    at: datetime | None = None,
    update: dict[str, Any] | None = None,
    flavor: str | None = None,
) -> History | None:
    """Validate and apply an edit; one history by ``author`` (see :meth:`Site.edit_issue`)."""
    with site.lock:
        issue = site.issue(key)
        if issue is None:
            raise EditError(messages=["Issue does not exist or you do not have permission to see it."])
        changes = parse_payload(site, issue, fields, update, flavor)
        return _record(site, issue, changes, author, at)


def transition_issue(
    site: Site,
    key: str,
    status: str,
    *,
    author: str | None = None,
    at: datetime | None = None,
    resolution: str | None = None,
) -> History | None:
    """Move an issue to another status, resolving it on entering Done like Jira's workflows."""
    with site.lock:
        issue = site.issue(key)
        target = next((s for s in site.statuses.values() if status in (s.id, s.name)), None)
        if issue is None or target is None:
            raise EditError(messages=[f"Unknown issue '{key}' or status '{status}'"])
        changes: dict[str, Any] = {"status": target.id}
        if target.category_id == 3:
            res = resolution or "Done"
            changes["resolution"] = next(r.id for r in site.resolutions.values() if res in (r.id, r.name))
        else:
            changes["resolution"] = None
        return _record(site, issue, changes, author, at)


def _record(
    site: Site, issue: Issue, changes: dict[str, Any], author: str | None, at: datetime | None
) -> History | None:
    """Apply ``changes`` as one new history (none when nothing changed); call with the site locked."""
    history = apply_changes(site, issue, changes, _author(site, author), _ms(site, at), history_id=site.next_history_id)
    if history is not None:
        site.next_history_id += 1
        site.bump()
        site.announce("jira:issue_updated", issue, history)
    return history


def create_issue(
    site: Site,
    project: str,
    summary: str,
    issuetype: str = "Story",
    *,
    reporter: str | None = None,
    at: datetime | None = None,
    fields: dict[str, Any] | None = None,
) -> Issue:
    """Create an issue in To Do with no history; ``fields`` are validated like a PUT."""
    with site.lock:
        if project not in site.projects:
            raise EditError(errors={"project": f"Project '{project}' does not exist."})
        itype = next((t for t in site.issue_types.values() if issuetype in (t.id, t.name)), None)
        if itype is None:
            raise EditError(errors={"issuetype": f"Issue type '{issuetype}' does not exist."})
        who = _author(site, reporter)
        stamp = (_ms(site, at), site.users[who].time_zone)
        num = 1 + max((i.num for i in site.issues if i.project == project), default=0)
        issue_id = max(site.next_issue_id, 1 + max(site.by_id, default=0))
        site.next_issue_id = issue_id + 1
        values: dict[str, Any] = {
            "summary": summary,
            "issuetype": itype.id,
            "project": project,
            "status": catalog.TODO,
            "priority": "3",
            "reporter": who,
            "creator": who,
            "created": stamp,
            "updated": stamp,
            "statuscategorychangedate": stamp,
            "rank": f"0|i{issue_id:06x}:",
        }
        issue = site.add_issue(Issue(issue_id, f"{project}-{num}", project, values))
        if fields:
            for key, value in parse_payload(site, issue, fields).items():
                if value is None:
                    values.pop(key, None)
                else:
                    values[key] = value
        site.bump()
        site.announce("jira:issue_created", issue)
        return issue


def create_field(site: Site, name: str, type_key: str, description: str | None = None) -> Field:
    """Create a number, select or text custom field with the next free id."""
    if type_key not in catalog.CREATABLE_TYPES:
        raise EditError(errors={"type": f"Custom field type '{type_key}' is not supported by the sandbox."})
    if not name or not name.strip():
        raise EditError(errors={"name": "You must specify a name for the custom field."})
    kind, schema_type = catalog.CREATABLE_TYPES[type_key]
    with site.lock:
        fid = f"customfield_{site.next_field_num}"
        site.next_field_num += 1
        field = Field(
            fid, kind, name, schema_type, fid, fid, custom_type=type_key, editable=True, description=description
        )
        site.fields[fid] = field
        site.bump()
        return field


def add_option(site: Site, field_id: str, value: str) -> str:
    """Add an option to a select field and return its id."""
    with site.lock:
        field = site.field(field_id)
        if field is None or field.kind != "select":
            raise EditError(messages=[f"The custom field '{field_id}' does not exist or has no options."])
        if not isinstance(value, str) or not value.strip():
            raise EditError(errors={"value": "The option value must not be empty."})
        if value in field.options.values():
            raise EditError(errors={"value": f"The option '{value}' already exists."})
        oid = str(site.next_option_id)
        site.next_option_id += 1
        field.options[oid] = value
        site.bump()
        return oid

"""The dictionary between Jira and the domain: raw Jira issue JSON in, :class:`IssueHistory` out.

Pure: no I/O. A :class:`SiteDictionary` holds everything site-specific (which custom field is the
sprint, the board's estimate, the statuses and their categories, which writes are kpiokr's own) with the
lookups precomputed, so translating a changelog item is a couple of dictionary hits.

Jira changelog items name a field by ``fieldId`` (Cloud) or only by ``field``, its name (Data
Center and Server). Values come as ``from``/``to`` (ids: status ids, sprint ids ``"1, 2"``, seconds)
and ``fromString``/``toString`` (what people read: names, keys, numbers of number fields).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

from kpiokr.history import NUMBER_PREFIX, FieldChange, IssueHistory, IssueState, Status, StatusCategory
from sync.jira.site import (
    EPIC_LINK_TYPE,
    SPRINT_TYPE,
    Account,
    BoardConfig,
    FieldInfo,
    OwnWrites,
    author_ids,
    find_special,
    resolve_field,
)
from sync.jira.translate_agile import sprint_ids
from sync.jira.translate_values import (
    Convert,
    Item,
    date_change,
    estimate_converter,
    hours_change,
    issue_type_change,
    labels_change,
    number_change,
    parse_instant,
    sprint_change,
    status_change,
    string_change,
    to_date,
    to_float,
    to_hours,
)

log = logging.getLogger(__name__)

_Shared = TypeVar("_Shared")

CATEGORIES: Mapping[str, StatusCategory] = {
    "new": StatusCategory.TODO,
    "undefined": StatusCategory.TODO,
    "indeterminate": StatusCategory.IN_PROGRESS,
    "in-flight": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}
STORY_POINT_NAMES = ("Story Points", "Story point estimate")
#: kpiokr's mark on a raw issue's ``changelog`` object: true when the search cut it and it was
#: completed from further reads or from the histories already held (see :mod:`sync.jira.search`).
COMPLETED_CHANGELOG = "kpiokrCompleted"
#: System fields every translation reads (request them in searches).
SYSTEM_FIELDS = (
    "issuetype", "status", "resolution", "created", "duedate", "priority", "parent",
    "labels", "timespent", "timeoriginalestimate", "summary", "assignee",
    "resolutiondate", "statuscategorychangedate",
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class SiteDictionary:
    """One site's vocabulary, precomputed for fast translation. Build it with :meth:`build`.

    ``numbers`` maps the mapping's name for a numeric field to the field id. ``field_names`` maps
    field ids to names (Data Center changelogs name fields only by name).
    """

    statuses: Mapping[str, Status]
    own_writes: OwnWrites = field(default_factory=OwnWrites)
    estimate_field: str | None = None
    sprint_field: str | None = None
    epic_link_field: str | None = None
    numbers: Mapping[str, str] = field(default_factory=dict)
    field_names: Mapping[str, str] = field(default_factory=dict)
    sprint_ids_by_name: Mapping[str, int] = field(default_factory=dict)
    warned: set[str] = field(default_factory=set, repr=False, compare=False)
    _by_id: dict[str, tuple[tuple[str, Convert], ...]] = field(default_factory=dict, init=False, repr=False)
    _by_name: dict[str, tuple[tuple[str, Convert], ...]] = field(default_factory=dict, init=False, repr=False)
    _status_by_name: dict[str, Status] = field(default_factory=dict, init=False, repr=False)
    _seen: dict[tuple[str, str], Status] = field(default_factory=dict, init=False, repr=False, compare=False)
    _shared: dict[object, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def build(
        cls,
        fields: Sequence[FieldInfo],
        statuses: Iterable[Mapping[str, Any]],
        *,
        account: Account | None = None,
        board: BoardConfig | None = None,
        numbers: Mapping[str, str] | None = None,
        sprint_names: Mapping[str, int] | None = None,
        score_fields: Iterable[str] = (),
        warned: set[str] | None = None,
    ) -> SiteDictionary:
        """Build from ``/field``, ``/status``, ``/myself`` and the board configuration.

        ``numbers`` maps a mapping's names to field names (or ids) on the site; an unknown one
        raises :class:`FieldNotFound`. ``account``'s changes to ``score_fields`` (names or ids:
        kpiokr's own score writes) are left out of histories. The estimate is the board's
        estimation field, else a number field named "Story Points" or "Story point estimate".
        ``warned``, shared by the dictionaries that replace one another as the site facts are read
        again, keeps a warning about an issue from repeating on every pass.
        """
        estimate = board.estimation_field_id if board is not None else None
        if board is None:
            named = (f for n in STORY_POINT_NAMES for f in fields if f.name == n and f.schema_type == "number")
            estimate = next((f.id for f in named), None)
        sprint = find_special(fields, SPRINT_TYPE, "Sprint")
        epic = find_special(fields, EPIC_LINK_TYPE, "Epic Link")
        return cls(
            statuses={str(s["id"]): status_from_json(s) for s in statuses},
            own_writes=OwnWrites.of(account, score_fields, fields),
            estimate_field=estimate,
            sprint_field=sprint.id if sprint else None,
            epic_link_field=epic.id if epic else None,
            numbers={name: resolve_field(fields, ref).id for name, ref in (numbers or {}).items()},
            field_names={f.id: f.name for f in fields},
            sprint_ids_by_name=dict(sprint_names or {}),
            warned=set() if warned is None else warned,
        )

    def __post_init__(self) -> None:
        by_id: dict[str, list[tuple[str, Convert]]] = {}
        for field_id, target in self._targets():
            by_id.setdefault(field_id, []).append(target)
        self._by_id.update({k: tuple(v) for k, v in by_id.items()})
        for field_id, targets in self._by_id.items():
            self._by_name[field_id.casefold()] = targets
            name = self.field_names.get(field_id)
            if name is not None and field_id.startswith("customfield_"):
                self._by_name.setdefault(name.casefold(), targets)
        self._status_by_name.update({s.name.casefold(): s for s in self.statuses.values()})

    def _targets(self) -> Iterator[tuple[str, tuple[str, Convert]]]:
        yield "status", ("status", status_change)
        yield "resolution", ("resolution", string_change)
        yield "issuetype", ("issue_type", issue_type_change)
        yield "priority", ("priority", string_change)
        yield "duedate", ("due", date_change)
        yield "labels", ("labels", labels_change)
        yield "timespent", ("time_spent", hours_change)
        yield "timeoriginalestimate", ("original_estimate", hours_change)
        yield "parent", ("parent", string_change)
        yield "IssueParentAssociation", ("parent", string_change)
        if self.epic_link_field:
            yield self.epic_link_field, ("parent", string_change)
        if self.sprint_field:
            yield self.sprint_field, ("sprint_ids", sprint_change)
        if self.estimate_field:
            yield self.estimate_field, ("estimate", estimate_converter(self.estimate_field))
        for name, field_id in self.numbers.items():
            yield field_id, (NUMBER_PREFIX + name, number_change)

    def search_fields(self) -> tuple[str, ...]:
        """The field ids a search must return for :func:`to_history` to see everything it reads."""
        extra = (self.sprint_field, self.epic_link_field, self.estimate_field, *self.numbers.values())
        return tuple(dict.fromkeys([*SYSTEM_FIELDS, *(f for f in extra if f)]))

    def targets(self, item: Item) -> tuple[tuple[str, Convert], ...]:
        """The domain fields one changelog item feeds (empty for fields kpiokr ignores)."""
        field_id = item.get("fieldId")
        if field_id:
            found = self._by_id.get(field_id)
            if found is not None:
                return found
            if field_id.startswith("customfield_"):
                return ()
        return self._by_name.get(str(item.get("field", "")).casefold(), ())

    def status(self, status_id: str | None, name: str | None = None) -> Status | None:
        """The status with this id; an unknown id falls back to its ``name`` (category by name, else TODO)."""
        if status_id is None and not name:
            return None
        known = self.statuses.get(status_id) if status_id is not None else None
        if known is not None:
            return known
        cache_key = (status_id or "", name or "")
        cached = self._seen.get(cache_key)
        if cached is None:
            same_name = self._status_by_name.get((name or "").casefold())
            if same_name is None:
                self.warn_once(f"status:{status_id}", "unknown status %s (%r): counted as To Do", status_id, name)
            category = same_name.category if same_name is not None else StatusCategory.TODO
            cached = self._seen[cache_key] = Status(status_id or name or "", name or status_id or "", category)
        return cached

    def share(self, value: _Shared) -> _Shared:
        """One object for all equal values: a 100,000-issue team holds millions of names, keys,
        sprint and label sets and dates, mostly repeats (sharing them saves ~20 % of its memory)."""
        if value is None:
            return value
        shared: _Shared = self._shared.setdefault(value, value)
        return shared

    def share_numbers(self, numbers: dict[str, float | None]) -> dict[str, float | None]:
        """One mapping for all issues whose numeric fields hold the same values (read-only)."""
        shared: dict[str, float | None] = self._shared.setdefault(("numbers", *numbers.items()), numbers)
        return shared

    def warn_once(self, key: str, message: str, *args: object) -> None:
        """Log a translation warning once per ``key`` (for every dictionary sharing :attr:`warned`)."""
        if key not in self.warned:
            self.warned.add(key)
            log.warning(message, *args)


def status_from_json(raw: Mapping[str, Any]) -> Status:
    """A ``/status`` entry (or an issue's ``status`` field) as a domain :class:`Status`."""
    key = (raw.get("statusCategory") or {}).get("key", "new")
    return Status(str(raw["id"]), str(raw.get("name", raw["id"])), CATEGORIES.get(key, StatusCategory.TODO))


# -- field values ----------------------------------------------------------------------------


def _field_number(fields: Mapping[str, Any], field_id: str, key: str, site: SiteDictionary) -> float | None:
    """A number field's current value; one that is set but not a finite number counts as empty, with a warning."""
    raw = fields.get(field_id)
    number = to_float(raw)
    if number is None and raw not in (None, ""):
        name = site.field_names.get(field_id, field_id)
        site.warn_once(
            f"number:{key}:{field_id}",
            "%s: the number field %s (%s) holds %.40r, which is not a number: counted as empty until it is fixed",
            key,
            name,
            field_id,
            raw,
        )
    return number


def _name(value: Any) -> str | None:
    return str(value.get("name")) if isinstance(value, dict) and value.get("name") is not None else None


def _parent(fields: Mapping[str, Any], site: SiteDictionary) -> str | None:
    parent = fields.get("parent")
    if isinstance(parent, dict) and parent.get("key"):
        return str(parent["key"])
    epic = fields.get(site.epic_link_field) if site.epic_link_field else None
    if isinstance(epic, dict):
        epic = epic.get("key")
    return str(epic) if epic else None


def _current(fields: Mapping[str, Any], site: SiteDictionary, key: str) -> IssueState:
    raw_status = fields.get("status") or {}
    status = site.statuses.get(str(raw_status.get("id"))) or status_from_json(raw_status)
    estimate_field = site.estimate_field
    in_hours = estimate_field == "timeoriginalestimate"
    share = site.share
    return IssueState(
        issue_type=share(_name(fields.get("issuetype")) or ""),
        status=status,
        resolution=share(_name(fields.get("resolution"))),
        sprint_ids=share(sprint_ids(fields.get(site.sprint_field))) if site.sprint_field else frozenset(),
        estimate=(
            _field_number(fields, estimate_field, key, site)
            if estimate_field is not None and not in_hours
            else to_hours(fields.get("timeoriginalestimate") if in_hours else None)
        ),
        due=share(to_date(fields.get("duedate"))),
        priority=share(_name(fields.get("priority"))),
        parent=share(_parent(fields, site)),
        labels=share(frozenset(fields.get("labels") or ())),
        time_spent=to_hours(fields.get("timespent")),
        original_estimate=to_hours(fields.get("timeoriginalestimate")),
        numbers=site.share_numbers(
            {name: _field_number(fields, field_id, key, site) for name, field_id in site.numbers.items()}
        ),
    )


def _in_order(histories: Sequence[Mapping[str, Any]]) -> Sequence[Mapping[str, Any]]:
    """Oldest first. Inline changelogs come newest first, bulkfetch and Data Center oldest first;
    the domain sorts changes by instant, and this order settles changes at the same instant."""
    if len(histories) > 1:
        first, last = str(histories[0].get("id", "")), str(histories[-1].get("id", ""))
        if first.isdigit() and last.isdigit() and int(first) > int(last):
            return histories[::-1]
    return histories


def _changes(histories: Sequence[Mapping[str, Any]], site: SiteDictionary) -> list[FieldChange]:
    own = site.own_writes
    targets = site.targets
    changes: list[FieldChange] = []
    for history in _in_order(histories):
        skip_scores = bool(own.fields) and own.by_account(history)
        at: datetime | None = None
        for item in history.get("items") or ():
            if skip_scores and own.on_score_field(item):
                continue
            for name, convert in targets(item):
                at = at or parse_instant(history["created"])
                old, new = convert(item, site)
                changes.append(FieldChange(at, name, old, new))
    return changes


def to_history(raw_issue: Mapping[str, Any], site: SiteDictionary) -> IssueHistory:
    """Translate one issue (search result with ``expand=changelog``) into an :class:`IssueHistory`.

    kpiokr's own score writes (:class:`OwnWrites`) are left out, so they never feed a score.
    """
    key = str(raw_issue.get("key", raw_issue.get("id", "?")))
    fields = raw_issue.get("fields") or {}
    missing = [name for name in ("created", "status") if not fields.get(name)]
    if missing:
        raise ValueError(f"{key}: no {' or '.join(missing)} field; search with SiteDictionary.search_fields()")
    changelog = raw_issue.get("changelog") or {}
    histories = changelog.get("histories") or ()
    assignee = fields.get("assignee") or {}
    return IssueHistory(
        key=key,
        created=parse_instant(fields["created"]),
        current=_current(fields, site, key),
        changes=tuple(_changes(histories, site)),
        is_subtask=bool((fields.get("issuetype") or {}).get("subtask", False)),
        summary=str(fields.get("summary") or ""),
        assignee=site.share(next(iter(author_ids(assignee)), None)),
        resolution_set_at=_instant(fields.get("resolutiondate")),
        status_category_set_at=_instant(fields.get("statuscategorychangedate")),
        assignee_name=site.share(assignee.get("displayName") or None),
        completed_changelog=bool(changelog.get(COMPLETED_CHANGELOG)),
    )


def _instant(value: Any) -> datetime | None:
    """A date-time field's value as an instant; ``None`` when empty or unreadable."""
    try:
        return parse_instant(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def webhook_issue(body: Mapping[str, Any]) -> dict[str, Any]:
    """A ``jira:issue_*`` webhook body as a search-style issue whose changelog is the one change.

    The body's ``changelog.items`` become one history authored by ``user`` at ``timestamp`` (ms).
    """
    issue = dict(body["issue"])
    change = body.get("changelog") or {}
    histories = []
    if change.get("items"):
        at = datetime.fromtimestamp(int(body["timestamp"]) / 1000, tz=UTC)
        history = {"id": str(change.get("id", "")), "author": body.get("user"), "created": at.isoformat()}
        histories.append({**history, "items": change["items"]})
    issue["changelog"] = {"startAt": 0, "maxResults": len(histories), "total": len(histories), "histories": histories}
    return issue

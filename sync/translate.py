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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from kpiokr.history import NUMBER_PREFIX, FieldChange, IssueHistory, IssueState, Status, StatusCategory
from sync.site import (
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
from sync.translate_agile import SPRINT_NAME_SEPARATOR, sprint_ids

log = logging.getLogger(__name__)

Item = Mapping[str, Any]
_Shared = TypeVar("_Shared")
Convert = Callable[[Item, "SiteDictionary"], tuple[object, object]]

CATEGORIES: Mapping[str, StatusCategory] = {
    "new": StatusCategory.TODO,
    "undefined": StatusCategory.TODO,
    "indeterminate": StatusCategory.IN_PROGRESS,
    "in-flight": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}
STORY_POINT_NAMES = ("Story Points", "Story point estimate")
#: System fields every translation reads (request them in searches).
SYSTEM_FIELDS = (
    "issuetype", "status", "resolution", "created", "duedate", "priority", "parent",
    "labels", "timespent", "timeoriginalestimate", "summary", "assignee",
    "resolutiondate", "statuscategorychangedate",
)  # fmt: skip
SECONDS_PER_HOUR = 3600.0


def parse_datetime(text: str) -> datetime:
    """Parse a Jira date-time (``2026-10-05T09:12:33.123+0200``, ``+05:30``, ``Z``) into an aware datetime."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError(f"Jira date-time without a time zone: {text!r}")
    return value


def parse_instant(text: str) -> datetime:
    """A Jira date-time as the same instant in UTC.

    Histories hold instants in UTC only: Jira shows each in its author's zone, and comparing aware
    datetimes whose ``tzinfo`` objects differ is ~15x slower than comparing two in UTC (sorting a
    100,000-issue team's status spans took 3.6 s with the authors' offsets, 0.3 s in UTC).
    """
    return parse_datetime(text).astimezone(UTC)


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
    _by_id: dict[str, tuple[tuple[str, Convert], ...]] = field(default_factory=dict, init=False, repr=False)
    _by_name: dict[str, tuple[tuple[str, Convert], ...]] = field(default_factory=dict, init=False, repr=False)
    _status_by_name: dict[str, Status] = field(default_factory=dict, init=False, repr=False)
    _seen: dict[tuple[str, str], Status] = field(default_factory=dict, init=False, repr=False, compare=False)
    _warned: set[str] = field(default_factory=set, init=False, repr=False, compare=False)
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
    ) -> SiteDictionary:
        """Build from ``/field``, ``/status``, ``/myself`` and the board configuration.

        ``numbers`` maps a mapping's names to field names (or ids) on the site; an unknown one
        raises :class:`FieldNotFound`. ``account``'s changes to ``score_fields`` (names or ids:
        kpiokr's own score writes) are left out of histories. The estimate is the board's
        estimation field, else a number field named "Story Points" or "Story point estimate".
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
        yield "status", ("status", _status_change)
        yield "resolution", ("resolution", _string_change)
        yield "issuetype", ("issue_type", _issue_type_change)
        yield "priority", ("priority", _string_change)
        yield "duedate", ("due", _date_change)
        yield "labels", ("labels", _labels_change)
        yield "timespent", ("time_spent", _hours_change)
        yield "timeoriginalestimate", ("original_estimate", _hours_change)
        yield "parent", ("parent", _string_change)
        yield "IssueParentAssociation", ("parent", _string_change)
        if self.epic_link_field:
            yield self.epic_link_field, ("parent", _string_change)
        if self.sprint_field:
            yield self.sprint_field, ("sprint_ids", _sprint_change)
        if self.estimate_field:
            yield self.estimate_field, ("estimate", _estimate_converter(self.estimate_field))
        for name, field_id in self.numbers.items():
            yield field_id, (NUMBER_PREFIX + name, _number_change)

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
        """Log a translation warning once per dictionary (per site refresh), not once per issue."""
        if key not in self._warned:
            self._warned.add(key)
            log.warning(message, *args)


def status_from_json(raw: Mapping[str, Any]) -> Status:
    """A ``/status`` entry (or an issue's ``status`` field) as a domain :class:`Status`."""
    key = (raw.get("statusCategory") or {}).get("key", "new")
    return Status(str(raw["id"]), str(raw.get("name", raw["id"])), CATEGORIES.get(key, StatusCategory.TODO))


# -- changelog item values -------------------------------------------------------------------


def _value(item: Item, side: str) -> Any:
    raw = item.get(side)
    return raw if raw not in (None, "") else item.get(side + "String")


def _status_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    """Status ids to statuses. A creation-time item (no ``from``) changes nothing: an issue always has one."""
    known = site.statuses.get
    old, new = item.get("from"), item.get("to")
    after = known(new) or site.status(new, item.get("toString"))  # type: ignore[arg-type]
    before = known(old) or site.status(old, item.get("fromString"))  # type: ignore[arg-type]
    return before or after, after or before


def _issue_type_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    old, new = _string_change(item, site)
    return old or new, new or old


def _string_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return site.share(item.get("fromString") or None), site.share(item.get("toString") or None)


def _labels_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    old, new = (frozenset((item.get(side) or "").split()) for side in ("fromString", "toString"))
    return site.share(old), site.share(new)


def _number_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return to_float(_value(item, "from")), to_float(_value(item, "to"))


def _hours_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return to_hours(_value(item, "from")), to_hours(_value(item, "to"))


def _estimate_converter(field_id: str) -> Convert:
    return _hours_change if field_id == "timeoriginalestimate" else _number_change


def _date_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return site.share(to_date(_value(item, "from"))), site.share(to_date(_value(item, "to")))


def _sprint_change(item: Item, site: SiteDictionary) -> tuple[object, object]:
    return site.share(_sprint_side(item, "from", site)), site.share(_sprint_side(item, "to", site))


def _sprint_id_list(ids: str | None) -> frozenset[int]:
    if not ids:
        return frozenset()
    try:
        return frozenset(map(int, ids.split(",")))  # int() ignores the blanks of "1, 2"
    except ValueError:
        return frozenset(int(p) for p in ids.split(",") if p.strip().isdigit())


def _sprint_side(item: Item, side: str, site: SiteDictionary) -> frozenset[int]:
    ids = item.get(side)
    names = item.get(side + "String")
    if ids is not None or not names:
        return _sprint_id_list(ids)
    found = set()
    for name in str(names).split(SPRINT_NAME_SEPARATOR):
        sprint_id = site.sprint_ids_by_name.get(name.strip())
        if sprint_id is None:
            site.warn_once(f"sprint:{name}", "sprint %r in a changelog has no id and is not on the board", name)
        else:
            found.add(sprint_id)
    return frozenset(found)


# -- field values ----------------------------------------------------------------------------


def to_float(value: Any) -> float | None:
    """A number field's value (or changelog string) as a float; ``None`` when empty or not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dict):
        return to_float(value.get("value"))
    try:
        return float(str(value).strip())
    except ValueError:
        return None


def to_hours(seconds: Any) -> float | None:
    """Jira's seconds (number or string) as hours."""
    value = to_float(seconds)
    return None if value is None else value / SECONDS_PER_HOUR


def to_date(value: Any) -> date | None:
    """``"2026-11-20"`` (or ``"2026-11-20 00:00:00.0"``) as a date; ``None`` when empty or unparsable."""
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


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


def _current(fields: Mapping[str, Any], site: SiteDictionary) -> IssueState:
    raw_status = fields.get("status") or {}
    status = site.statuses.get(str(raw_status.get("id"))) or status_from_json(raw_status)
    estimate = fields.get(site.estimate_field) if site.estimate_field else None
    in_hours = site.estimate_field == "timeoriginalestimate"
    share = site.share
    return IssueState(
        issue_type=share(_name(fields.get("issuetype")) or ""),
        status=status,
        resolution=share(_name(fields.get("resolution"))),
        sprint_ids=share(sprint_ids(fields.get(site.sprint_field))) if site.sprint_field else frozenset(),
        estimate=to_hours(estimate) if in_hours else to_float(estimate),
        due=share(to_date(fields.get("duedate"))),
        priority=share(_name(fields.get("priority"))),
        parent=share(_parent(fields, site)),
        labels=share(frozenset(fields.get("labels") or ())),
        time_spent=to_hours(fields.get("timespent")),
        original_estimate=to_hours(fields.get("timeoriginalestimate")),
        numbers=site.share_numbers({name: to_float(fields.get(field_id)) for name, field_id in site.numbers.items()}),
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
    histories = (raw_issue.get("changelog") or {}).get("histories") or ()
    assignee = fields.get("assignee") or {}
    return IssueHistory(
        key=key,
        created=parse_instant(fields["created"]),
        current=_current(fields, site),
        changes=tuple(_changes(histories, site)),
        is_subtask=bool((fields.get("issuetype") or {}).get("subtask", False)),
        summary=str(fields.get("summary") or ""),
        assignee=site.share(next(iter(author_ids(assignee)), None)),
        resolution_set_at=_instant(fields.get("resolutiondate")),
        status_category_set_at=_instant(fields.get("statuscategorychangedate")),
        assignee_name=site.share(assignee.get("displayName") or None),
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

"""What a Jira site says about itself: server, account, fields, boards. Plain values, pure parsers.

The gateway returns these instead of raw JSON for the metadata the daemon reasons about; the
site dictionary in :mod:`sync.jira.translate` is built from them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sync.errors import FieldNotFound

Flavor = Literal["cloud", "datacenter"]


def rest_api(flavor: Flavor) -> str:
    """The root of the flavour's platform REST API: version 3 on Cloud, 2 on Data Center."""
    return "/rest/api/3" if flavor == "cloud" else "/rest/api/2"


SPRINT_TYPE = "com.pyxis.greenhopper.jira:gh-sprint"
EPIC_LINK_TYPE = "com.pyxis.greenhopper.jira:gh-epic-link"


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """``/rest/api/2/serverInfo``: Cloud or Data Center (Server counts as Data Center)."""

    flavor: Flavor
    version: str
    base_url: str

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ServerInfo:
        """Parse a serverInfo body; ``deploymentType`` ``"Cloud"`` means Cloud."""
        flavor: Flavor = "cloud" if raw.get("deploymentType") == "Cloud" else "datacenter"
        return cls(flavor, str(raw.get("version", "")), str(raw.get("baseUrl", "")))


@dataclass(frozen=True, slots=True)
class Account:
    """The account kpiokr runs as. JQL date literals are read in its ``time_zone``.

    ``account_id_or_name`` is the Cloud ``accountId`` or the Data Center user ``name``; Data
    Center changelogs name authors by ``name`` or ``key``, so ``ids`` holds both.
    """

    account_id_or_name: str
    display_name: str
    email: str | None
    time_zone: str
    key: str | None = None

    @property
    def ids(self) -> frozenset[str]:
        """Every identifier a changelog author entry may use for this account."""
        return frozenset(i for i in (self.account_id_or_name, self.key) if i)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> Account:
        """Parse ``/myself`` (Cloud or Data Center)."""
        ident = raw.get("accountId") or raw.get("name") or raw.get("key") or ""
        return cls(
            account_id_or_name=str(ident),
            display_name=str(raw.get("displayName", "")),
            email=raw.get("emailAddress") or None,
            time_zone=str(raw.get("timeZone") or "UTC"),
            key=raw.get("key") or None,
        )


def author_ids(author: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The identifiers of a changelog author (``accountId``, ``name``, ``key``)."""
    if not author:
        return ()
    return tuple(str(author[k]) for k in ("accountId", "name", "key") if author.get(k))


@dataclass(frozen=True, slots=True)
class OwnWrites:
    """kpiokr's own score writes in a changelog: items by its account on the score fields it writes.

    Only those are left out of histories; anything else the account does (a transition by an
    automation running as the same user) counts like anyone's edit. ``fields`` holds the score
    fields' ids and names, casefolded (Data Center changelog items name a field only by name).
    """

    account_ids: frozenset[str] = frozenset()
    fields: frozenset[str] = frozenset()

    @classmethod
    def of(cls, account: Account | None, score_fields: Iterable[str], fields: Sequence[FieldInfo] = ()) -> OwnWrites:
        """The writes ``account`` makes to ``score_fields`` (names or ids; ``fields`` adds the other of each)."""
        wanted = {name.casefold() for name in score_fields}
        known = (
            n.casefold()
            for f in fields
            if f.id.casefold() in wanted or f.name.casefold() in wanted
            for n in (f.id, f.name)
        )
        return cls(account.ids if account is not None else frozenset(), frozenset((*wanted, *known)))

    def by_account(self, history: Mapping[str, Any]) -> bool:
        """True when ``history`` (one changelog entry) was made by kpiokr's account."""
        return bool(self.account_ids) and not self.account_ids.isdisjoint(author_ids(history.get("author")))

    def on_score_field(self, item: Mapping[str, Any]) -> bool:
        """True when a changelog item changed one of the score fields."""
        return any(str(item.get(k) or "").casefold() in self.fields for k in ("fieldId", "field"))

    def is_own_write(self, history: Mapping[str, Any]) -> bool:
        """True when ``history`` is only kpiokr writing scores: its account, score fields only."""
        items = history.get("items") or ()
        return self.by_account(history) and bool(items) and all(self.on_score_field(i) for i in items)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One entry of ``/rest/api/N/field``."""

    id: str
    name: str
    custom: bool
    schema_type: str | None
    custom_type: str | None
    clause_names: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> FieldInfo:
        """Parse one field entry."""
        schema = raw.get("schema") or {}
        return cls(
            id=str(raw["id"]),
            name=str(raw.get("name", raw["id"])),
            custom=bool(raw.get("custom", False)),
            schema_type=schema.get("type"),
            custom_type=schema.get("custom"),
            clause_names=tuple(raw.get("clauseNames") or ()),
        )


@dataclass(frozen=True, slots=True)
class BoardColumn:
    """One column of a board and the status ids mapped to it."""

    name: str
    status_ids: frozenset[str]


@dataclass(frozen=True, slots=True)
class BoardConfig:
    """``/rest/agile/1.0/board/{id}/configuration``.

    ``type`` is Jira's board type (``"scrum"``, ``"kanban"``, or ``"simple"`` for team-managed
    boards). ``done_status_ids`` are the statuses of the last column, the board's notion of done.
    ``estimation_field_id`` is ``None`` when the board estimates by issue count.
    """

    board_id: int
    type: str
    estimation_field_id: str | None
    done_status_ids: frozenset[str]
    columns: tuple[BoardColumn, ...] = ()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> BoardConfig:
        """Parse a board configuration body."""
        columns = tuple(
            BoardColumn(str(c.get("name", "")), frozenset(str(s["id"]) for s in c.get("statuses") or ()))
            for c in (raw.get("columnConfig") or {}).get("columns") or ()
        )
        estimation = raw.get("estimation") or {}
        field_id = (estimation.get("field") or {}).get("fieldId")
        return cls(
            board_id=int(raw["id"]),
            type=str(raw.get("type", "")),
            estimation_field_id=str(field_id) if field_id else None,
            done_status_ids=columns[-1].status_ids if columns else frozenset(),
            columns=columns,
        )


def resolve_field(fields: Sequence[FieldInfo], name_or_id: str) -> FieldInfo:
    """The field with this id, name, or JQL clause name; :class:`FieldNotFound` with close matches if none."""
    for info in fields:
        if info.id == name_or_id:
            return info
    for matches in (
        [f for f in fields if f.name == name_or_id],
        [f for f in fields if f.name.casefold() == name_or_id.casefold()],
        [f for f in fields if name_or_id in f.clause_names],
    ):
        if len(matches) == 1:
            return matches[0]
        if matches:
            ids = ", ".join(f.id for f in matches)
            reason = f"{len(matches)} fields are named {name_or_id!r} ({ids}); name the one you mean by its id."
            raise FieldNotFound(name_or_id, reason=reason)
    names = sorted({f.name for f in fields})
    raise FieldNotFound(name_or_id, difflib.get_close_matches(name_or_id, names, n=3, cutoff=0.6))


def find_special(fields: Sequence[FieldInfo], custom_type: str, name: str) -> FieldInfo | None:
    """The field of a Jira Software type (sprint, epic link), else the one with its usual name."""
    typed = [f for f in fields if f.custom_type == custom_type]
    if typed:
        return next((f for f in typed if f.name == name), typed[0])
    return next((f for f in fields if f.name == name), None)

"""Resolving JQL literals to the sandbox's internal values, per kind of field.

A mixin of :class:`jira_sandbox.query.Compiler`. Each resolver turns one operand (a value, a
function call or EMPTY) into a list of internal values, or raises Jira's error for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jira_sandbox.catalog import User
from jira_sandbox.jql import Empty, Func, JqlError, Value
from jira_sandbox.jql_dates import function_ms, literal_ms, period_ms
from jira_sandbox.model import Issue
from jira_sandbox.site import Site

EMPTY: Any = object()


class Literals:
    """Literal resolvers; the compiler provides the caller, its zone and the instant."""

    site: Site
    flavor: str
    user: User
    tz: ZoneInfo
    now_ms: int
    relative: bool
    _due: dict[str, int]

    def _plain(self, v: Value | Func, name: str) -> str:
        if isinstance(v, Func):
            raise JqlError(f"Unable to find JQL function '{v.name}({', '.join(v.args)})'.")
        return v.text

    def _named_lit(
        self, name: str, table: Mapping[Any, tuple[str, ...]], unresolved: bool = False
    ) -> Callable[[Value | Func | Empty], list[Any]]:
        def resolve(v: Value | Func | Empty) -> list[Any]:
            if isinstance(v, Empty):
                return [EMPTY]
            raw = self._plain(v, name)
            text = raw.lower()
            if unresolved and text == "unresolved" and not (isinstance(v, Value) and v.quoted):
                return [EMPTY]
            hits = [k for k, names in table.items() if text in (n.lower() for n in names)]
            if not hits:
                raise JqlError(f"The value '{raw}' does not exist for the field '{name}'.")
            return hits

        return resolve

    def _user_lit(self, name: str) -> Callable[[Value | Func | Empty], list[Any]]:
        def resolve(v: Value | Func | Empty) -> list[Any]:
            if isinstance(v, Empty):
                return [EMPTY]
            if isinstance(v, Func) and v.name.lower() == "currentuser":
                return [self.user.key]
            raw = self._plain(v, name)
            user = self.site.user(raw)
            if user is None:
                raise JqlError(f"The value '{raw}' does not exist for the field '{name}'.")
            return [user.key]

        return resolve

    def _issue_lit(self, name: str) -> Callable[[Value | Func | Empty], list[Any]]:
        def resolve(v: Value | Func | Empty) -> list[Any]:
            if isinstance(v, Empty):
                return [EMPTY]
            text = self._plain(v, name)
            issue = self.site.issue(text)
            if issue is None:
                if text.isdigit():
                    raise JqlError(f"An issue with id '{text}' does not exist for field '{name}'.")
                if not re.match(r"^[A-Za-z][A-Za-z0-9_]*-\d+$", text):
                    raise JqlError(f"The issue key '{text}' for field '{name}' is invalid.")
                raise JqlError(f"An issue with key '{text}' does not exist for field '{name}'.")
            return [issue] if name == "key" else [issue.id]

        return resolve

    def _text_lit(self, v: Value | Func | Empty) -> list[Any]:
        return [EMPTY] if isinstance(v, Empty) else [self._plain(v, "text").lower().strip("*")]

    def _number_lit(self, v: Value | Func | Empty, name: str, duration: bool) -> list[Any]:
        if isinstance(v, Empty):
            return [EMPTY]
        text = self._plain(v, name)
        if duration and (delta := period_ms(text)) is not None:
            return [delta // 1000]
        try:
            number = float(text)
        except ValueError:
            raise JqlError(f"The value '{text}' is not a valid number for the field '{name}'.") from None
        return [number * 60 if duration else number]

    def _option_lit(
        self, v: Value | Func | Empty, name: str, options: dict[str, str], by_value: dict[str, str]
    ) -> list[Any]:
        if isinstance(v, Empty):
            return [EMPTY]
        text = self._plain(v, name)
        oid = by_value.get(text.lower()) or (text if text in options else None)
        if oid is None:
            raise JqlError(f"The option '{text}' for field '{name}' does not exist.")
        return [oid]

    def _sprint_lit(self, v: Value | Func | Empty) -> list[Any]:
        if isinstance(v, Empty):
            return [EMPTY]
        sprints = self.site.sprints.values()
        if isinstance(v, Func):
            states = {
                "opensprints": ("active", "future"),
                "closedsprints": ("closed",),
                "futuresprints": ("future",),
            }.get(v.name.lower())
            if states is None:
                raise JqlError(f"Unable to find JQL function '{v.name}({', '.join(v.args)})'.")
            return [s.id for s in sprints if s.state in states]
        hits = [s.id for s in sprints if v.text.lower() == s.name.lower() or (v.text.isdigit() and int(v.text) == s.id)]
        if not hits:
            raise JqlError(f"Sprint with name '{v.text}' does not exist or you do not have permission to view it.")
        return hits

    def _due_ms(self, issue: Issue) -> int | None:
        day = issue.values.get("duedate")
        if day is None:
            return None
        ms = self._due.get(day)
        if ms is None:
            ms = self._due[day] = int(datetime.fromisoformat(day).replace(tzinfo=self.tz).timestamp() * 1000)
        return ms

    def _date_lit(self, v: Value | Func | Empty, name: str) -> list[Any]:
        if isinstance(v, Empty):
            return [EMPTY]
        if isinstance(v, Func):
            self.relative = True
            ms = function_ms(v.name, v.args, self.tz, self.now_ms)
            if ms is None:
                raise JqlError(f"Unable to find JQL function '{v.name}({', '.join(v.args)})'.")
            return [ms]
        delta = period_ms(v.text)
        if delta is not None:
            self.relative = True
            return [self.now_ms + delta]
        ms = literal_ms(v.text, self.tz)
        if ms is None:
            raise JqlError(
                f"Date value '{v.text}' for field '{name}' is invalid. Valid formats include: "
                "'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format "
                "e.g. '-5d', '4w 2d'."
            )
        return [ms]

"""Rendering issues and changelogs as Jira JSON, per flavour ("cloud" / "datacenter") and API version.

Issues are assembled as text from cached fragments (users, statuses, changelog items), which keeps
a 100-issue page with changelogs to a few milliseconds. Every datetime goes out in Jira's format
``2026-10-05T09:12:33.123+0200``, in the zone of whoever caused it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jira_sandbox.catalog import Field
from jira_sandbox.fragments import Fragments, dumps, iso_time, jira_time
from jira_sandbox.model import History, Issue, Item
from jira_sandbox.site import Site

__all__ = ["Renderer", "dumps", "iso_time", "jira_time"]


class Renderer(Fragments):
    """Whole issues, field values and changelogs of one site for one flavour and API version."""

    def __init__(self, site: Site, flavor: str, base_url: str, api: str = "2") -> None:
        super().__init__(site, flavor, base_url, api)
        self._items: dict[Item, str] = {}
        self._prefix: dict[str, str] = {}
        self._getters: dict[str, Callable[[Issue], str | None]] = {}
        self._kinds: dict[str, Callable[[Issue, Field, Any], str | None]] = {
            "status": lambda i, f, v: self.status(v),
            "priority": lambda i, f, v: self.named("priority", v),
            "resolution": lambda i, f, v: self.named("resolution", v),
            "issuetype": lambda i, f, v: self.named("issuetype", v),
            "project": lambda i, f, v: self.project(v),
            "user": lambda i, f, v: self.user(v),
            "datetime": lambda i, f, v: f'"{jira_time(*v)}"',
            "date": lambda i, f, v: f'"{v}"',
            "labels": lambda i, f, v: dumps(list(v)),
            "sprint": lambda i, f, v: self.sprint_field(v),
            "epiclink": lambda i, f, v: f'"{site.by_id[v].key}"',
            "select": lambda i, f, v: self.option(f, v),
            "subtasks": lambda i, f, v: "[" + ",".join(self.issue_ref(site.by_id[s]) for s in i.subtasks) + "]",
            "empty_list": lambda i, f, v: "[]",
            "text": lambda i, f, v: self.text(f, v),
        }

    # --- field values -----------------------------------------------------------------------------

    def value(self, issue: Issue, f: Field) -> str | None:
        """The JSON of one field of an issue; None when Jira would leave the key out."""
        return self._getter(f)(issue)

    def _getter(self, f: Field) -> Callable[[Issue], str | None]:
        """A specialised renderer for one field (cached)."""
        getter = self._getters.get(f.key)
        if getter is not None:
            return getter
        key, kind = f.key, f.kind
        render = self._kinds.get(kind)
        if kind == "parent":
            getter = self.parent
        elif kind in ("subtasks", "empty_list") and render is not None:
            getter = lambda i: render(i, f, None)  # noqa: E731
        elif kind == "labels":
            getter = lambda i: dumps(list(v)) if (v := i.values.get(key)) else "[]"  # noqa: E731
        elif render is None:
            getter = lambda i: "null" if (v := i.values.get(key)) is None else dumps(v)  # noqa: E731
        else:
            getter = lambda i: "null" if (v := i.values.get(key)) is None else render(i, f, v)  # noqa: E731
        self._getters[key] = getter
        return getter

    def parent(self, issue: Issue) -> str | None:
        """``parent``: the sub-task's parent, or on Cloud also the epic of a child issue."""
        pid = issue.values.get("parent")
        if pid is None and self.cloud:
            pid = issue.values.get("epic_link")
        return None if pid is None else self.issue_ref(self.site.by_id[pid])

    def issue_ref(self, other: Issue) -> str:
        """The short form of an issue used by ``parent`` and ``subtasks``."""
        v = other.values
        return (
            f'{{"id":"{other.id}","key":"{other.key}","self":"{self.rest}/issue/{other.id}","fields":'
            f'{{"summary":{dumps(v["summary"])},"status":{self.status(v["status"])},'
            f'"priority":{self.named("priority", v.get("priority", "3"))},'
            f'"issuetype":{self.named("issuetype", v["issuetype"])}}}}}'
        )

    def fields(self, issue: Issue, selection: list[Field]) -> str:
        """The ``fields`` object of an issue restricted to ``selection``."""
        parts = []
        for f in selection:
            text = self._getter(f)(issue)
            if text is not None:
                p = self._prefix.get(f.key)
                if p is None:
                    p = self._prefix[f.key] = f'"{f.wire_id(self.flavor)}":'
                parts.append(p + text)
        return "{" + ",".join(parts) + "}"

    # --- changelogs -------------------------------------------------------------------------------

    def item(self, item: Item) -> str:
        """One changelog item."""
        text = self._items.get(item)
        if text is None:
            f = self.site.fields[item.field]
            if f.custom:
                head = {"field": f.display(self.flavor), "fieldtype": "custom"}
            else:
                head = {"field": f.key, "fieldtype": "jira"}
            if self.cloud:
                head["fieldId"] = f.wire_id("cloud") or f.key
            frm, to = item.from_, item.to
            if f.kind == "user":
                frm, to = self._user_ref(frm), self._user_ref(to)
            text = dumps(head | {"from": frm, "fromString": item.from_string, "to": to, "toString": item.to_string})
            if len(self._items) < 200_000:
                self._items[item] = text
        return text

    def _user_ref(self, key: str | None) -> str | None:
        if key is None:
            return None
        user = self.site.users[key]
        return user.account_id if self.cloud else user.dc_key

    def history(self, h: History, items: tuple[Item, ...] | None = None) -> str:
        """One changelog history (``items``: a filtered subset of its items)."""
        tz = self.site.users[h.author].time_zone
        return (
            f'{{"id":"{h.id}","author":{self.user(h.author)},"created":"{jira_time(h.ms, tz)}",'
            f'"items":[{",".join(self.item(i) for i in (h.items if items is None else items))}]}}'
        )

    def inline_changelog(self, issue: Issue, limit: int | None) -> str:
        """``changelog`` of an issue: Cloud shows the newest ``limit`` first, DC all, oldest first."""
        hs = issue.histories
        chosen = hs if limit is None or len(hs) <= limit else hs[len(hs) - limit :]
        if self.cloud:
            chosen = chosen[::-1]
        body = ",".join(self.history(h) for h in chosen)
        return f'{{"startAt":0,"maxResults":{len(chosen)},"total":{len(hs)},"histories":[{body}]}}'

    # --- issues -----------------------------------------------------------------------------------

    def issue(
        self,
        issue: Issue,
        selection: list[Field] | None,
        *,
        changelog: bool = False,
        expand: str = "",
        extra: str = "",
    ) -> str:
        """A whole issue; ``selection`` None renders Cloud's id-only search result."""
        if selection is None and not changelog:
            return f'{{"id":"{issue.id}"}}'
        parts = [
            f'"expand":{dumps(expand)}',
            f'"id":"{issue.id}"',
            f'"self":"{self.rest}/issue/{issue.id}"',
            f'"key":"{issue.key}"',
        ]
        if changelog:
            limit = self.site.inline_changelog_limit.get(self.flavor)
            parts.append('"changelog":' + self.inline_changelog(issue, limit))
        body = self.fields(issue, selection or [])
        if extra:
            body = body[:-1] + ("," if len(body) > 2 else "") + extra + "}"
        parts.append('"fields":' + body)
        return "{" + ",".join(parts) + "}"

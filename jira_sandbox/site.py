"""The site: accounts, fields, projects, boards, sprints, issues, the clock, and changing them.

A :class:`Site` is flavour-neutral; a server renders it as Cloud or as Data Center. Field ids of
either flavour are accepted wherever a caller names a field.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from jira_sandbox import catalog, edits
from jira_sandbox.catalog import Field, Named, Status, StatusCategory, User
from jira_sandbox.model import Board, Clock, History, Issue, Item, Project, Sprint


class Site:
    """Everything a sandbox serves. Thread-safe for the server's concurrent readers and writers."""

    def __init__(
        self,
        *,
        time_zone: str = "Europe/Berlin",
        now: datetime | None = None,
        bot_time_zone: str = "America/New_York",
    ) -> None:
        self.time_zone = time_zone
        self.lock = threading.RLock()
        self.revision = 0
        self.clock_state = Clock(now)
        self.users: dict[str, User] = {u.key: u for u in catalog.service_accounts(bot_time_zone)}
        self.users.update({u.key: u for u in catalog.people()})
        for n, u in enumerate(self.users.values()):
            u.dc_key = f"JIRAUSER{10100 + n}"
        self.categories: dict[int, StatusCategory] = {c.id: c for c in catalog.CATEGORIES}
        self.statuses: dict[str, Status] = {s.id: s for s in catalog.STATUSES}
        self.priorities: dict[str, Named] = {p.id: p for p in catalog.PRIORITIES}
        self.resolutions: dict[str, Named] = {r.id: r for r in catalog.RESOLUTIONS}
        self.issue_types: dict[str, Named] = {t.id: t for t in catalog.ISSUE_TYPES}
        self.fields: dict[str, Field] = {f.key: f for f in catalog.standard_fields()}
        self.projects: dict[str, Project] = {}
        self.boards: dict[int, Board] = {}
        self.sprints: dict[int, Sprint] = {}
        self.issues: list[Issue] = []
        self.by_key: dict[str, Issue] = {}
        self.by_id: dict[int, Issue] = {}
        #: Entity properties: ("issue", issue id) or ("project", project id) -> property key -> JSON value.
        self.properties: dict[tuple[str, str], dict[str, Any]] = {}
        #: Most recent histories returned inline by ``expand=changelog`` (None: all of them).
        self.inline_changelog_limit: dict[str, int | None] = {"cloud": 40, "datacenter": None}
        self.next_history_id = 10000
        self.next_issue_id = 10000
        self.next_field_num = catalog.FIRST_CREATED_FIELD
        self.next_option_id = 10100
        self.item_memo: dict[tuple[str, Any, Any], Item] = {}
        #: Told of each issue created, changed or deleted (``jira:issue_created`` and so on), with the site
        #: locked: the webhooks a server sends (:mod:`jira_sandbox.webhooks`).
        self.listeners: list[Callable[[str, Issue, History | None], None]] = []

    # --- clock ------------------------------------------------------------------------------

    def clock(self) -> datetime:
        """The site's current instant (UTC)."""
        return datetime.fromtimestamp(self.clock_state.now_ms() / 1000, UTC)

    @property
    def now(self) -> datetime:
        """The site's current instant; assigning freezes the clock there."""
        return self.clock()

    @now.setter
    def now(self, instant: datetime) -> None:
        self.clock_state.set(instant, frozen=True)

    def advance(self, delta: timedelta) -> None:
        """Move the site clock by ``delta``."""
        self.clock_state.advance(delta)

    def unfreeze(self) -> None:
        """Let the clock run at real speed again from its current instant."""
        self.clock_state.set(self.clock(), frozen=False)

    # --- lookups ----------------------------------------------------------------------------

    def user(self, login: str | None) -> User | None:
        """The account named by key, e-mail, DC username or Cloud accountId (case-insensitive)."""
        if not login:
            return None
        low = login.lower()
        if low in self.users:
            return self.users[low]
        for u in self.users.values():
            if low in (u.email.lower(), u.name.lower(), u.account_id.lower(), u.dc_key.lower()):
                return u
        return None

    def issue(self, id_or_key: str | int) -> Issue | None:
        """The issue with this id or key (keys are case-insensitive)."""
        text = str(id_or_key)
        if text.isdigit():
            return self.by_id.get(int(text))
        return self.by_key.get(text.upper())

    def field(self, name: str, flavor: str | None = None) -> Field | None:
        """A live field by key or wire id (of ``flavor``, or of either flavour when None)."""
        f = self.fields.get(name)
        if f is None:
            for cand in self.fields.values():
                if name in ((cand.cloud_id, cand.dc_id) if flavor is None else (cand.wire_id(flavor),)):
                    f = cand
                    break
        if f is None or f.deleted:
            return None
        if flavor is not None and f.wire_id(flavor) is None:
            return None
        return f

    def live_fields(self, flavor: str) -> list[Field]:
        """Fields present on ``flavor``, in ``/field`` order."""
        return [f for f in self.fields.values() if not f.deleted and f.wire_id(flavor) is not None]

    def add_project(self, key: str, name: str, lead: str) -> Project:
        """Register a project (ids 10000, 10001, ... in order of creation)."""
        project = Project(str(10000 + len(self.projects)), key, name, lead)
        self.projects[key] = project
        return project

    def add_issue(self, issue: Issue) -> Issue:
        """Register a new issue (the caller fills values and histories)."""
        self.issues.append(issue)
        self.by_key[issue.key] = issue
        self.by_id[issue.id] = issue
        return issue

    def delete_issue(self, key: str) -> Issue:
        """Delete an issue, as an admin deleting it in Jira would: it is gone from every search."""
        issue = self.by_key.pop(key)
        del self.by_id[issue.id]
        self.issues.remove(issue)
        self.bump()
        self.announce("jira:issue_deleted", issue)
        return issue

    def announce(self, event: str, issue: Issue, history: History | None = None) -> None:
        """Tell the listeners of ``event`` on ``issue`` (its new ``history`` for an update)."""
        for listener in self.listeners:
            listener(event, issue, history)

    def bump(self) -> None:
        """Record that the data changed (search caches key on the revision)."""
        self.revision += 1

    # --- changes (see jira_sandbox.edits) ---------------------------------------------------

    def edit_issue(
        self, key: str, fields: dict[str, Any], author: str | None = None, at: datetime | None = None
    ) -> History | None:
        """Apply a PUT-style ``{"<field id>": value}`` edit as ``author`` (default: the pm).

        Records one history with an item per changed field and bumps ``updated``; returns it, or
        None when nothing changed. Raises :class:`jira_sandbox.edits.EditError` on bad input.
        """
        return edits.edit_issue(self, key, fields, author=author, at=at)

    def transition_issue(
        self,
        key: str,
        status: str,
        author: str | None = None,
        at: datetime | None = None,
        resolution: str | None = None,
    ) -> History | None:
        """Move an issue to ``status`` (name or id), setting/clearing the resolution like Jira."""
        return edits.transition_issue(self, key, status, author=author, at=at, resolution=resolution)

    def create_issue(
        self,
        project: str,
        summary: str,
        issuetype: str = "Story",
        *,
        reporter: str | None = None,
        at: datetime | None = None,
        fields: dict[str, Any] | None = None,
    ) -> Issue:
        """Create an issue in To Do; ``fields`` as for :meth:`edit_issue` (set without history)."""
        return edits.create_issue(self, project, summary, issuetype, reporter=reporter, at=at, fields=fields)

    def create_field(self, name: str, type_key: str, description: str | None = None) -> Field:
        """Create a custom field of a creatable type (float, select, textfield)."""
        return edits.create_field(self, name, type_key, description)

    def add_option(self, field_id: str, value: str) -> str:
        """Add an option to a select field; returns the option id."""
        return edits.add_option(self, field_id, value)

    def delete_field(self, field_id: str) -> None:
        """Delete a custom field: it leaves ``/field``, issues and JQL; PUTs on it answer 400."""
        with self.lock:
            f = self.field(field_id)
            if f is None or not f.custom:
                raise KeyError(field_id)
            f.deleted = True
            self.bump()

    def set_time_zone(self, login: str, time_zone: str) -> None:
        """Change an account's time zone (``/myself`` -> ``timeZone``, JQL date literals)."""
        user = self.user(login)
        if user is None:
            raise KeyError(login)
        user.time_zone = time_zone
        self.bump()

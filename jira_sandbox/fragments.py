"""Jira JSON building blocks: the wire time format and the small objects issues are made of.

Users, statuses, priorities, projects, sprints and field descriptions are rendered once per
flavour, base URL and API version and kept as JSON text.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from jira_sandbox.catalog import Field, User
from jira_sandbox.model import Sprint
from jira_sandbox.site import Site

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any) -> str:
    """Compact JSON, UTF-8 characters kept as they are."""
    return _dumps(value)


_OFFSETS: dict[tuple[str, int], tuple[int, str, str]] = {}


def _offset(ms: int, tz: str) -> tuple[int, str, str]:
    """(offset ms, "+0200", "+02:00") of ``tz`` at ``ms``, cached per zone and hour."""
    key = (tz, ms // 3_600_000)
    hit = _OFFSETS.get(key)
    if hit is None:
        delta = datetime.fromtimestamp(ms // 1000, ZoneInfo(tz)).utcoffset()
        minutes = int(delta.total_seconds() // 60) if delta else 0
        sign, rest = ("-", -minutes) if minutes < 0 else ("+", minutes)
        hh, mm = divmod(rest, 60)
        hit = (minutes * 60_000, f"{sign}{hh:02d}{mm:02d}", f"{sign}{hh:02d}:{mm:02d}")
        if len(_OFFSETS) > 200_000:
            _OFFSETS.clear()
        _OFFSETS[key] = hit
    return hit


_HOURS: dict[int, str] = {}


def _local(ms: int, off: int) -> str:
    """``2026-10-05T09:12:33.123`` for local milliseconds ``ms + off``."""
    local = ms + off
    hour, rest = divmod(local, 3_600_000)
    prefix = _HOURS.get(hour)
    if prefix is None:
        if len(_HOURS) > 200_000:
            _HOURS.clear()
        prefix = _HOURS[hour] = time.strftime("%Y-%m-%dT%H:", time.gmtime(hour * 3600))
    minute, rest = divmod(rest, 60_000)
    return f"{prefix}{minute:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def jira_time(ms: int, tz: str) -> str:
    """``2026-10-05T09:12:33.123+0200``: Jira's wire format for an instant shown in ``tz``."""
    off, short, _ = _offset(ms, tz)
    return _local(ms, off) + short


def iso_time(ms: int, tz: str | None) -> str:
    """ISO 8601 with a colon offset (agile API, DC sprint strings); ``Z`` when ``tz`` is None."""
    if tz is None:
        return _local(ms, 0) + "Z"
    off, _, colon = _offset(ms, tz)
    return _local(ms, off) + colon


class Fragments:
    """Cached JSON fragments of one site for one flavour, base URL and REST API version."""

    def __init__(self, site: Site, flavor: str, base_url: str, api: str = "2") -> None:
        self.site, self.flavor, self.base, self.api = site, flavor, base_url, api
        self.cloud = flavor == "cloud"
        self.rest = f"{base_url}/rest/api/{api}"
        self._users: dict[tuple[str, str], str] = {}
        self._const: dict[tuple[str, str], str] = {}

    # --- small objects --------------------------------------------------------------------------

    def avatars(self, owner: str) -> dict[str, str]:
        """``avatarUrls`` for a user or project."""
        return {f"{n}x{n}": f"{self.base}/secure/useravatar?size={n}&ownerId={owner}" for n in (48, 24, 16, 32)}

    def user_obj(self, user: User, full: bool = False) -> dict[str, Any]:
        """A user as issues and changelogs show it (``full``: as ``/myself`` shows it)."""
        if self.cloud:
            obj: dict[str, Any] = {
                "self": f"{self.rest}/user?accountId={user.account_id}",
                "accountId": user.account_id,
            }
        else:
            obj = {"self": f"{self.rest}/user?username={user.name}", "name": user.name, "key": user.dc_key}
        obj |= {
            "emailAddress": user.email,
            "avatarUrls": self.avatars(user.name),
            "displayName": user.display_name,
            "active": True,
            "timeZone": user.time_zone,
        }
        if self.cloud:
            obj["accountType"] = "atlassian"
        if full:
            if not self.cloud:
                obj["deleted"] = False
            obj |= {
                "locale": "en_US",
                "groups": {"size": 1 + user.admin, "items": []},
                "applicationRoles": {"size": 1, "items": []},
                "expand": "groups,applicationRoles",
            }
        return obj

    def user(self, key: str) -> str:
        """A cached user fragment (re-rendered when the user's time zone changes)."""
        user = self.site.users[key]
        cache_key = (key, user.time_zone)
        text = self._users.get(cache_key)
        if text is None:
            text = self._users[cache_key] = dumps(self.user_obj(user))
        return text

    def category_obj(self, cid: int) -> dict[str, Any]:
        """A status category."""
        c = self.site.categories[cid]
        return {
            "self": f"{self.rest}/statuscategory/{c.id}",
            "id": c.id,
            "key": c.key,
            "colorName": c.color,
            "name": c.name,
        }

    def status_obj(self, sid: str) -> dict[str, Any]:
        """A status with its category."""
        s = self.site.statuses[sid]
        return {
            "self": f"{self.rest}/status/{s.id}",
            "description": s.description,
            "iconUrl": f"{self.base}/images/icons/statuses/generic.png",
            "name": s.name,
            "id": s.id,
            "statusCategory": self.category_obj(s.category_id),
        }

    def status(self, sid: str) -> str:
        """A cached status fragment."""
        key = ("status", sid)
        if key not in self._const:
            self._const[key] = dumps(self.status_obj(sid))
        return self._const[key]

    def named(self, kind: str, nid: str) -> str:
        """A cached priority, resolution or issue type fragment."""
        key = (kind, nid)
        text = self._const.get(key)
        if text is None:
            if kind == "priority":
                p = self.site.priorities[nid]
                obj: dict[str, Any] = {
                    "self": f"{self.rest}/priority/{p.id}",
                    "iconUrl": f"{self.base}/images/icons/priorities/{p.icon}.svg",
                    "name": p.name,
                    "id": p.id,
                }
            elif kind == "resolution":
                r = self.site.resolutions[nid]
                obj = {
                    "self": f"{self.rest}/resolution/{r.id}",
                    "id": r.id,
                    "description": r.description,
                    "name": r.name,
                }
            else:
                t = self.site.issue_types[nid]
                obj = {
                    "self": f"{self.rest}/issuetype/{t.id}",
                    "id": t.id,
                    "description": t.description,
                    "iconUrl": f"{self.base}/secure/viewavatar?size=medium&avatarId={t.avatar_id}&avatarType=issuetype",
                    "name": t.name,
                    "subtask": t.subtask,
                    "avatarId": t.avatar_id,
                }
                if self.cloud:
                    obj["hierarchyLevel"] = t.hierarchy_level
            text = self._const[key] = dumps(obj)
        return text

    def project_obj(self, key: str) -> dict[str, Any]:
        """A project as issues show it."""
        p = self.site.projects[key]
        obj: dict[str, Any] = {
            "self": f"{self.rest}/project/{p.id}",
            "id": p.id,
            "key": p.key,
            "name": p.name,
            "projectTypeKey": "software",
        }
        if self.cloud:
            obj["simplified"] = False
        obj["avatarUrls"] = self.avatars(p.key)
        return obj

    def project(self, key: str) -> str:
        """A cached project fragment."""
        ck = ("project", key)
        if ck not in self._const:
            self._const[ck] = dumps(self.project_obj(key))
        return self._const[ck]

    def option(self, field: Field, oid: str) -> str:
        """A select option value."""
        return dumps(
            {"self": f"{self.base}/rest/api/2/customFieldOption/{oid}", "value": field.options.get(oid, ""), "id": oid}
        )

    def text(self, field: Field, value: str) -> str:
        """A text value; the v3 API wraps ``description`` in Atlassian Document Format."""
        if self.api != "3" or field.key != "description":
            return dumps(value)
        paragraphs = [
            {"type": "paragraph", "content": [{"type": "text", "text": line}]} for line in value.split("\n") if line
        ]
        return dumps({"type": "doc", "version": 1, "content": paragraphs})

    # --- sprints ----------------------------------------------------------------------------------

    def sprint_field(self, ids: tuple[int, ...]) -> str:
        """The Sprint custom field: objects on Cloud, ``Sprint@...[...]`` strings on Data Center."""
        key = ("sprint", ",".join(map(str, ids)))
        text = self._const.get(key)
        if text is None:
            text = self._const[key] = self._sprint_field(ids)
        return text

    def _sprint_field(self, ids: tuple[int, ...]) -> str:
        sprints = [self.site.sprints[s] for s in ids]
        if self.cloud:
            out = []
            for s in sprints:
                obj: dict[str, Any] = {
                    "id": s.id,
                    "name": s.name,
                    "state": s.state,
                    "boardId": s.board_id,
                    "goal": s.goal,
                }
                for k, ms in (("startDate", s.start_ms), ("endDate", s.end_ms), ("completeDate", s.complete_ms)):
                    if ms is not None:
                        obj[k] = iso_time(ms, None)
                out.append(obj)
            return dumps(out)
        return dumps([self.sprint_string(s) for s in sprints])

    def sprint_string(self, s: Sprint) -> str:
        """Data Center's ``com.atlassian.greenhopper.service.sprint.Sprint@hash[...]`` rendering."""

        def when(ms: int | None) -> str:
            return "<null>" if ms is None else iso_time(ms, self.site.time_zone)

        return (
            f"com.atlassian.greenhopper.service.sprint.Sprint@{(s.id * 2654435761) & 0xFFFFFFF:x}"
            f"[id={s.id},rapidViewId={s.board_id},state={s.state.upper()},name={s.name},"
            f"startDate={when(s.start_ms)},endDate={when(s.end_ms)},completeDate={when(s.complete_ms)},"
            f"activatedDate={when(s.start_ms)},sequence={s.id},goal={s.goal},synced=false,"
            f"autoStartStop=false,incompleteIssuesDestinationId=<null>]"
        )

    def sprint_bean(self, s: Sprint) -> dict[str, Any]:
        """A sprint as the agile API returns it."""
        tz = None if self.cloud else self.site.time_zone
        obj: dict[str, Any] = {
            "id": s.id,
            "self": f"{self.base}/rest/agile/1.0/sprint/{s.id}",
            "state": s.state,
            "name": s.name,
        }
        for k, ms in (("startDate", s.start_ms), ("endDate", s.end_ms), ("completeDate", s.complete_ms)):
            if ms is not None:
                obj[k] = iso_time(ms, tz)
        if self.cloud:
            obj["createdDate"] = iso_time(s.created_ms, None)
        elif s.start_ms is not None:
            obj["activatedDate"] = iso_time(s.start_ms, tz)
        obj |= {"originBoardId": s.board_id, "goal": s.goal}
        if not self.cloud:
            obj |= {"synced": False, "autoStartStop": False}
        return obj

    # --- fields -----------------------------------------------------------------------------------

    def field_obj(self, f: Field) -> dict[str, Any]:
        """An entry of ``GET /field``."""
        wid = f.wire_id(self.flavor) or f.key
        obj: dict[str, Any] = {"id": wid}
        if self.cloud:
            obj["key"] = wid
        obj |= {
            "name": f.display(self.flavor),
            "custom": f.custom,
            "orderable": f.orderable,
            "navigable": f.navigable,
            "searchable": f.searchable,
            "clauseNames": f.clause_names(self.flavor),
        }
        schema = self.json_type(f)
        if schema is not None:
            obj["schema"] = schema
        return obj

    def json_type(self, f: Field) -> dict[str, Any] | None:
        """The field's ``schema`` (JsonTypeBean)."""
        if f.schema_type is None:
            return None
        obj: dict[str, Any] = {"type": f.schema_type}
        if f.schema_items:
            obj["items"] = "string" if f.kind == "sprint" and not self.cloud else f.schema_items
        if f.custom:
            wid = f.wire_id(self.flavor) or f.key
            obj |= {"custom": f.custom_type, "customId": int(wid.removeprefix("customfield_"))}
        else:
            obj["system"] = f.key
        return obj

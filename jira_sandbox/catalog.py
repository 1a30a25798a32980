"""The fixed vocabulary of a sandbox site: statuses, priorities, issue types, fields, accounts.

Ids follow what a fresh Jira Software site hands out, so recorded shapes and sandbox shapes look
alike. Fields whose id differs between Cloud and Data Center carry both ids and both names.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TypedDict, Unpack

FLAVORS = ("cloud", "datacenter")

# --- statuses -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusCategory:
    """A status category (``/rest/api/2/statuscategory``)."""

    id: int
    key: str
    name: str
    color: str


@dataclass(frozen=True, slots=True)
class Status:
    """A workflow status and its category id."""

    id: str
    name: str
    category_id: int
    description: str


@dataclass(frozen=True, slots=True)
class Named:
    """A priority, resolution or issue type: an id, a name and a little decoration."""

    id: str
    name: str
    description: str = ""
    subtask: bool = False
    hierarchy_level: int = 0
    avatar_id: int = 10300
    icon: str = ""


CATEGORIES = (
    StatusCategory(1, "undefined", "No Category", "medium-gray"),
    StatusCategory(2, "new", "To Do", "blue-gray"),
    StatusCategory(4, "indeterminate", "In Progress", "yellow"),
    StatusCategory(3, "done", "Done", "green"),
)
STATUSES = (
    Status("10000", "To Do", 2, ""),
    Status("3", "In Progress", 4, "This issue is being actively worked on at the moment by the assignee."),
    Status("10100", "In Review", 4, "The work is being reviewed."),
    Status("10001", "Done", 3, ""),
    Status("4", "Reopened", 2, "This issue was once resolved, but the resolution was deemed incorrect."),
)
TODO, IN_PROGRESS, IN_REVIEW, DONE, REOPENED = (s.id for s in STATUSES)

PRIORITIES = (
    Named("1", "Highest", icon="highest"),
    Named("2", "High", icon="high"),
    Named("3", "Medium", icon="medium"),
    Named("4", "Low", icon="low"),
    Named("5", "Lowest", icon="lowest"),
)
RESOLUTIONS = (
    Named("10000", "Done", "Work has been completed on this issue."),
    Named("1", "Fixed", "A fix for this issue is checked into the tree and tested."),
    Named("10001", "Won't Do", "This issue won't be actioned."),
    Named("3", "Duplicate", "The problem is a duplicate of an existing issue."),
    Named("5", "Cannot Reproduce", "All attempts at reproducing this issue failed."),
)
ISSUE_TYPES = (
    Named("10000", "Epic", "A big user story that needs to be broken down.", hierarchy_level=1, avatar_id=10307),
    Named("10001", "Story", "Functionality or a feature expressed as a user goal.", avatar_id=10315),
    Named("10002", "Task", "A small, distinct piece of work.", avatar_id=10318),
    Named("10003", "Sub-task", "A small piece of work that's part of a larger task.", True, -1, 10316),
    Named("10004", "Bug", "A problem or error.", avatar_id=10303),
    Named("10005", "Incident", "An unplanned interruption or reduction in quality of service.", avatar_id=10304),
)

# --- fields ---------------------------------------------------------------------------------

FLOAT = "com.atlassian.jira.plugin.system.customfieldtypes:float"
SELECT = "com.atlassian.jira.plugin.system.customfieldtypes:select"
TEXTFIELD = "com.atlassian.jira.plugin.system.customfieldtypes:textfield"
GH_SPRINT = "com.pyxis.greenhopper.jira:gh-sprint"
GH_EPIC_LINK = "com.pyxis.greenhopper.jira:gh-epic-link"
GH_EPIC_LABEL = "com.pyxis.greenhopper.jira:gh-epic-label"
GH_RANK = "com.pyxis.greenhopper.jira:gh-lexo-rank"
SEARCHERS = {
    FLOAT: "com.atlassian.jira.plugin.system.customfieldtypes:exactnumber",
    SELECT: "com.atlassian.jira.plugin.system.customfieldtypes:multiselectsearcher",
    TEXTFIELD: "com.atlassian.jira.plugin.system.customfieldtypes:textsearcher",
}
#: custom field type key -> (value kind, JsonTypeBean.type)
CREATABLE_TYPES = {FLOAT: ("number", "number"), SELECT: ("select", "option"), TEXTFIELD: ("text", "string")}


@dataclass(slots=True)
class Field:
    """One issue field. ``key`` names it inside the sandbox; the wire id depends on the flavour."""

    key: str
    kind: str
    name: str
    schema_type: str | None
    cloud_id: str | None
    dc_id: str | None
    custom_type: str | None = None
    dc_name: str | None = None
    schema_items: str | None = None
    clauses: tuple[str, ...] = ()
    navigable: bool = True
    orderable: bool = True
    searchable: bool = True
    editable: bool = False
    description: str | None = None
    options: dict[str, str] = field(default_factory=dict)
    deleted: bool = False

    @property
    def custom(self) -> bool:
        """True for custom fields (``customfield_NNNNN``)."""
        return self.custom_type is not None

    def wire_id(self, flavor: str) -> str | None:
        """The field id on ``flavor`` (None when the flavour lacks the field)."""
        return self.cloud_id if flavor == "cloud" else self.dc_id

    def display(self, flavor: str) -> str:
        """The field name on ``flavor``."""
        return self.dc_name if flavor != "cloud" and self.dc_name else self.name

    def clause_names(self, flavor: str) -> list[str]:
        """The JQL names of the field, as ``/field`` lists them."""
        wid = self.wire_id(flavor) or ""
        if self.custom:
            return [f"cf[{wid.removeprefix('customfield_')}]", self.display(flavor)]
        return list(self.clauses)


class _FieldOptions(TypedDict, total=False):
    """The keyword arguments of :class:`Field` that ``_sys`` and ``_cf`` pass on."""

    custom_type: str | None
    dc_name: str | None
    schema_items: str | None
    navigable: bool
    orderable: bool
    searchable: bool
    editable: bool
    description: str | None


def _sys(key: str, kind: str, name: str, schema: str | None, *clauses: str, **kw: Unpack[_FieldOptions]) -> Field:
    return Field(key, kind, name, schema, key, key, clauses=clauses, **kw)


def _cf(key: str, kind: str, name: str, schema: str, ids: tuple[str, str], **kw: Unpack[_FieldOptions]) -> Field:
    return Field(key, kind, name, schema, ids[0], ids[1], **kw)


METRIC_FIELDS = {
    "customfield_10030": "Downloads",
    "customfield_10031": "App rating",
    "customfield_10032": "Market share",
    "customfield_10033": "Code coverage",
}
FIRST_CREATED_FIELD = 10100


def standard_fields() -> list[Field]:
    """The fields every sandbox site starts with, in ``/field`` order."""
    fields = [
        _sys("summary", "string", "Summary", "string", "summary", editable=True),
        _sys("description", "text", "Description", "string", "description", editable=True),
        _sys("issuetype", "issuetype", "Issue Type", "issuetype", "issuetype", "type"),
        _sys("project", "project", "Project", "project", "project", orderable=False),
        _sys("status", "status", "Status", "status", "status", orderable=False),
        _sys("resolution", "resolution", "Resolution", "resolution", "resolution"),
        _sys("resolutiondate", "datetime", "Resolved", "datetime", "resolutiondate", "resolved", orderable=False),
        _sys("priority", "priority", "Priority", "priority", "priority", editable=True),
        _sys("labels", "labels", "Labels", "array", "labels", schema_items="string", editable=True),
        _sys("assignee", "user", "Assignee", "user", "assignee", editable=True),
        _sys("reporter", "user", "Reporter", "user", "reporter"),
        _sys("creator", "user", "Creator", "user", "creator", orderable=False),
        _sys("created", "datetime", "Created", "datetime", "created", "createdDate", orderable=False),
        _sys("updated", "datetime", "Updated", "datetime", "updated", "updatedDate", orderable=False),
        _sys("duedate", "date", "Due date", "date", "due", "duedate", editable=True),
        _sys(
            "timeoriginalestimate",
            "seconds",
            "Original estimate",
            "number",
            "originalEstimate",
            "timeoriginalestimate",
            orderable=False,
        ),
        _sys(
            "timeestimate",
            "seconds",
            "Remaining Estimate",
            "number",
            "remainingEstimate",
            "timeestimate",
            orderable=False,
        ),
        _sys("timespent", "seconds", "Time Spent", "number", "timespent", orderable=False),
        _sys("parent", "parent", "Parent", None, "parent", orderable=False, editable=True),
        _sys(
            "subtasks",
            "subtasks",
            "Sub-tasks",
            "array",
            "subtasks",
            schema_items="issuelinks",
            orderable=False,
            searchable=False,
        ),
        _sys("issuelinks", "empty_list", "Linked Issues", "array", "issueLink", schema_items="issuelinks"),
        _sys("fixVersions", "empty_list", "Fix versions", "array", "fixVersion", schema_items="version"),
        _sys("components", "empty_list", "Components", "array", "component", schema_items="component"),
        _sys("issuekey", "issuekey", "Key", None, "id", "issue", "issuekey", "key", orderable=False),
        _cf(
            "epic_link",
            "epiclink",
            "Epic Link",
            "any",
            ("customfield_10014", "customfield_10003"),
            custom_type=GH_EPIC_LINK,
            editable=True,
        ),
        _cf(
            "epic_name",
            "string",
            "Epic Name",
            "string",
            ("customfield_10011", "customfield_10004"),
            custom_type=GH_EPIC_LABEL,
        ),
        _cf(
            "story_points",
            "number",
            "Story point estimate",
            "number",
            ("customfield_10016", "customfield_10002"),
            custom_type=FLOAT,
            dc_name="Story Points",
            editable=True,
        ),
        _cf("rank", "rank", "Rank", "any", ("customfield_10019", "customfield_10005"), custom_type=GH_RANK),
        _cf(
            "sprint",
            "sprint",
            "Sprint",
            "array",
            ("customfield_10020", "customfield_10001"),
            custom_type=GH_SPRINT,
            schema_items="json",
            editable=True,
        ),
    ]
    stamp = _sys(
        "statuscategorychangedate",
        "datetime",
        "Status Category Changed",
        "datetime",
        "statusCategoryChangedDate",
        orderable=False,
    )
    stamp.dc_id = None
    fields.insert(5, stamp)
    for fid, name in METRIC_FIELDS.items():
        fields.append(_cf(fid, "number", name, "number", (fid, fid), custom_type=FLOAT, editable=True))
    return fields


# --- accounts -------------------------------------------------------------------------------


@dataclass(slots=True)
class User:
    """A Jira account. Only the three service/demo accounts have credentials."""

    key: str
    display_name: str
    email: str
    time_zone: str
    token: str | None = None
    pat: str | None = None
    can_write: bool = True
    admin: bool = False
    dc_key: str = ""

    @property
    def name(self) -> str:
        """The Data Center username."""
        return self.email.split("@")[0]

    @property
    def account_id(self) -> str:
        """A stable Cloud accountId derived from the e-mail address."""
        return "5f" + hashlib.sha1(self.email.encode()).hexdigest()[:22]


def service_accounts(bot_time_zone: str) -> list[User]:
    """The accounts tests and demos log in with."""
    return [
        User("bot", "kpiokr bot", "kpiokr-bot@example.com", bot_time_zone, "sandbox-token", "sandbox-pat", admin=True),
        User("pm", "Pat Morgan", "pm@example.com", "Europe/Berlin", "pm-token", "pm-pat"),
        User("viewer", "Vic Viewer", "viewer@example.com", "UTC", "viewer-token", "viewer-pat", can_write=False),
    ]


#: The people whose work fills the histories (display name, time zone): offices in Bangalore,
#: New York, Berlin and Dublin, so the wire shows +0530, -0500, +0100 and +0000 side by side.
PEOPLE = (
    ("Aisha Khan", "Asia/Kolkata"),
    ("Lena Vogel", "Europe/Berlin"),
    ("Maya Chen", "America/New_York"),
    ("Ravi Iyer", "Asia/Kolkata"),
    ("Tom Becker", "Europe/Berlin"),
    ("Carlos Ruiz", "America/New_York"),
    ("Priya Nair", "Asia/Kolkata"),
    ("Jonas Weber", "Europe/Berlin"),
    ("Emily Stone", "America/New_York"),
    ("Liam O'Brien", "Europe/Dublin"),
    ("Grace Lee", "America/New_York"),
    ("Arjun Mehta", "Asia/Kolkata"),
    ("Sofia Rossi", "Europe/Berlin"),
    ("Noah Fischer", "Europe/Berlin"),
    ("Olivia Brown", "America/New_York"),
)


def people() -> list[User]:
    """The site's human users without credentials."""
    out = []
    for display, tz in PEOPLE:
        handle = display.lower().replace("'", "").replace(" ", ".")
        out.append(User(handle, display, f"{handle}@example.com", tz))
    return out

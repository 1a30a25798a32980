"""The plain tables of a mapping file: the team, the cycle, objective selection and Jira field names."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Annotated, Literal, Self
from zoneinfo import available_timezones

from pydantic import AfterValidator, Field, create_model, model_validator

from sync.mapping.types import IssueKey, ProjectKey, Table, Text, at, did_you_mean
from sync.score_fields import SCORE_FIELDS

Tolerance = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, lt=1)]
Ambition = Literal["committed", "stretch"]


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _time_zone(name: str) -> str:
    if name not in _time_zones():
        hint = did_you_mean(name, _time_zones()) or "; use an IANA name such as Europe/Berlin"
        raise ValueError(f"unknown time zone {name!r}{hint}")
    return name


class TeamSection(Table):
    """The team (or program): its Jira projects, its board and who owns the mapping."""

    name: Text = Field(description="The team's or program's name, as reports show it")
    projects: tuple[ProjectKey, ...] = Field(min_length=1, description='Jira project keys, e.g. ["MOB"]')
    board: Annotated[int, Field(strict=True)] | Text | None = Field(
        None,
        description="The board sprint KPIs, the done column and the estimation field come from: its id (1) or its "
        "name; required by sprint KPIs only",
    )
    board_type: Literal["scrum", "kanban"] = Field("scrum", description="A Kanban board has no sprints")
    timezone: Annotated[Text, AfterValidator(_time_zone)] | None = Field(
        None, description="IANA time zone of the site (e.g. Europe/Berlin); default: the Jira account's"
    )
    owner: Text | None = Field(None, description="Who answers for this mapping")


class CycleSection(Table):
    """The OKR cycle: from ``start`` to ``end``, both days included, in the team's time zone."""

    name: Text = Field(description='e.g. "2026-Q4"')
    start: Annotated[date, Field(strict=True)] = Field(description="First day, e.g. 2026-10-01 (no quotes)")
    end: Annotated[date, Field(strict=True)] = Field(description="Last day, included, e.g. 2026-12-31")

    @model_validator(mode="after")
    def _end_after_start(self) -> Self:
        if self.end < self.start:
            raise at("end", f"must not be before start {self.start.isoformat()}")
        return self


class ObjectivesSection(Table):
    """Which epics are objectives, and the defaults every objective gets."""

    jql: Text | None = Field(None, description="Epics matching this JQL are objectives")
    keys: tuple[IssueKey, ...] = Field((), description="Or: these epics (plus every [[objective]] table)")
    ambition: Ambition = Field("stretch", description="stretch (success at 0.7) or committed (expected at 1.0)")
    tolerance: Tolerance = Field(0.1, description="How far below the expected pace a score is still on track")

    @model_validator(mode="after")
    def _one_selection(self) -> Self:
        if self.jql is not None and self.keys:
            raise at("keys", "give either jql or keys, not both")
        return self


class _ScoreFieldNames(Table):
    def by_setting(self) -> dict[str, str]:
        """The field name (or id) each setting gives, by setting."""
        return {setting: str(name) for setting, name in self}


if TYPE_CHECKING:
    ScoreFields = _ScoreFieldNames
else:  # one setting per entry of the registry
    ScoreFields = create_model(
        "ScoreFields",
        __base__=_ScoreFieldNames,
        __doc__="The Jira custom fields scores are written to, by name or id (customfield_10042).",
        __module__=__name__,
        **{f.setting: (Text, Field(f.default_name, description=f.description)) for f in SCORE_FIELDS},
    )


class JiraFields(Table):
    """Names of Jira fields that differ between sites, resolved against the site's field list."""

    estimate: Text | None = Field(None, description='e.g. "Story Points"; default: the board\'s estimation field')
    sprint: Text = Field("Sprint", description="The sprint field")
    epic_link: Text = Field("Epic Link", description="Classic projects' epic link field")

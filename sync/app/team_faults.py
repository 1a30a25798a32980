"""One team's fault stays its own: what Jira refuses for one mapping skips that team, not the pass.

A JQL Jira rejects (400), a board that is gone (404) or that the account may not see (403), a
field the site lacks: each concerns the mapping that names it. :func:`blame` turns such an error,
raised while kpiokr works for one team, into a :class:`TeamFault` that names the team, the
mapping file and the line of the setting, so the runner skips that team and goes on with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

from sync.errors import FieldNotFound, JiraError, JiraNotFound, JiraPermissionError, JiraRequestRejected, KpiokrError
from sync.mapping import KeyResultMeasure, Loc, TeamMapping, format_loc, measure_tables

#: Errors that concern what one mapping names (a query, a board, a field), not Jira as a whole.
TEAM_LOCAL: tuple[type[JiraError], ...] = (JiraRequestRejected, JiraNotFound, JiraPermissionError, FieldNotFound)


class TeamFault(KpiokrError):  # noqa: N818 - reads as what happened
    """Jira refused something one team's mapping names; that team is skipped this pass."""

    def __init__(self, team: TeamMapping, loc: Loc, error: Exception) -> None:
        self.team = team.team.name
        self.where = team.source.where(loc)
        self.setting = format_loc(loc)
        self.error = error
        super().__init__(
            f"team {self.team!r} skipped: {self.where}: {self.setting}: {str(error).rstrip('.')}. Fix this"
            " setting (`kpiokr check` lists what the site has)."
        )


@contextmanager
def blame(team: TeamMapping, loc: Loc) -> Iterator[None]:
    """Raise a :class:`TeamFault` at ``loc`` of ``team``'s mapping for an error of :data:`TEAM_LOCAL`."""
    try:
        yield
    except TEAM_LOCAL as error:
        raise TeamFault(team, loc, error) from None


def query_count_loc(team: TeamMapping, jql: str) -> Loc:
    """Where the mapping sets a query whose matching issues a key result counts."""
    return _measure_loc(team, lambda m: m.counted_jqls(), jql)


def number_field_loc(team: TeamMapping, name: str) -> Loc:
    """Where the mapping names the number field ``name`` a key result reads."""
    return _measure_loc(team, lambda m: m.number_fields(), name)


def _measure_loc(team: TeamMapping, values: Callable[[KeyResultMeasure], Mapping[str, str]], value: str) -> Loc:
    """The place of the first key of a key-result measure whose ``values`` hold ``value``."""
    for loc, measure in measure_tables(team):
        key = next((k for k, v in values(measure).items() if v == value), None)
        if key is not None:
            return (*loc, key)
    return ("key_results",)

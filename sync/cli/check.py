"""``kpiokr check`` and ``kpiokr fields``: what is wrong with the mapping files, and what the site offers them.

``check`` reads the mapping files, then (unless ``--offline``) asks Jira whether every field, board
and JQL they name exists there. A check that could not reach Jira fails: it proved nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sync.app import explain_missing
from sync.cli.bootstrap import App, GatewayFactory, opened_app
from sync.cli.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from sync.config import Config
from sync.errors import FieldNotFound, JiraError, KpiokrError
from sync.jira import FieldInfo, JiraRestGateway, resolve_field
from sync.mapping import LoadedMappings, TeamMapping, load_mappings, online_checks
from sync.score_fields import OPTIONAL_SETTINGS

#: Resolution names that plainly mean the work was done (compared case-insensitively).
FIX_RESOLUTIONS = frozenset({"done", "fixed", "resolved", "complete", "completed", "implemented", "delivered"})

#: What ``check`` and ``setup`` say of an optional score field: how it is turned on and off.
OPTIONAL_NOTE = (
    "is optional: each sync fills it once the field exists, which `kpiokr setup` creates; without it nothing"
    " is missing (delete the field to stop)"
)
NOTIFY_NOTE = (
    "writes ask Jira not to mail watchers (notifyUsers=false): Jira Cloud ignores that for accounts without "
    "'Administer Projects' (watchers then get mail) and Data Center refuses such writes; grant the service "
    "account project admin on the teams' projects, or set writeback.notify_users = true"
)


@dataclass
class Findings:
    """What a check found, in the order it is printed."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def print(self, mappings: int) -> None:
        """Each finding on a line of its own, then the counts."""
        for kind, lines in (("error", self.errors), ("warning", self.warnings), ("note", self.notes)):
            for line in lines:
                print(f"{kind}: {line}")
        print(f"{mappings} mapping(s), {len(self.errors)} error(s), {len(self.warnings)} warning(s)")


def _file_findings(loaded: LoadedMappings) -> Findings:
    return Findings([str(e) for e in loaded.errors], [str(w) for w in loaded.warnings])


def check_files(paths: Sequence[str]) -> int:
    """``kpiokr check PATH...``: the mapping files (or directories) alone, without a config or Jira."""
    loaded = load_mappings([Path(p) for p in paths])
    _file_findings(loaded).print(len(loaded.teams))
    return EXIT_USAGE if loaded.errors else EXIT_OK


def check(config: Config, *, offline: bool, gateways: GatewayFactory = JiraRestGateway) -> int:
    """``kpiokr check``: mapping files, then (unless ``offline``) their fields, boards and JQL in Jira.

    Exit 2 when the files have errors, 1 when Jira disagrees with them or could not be asked.
    """
    loaded = load_mappings(config.mapping_paths)
    found = _file_findings(loaded)
    if loaded.errors:
        found.print(len(loaded.teams))
        return EXIT_USAGE
    reached = True
    if not offline:
        try:
            with opened_app(config, os.environ, gateways) as app:
                _check_online(app, found)
        except (JiraError, KpiokrError) as error:
            reached = False
            found.errors.append(f"Jira not checked: {error} (`kpiokr check --offline` checks the files alone)")
    found.print(len(loaded.teams))
    if not reached or found.errors:
        return EXIT_FAILED
    return EXIT_OK


def _check_online(app: App, found: Findings) -> None:
    fields = app.jira.fields()
    written = app.store.field_ids_written()
    teams = app.mappings.current()
    for team in teams:
        for item in online_checks(team):
            message: str | None = None
            try:
                if item.kind == "field":
                    resolve_field(fields, str(item.value))
                elif item.kind == "board":
                    app.jira.find_board(item.value)
                elif item.kind == "jql":
                    message = app.jira.jql_is_valid(str(item.value).replace("{epic}", "KEY-1"))
                elif item.kind == "project":
                    message = app.jira.jql_is_valid(f'project = "{item.value}"')
            except FieldNotFound as error:
                section, _, setting = item.location.partition(".")
                if section != "score_fields":
                    message = str(error)
                elif optional_unnamed(team, setting) and not error.reason:
                    found.notes.append(str(item.problem(f"{item.value!r} {OPTIONAL_NOTE}")))
                elif error.reason or str(item.value) in written:
                    message = explain_missing(str(item.value), setting, fields, written, error)
                else:
                    found.notes.append(str(item.problem(f"{item.value!r} is to be created by `kpiokr setup`")))
            except JiraError as error:
                message = str(error)
            if message:
                found.errors.append(str(item.problem(message)))
    found.notes.extend(_undecided_resolutions(teams, app.jira.resolutions()))
    if not app.config.writeback.notify_users:
        found.notes.append(NOTIFY_NOTE)


def optional_unnamed(team: TeamMapping, setting: str) -> bool:
    """True when ``setting`` is an optional score field that ``team``'s mapping does not name."""
    return setting in OPTIONAL_SETTINGS and setting not in team.score_fields.model_fields_set


def _undecided_resolutions(teams: Iterable[TeamMapping], site: Sequence[str]) -> list[str]:
    """The site's resolutions a resolution KPI neither leaves out nor plainly counts as a fix."""
    notes = []
    for team in teams:
        for kpi in team.kpis:
            excluded = getattr(kpi.calculator(), "excluded_resolutions", None)
            if excluded is None:
                continue
            decided = FIX_RESOLUTIONS | {r.casefold() for r in excluded}
            undecided = [r for r in site if r.casefold() not in decided]
            if undecided:
                names = ", ".join(repr(r) for r in undecided)
                notes.append(
                    f"{team.source.path}: kpi {kpi.key!r} counts issues resolved as {names} as fixed: list those "
                    "that mean no work was done in its excluded_resolutions"
                )
    return notes


def fields(config: Config, gateways: GatewayFactory = JiraRestGateway) -> int:
    """``kpiokr fields``: every field of the site with its id, its type and the name a mapping can use."""
    with opened_app(config, os.environ, gateways) as app:
        site = app.jira.fields()
    rows = [(f.id, _field_type(f), _mapping_name(site, f)) for f in sorted(site, key=lambda f: f.name.casefold())]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(("id", "type", "name"))]
    for row in [("id", "type", "name in a mapping"), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    print(f"{len(rows)} field(s)")
    return EXIT_OK


def _field_type(info: FieldInfo) -> str:
    """Jira's type of the field's values, and the custom type's short name: ``number (float)``."""
    kind = info.schema_type or "-"
    return f"{kind} ({info.custom_type.rpartition(':')[2]})" if info.custom_type else kind


def _mapping_name(site: Sequence[FieldInfo], info: FieldInfo) -> str:
    """The field's name when it finds this field (names are unique), else its id."""
    try:
        return info.name if resolve_field(site, info.name).id == info.id else info.id
    except FieldNotFound:
        return info.id

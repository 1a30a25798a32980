"""Loading mapping files: every file read, every problem in every file reported at once, with its place.

``load_mappings`` never stops at the first problem. It parses each file (TOML syntax errors get
their ``file:line:column`` out of ``tomllib``'s message), validates it against the schema with
references checked, then checks what spans files (one objective in one file only), then lints.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import ValidationError

from sync.errors import MappingError
from sync.mapping.build import measure_tables
from sync.mapping.lint import lint_team
from sync.mapping.problems import MappingProblem, MappingSource, format_loc, validation_problems
from sync.mapping.schema import TeamMapping
from sync.mapping.toml_positions import Loc, syntax_error_position, toml_positions

PathLike = str | Path

NO_MAPPING_FILES = (
    "no mapping files (*.toml) in this directory; write one per team (the examples in mappings/examples/ are a "
    "start); subdirectories are not read"
)


@dataclass(frozen=True)
class LoadedMappings:
    """The valid team mappings, and the errors and warnings of every file read."""

    teams: tuple[TeamMapping, ...]
    errors: tuple[MappingProblem, ...]
    warnings: tuple[MappingProblem, ...]

    def raise_for_errors(self) -> None:
        """Raise :class:`MappingError` listing every error, if there is any."""
        if self.errors:
            raise MappingError(self.errors)


def mapping_files(paths: PathLike | Iterable[PathLike]) -> tuple[list[Path], list[MappingProblem]]:
    """The ``*.toml`` files named or directly inside the directories named (sorted, each once; a
    subdirectory such as ``mappings/examples`` is not read), and paths that are neither."""
    files: list[Path] = []
    problems: list[MappingProblem] = []
    for path in [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]:
        if path.is_dir():
            found = sorted(path.glob("*.toml"))
            files.extend(found)
            if not found:
                problems.append(MappingProblem(str(path), None, None, "", NO_MAPPING_FILES))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(MappingProblem(str(path), None, None, "", "no such file or directory"))
    return list(dict.fromkeys(files)), problems


def parse_mapping(text: str, path: str) -> tuple[TeamMapping | None, list[MappingProblem]]:
    """Parse and validate one mapping file's text; ``path`` is how problems name the file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line, column, message = syntax_error_position(error, text)
        return None, [MappingProblem(path, line, column, "", f"TOML syntax: {message}")]
    source = MappingSource(path, toml_positions(text))
    try:
        return TeamMapping.from_toml_data(data, source), []
    except ValidationError as error:
        return None, validation_problems(error, TeamMapping, source)


def load_mappings(paths: PathLike | Iterable[PathLike]) -> LoadedMappings:
    """Read, validate and lint every mapping file in ``paths`` (files or directories)."""
    files, errors = mapping_files(paths)
    teams: list[TeamMapping] = []
    for file in files:
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            errors.append(MappingProblem(str(file), None, None, "", f"cannot read the file: {error}"))
            continue
        team, problems = parse_mapping(text, str(file))
        errors.extend(problems)
        if team is not None:
            teams.append(team)
    errors.extend(duplicates(teams))
    warnings = [w for team in teams for w in lint_team(team)]
    errors.sort(key=MappingProblem.sort_key)
    warnings.sort(key=MappingProblem.sort_key)
    return LoadedMappings(tuple(teams), tuple(errors), tuple(warnings))


def check_offline(
    paths: PathLike | Iterable[PathLike],
) -> tuple[tuple[MappingProblem, ...], tuple[MappingProblem, ...]]:
    """``(errors, warnings)`` of the mapping files, without Jira: what ``kpiokr check`` reports first."""
    loaded = load_mappings(paths)
    return loaded.errors, loaded.warnings


# --- what spans files ---------------------------------------------------------------------------


def duplicates(teams: Iterable[TeamMapping]) -> list[MappingProblem]:
    """Teams, objectives and key results mapped twice, and KPI keys defined twice by one team,
    within a file or across files.

    An epic may appear both in ``[objectives] keys`` and as an ``[[objective]]`` table of the same
    file: the table then only adds settings. KPI keys are the team's own: two teams may both have
    a ``velocity``.
    """
    problems: list[MappingProblem] = []
    places: dict[tuple[str, str, str], list[tuple[TeamMapping, str, str]]] = {}
    for team, what, name, loc, role in _named_things(teams):
        source = team.source
        scope = team.team.name if what == "KPI" else ""
        earlier = places.setdefault((scope, what, name), [])
        clash = next((place for other, other_role, place in earlier if other is not team or other_role == role), None)
        if clash is not None and what == "KPI":
            problems.append(
                source.problem(loc, f"KPI {name} is already defined at {clash}; give each [[kpi]] its own key")
            )
        elif clash is not None:
            problems.append(source.problem(loc, f"{what} {name} is already mapped at {clash}"))
        earlier.append((team, role, source.where(loc)))
    return problems


def _named_things(teams: Iterable[TeamMapping]) -> Iterator[tuple[TeamMapping, str, str, Loc, str]]:
    for team in teams:
        yield team, "team", team.team.name, ("team", "name"), "team"
        for index, kpi in enumerate(team.kpis):
            yield team, "KPI", kpi.key, ("kpi", index, "key"), "kpi"
        for index, key in enumerate(team.objectives.keys):
            yield team, "objective", key, ("objectives", "keys", index), "listed"
        for index, objective in enumerate(team.objective_overrides):
            yield team, "objective", objective.key, ("objective", index, "key"), "table"
            for kr_index, key_result in enumerate(objective.key_results):
                yield team, "key result", key_result.key, ("objective", index, "key_result", kr_index, "key"), "table"


# --- what only Jira can confirm -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OnlineCheck:
    """A name the mapping expects to exist in Jira: a project, board, field, or a JQL that must parse.

    A key-result ``jql`` still holds ``{epic}``; substitute an epic key before running it.
    """

    path: str
    line: int
    column: int
    location: str
    kind: Literal["project", "board", "field", "jql"]
    value: str | int

    def problem(self, message: str) -> MappingProblem:
        """A problem at this check's place, e.g. ``no field named 'Downloads' on the site``."""
        return MappingProblem(self.path, self.line, self.column, self.location, message)


def online_checks(team: TeamMapping) -> tuple[OnlineCheck, ...]:
    """Everything ``team`` uses that must exist in Jira, each with its place in the file.

    Only what the mapping uses: the score fields when it has objectives, the sprint field when a
    KPI is measured per sprint, the board and the other ``[jira_fields]`` names when it sets them.
    """
    source = team.source

    def check(loc: Loc, kind: Literal["project", "board", "field", "jql"], value: str | int) -> OnlineCheck:
        line, column = source.positions.find(loc)
        return OnlineCheck(source.path, line, column, format_loc(loc), kind, value)

    found = [check(("team", "projects", i), "project", key) for i, key in enumerate(team.team.projects)]
    if team.team.board is not None:
        found.append(check(("team", "board"), "board", team.team.board))
    if team.has_objectives:
        found.extend(check(("score_fields", name), "field", value) for name, value in team.score_fields)
    used = set(team.jira_fields.model_fields_set) - {"sprint"}
    if any(kpi.calculator_class().needs_sprints for kpi in team.kpis):
        used.add("sprint")
    found.extend(
        check(("jira_fields", name), "field", value)
        for name, value in team.jira_fields
        if name in used and value is not None
    )
    if team.objectives.jql is not None:
        found.append(check(("objectives", "jql"), "jql", team.objectives.jql))
    if team.key_results.jql is not None:
        found.append(check(("key_results", "jql"), "jql", team.key_results.jql))
    for loc, measure in measure_tables(team):
        found.extend(check((*loc, key), "field", name) for key, name in measure.number_fields().items())
        found.extend(check((*loc, key), "jql", jql) for key, jql in measure.counted_jqls().items())
    found.extend(check(("kpi", i, "jql"), "jql", kpi.jql) for i, kpi in enumerate(team.kpis) if kpi.jql is not None)
    return tuple(found)

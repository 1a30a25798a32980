"""The admin's mapping files: pydantic schema, loader with file:line errors, TOML positions, lint."""

from sync.errors import MappingError
from sync.mapping.build import (
    build_cycle,
    build_key_result,
    build_kpi_definitions,
    build_objective,
    key_result_jql,
    measure_tables,
    numeric_fields,
    query_count_jqls,
    team_timezone,
)
from sync.mapping.key_results import KeyResultMeasure
from sync.mapping.lint import key_result_count_warnings, lint_team, objective_count_warnings, unmeasured_warnings
from sync.mapping.loader import LoadedMappings, load_mappings, online_checks
from sync.mapping.problems import MappingProblem, format_loc
from sync.mapping.review import REVIEW_KINDS, WEEKDAYS, ReviewKind, ReviewSection
from sync.mapping.schema import TeamMapping
from sync.mapping.sections import CycleSection
from sync.mapping.toml_positions import Loc
from sync.mapping.watch import MappingWatcher

__all__ = [
    "REVIEW_KINDS",
    "WEEKDAYS",
    "CycleSection",
    "KeyResultMeasure",
    "LoadedMappings",
    "Loc",
    "MappingError",
    "MappingProblem",
    "MappingWatcher",
    "ReviewKind",
    "ReviewSection",
    "TeamMapping",
    "build_cycle",
    "build_key_result",
    "build_kpi_definitions",
    "build_objective",
    "format_loc",
    "key_result_count_warnings",
    "key_result_jql",
    "lint_team",
    "load_mappings",
    "measure_tables",
    "numeric_fields",
    "objective_count_warnings",
    "online_checks",
    "query_count_jqls",
    "team_timezone",
    "unmeasured_warnings",
]

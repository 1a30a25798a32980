"""Mapping files: the public entry to loading, checking and using them.

``python -m sync.mapping.file --schema > mappings/schema.json`` regenerates the JSON schema
editors validate mapping files with.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, NoDefault
from pydantic_core import core_schema

from sync.errors import MappingError
from sync.mapping.build import (
    build_cycle,
    build_key_result,
    build_kpi_definition,
    build_kpi_definitions,
    build_objective,
    key_result_jql,
    numeric_fields,
    team_timezone,
)
from sync.mapping.kpis import KpiBase, WindowSpec
from sync.mapping.lint import (
    key_result_count_warnings,
    lint_team,
    objective_count_warnings,
    unmeasured_warnings,
    vanity_reason,
)
from sync.mapping.loader import LoadedMappings, OnlineCheck, check_offline, load_mappings, online_checks, parse_mapping
from sync.mapping.problems import MappingProblem, MappingSource
from sync.mapping.schema import TeamMapping

SCHEMA_COMMAND = "python -m sync.mapping.file --schema > mappings/schema.json"

__all__ = [
    "SCHEMA_COMMAND",
    "KpiBase",
    "LoadedMappings",
    "MappingError",
    "MappingProblem",
    "MappingSource",
    "OnlineCheck",
    "TeamMapping",
    "WindowSpec",
    "build_cycle",
    "build_key_result",
    "build_kpi_definition",
    "build_kpi_definitions",
    "build_objective",
    "check_offline",
    "key_result_count_warnings",
    "key_result_jql",
    "lint_team",
    "load_mappings",
    "mapping_json_schema",
    "numeric_fields",
    "objective_count_warnings",
    "online_checks",
    "parse_mapping",
    "team_timezone",
    "unmeasured_warnings",
    "vanity_reason",
]


class _TomlJsonSchema(GenerateJsonSchema):
    """TOML has no null: an optional key is one that is left out, not one that may be null."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def get_default_value(self, schema: core_schema.WithDefaultSchema) -> Any:
        default = super().get_default_value(schema)
        return NoDefault if default is None else default

    def encode_default(self, dft: Any) -> Any:
        return _without_nulls(super().encode_default(dft))


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


def mapping_json_schema() -> dict[str, Any]:
    """The JSON schema of a mapping file, as ``mappings/schema.json`` holds it."""
    schema = TeamMapping.model_json_schema(by_alias=True, schema_generator=_TomlJsonSchema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$comment": f"Generated from sync/mapping/schema.py; do not edit. Regenerate: {SCHEMA_COMMAND}",
        **schema,
    }


def schema_text() -> str:
    """``schema.json``'s exact text."""
    return json.dumps(mapping_json_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``--schema``: print the JSON schema of mapping files."""
    parser = argparse.ArgumentParser(prog="python -m sync.mapping.file", description=__doc__)
    parser.add_argument("--schema", action="store_true", help="print the JSON schema of mapping files")
    args = parser.parse_args(argv)
    if not args.schema:
        parser.print_usage()
        return 2
    sys.stdout.write(schema_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())

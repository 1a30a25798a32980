"""The property documents' JSON Schemas (``schemas/``), as validators for the tests."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, FormatChecker

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@cache
def validator(property_key: str) -> Draft202012Validator:
    """A validator of ``property_key``'s documents (``kpiokr.objective`` or ``kpiokr.team``), formats checked."""
    schema = json.loads((SCHEMAS / f"{property_key}.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())

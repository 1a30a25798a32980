"""Validating sandbox answers against Atlassian's OpenAPI documents (the subset in tests/fixtures/openapi/).

Known defects of the generated Data Center 10.3 document are worked around narrowly, as listed
in ``DC_DEFECTS`` (the same ones zackbunch/jira-dc-mock-server documents in COMPATIBILITY.md):
list endpoints declare their item schema, and ``IssueBean.fields`` declares every value an object.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import FormatChecker
from openapi_schema_validator import OAS30ReadValidator

from tests.shared import JIRA_API, OPENAPI_DOCUMENTS

NOT_IN_SUBSET = (
    "{what} is not in the OpenAPI subset of {name!r}: add it to OPERATIONS or COMPONENTS in "
    "tests/fixtures/regenerate.py and run `.venv/bin/python -m tests.fixtures.regenerate`"
)
#: Every document: recorded Jira changelogs (jira-samples: jirametrics SP-13, mattermost webhooks) carry
#: ``"from": null`` etc., which the schemas do not declare nullable; only those four are relaxed.
NULLABLE_CHANGE_ITEM = ("from", "fromString", "to", "toString")
DC_DEFECTS = (
    "GET /field, /status, /statuscategory, /agile/1.0/board, /board/{id}/sprint answer lists but declare the item",
    "IssueBean.fields declares every field value as an object (Jira sends strings, numbers, arrays, null)",
    "GET /agile/1.0/board/{boardId}/issue declares IssueBean instead of SearchResultsBean",
    "EntityPropertyBean.value declares a string (Jira answers the property's JSON value itself)",
)
JIRA_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{4}$")

CHECKER = FormatChecker(formats=())


@CHECKER.checks("date-time")
def _jira_time(value: object) -> bool:
    return not isinstance(value, str) or bool(JIRA_TIME.match(value))


@CHECKER.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


@CHECKER.checks("int32")
def _int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@CHECKER.checks("int64")
def _int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


@cache
def spec(name: str) -> dict[str, Any]:
    """A spec document (the DC one with its ``IssueBean.fields`` defect relaxed)."""
    doc = json.loads((JIRA_API / OPENAPI_DOCUMENTS[name]).read_text())
    _relax_change_items(doc)
    if name == "dc":
        doc = copy.deepcopy(doc)
        doc["components"]["schemas"]["IssueBean"]["properties"]["fields"]["additionalProperties"] = {}
        doc["components"]["schemas"]["EntityPropertyBean"]["properties"]["value"] = {}
    return doc


def _relax_change_items(node: Any) -> None:
    """Make a changelog item's from/fromString/to/toString nullable, wherever the schema sits."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict) and {"field", "fieldtype", *NULLABLE_CHANGE_ITEM} <= props.keys():
            for name in NULLABLE_CHANGE_ITEM:
                props[name] = {**props[name], "nullable": True}
        for value in node.values():
            _relax_change_items(value)
    elif isinstance(node, list):
        for value in node:
            _relax_change_items(value)


def response_schema(name: str, path: str, method: str, status: int) -> dict[str, Any] | None:
    """The declared response schema of an operation (None when the document has none)."""
    op = spec(name)["paths"].get(path, {}).get(method.lower())
    assert op is not None, NOT_IN_SUBSET.format(what=f"{method.lower()} {path}", name=name)
    content = op["responses"][str(status)].get("content", {}).get("application/json") or {}
    return content.get("schema")


def component(name: str, schema_name: str) -> dict[str, Any]:
    """``{"$ref": "#/components/schemas/<schema_name>"}`` after checking it exists."""
    assert schema_name in spec(name)["components"]["schemas"], NOT_IN_SUBSET.format(what=schema_name, name=name)
    return {"$ref": f"#/components/schemas/{schema_name}"}


def validate(name: str, schema: dict[str, Any], instance: Any) -> list[str]:
    """Every validation error of ``instance`` against ``schema`` (resolved inside document ``name``)."""
    root = dict(schema)
    root["components"] = spec(name)["components"]
    validator = OAS30ReadValidator(root, format_checker=CHECKER)
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in validator.iter_errors(instance)
    ]

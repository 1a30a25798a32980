"""The Jira fixtures live in the repository, hold what the tests use, and are what the script makes.

``tests/fixtures/regenerate.py`` cuts them from the full material in ``../shared``; the tests read only
the committed copies, so a clone without ``../shared`` runs the same tests.
"""

from __future__ import annotations

import json

import pytest

from tests.fixtures import regenerate
from tests.sandbox import test_properties_schema
from tests.sandbox.test_schema import CLOUD, DC
from tests.shared import FIXTURES, JIRA_API, JIRA_SAMPLES, OPENAPI_DOCUMENTS, SOURCE_API, SOURCE_SAMPLES

REPOSITORY = FIXTURES.parents[1]
DOCUMENTS = {name: json.loads((JIRA_API / file_name).read_text()) for name, file_name in OPENAPI_DOCUMENTS.items()}


def test_the_fixtures_the_tests_load_are_in_the_repository():
    for folder in (JIRA_SAMPLES, JIRA_API):
        assert folder.resolve().is_relative_to(REPOSITORY), folder
    assert all((JIRA_API / file_name).is_file() for file_name in OPENAPI_DOCUMENTS.values())
    assert (JIRA_SAMPLES / "jirametrics/spec/testdata/SP-10.json").is_file()


@pytest.mark.parametrize("name", OPENAPI_DOCUMENTS)
def test_every_reference_in_the_openapi_subset_resolves(name):
    doc = DOCUMENTS[name]
    unresolved = {(kind, ref) for kind, ref in regenerate.refs(doc) if ref not in doc["components"].get(kind, {})}
    assert not unresolved


def test_the_subset_holds_the_operations_and_schemas_the_schema_tests_validate():
    operations: dict[str, set[str]] = {name: set() for name in OPENAPI_DOCUMENTS}
    components: dict[str, set[str]] = {name: set() for name in OPENAPI_DOCUMENTS}
    for case in CLOUD + DC:
        if case.op:
            path, method, _status = case.op
            operations[case.doc].add(f"{method} {path}")
        if case.component:
            components[case.doc].add(case.component)
    for name, checked in test_properties_schema.OPERATIONS.items():
        operations[name] |= checked
    assert operations == {name: set(regenerate.OPERATIONS[name]) for name in OPENAPI_DOCUMENTS}
    assert components == {name: set(regenerate.COMPONENTS.get(name, ())) for name in OPENAPI_DOCUMENTS}
    for name, doc in DOCUMENTS.items():
        kept = {
            f"{method} {path}" for path, item in doc["paths"].items() for method in item.keys() & regenerate.METHODS
        }
        assert kept == operations[name]


def test_the_committed_fixtures_are_what_the_script_makes_from_the_full_documents():
    if not (SOURCE_SAMPLES.is_dir() and SOURCE_API.is_dir()):
        pytest.skip(f"no full Jira samples and OpenAPI documents at {SOURCE_SAMPLES.parent} to compare with")
    expected = regenerate.generated(SOURCE_SAMPLES.parent)
    actual = regenerate.committed()
    differing = sorted(name for name in expected.keys() | actual.keys() if expected.get(name) != actual.get(name))
    assert not differing, f"run `.venv/bin/python -m tests.fixtures.regenerate`; these differ: {differing}"

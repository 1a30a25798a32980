"""The Forge app's fixtures are the daemon's own documents, and they follow the published schemas."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fixtures.forge_documents import FORGE_FIXTURES, generated
from tests.properties_support import validator


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return generated()


def test_committed_fixtures_equal_the_generators_output(files: dict[str, bytes]) -> None:
    committed = {p.name: p.read_bytes() for p in FORGE_FIXTURES.glob("*.json")}
    assert committed == files, "run .venv/bin/python -m tests.fixtures.forge_documents and commit the output"


@pytest.mark.parametrize("name", ["on_track", "guardrail_breach", "no_data_yet", "shortened_series"])
def test_each_scenario_validates_and_shows_what_it_is_named_after(files: dict[str, bytes], name: str) -> None:
    document = json.loads(files[f"{name}.objective.json"])
    validator("kpiokr.objective").validate(document)
    if name == "on_track":
        assert document["status"] == "on track"
        assert document["key_results"]
    if name == "guardrail_breach":
        assert any(g["status"] == "breach" for g in document["guardrails"])
        assert any("breached" in r for r in document["reasons"])
    if name == "no_data_yet":
        assert not document["key_results"]
        assert not document["data_quality"]["complete"]
        assert all(g["series_kind"] == "trend" for g in document["guardrails"])
    if name == "shortened_series":
        assert document["shortened"]
        assert len(json.dumps(document).encode()) > 20_000
        assert all(0 < len(g["series"]) < 30 for g in document["guardrails"])


def test_team_documents_validate_and_hold_teams_by_name(files: dict[str, bytes]) -> None:
    shared = json.loads(files["shared.team.json"])
    for name in ("mob.team.json", "shared.team.json"):
        validator("kpiokr.team").validate(json.loads(files[name]))
    assert sorted(shared["teams"]) == ["MOB", "WEB"]
    statuses = [o["status"] for o in shared["teams"]["WEB"]["objectives"]]
    assert statuses == sorted(statuses, key=["off track", "at risk", "on track"].index)


def test_the_schemas_are_valid_draft_2020_12() -> None:
    for name in ("kpiokr.objective", "kpiokr.team"):
        schema = validator(name).schema
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert Path(validator(name).schema["$id"]).name == f"{name}.schema.json"

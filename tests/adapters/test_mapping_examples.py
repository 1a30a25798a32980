"""The shipped example mappings load cleanly, and the committed schema.json matches the models and validates them."""

import json
import tomllib
from datetime import date
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from sync.mapping.file import SCHEMA_COMMAND, load_mappings, main, schema_text

MAPPINGS = Path(__file__).resolve().parents[2] / "mappings"
EXAMPLES = sorted((MAPPINGS / "examples").glob("*.toml"))


def test_the_examples_load_without_errors_or_warnings():
    loaded = load_mappings(MAPPINGS / "examples")
    assert [str(p) for p in loaded.errors] == []
    assert [str(p) for p in loaded.warnings] == []
    assert [t.team.name for t in loaded.teams] == ["Mobile", "Checkout program", "Customer Support"]


def test_the_examples_show_what_each_kind_of_team_measures():
    mobile, program, support = load_mappings(MAPPINGS / "examples").teams
    assert {k.kind for k in mobile.kpis} == {
        "velocity", "resolution_time", "cycle_time", "say_do_ratio", "scope_change", "reopen_rate"
    }  # fmt: skip
    critical = next(k for k in mobile.kpis if k.kind == "resolution_time")
    assert (critical.priorities, critical.target) == (("Highest", "Critical"), 48)
    fields = {kr.field for o in mobile.objective_overrides for kr in o.key_results if hasattr(kr, "field")}
    assert fields == {"Downloads", "App rating", "Market share", "Code coverage"}
    assert {k.kind for k in support.kpis} == {"resolution_time", "sla_adherence", "throughput", "wip", "ageing_wip"}
    assert support.team.board_type == "kanban"
    assert {k.kind for k in program.kpis} == {"schedule_adherence", "defect_ratio", "budget_variance", "lead_time"}
    assert program.team.projects == ("WEB", "MOB", "SUP")
    assert [(t.team.board, t.cycle.start, t.cycle.end) for t in (mobile, support, program)] == [
        (board, date(2026, 10, 1), date(2026, 12, 31)) for board in (1, 2, 3)
    ]


def test_the_committed_schema_matches_the_models():
    committed = (MAPPINGS / "schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), f"mappings/schema.json is out of date: run `{SCHEMA_COMMAND}`"


def test_the_readme_explains_every_key():
    readme = (MAPPINGS / "README.md").read_text(encoding="utf-8")
    schema = json.loads(schema_text())
    keys = {key for model in [schema, *schema["$defs"].values()] for key in model.get("properties", {})}
    forms = ("`{}`", "[{}]", "[[{}]]", ".{}]]", "{{ {} = ")
    assert sorted(k for k in keys if not any(form.format(k) in readme for form in forms)) == []


def test_the_schema_command_prints_it(capsys):
    assert main(["--schema"]) == 0
    assert capsys.readouterr().out == schema_text()


def as_json(value: object) -> object:
    """TOML data as an editor's schema validator sees it: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    return Draft202012Validator(json.loads((MAPPINGS / "schema.json").read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_editors_accept_the_examples_and_the_examples_name_the_schema(validator, path):
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#:schema ../schema.json\n")
    assert list(validator.iter_errors(as_json(tomllib.loads(text)))) == []


def test_editors_flag_unknown_keys_and_kinds(validator):
    data = as_json(tomllib.loads((MAPPINGS / "examples" / "mobile.toml").read_text(encoding="utf-8")))
    data["kpi"][0]["kind"] = "velocty"
    data["objective"][0]["key_result"][0]["tagret"] = 1
    data["team"]["board_type"] = "scrumm"
    assert sorted(list(e.absolute_path)[:2] for e in validator.iter_errors(data)) == [
        ["kpi", 0],
        ["objective", 0],
        ["team", "board_type"],
    ]


def test_the_admins_mapping_directory_holds_no_example():
    assert sorted(p.name for p in MAPPINGS.glob("*.toml")) == []
    assert [p.name for p in EXAMPLES] == ["mobile.toml", "program.toml", "support.toml"]

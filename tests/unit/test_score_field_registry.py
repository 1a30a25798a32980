"""The score fields are declared once (sync/score_fields.py) and everything else reads them there."""

import re
from datetime import UTC, datetime
from pathlib import Path

from kpiokr.forecasting import Forecast
from kpiokr.okr import (
    ChildCompletion,
    Cycle,
    KeyResult,
    KeyResultScore,
    Objective,
    ObjectiveScore,
    ObjectiveStatus,
)
from sync.app.evaluate import ScoreFieldIds, desired_values
from sync.app.results import TeamResult
from sync.jira.site import FieldInfo
from sync.mapping.sections import ScoreFields
from sync.score_fields import KEY_RESULT_FIELDS, OBJECTIVE_FIELDS, SCORE_FIELDS, AnyScoreField

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = ROOT / "sync" / "score_fields.py"
AT = datetime(2026, 11, 20, 12, tzinfo=UTC)
KIND_WORDS = {"number": "number", "select": "select, or text on Data Center", "text": "text"}


def _sources() -> list[Path]:
    return sorted(p for d in ("sync", "kpiokr", "jira_sandbox", "benchmarks") for p in (ROOT / d).rglob("*.py"))


def test_no_module_but_the_registry_names_a_score_setting_or_default_name():
    words = [f.setting for f in SCORE_FIELDS] + [f.default_name for f in SCORE_FIELDS]
    pattern = re.compile("|".join(rf"\b{re.escape(w)}\b" for w in words))
    naming = [str(p.relative_to(ROOT)) for p in _sources() if pattern.search(p.read_text(encoding="utf-8"))]
    assert naming == ["sync/score_fields.py"]


def test_the_kind_of_a_jira_field_is_defined_once():
    definition = re.compile(r"^(class )?FieldKind\b", re.MULTILINE)
    defining = [str(p.relative_to(ROOT)) for p in _sources() if definition.search(p.read_text(encoding="utf-8"))]
    assert defining == ["sync/score_fields.py"]


def test_the_mapping_settings_are_the_registry_entries_with_their_default_names():
    assert ScoreFields().by_setting() == {f.setting: f.default_name for f in SCORE_FIELDS}
    described = {name: info.description for name, info in ScoreFields.model_fields.items()}
    assert described == {
        "objective_score": "Number field on the epic",
        "objective_status": "Select list on the epic",
        "objective_summary": "Text field on the epic",
        "objective_forecast_score": "Number field on the epic (optional: written where the site has it)",
        "key_result_progress": "Number field on each key-result issue",
    }


def _readme_row(f: AnyScoreField) -> str:
    return f"| {f.default_name} ({KIND_WORDS[f.kind]}) | {f.written_to} | {f.holds} |"


def _mappings_readme_row(f: AnyScoreField) -> str:
    return f'| `{f.setting}` | `"{f.default_name}"` | {f.written_to} | {KIND_WORDS[f.kind]}: {f.holds} |'


def _table_after(text: str, heading: str) -> list[str]:
    rows = text.split(heading, 1)[1].split("\n|", 1)[1].split("\n\n", 1)[0]
    return ["|" + row for row in rows.split("\n|")][2:]  # the header and the rule left out


def test_the_readme_table_of_what_lands_in_jira_is_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert _table_after(readme, "## What lands in Jira") == [_readme_row(f) for f in SCORE_FIELDS]


def test_the_mapping_readme_table_of_score_fields_is_the_registry():
    readme = (ROOT / "mappings" / "README.md").read_text(encoding="utf-8")
    assert _table_after(readme, "### `[score_fields]`") == [_mappings_readme_row(f) for f in SCORE_FIELDS]


def _field(setting: str) -> FieldInfo:
    kind = next(f.kind for f in SCORE_FIELDS if f.setting == setting)
    custom = "com.atlassian.jira.plugin.system.customfieldtypes:select" if kind == "select" else None
    return FieldInfo(
        f"customfield_{setting}", setting.replace("_", " "), True, "number" if kind == "number" else "option", custom
    )


def _result() -> TeamResult:
    cycle = Cycle("2026-Q4", datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    krs = (KeyResult("MOB-2", "done", ChildCompletion()), KeyResult("MOB-3", "not measured", ChildCompletion()))
    objective = Objective("MOB-1", "Grow", cycle, krs)
    graded = (KeyResultScore("MOB-2", 0.5, "1/2 issues done"), KeyResultScore("MOB-3", None, "no child issues yet"))
    score = ObjectiveScore("MOB-1", 0.25, 0.4, ObjectiveStatus.AT_RISK, ("behind",), graded)
    return TeamResult("Mobile", AT, "2026-Q4", ((objective, score),), ())


def test_each_field_gets_its_value_on_its_issues_and_a_key_result_without_a_grade_gets_none():
    fields = ScoreFieldIds({f.setting: _field(f.setting) for f in SCORE_FIELDS})
    written = {(d.issue_key, d.field_id): (d.kind, d.value) for d in desired_values(_result(), fields)}  # no forecasts
    assert written == {
        ("MOB-1", "customfield_objective_score"): ("number", 0.25),
        ("MOB-1", "customfield_objective_status"): ("select", "at risk"),
        ("MOB-1", "customfield_objective_summary"): ("text", "0.25 · at risk · behind"),
        ("MOB-2", "customfield_key_result_progress"): ("number", 0.5),
    }
    assert fields.complete


def test_a_missing_field_leaves_out_its_writes_only():
    kept = [f for f in SCORE_FIELDS if f.setting != "objective_status"]
    fields = ScoreFieldIds({f.setting: _field(f.setting) for f in kept})
    written = {d.field_id for d in desired_values(_result(), fields, {})}
    assert written == {f"customfield_{f.setting}" for f in kept}
    assert not fields.complete


def _forecast(projection: float) -> Forecast:
    return Forecast(projection, projection - 0.1, projection + 0.1, 0.4, 0.7, "key results combined", 30)


def test_the_forecast_field_holds_the_objectives_forecast_and_is_emptied_without_one():
    forecast_fields = [f for f in SCORE_FIELDS if f.from_forecast]
    assert [(f.kind, f.place, f.optional) for f in forecast_fields] == [("number", "objective", True)]
    fields = ScoreFieldIds({f.setting: _field(f.setting) for f in SCORE_FIELDS})
    ids = {f"customfield_{f.setting}" for f in forecast_fields}

    def forecast_values(forecasts: dict[str, Forecast] | None) -> dict[str, object]:
        return {d.issue_key: d.value for d in desired_values(_result(), fields, forecasts) if d.field_id in ids}

    assert forecast_values({"MOB-1": _forecast(0.64)}) == {"MOB-1": 0.64}
    assert forecast_values({}) == {"MOB-1": None}, "no forecast: the field is emptied, never left stale"
    assert forecast_values(None) == {}, "forecasts not made: the field is left as it is"
    assert fields.wants_forecasts
    assert not ScoreFieldIds(
        {f.setting: _field(f.setting) for f in SCORE_FIELDS if not f.from_forecast}
    ).wants_forecasts


def test_an_optional_field_the_site_lacks_leaves_the_fields_complete_unless_required():
    required = [f for f in SCORE_FIELDS if not f.optional]
    assert [f for f in SCORE_FIELDS if f.optional], "the registry has an optional field"
    fields = ScoreFieldIds({f.setting: _field(f.setting) for f in required})
    assert fields.complete
    named = ScoreFieldIds(fields.by_setting, fields.required | {f.setting for f in SCORE_FIELDS if f.optional})
    assert not named.complete


def test_objective_fields_are_written_on_epics_and_key_result_fields_on_key_result_issues():
    assert {f.place for f in OBJECTIVE_FIELDS} == {"objective"}
    assert {f.place for f in KEY_RESULT_FIELDS} == {"key_result"}
    assert [f.options for f in SCORE_FIELDS if f.kind == "select"] == [("on track", "at risk", "off track")]

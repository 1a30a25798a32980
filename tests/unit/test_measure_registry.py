"""Key-result measures: each grades itself, and its mapping model declares the Jira answers it reads."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import get_args

from kpiokr.okr import KeyResult, KeyResultInputs, KeyResultScore, score_key_result
from sync.app.team_faults import number_field_loc, query_count_loc
from sync.mapping.build import measure_tables, numeric_fields, query_count_jqls
from sync.mapping.key_results import KeyResultDefaults, KeyResultMeasure, KeyResultOverride
from sync.mapping.loader import online_checks, parse_mapping
from sync.mapping.schema import TeamMapping

AT = datetime(2026, 11, 20, tzinfo=UTC)

TEXT = """\
[team]
name = "Mobile"
projects = ["MOB"]
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
[objectives]
keys = ["MOB-1"]
[key_results]
measure = "numeric"
field = "Downloads"
baseline = 100
target = 200
[[objective]]
key = "MOB-1"
[[objective.key_result]]
key = "MOB-2"
weight = 2
[[objective.key_result]]
key = "MOB-3"
measure = "query_count"
jql = "project = MOB AND resolution = Fixed AND resolved >= -30d"
target = 10
[[objective.key_result]]
key = "MOB-4"
measure = "numeric"
field = "Crash rate"
baseline = 3
target = 1
"""
COUNTED = "project = MOB AND resolution = Fixed AND resolved >= -30d"


@dataclass(frozen=True)
class _Half:
    """A measure the domain has never heard of: grading asks the measure itself."""

    def score(self, key: str, inputs: KeyResultInputs, as_of: datetime) -> KeyResultScore:
        return KeyResultScore(key, 0.5, f"half, {len(inputs.children)} children")


def test_a_key_result_is_graded_by_its_measure_whatever_it_is():
    graded = score_key_result(KeyResult("MOB-9", "any", _Half()), KeyResultInputs(), AT)
    assert graded == KeyResultScore("MOB-9", 0.5, "half, 0 children")


def _models(union: object) -> list[type]:
    return [get_args(member)[0] for member in get_args(get_args(union)[0])]


def test_every_measure_model_declares_answers_by_keys_of_its_own_table():
    measures = [m for m in _models(KeyResultOverride) + _models(KeyResultDefaults) if issubclass(m, KeyResultMeasure)]
    assert {m.__name__ for m in measures} >= {"NumericKeyResult", "QueryCountKeyResult", "NumericDefault"}
    for model in measures:
        keys = {*model.number_field_keys, *model.counted_jql_keys}
        assert keys <= set(model.model_fields), model.__name__


def _team() -> TeamMapping:
    team, problems = parse_mapping(TEXT, "mob.toml")
    assert team is not None, problems
    return team


def test_the_answers_a_team_needs_come_from_its_measures_declarations():
    team = _team()
    assert [loc for loc, _ in measure_tables(team)] == [
        ("key_results",),
        ("objective", 0, "key_result", 1),
        ("objective", 0, "key_result", 2),
    ]
    assert numeric_fields(team) == {"Downloads", "Crash rate"}
    assert query_count_jqls(team) == [COUNTED]
    checks = [(c.location, c.kind, c.value) for c in online_checks(team) if c.location.startswith(("key_", "obj"))]
    assert checks == [
        ("key_results.field", "field", "Downloads"),
        ("objective[0].key_result[1].jql", "jql", COUNTED),
        ("objective[0].key_result[2].field", "field", "Crash rate"),
    ]


def test_a_team_fault_names_the_key_that_declared_the_answer():
    team = _team()
    assert query_count_loc(team, COUNTED) == ("objective", 0, "key_result", 1, "jql")
    assert number_field_loc(team, "Crash rate") == ("objective", 0, "key_result", 2, "field")
    assert number_field_loc(team, "Downloads") == ("key_results", "field")

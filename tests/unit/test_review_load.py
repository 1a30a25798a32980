"""The quarterly review's measurement-load lint says which KPI, objective or key result each line is about."""

from datetime import UTC, datetime

from sync.app.results import TeamResult
from sync.app.reviews.load import load_lint
from sync.mapping.file import TeamMapping, parse_mapping

MAPPING = """\
[team]
name = "Mobile"
projects = ["MOB"]
board = 1
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
[objectives]
keys = ["MOB-1", "MOB-2"]
[key_results]
source = "listed"
[[objective]]
key = "MOB-2"
  [[objective.key_result]]
  key = "MOB-21"
[[objective]]
key = "MOB-1"
guardrails = ["wip"]
  [[objective.key_result]]
  key = "MOB-11"
  measure = "milestone"
[[kpi]]
key = "wip"
name = "Work in progress"
kind = "wip"
target = 10
[[kpi]]
key = "lead_time"
name = "Lead time"
kind = "lead_time"
target = 10
"""


def team() -> TeamMapping:
    mapping, errors = parse_mapping(MAPPING, "mappings/mobile.toml")
    assert errors == []
    assert mapping is not None
    return mapping


def test_each_line_names_the_kpi_objective_or_key_result_it_is_about():
    result = TeamResult("Mobile", datetime(2026, 11, 20, tzinfo=UTC), "2026-Q4", (), ())
    lines = load_lint(team(), result)

    assert "KPI Work in progress: no owner: name who answers for this KPI" in lines
    assert "KPI Lead time: no owner: name who answers for this KPI" in lines
    assert any(line.startswith("MOB-2: no guardrail KPI") for line in lines)
    assert any(line.startswith("MOB-11: a milestone is a task") for line in lines)
    assert "2 KPIs; 5-7 per team are advised" in lines
    assert "MOB-1 has 1 key result; 3-5 per objective are advised" in lines
    assert len(lines) == len(set(lines))

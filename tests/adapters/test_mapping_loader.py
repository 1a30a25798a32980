"""Loading mapping files from disk: every error of every file at once, and what spans files."""

from pathlib import Path

import pytest

from sync.errors import KpiokrError
from sync.mapping.file import MappingError, check_offline, load_mappings, online_checks

BROKEN = Path(__file__).resolve().parents[1] / "fixtures" / "mappings" / "broken"

HEADER = """\
[team]
name = "{name}"
projects = ["MOB", "WEB"]
board = 1
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
"""


def write(directory: Path, name: str, body: str, team: str = "Mobile") -> Path:
    path = directory / name
    path.write_text(HEADER.format(name=team) + body, encoding="utf-8")
    return path


def test_every_error_in_every_file_is_reported_at_once(monkeypatch):
    monkeypatch.chdir(BROKEN.parents[2])
    loaded = load_mappings(Path("fixtures/mappings/broken"))
    assert [str(e) for e in loaded.errors] == [
        "fixtures/mappings/broken/b_web.toml:5:1: TOML syntax: Unclosed array",
        "fixtures/mappings/broken/c_program.toml:14:18: objectives.keys[1]: objective MOB-1 is already mapped at "
        "fixtures/mappings/broken/a_mobile.toml:13:1",
        "fixtures/mappings/broken/d_support.toml:7:1: team.timezone: unknown time zone 'America/New_Yrok'; "
        "did you mean 'America/New_York'?",
        "fixtures/mappings/broken/d_support.toml:12:1: cycle.end: must not be before start 2026-10-01",
        "fixtures/mappings/broken/d_support.toml:21:1: kpi[0].window: a Kanban board has no sprints: use { days = 28 }",
        "fixtures/mappings/broken/d_support.toml:22:1: kpi[0].target: must be better than the threshold 24 "
        "(lower is better for resolution_time)",
    ]
    assert [t.team.name for t in loaded.teams] == ["Mobile", "Program"]


def test_errors_raise_as_one_mapping_error_that_says_the_fix():
    loaded = load_mappings(BROKEN)
    with pytest.raises(MappingError) as raised:
        loaded.raise_for_errors()
    assert isinstance(raised.value, KpiokrError)
    assert raised.value.problems == loaded.errors
    message = str(raised.value)
    assert message.startswith("6 errors in the mapping files:\n")
    assert message.endswith("\nFix them and run `kpiokr check` again.")


def test_objectives_and_key_results_mapped_twice_within_a_file(tmp_path):
    body = """[objectives]
keys = ["MOB-1", "MOB-2", "MOB-2"]
[[objective]]
key = "MOB-1"
  [[objective.key_result]]
  key = "MOB-11"
[[objective]]
key = "MOB-1"
  [[objective.key_result]]
  key = "MOB-11"
"""
    path = write(tmp_path, "mobile.toml", body)
    errors, _ = check_offline(path)
    assert [str(e) for e in errors] == [
        f"{path}:10:27: objectives.keys[2]: objective MOB-2 is already mapped at {path}:10:18",
        f"{path}:16:1: objective[1].key: objective MOB-1 is already mapped at {path}:12:1",
        f"{path}:18:3: objective[1].key_result[0].key: key result MOB-11 is already mapped at {path}:14:3",
    ]


def test_teams_and_key_results_mapped_in_two_files(tmp_path):
    write(tmp_path, "a.toml", '[[objective]]\nkey = "MOB-1"\n  [[objective.key_result]]\n  key = "MOB-11"\n')
    write(tmp_path, "b.toml", '[[objective]]\nkey = "WEB-1"\n  [[objective.key_result]]\n  key = "MOB-11"\n')
    errors, _ = check_offline(tmp_path)
    assert [str(e) for e in errors] == [
        f"{tmp_path / 'b.toml'}:2:1: team.name: team Mobile is already mapped at {tmp_path / 'a.toml'}:2:1",
        f"{tmp_path / 'b.toml'}:12:3: objective[0].key_result[0].key: key result MOB-11 is already mapped at "
        f"{tmp_path / 'a.toml'}:12:3",
    ]


def test_paths_that_hold_no_mapping_are_reported(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "latin1.toml").write_bytes(b'[team]\nname = "Caf\xe9"\n')
    loaded = load_mappings([empty, tmp_path / "missing", tmp_path / "latin1.toml"])
    assert [str(e) for e in loaded.errors] == [
        f"{empty}: no mapping files (*.toml) in this directory; write one per team (the examples in "
        "mappings/examples/ are a start); subdirectories are not read",
        f"{tmp_path / 'latin1.toml'}: cannot read the file: 'utf-8' codec can't decode byte 0xe9 in position 18: "
        "invalid continuation byte",
        f"{tmp_path / 'missing'}: no such file or directory",
    ]
    assert loaded.teams == ()


def test_warnings_come_back_with_the_teams_and_never_as_errors(tmp_path):
    path = write(tmp_path, "mobile.toml", '[objectives]\nkeys = ["MOB-1"]\n')
    loaded = load_mappings([str(path)])
    assert loaded.errors == ()
    loaded.raise_for_errors()
    assert [str(w) for w in loaded.warnings] == [
        f"{path}:1:1: 0 KPIs; 5-7 per team are advised",
        f"{path}:10:1: objectives.keys: 1 objective; 3-5 per team are advised",
        f"{path}:10:9: objectives.keys[0]: no guardrail KPI: set guardrails in its [[objective]] table, or guards = "
        '["MOB-1"] on a KPI',
    ]


def test_online_checks_name_every_project_board_field_and_jql_with_its_place(tmp_path):
    body = """[objectives]
jql = "project = MOB AND issuetype = Epic"
[key_results]
source = "jql"
jql = "parent = {epic}"
measure = "numeric"
field = "Progress"
baseline = 0
target = 100
[jira_fields]
estimate = "Story Points"
[[objective]]
key = "MOB-1"
  [[objective.key_result]]
  key = "MOB-11"
  measure = "query_count"
  jql = "project = MOB AND statusCategory = Done"
  target = 10
  [[objective.key_result]]
  key = "MOB-12"
  measure = "numeric"
  field = "Downloads"
  baseline = 1
  target = 2
[[kpi]]
key = "lead"
name = "Lead time"
kind = "lead_time"
target = 10
jql = "component = Checkout"
"""
    path = write(tmp_path, "mobile.toml", body)
    [team] = load_mappings(path).teams
    checks = [(c.line, c.column, c.location, c.kind, c.value) for c in online_checks(team)]
    assert checks == [
        (3, 13, "team.projects[0]", "project", "MOB"),
        (3, 20, "team.projects[1]", "project", "WEB"),
        (4, 1, "team.board", "board", 1),
        (1, 1, "score_fields.objective_score", "field", "Objective score"),
        (1, 1, "score_fields.objective_status", "field", "Objective status"),
        (1, 1, "score_fields.objective_summary", "field", "Objective summary"),
        (1, 1, "score_fields.objective_forecast_score", "field", "Objective forecast"),
        (1, 1, "score_fields.key_result_progress", "field", "Key result progress"),
        (19, 1, "jira_fields.estimate", "field", "Story Points"),
        (10, 1, "objectives.jql", "jql", "project = MOB AND issuetype = Epic"),
        (13, 1, "key_results.jql", "jql", "parent = {epic}"),
        (15, 1, "key_results.field", "field", "Progress"),
        (25, 3, "objective[0].key_result[0].jql", "jql", "project = MOB AND statusCategory = Done"),
        (30, 3, "objective[0].key_result[1].field", "field", "Downloads"),
        (38, 1, "kpi[0].jql", "jql", "component = Checkout"),
    ]
    board = online_checks(team)[2]
    assert str(board.problem("no board with id 1")) == f"{path}:4:1: team.board: no board with id 1"


KPI = '[[kpi]]\nkey = "{key}"\nname = "{name}"\nkind = "throughput"\ntarget = 10\nowner = "Lena Berg"\n'


def test_a_kpi_key_defined_twice_in_a_file_names_both_places(tmp_path):
    body = '[objectives]\nkeys = ["MOB-1"]\n' + KPI.format(key="flow", name="A") + KPI.format(key="flow", name="B")
    path = write(tmp_path, "mobile.toml", body)
    errors, _ = check_offline(path)
    assert [str(e) for e in errors] == [
        f"{path}:18:1: kpi[1].key: KPI flow is already defined at {path}:12:1; give each [[kpi]] its own key",
    ]


def test_a_kpi_key_defined_in_two_files_of_one_team_names_both_places(tmp_path):
    a = write(tmp_path, "a.toml", '[objectives]\nkeys = ["MOB-1"]\n' + KPI.format(key="flow", name="A"))
    b = write(tmp_path, "b.toml", '[objectives]\nkeys = ["MOB-2"]\n' + KPI.format(key="flow", name="B"))
    errors, _ = check_offline(tmp_path)
    assert [str(e) for e in errors] == [
        f"{b}:2:1: team.name: team Mobile is already mapped at {a}:2:1",
        f"{b}:12:1: kpi[0].key: KPI flow is already defined at {a}:12:1; give each [[kpi]] its own key",
    ]


def test_teams_may_use_the_same_kpi_keys(tmp_path):
    write(tmp_path, "a.toml", '[objectives]\nkeys = ["MOB-1"]\n' + KPI.format(key="flow", name="A"))
    write(tmp_path, "b.toml", '[objectives]\nkeys = ["MOB-2"]\n' + KPI.format(key="flow", name="B"), team="Web")
    errors, _ = check_offline(tmp_path)
    assert errors == ()


def test_online_checks_leave_out_what_a_kanban_mapping_of_kpis_only_does_not_use(tmp_path):
    path = tmp_path / "support.toml"
    path.write_text(
        HEADER.format(name="Support").replace("board = 1", 'board_type = "kanban"')
        + KPI.format(key="flow", name="Flow")
        + '[jira_fields]\nsprint = "Sprint"\n',
        encoding="utf-8",
    )
    [team] = load_mappings(path).teams
    checks = [(c.location, c.kind, c.value) for c in online_checks(team)]
    assert checks == [("team.projects[0]", "project", "MOB"), ("team.projects[1]", "project", "WEB")]


def test_online_checks_ask_for_the_sprint_field_when_a_kpi_counts_sprints(tmp_path):
    body = '[[kpi]]\nkey = "v"\nname = "V"\nkind = "velocity"\ntarget = 30\n'
    [team] = load_mappings(write(tmp_path, "mobile.toml", body)).teams
    checks = [(c.location, c.kind, c.value) for c in online_checks(team)]
    assert ("team.board", "board", 1) in checks
    assert ("jira_fields.sprint", "field", "Sprint") in checks
    assert [c for c in checks if c[0].startswith(("score_fields", "jira_fields.epic_link"))] == []


def test_a_directory_is_read_without_its_subdirectories_such_as_examples(tmp_path):
    mine = write(tmp_path, "mobile.toml", '[objectives]\nkeys = ["MOB-1"]\n')
    (tmp_path / "examples").mkdir()
    write(tmp_path / "examples", "web.toml", '[objectives]\nkeys = ["WEB-1"]\n', team="Web")
    loaded = load_mappings(tmp_path)
    assert (loaded.errors, [t.source.path for t in loaded.teams]) == ((), [str(mine)])

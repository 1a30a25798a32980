"""Every kind of mistake in a mapping file is reported at its file:line:column, in words an admin can act on."""

from textwrap import dedent

import pytest

from sync.mapping.file import parse_mapping

PATH = "mappings/mobile.toml"


def base(board_type: str = "scrum") -> str:
    """A valid mapping of 12 lines; what a test appends starts on line 13."""
    return dedent(
        f"""\
        [team]
        name = "Mobile"
        projects = ["MOB"]
        board = 1
        board_type = "{board_type}"
        [cycle]
        name = "2026-Q4"
        start = 2026-10-01
        end = 2026-12-31

        [objectives]
        keys = ["MOB-1"]
        """
    )


def problems(text: str) -> list[str]:
    team, found = parse_mapping(text, PATH)
    assert team is None
    return [str(p) for p in found]


def test_the_base_mapping_is_valid():
    team, found = parse_mapping(base(), PATH)
    assert found == []
    assert team is not None
    assert team.objective_keys == ("MOB-1",)


def test_a_problem_reads_file_line_column_location_message():
    text = dedent(
        """\
        [team]
        name = "Mobile"
        projects = ["MOB"]
        board = 1
        [cycle]
        name = "2026-Q4"
        start = 2026-10-01
        end = 2026-12-31
        [[objective]]
        key = "MOB-1"
        [[objective]]
        key = "MOB-2"
          [[objective.key_result]]
          target = 30
          key = "MOB-21"
          measure = "numeric"
          field = "Downloads"
          baseline = 30
        """
    )
    assert problems(text) == [
        "mappings/mobile.toml:14:3: objective[1].key_result[0].target: must differ from baseline 30",
    ]


def test_unknown_keys_suggest_the_closest_known_key():
    extra = """
[[objective]]
key = "MOB-1"
  [[objective.key_result]]
  key = "MOB-11"
  measure = "numeric"
  field = "Downloads"
  baseline = 1
  tagret = 2

[kpis]
"""
    assert problems(base() + extra) == [
        "mappings/mobile.toml:16:3: objective[0].key_result[0].target: required key is missing",
        "mappings/mobile.toml:21:3: objective[0].key_result[0].tagret: unknown key; did you mean 'target'?",
        "mappings/mobile.toml:23:1: kpis: unknown key; did you mean 'kpi'?",
    ]


def test_an_unknown_key_without_a_close_match_lists_the_known_ones():
    assert problems(base() + "[jira_fields]\ncolour = 1\n") == [
        "mappings/mobile.toml:14:1: jira_fields.colour: unknown key (known keys: estimate, sprint, epic_link)",
    ]


def test_wrong_types_say_what_was_expected_and_what_was_found():
    text = base().replace("board = 1", "board = [1]").replace("start = 2026-10-01", 'start = "2026-10-01"')
    extra = """[[objective]]
key = "MOB-1"
tolerance = "0.2"
guardrails = "velocity"
  [[objective.key_result]]
  key = "MOB-11"
  weight = true
"""
    assert problems(text + extra) == [
        "mappings/mobile.toml:4:1: team.board: expected an integer or a string, got an array",
        "mappings/mobile.toml:8:1: cycle.start: expected a date such as 2026-10-01 (no quotes), got a string",
        "mappings/mobile.toml:15:1: objective[0].tolerance: expected a number, got a string",
        "mappings/mobile.toml:16:1: objective[0].guardrails: expected an array, got a string",
        "mappings/mobile.toml:19:3: objective[0].key_result[0].weight: expected a number, got a boolean",
    ]


def test_names_and_keys_must_be_well_formed():
    text = base().replace('["MOB"]', '["MOB", "mob"]').replace('"scrum"', '"scrumm"')
    text = text.replace('keys = ["MOB-1"]', 'keys = ["MOB1"]\nambition = "strech"')
    assert problems(text) == [
        "mappings/mobile.toml:3:20: team.projects[1]: must be a project key such as MOB, not 'mob'",
        "mappings/mobile.toml:5:1: team.board_type: 'scrumm' is not one of 'scrum', 'kanban'; did you mean 'scrum'?",
        "mappings/mobile.toml:12:9: objectives.keys[0]: must be an issue key such as MOB-12, not 'MOB1'",
        "mappings/mobile.toml:13:1: objectives.ambition: 'strech' is not one of 'committed', 'stretch'; "
        "did you mean 'stretch'?",
    ]


def test_a_missing_table_is_reported_at_the_top_of_the_file():
    text = base().replace("[cycle]", "[cycle_]")
    assert problems(text) == [
        "mappings/mobile.toml:1:1: cycle: required key is missing",
        "mappings/mobile.toml:6:1: cycle_: unknown key; did you mean 'cycle'?",
    ]


def test_references_to_kpis_and_objectives_must_exist_in_the_file():
    extra = """[[objective]]
key = "MOB-1"
guardrails = ["velocty"]
  [[objective.key_result]]
  key = "MOB-11"
  measure = "kpi"
  kpi = "bugs"
  baseline = 10
  target = 5

[[kpi]]
key = "velocity"
name = "Velocity"
kind = "velocity"
target = 40
guards = ["MOB-1", "MOB-7", "all"]
"""
    assert problems(base() + extra) == [
        "mappings/mobile.toml:15:15: objective[0].guardrails[0]: no KPI 'velocty' in this file; "
        "did you mean 'velocity'?",
        "mappings/mobile.toml:19:3: objective[0].key_result[0].kpi: no KPI 'bugs' in this file (defined: velocity)",
        "mappings/mobile.toml:28:20: kpi[0].guards[1]: no objective 'MOB-7' in this file; did you mean 'MOB-1'?",
        'mappings/mobile.toml:28:29: kpi[0].guards[2]: must be the epic key of an objective, such as MOB-1, or "*" '
        "for all of them",
    ]


def test_guards_cannot_be_checked_offline_when_objectives_come_from_jql():
    text = base().replace('keys = ["MOB-1"]', 'jql = "project = MOB AND issuetype = Epic"')
    team, found = parse_mapping(
        text + '[[kpi]]\nkey = "v"\nname = "V"\nkind = "velocity"\ntarget = 1\nguards = ["MOB-7"]\n', PATH
    )
    assert found == []
    assert team is not None
    assert team.guardrails_of("MOB-7") == ("v",)


def test_a_target_must_differ_from_its_baseline():
    extra = """[[objective]]
key = "MOB-1"
  [[objective.key_result]]
  key = "MOB-11"
  measure = "query_count"
  jql = "project = MOB AND statusCategory = Done"
  target = 0
"""
    assert problems(base() + extra) == [
        "mappings/mobile.toml:19:3: objective[0].key_result[0].target: must differ from baseline 0",
    ]


def test_an_unknown_measure_suggests_the_closest():
    extra = '[[objective]]\nkey = "MOB-1"\n  [[objective.key_result]]\n  key = "MOB-11"\n  measure = "numerc"\n'
    assert problems(base() + extra) == [
        "mappings/mobile.toml:17:3: objective[0].key_result[0].measure: unknown measure 'numerc'; "
        "did you mean 'numeric'?",
    ]


def kpi(body: str, board_type: str = "scrum") -> list[str]:
    """Problems of one [[kpi]] table whose header is on line 13."""
    return problems(base(board_type) + '[[kpi]]\nkey = "k"\nname = "K"\n' + dedent(body))


@pytest.mark.parametrize(
    ("body", "board_type", "expected"),
    [
        (
            'kind = "velocity"\ntarget = 40\nwindow = { days = 28 }\n',
            "scrum",
            "mappings/mobile.toml:18:1: kpi[0].window: velocity is measured per sprint: use { sprints = 3 }",
        ),
        (
            'kind = "throughput"\ntarget = 40\nwindow = { sprints = 2 }\n',
            "kanban",
            "mappings/mobile.toml:18:1: kpi[0].window: a Kanban board has no sprints: use { days = 28 }",
        ),
        (
            'kind = "scope_change"\ntarget = 10\n',
            "kanban",
            "mappings/mobile.toml:13:1: kpi[0].window: scope_change is measured per sprint, and a Kanban board has "
            "no sprints",
        ),
        (
            'kind = "throughput"\ntarget = 40\nwindow = { days = 0 }\n',
            "scrum",
            "mappings/mobile.toml:18:12: kpi[0].window.days: must be at least 1",
        ),
        (
            'kind = "velocity"\ntarget = 40\nwindow = { sprints = -2 }\n',
            "scrum",
            "mappings/mobile.toml:18:12: kpi[0].window.sprints: must be at least 1",
        ),
        (
            'kind = "throughput"\ntarget = 40\nwindow = { days = 7, sprints = 1 }\n',
            "scrum",
            "mappings/mobile.toml:18:1: kpi[0].window: give either days or sprints, e.g. { days = 28 } or "
            "{ sprints = 3 }",
        ),
    ],
)
def test_a_window_must_be_computable(body, board_type, expected):
    assert kpi(body, board_type) == [expected]


def test_an_unknown_calculator_kind_suggests_the_closest():
    assert kpi('kind = "velocty"\ntarget = 40\n') == [
        "mappings/mobile.toml:16:1: kpi[0].kind: unknown kind 'velocty'; did you mean 'velocity'?",
    ]


def test_a_missing_calculator_kind_lists_the_kinds():
    [message] = kpi("target = 40\n")
    assert message.startswith("mappings/mobile.toml:13:1: kpi[0].kind: required key is missing: one of velocity, ")
    assert message.endswith(", budget_variance")


def test_an_unknown_calculator_parameter_is_an_unknown_key():
    assert kpi('kind = "cycle_time"\ntarget = 3\nstatistc = "p85"\n') == [
        "mappings/mobile.toml:18:1: kpi[0].statistc: unknown key; did you mean 'statistic'?",
    ]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'kind = "resolution_time"\ntarget = 48\nstatistic = "p99"\n',
            "mappings/mobile.toml:18:1: kpi[0].statistic: statistic must be one of median, p85, p90, p95, mean, max; "
            "got 'p99'",
        ),
        (
            'kind = "sla_adherence"\ntarget = 95\n',
            "mappings/mobile.toml:13:1: kpi[0].sla_hours: sla_adherence needs sla_hours, the hours allowed from "
            "creation to resolution, as a positive number (e.g. sla_hours=72); got 0.0",
        ),
        (
            'kind = "ageing_wip"\ntarget = 3\nage_days = -1\n',
            "mappings/mobile.toml:18:1: kpi[0].age_days: age_days must be a positive number of days, e.g. "
            "age_days=14; got -1.0",
        ),
    ],
)
def test_the_calculators_own_checks_are_reported_at_the_parameter(body, expected):
    assert kpi(body) == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'kind = "resolution_time"\nthreshold = 48\ntarget = 72\n',
            "mappings/mobile.toml:18:1: kpi[0].target: must be better than the threshold 48 "
            "(lower is better for resolution_time)",
        ),
        (
            'kind = "velocity"\ndirection = "lower"\nthreshold = 20\ntarget = 30\n',
            "mappings/mobile.toml:19:1: kpi[0].target: must be better than the threshold 20 (lower is better)",
        ),
    ],
)
def test_a_target_must_be_better_than_its_threshold(body, expected):
    assert kpi(body) == [expected]


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Berln", "unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?"),
        ("Mars/Olympus_Mons", "unknown time zone 'Mars/Olympus_Mons'; use an IANA name such as Europe/Berlin"),
    ],
)
def test_the_time_zone_must_be_an_iana_name(zone, expected):
    text = base().replace("board = 1", f'board = 1\ntimezone = "{zone}"')
    assert problems(text) == [f"mappings/mobile.toml:5:1: team.timezone: {expected}"]


def test_the_cycle_cannot_end_before_it_starts():
    text = base().replace("end = 2026-12-31", "end = 2026-09-30")
    assert problems(text) == ["mappings/mobile.toml:9:1: cycle.end: must not be before start 2026-10-01"]


def test_a_toml_syntax_error_has_its_place():
    text = base().replace("board = 1", "board = ")
    assert problems(text) == ["mappings/mobile.toml:4:9: TOML syntax: Invalid value"]


@pytest.mark.parametrize(
    ("replacement", "expected"),
    [
        (
            "",
            "mappings/mobile.toml:11:1: objectives: nothing to measure: give objectives (a jql or keys here, or "
            "[[objective]] tables) or [[kpi]] tables",
        ),
        (
            'keys = ["MOB-1"]\njql = "project = MOB"',
            "mappings/mobile.toml:12:1: objectives.keys: give either jql or keys, not both",
        ),
        (
            'keys = ["MOB-1"]\n[key_results]\nsource = "jql"\njql = "project = MOB"',
            'mappings/mobile.toml:15:1: key_results.jql: source = "jql" needs a jql containing {epic}, '
            'e.g. "parent = {epic}"',
        ),
        (
            'keys = ["MOB-1"]\n[key_results]\njql = "parent = {epic}"',
            'mappings/mobile.toml:14:1: key_results.jql: is only read with source = "jql" (source is "children")',
        ),
        (
            'keys = ["MOB-1"]\n[key_results]\nsource = "listed"',
            "mappings/mobile.toml:12:9: objectives.keys[0]: MOB-1 lists no [[objective.key_result]] "
            '(source = "listed")',
        ),
    ],
)
def test_objectives_and_key_results_must_be_selected(replacement, expected):
    assert problems(base().replace('keys = ["MOB-1"]', replacement)) == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            'kind = "throughput"\ntarget = 40\nwindow = { days = 100000000000 }\n',
            "mappings/mobile.toml:18:12: kpi[0].window.days: must be at most 1826 (5 years)",
        ),
        (
            'kind = "velocity"\ntarget = 40\nwindow = { sprints = 500 }\n',
            "mappings/mobile.toml:18:12: kpi[0].window.sprints: must be at most 130 (5 years of two-week sprints)",
        ),
        (
            'kind = "throughput"\ntarget = 40\ntrend_points = 100000000\n',
            "mappings/mobile.toml:18:1: kpi[0].trend_points: must be at most 52",
        ),
    ],
)
def test_a_window_must_be_sane(body, expected):
    assert kpi(body) == [expected]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("target = inf\n", "kpi[0].target: must be a finite number, not inf"),
        ("target = nan\n", "kpi[0].target: must be a finite number, not nan"),
        ("target = -inf\n", "kpi[0].target: must be a finite number, not -inf"),
        ("target = 10\nthreshold = nan\n", "kpi[0].threshold: must be a finite number, not nan"),
        ("target = 1e300\n", "kpi[0].target: must be at most 1e+15"),
    ],
)
def test_kpi_numbers_must_be_finite_and_sane(body, expected):
    [problem] = kpi('kind = "throughput"\n' + body)
    assert problem.split(": ", 1)[1] == expected


@pytest.mark.parametrize(
    ("parameter", "expected"),
    [
        ('kind = "sla_adherence"\nsla_hours = inf', "kpi[0].sla_hours: must be a finite number, not inf"),
        ('kind = "sla_adherence"\nsla_hours = 1e12', "kpi[0].sla_hours: must be at most 43824 (5 years)"),
        (
            'kind = "resolution_time"\nageing_after_hours = 1e300',
            "kpi[0].ageing_after_hours: must be at most 43824 (5 years)",
        ),
        ('kind = "ageing_wip"\nage_days = 1e12', "kpi[0].age_days: must be at most 1826 (5 years)"),
    ],
)
def test_calculator_parameters_must_be_finite_and_sane(parameter, expected):
    [problem] = kpi(parameter + "\ntarget = 10\n")
    assert problem.split(": ", 1)[1] == expected


def key_result(body: str) -> list[str]:
    """Problems of one [[objective.key_result]] table whose key is on line 16."""
    return problems(base() + '[[objective]]\nkey = "MOB-1"\n  [[objective.key_result]]\n  key = "MOB-11"\n' + body)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("  weight = 1e308\n", "mappings/mobile.toml:17:3: objective[0].key_result[0].weight: must be at most 1000"),
        (
            "  weight = inf\n",
            "mappings/mobile.toml:17:3: objective[0].key_result[0].weight: must be a finite number, not inf",
        ),
        (
            "  weight = nan\n",
            "mappings/mobile.toml:17:3: objective[0].key_result[0].weight: must be a finite number, not nan",
        ),
        ("  weight = 0\n", "mappings/mobile.toml:17:3: objective[0].key_result[0].weight: must be more than 0"),
        (
            '  measure = "numeric"\n  field = "Downloads"\n  baseline = 0\n  target = inf\n',
            "mappings/mobile.toml:20:3: objective[0].key_result[0].target: must be a finite number, not inf",
        ),
        (
            '  measure = "numeric"\n  field = "Downloads"\n  baseline = -1e308\n  target = 1e308\n',
            "mappings/mobile.toml:19:3: objective[0].key_result[0].baseline: must be at least -1e+15",
        ),
    ],
)
def test_key_result_weights_and_numbers_must_be_finite_and_sane(body, expected):
    found = key_result(body)
    assert expected in found


def test_a_tolerance_must_be_a_finite_fraction():
    text = base() + 'ambition = "stretch"\ntolerance = nan\n'
    assert problems(text) == ["mappings/mobile.toml:14:1: objectives.tolerance: must be a finite number, not nan"]


SUPPORT = """\
[team]
name = "Support"
projects = ["SUP"]
board_type = "kanban"
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
[[kpi]]
key = "resolution"
name = "Resolution time"
kind = "resolution_time"
target = 24
"""


def test_a_team_with_kpis_only_and_no_board_is_valid():
    team, found = parse_mapping(SUPPORT, PATH)
    assert found == []
    assert team is not None
    assert (team.team.board, team.has_objectives, team.objective_keys) == (None, False, ())


def test_a_board_is_required_by_the_kpis_measured_per_sprint():
    text = (
        SUPPORT.replace('board_type = "kanban"\n', "")
        + '[[kpi]]\nkey = "v"\nname = "V"\nkind = "velocity"\ntarget = 30\n'
    )
    assert problems(text) == [
        "mappings/mobile.toml:13:1: kpi[1].window: velocity is measured per sprint: set board in [team] to the "
        "board whose sprints it counts",
    ]

"""The warm state a pass hands the next: narrowed to the teams a pass covers, and forgetting a team
whose projects' watermarks moved since a pass with it last scored the team."""

from datetime import UTC, datetime, timedelta

from sync.app.evaluation_basis import JiraAnswers
from sync.app.warm_state import WarmState
from sync.mapping import TeamMapping
from sync.mapping.loader import parse_mapping

AT = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def _team(name: str, project: str) -> TeamMapping:
    text = f"""\
[team]
name = "{name}"
projects = ["{project}"]
[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
[objectives]
jql = "project = {project} AND issuetype = Epic"
"""
    team, problems = parse_mapping(text, f"{name.lower()}.toml")
    assert team is not None, problems
    return team


MOB, WEB = _team("Mobile", "MOB"), _team("Web", "WEB")


def _warm() -> WarmState:
    state = WarmState().covering(["Mobile", "Web"])
    for name in ("Mobile", "Web"):
        state.answers[name] = JiraAnswers((f"{name}-1",))
        state.advice[name] = (f"{name} advice",)
    state.scored([MOB, WEB], {"MOB": AT, "WEB": AT})
    return state


def test_a_state_covering_the_same_teams_is_the_same_state():
    state = _warm()

    assert state.covering(["Web", "Mobile"]) is state


def test_narrowing_keeps_what_is_held_for_the_remaining_teams_and_shares_the_site_facts():
    state = _warm()

    narrowed = state.covering(["Web"])

    assert narrowed.teams == {"Web"}
    assert narrowed.answers == {"Web": state.answers["Web"]}
    assert narrowed.advice == {"Web": ("Web advice",)}
    assert narrowed.marks == {"Web": (AT,)}
    assert narrowed.site is state.site
    assert narrowed.dictionaries.warned is state.dictionaries.warned
    assert set(state.answers) == {"Mobile", "Web"}  # the wider state is left as it was


def test_a_team_whose_project_moved_since_it_was_scored_is_read_afresh():
    state = _warm()

    state.catch_up([MOB, WEB], {"MOB": AT + timedelta(minutes=5), "WEB": AT})

    assert set(state.answers) == {"Web"}
    assert set(state.advice) == {"Mobile", "Web"}  # advice only decides what is logged again


def test_a_team_never_scored_with_the_state_is_read_afresh():
    state = WarmState().covering(["Mobile"])
    state.answers["Mobile"] = JiraAnswers(("MOB-1",))

    state.catch_up([MOB], {"MOB": AT})

    assert state.answers == {}


def test_a_narrowed_state_after_its_pass_hands_what_it_learned_back_to_the_wider_one():
    state = _warm()
    narrowed = state.covering(["Web"])
    narrowed.answers["Web"] = JiraAnswers(("Web-2",))
    narrowed.advice.pop("Web")
    narrowed.scored([WEB], {"WEB": AT + timedelta(minutes=5)})

    state.adopt(narrowed)
    state.catch_up([MOB, WEB], {"MOB": AT, "WEB": AT + timedelta(minutes=5)})

    assert state.answers == {"Mobile": JiraAnswers(("Mobile-1",)), "Web": JiraAnswers(("Web-2",))}
    assert state.advice == {"Mobile": ("Mobile advice",)}
    assert state.marks == {"Mobile": (AT,), "Web": (AT + timedelta(minutes=5),)}

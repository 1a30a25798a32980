"""A team's fault names the team, the mapping file, the line and the setting; errors that concern
Jira as a whole are not a team's fault. The look-back of an incremental search, bounded by Jira's clock."""

from datetime import UTC, datetime, timedelta

import pytest

from sync.app.fetch import look_back
from sync.app.team_faults import TeamFault, blame, number_field_loc, query_count_loc
from sync.errors import FieldNotFound, JiraNotFound, JiraRequestRejected, JiraUnavailable
from sync.mapping.loader import parse_mapping

MAPPING = """\
[team]
name = "Web"
projects = ["WEB"]
board = 3

[cycle]
name = "2026-Q4"
start = 2026-10-01
end = 2026-12-31

[objectives]
jql = "project = WEB AND labels = okr"

[key_results]
source = "listed"

[[objective]]
key = "WEB-1"

[[objective.key_result]]
key = "WEB-2"
measure = "numeric"
field = "Downloads"
baseline = 10
target = 20

[[objective.key_result]]
key = "WEB-3"
measure = "query_count"
jql = "project = WEB AND type = Bug"
target = 5
"""

W = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
OVERLAP = timedelta(minutes=5)


@pytest.fixture
def team():
    mapping, problems = parse_mapping(MAPPING, "mappings/web.toml")
    assert problems == []
    return mapping


def test_a_rejected_query_names_the_team_the_file_the_line_and_the_setting(team):
    rejected = JiraRequestRejected("Jira rejected POST /rest/api/3/search/jql (400): Field 'x' does not exist.")
    with pytest.raises(TeamFault) as fault, blame(team, ("objectives", "jql")):
        raise rejected

    assert fault.value.team == "Web"
    assert str(fault.value).startswith("team 'Web' skipped: mappings/web.toml:12:1: objectives.jql: Jira rejected")
    assert "Field 'x' does not exist. Fix this setting" in str(fault.value)


@pytest.mark.parametrize(
    "error", [JiraNotFound("board 3 (404)"), FieldNotFound("Effort"), JiraRequestRejected("(400)")]
)
def test_what_one_mapping_names_is_that_teams_fault(team, error):
    with pytest.raises(TeamFault), blame(team, ("team", "board")):
        raise error


def test_jira_down_is_no_teams_fault(team):
    with pytest.raises(JiraUnavailable), blame(team, ("team", "board")):
        raise JiraUnavailable("503")


def test_key_result_settings_are_found_where_the_mapping_sets_them(team):
    assert team.source.where(number_field_loc(team, "Downloads")) == "mappings/web.toml:23:1"
    assert team.source.where(query_count_loc(team, "project = WEB AND type = Bug")) == "mappings/web.toml:30:1"


def test_the_look_back_reaches_the_overlap_while_jiras_clock_is_not_past_it():
    assert look_back(W, None, OVERLAP) == (W - OVERLAP, None)
    assert look_back(W, W - OVERLAP - timedelta(seconds=1), OVERLAP) == (W - OVERLAP, None)


def test_once_jiras_clock_is_past_the_watermark_and_the_overlap_the_look_back_starts_at_the_watermark():
    assert look_back(W, W, OVERLAP) == (W, W)
    assert look_back(W, W + timedelta(hours=1), OVERLAP) == (W, W)  # the newest issue held still comes back


def test_a_partly_settled_overlap_starts_where_jira_was_last_seen_complete():
    settled = W - timedelta(minutes=2)
    assert look_back(W, settled, OVERLAP) == (settled, settled)

"""``kpiokr check`` and ``kpiokr fields`` against an in-memory Jira: what each finding says, and the exit code."""

from pathlib import Path

import pytest

from jira_sandbox.catalog import CREATABLE_TYPES
from sync.cli.main import main
from tests.fakes.world import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr")


def _edit(world: World, team: str, old: str, new: str) -> Path:
    path = world.mappings / f"{team}.toml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


def _lines(out: str, kind: str) -> list[str]:
    return [line.removeprefix(f"{kind}: ") for line in out.splitlines() if line.startswith(f"{kind}: ")]


def _score_field_id(world: World, name: str) -> str:
    return next(f.key for f in world.site.fields.values() if f.name == name)


def test_mapping_errors_exit_2_before_jira_is_asked(world, capsys):
    mob = _edit(world, "mob", "target = 40", "target = inf")
    assert world.main("check") == 2
    [error] = _lines(capsys.readouterr().out, "error")
    assert error.startswith(f"{mob}:")
    assert "must be a finite number" in error
    assert world.gateways == []


def test_jira_unreachable_fails_the_check_and_points_at_offline(world, capsys):
    def down(settings):
        fake = world.gateway(settings)
        fake.fail("*", 503)
        return fake

    assert main(["--config", str(world.config_path), "check"], gateways=down) == 1
    out = capsys.readouterr().out
    [error] = _lines(out, "error")
    assert error.startswith("Jira not checked: Jira answered GET ")
    assert "gave up after 6 attempts" in error
    assert error.endswith("(`kpiokr check --offline` checks the files alone)")
    assert out.rstrip().endswith("2 mapping(s), 1 error(s), 3 warning(s)")


def test_rejected_credentials_name_the_token_file_and_the_account(world, capsys):
    token = world.config_path.parent / "jira-token"
    token.write_text("not-the-token\n")
    assert world.main("check") == 1
    [error] = _lines(capsys.readouterr().out, "error")
    assert error.startswith("Jira not checked: Jira rejected the credentials for GET ")
    assert "(401)" in error
    assert f"the file {token}" in error
    assert "kpiokr-bot@example.com" in error


def test_a_missing_field_and_a_missing_board_are_errors_with_their_place(world, capsys):
    mob = _edit(world, "mob", 'field = "Market share"', 'field = "Market shar"')
    _edit(world, "mob", "board = 1", "board = 999")
    assert world.main("check") == 1
    board, field = _lines(capsys.readouterr().out, "error")
    assert board.startswith(f"{mob}:5:1: team.board: ")
    assert "board 999 (404)" in board
    assert field.startswith(f"{mob}:")
    assert ".field: No field named 'Market shar' on this Jira site. Did you mean 'Market share'?" in field


def test_a_score_field_not_yet_created_is_a_note_for_setup(world, capsys):
    web = _edit(world, "web", "[team]", '[score_fields]\nobjective_score = "OKR grade"\n\n[team]')
    assert world.main("check") == 0
    notes = _lines(capsys.readouterr().out, "note")
    assert f"{web}:3:1: score_fields.objective_score: 'OKR grade' is to be created by `kpiokr setup`" in notes


def test_a_score_field_deleted_after_kpiokr_wrote_it_is_an_error_naming_the_fix(world, capsys):
    assert world.main("sync") == 0
    field_id = _score_field_id(world, "Objective score")
    world.site.delete_field(field_id)
    capsys.readouterr()
    assert world.main("check") == 1
    errors = _lines(capsys.readouterr().out, "error")
    assert len(errors) == 2  # one per team
    for error in errors:
        assert f"kpiokr last wrote these scores to {field_id} on " in error
        assert "which no longer exists (the field was deleted). Run `kpiokr setup`" in error


def test_a_sync_with_a_score_field_gone_names_it_and_exits_1(world, capsys):
    assert world.main("sync") == 0
    field_id = _score_field_id(world, "Objective score")
    world.site.delete_field(field_id)
    capsys.readouterr()
    assert world.main("sync") == 1
    problems = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ! ")]
    assert problems
    assert [line.split(":")[0] for line in problems] == ["  ! MOB", "  ! WEB"]
    for line in problems:
        assert f"wrote these scores to {field_id} on " in line
        assert "which no longer exists (the field was deleted)" in line
        assert line.endswith("Until then these scores are not written; reads go on.")


def test_resolutions_no_kpi_has_classed_are_noted(world, capsys):
    mob = _edit(
        world, "mob", 'kind = "resolution_time"', 'kind = "resolution_time"\nexcluded_resolutions = ["Duplicate"]'
    )
    assert world.main("check") == 0
    notes = _lines(capsys.readouterr().out, "note")
    assert (
        f"{mob}: kpi 'critical_bugs' counts issues resolved as \"Won't Do\", 'Cannot Reproduce' as fixed: list those "
        "that mean no work was done in its excluded_resolutions"
    ) in notes
    assert not any("web.toml: kpi" in note for note in notes)


def _mapping_names(out: str) -> dict[str, str]:
    """``kpiokr fields``' rows: field id -> the last word of the name a mapping uses."""
    return {line.split()[0]: line.split()[-1] for line in out.splitlines()[1:-1]}


def test_fields_names_a_field_by_its_id_when_another_has_its_name(world, capsys):
    downloads = next(f.key for f in world.site.fields.values() if f.name == "Downloads")
    assert world.main("fields") == 0
    assert _mapping_names(capsys.readouterr().out)[downloads] == "Downloads"
    number = next(key for key, (kind, _) in CREATABLE_TYPES.items() if kind == "number")
    twin = world.site.create_field("Downloads", number)
    assert world.main("fields") == 0
    names = _mapping_names(capsys.readouterr().out)
    assert names[downloads] == downloads
    assert names[twin.key] == twin.key

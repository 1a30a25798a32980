"""The optional forecast score field against an in-memory Jira, both flavours: a pass writes each objective's
forecast into it (the figure its ``kpiokr.objective`` document carries), empties it where there is none, a
quiet pass writes nothing, and a site without the field syncs and checks without a complaint."""

from datetime import timedelta
from pathlib import Path

import pytest

from sync.score_fields import SCORE_FIELDS
from tests.fakes.world import World, make_world

FORECAST = next(f for f in SCORE_FIELDS if f.from_forecast)


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr", flavor=request.param)


def _field_key(world: World) -> str | None:
    return next((f.key for f in world.site.fields.values() if f.name == FORECAST.default_name and not f.deleted), None)


def _objective_documents(world: World) -> dict[str, dict]:
    """Every ``kpiokr.objective`` document on the site, by epic key."""
    found = {}
    for issue in world.site.issues:
        document = world.site.properties.get(("issue", str(issue.id)), {}).get("kpiokr.objective")
        if document is not None:
            found[issue.key] = document
    return found


def _forecast_writes(world: World, field_id: str) -> list[tuple[str, object]]:
    return [(key, fields[field_id]) for key, fields in world.writes() if field_id in fields]


def test_a_pass_writes_each_objectives_forecast_as_its_document_says_and_a_quiet_pass_nothing(world, capsys):
    key = _field_key(world)
    assert key is not None, "kpiokr setup created the field"
    wire_id = world.site.fields[key].wire_id(world.flavor)
    assert world.main("sync") == 0
    documents = _objective_documents(world)
    with_forecast = {k: d["forecast"]["projected"] for k, d in documents.items() if "forecast" in d}
    assert with_forecast, "the seeded site's objectives have enough history for a forecast"
    assert len(with_forecast) < len(documents), "and one has none (an objective without key results)"
    decimals = world.config.writeback.decimals
    for epic in documents:
        held = world.site.by_key[epic].values.get(key)
        assert held == (round(with_forecast[epic], decimals) if epic in with_forecast else None)
    assert sorted(k for k, _ in _forecast_writes(world, wire_id)) == sorted(with_forecast)
    capsys.readouterr()

    before = len(world.writes())
    assert world.main("sync") == 0
    out = capsys.readouterr().out
    assert ", 0 field(s) to write" in out.splitlines()[0]
    assert ", 0 property document(s) to write" in out.splitlines()[0]
    assert len(world.writes()) == before

    emptied = sorted(with_forecast)[0]
    world.site.advance(timedelta(minutes=1))
    world.site.edit_issue(emptied, {wire_id: None})  # someone empties it: the next pass writes it again
    assert world.main("sync", "--dry-run") == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if f"({wire_id}): " in line]
    forecast = round(with_forecast[emptied], decimals)
    assert listed == [f"  would write {emptied}: {FORECAST.default_name} ({wire_id}): empty -> {forecast!r}"]
    assert len(world.writes()) == before, "a dry run writes nothing"


def test_an_old_forecast_is_emptied_when_the_objective_has_none(world):
    key = _field_key(world)
    assert key is not None
    wire_id = world.site.fields[key].wire_id(world.flavor)
    assert world.main("sync") == 0
    without = [epic for epic, d in _objective_documents(world).items() if "forecast" not in d]
    assert without
    epic = without[0]
    world.site.advance(timedelta(minutes=1))
    world.site.edit_issue(epic, {wire_id: 0.9})  # a forecast an earlier cycle left, say
    assert world.site.by_key[epic].values.get(key) == 0.9

    assert world.main("sync") == 0
    assert world.site.by_key[epic].values.get(key) is None
    assert _forecast_writes(world, wire_id)[-1] == (epic, None)


def test_a_site_without_the_field_syncs_and_checks_without_a_complaint_and_setup_creates_it(world, capsys):
    key = _field_key(world)
    assert key is not None
    world.site.delete_field(key)  # a site set up before the field existed

    assert world.main("sync") == 0
    out = capsys.readouterr().out
    assert FORECAST.default_name not in out
    assert " ! " not in out, "no missing score field reported"
    assert any("forecast" in d for d in _objective_documents(world).values()), "the documents keep their forecast"

    assert world.main("check") == 0
    notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: ")]
    optional = [line for line in notes if f"'{FORECAST.default_name}' is optional: " in line]
    assert len(optional) == 2  # one per team with objectives
    assert all(f"score_fields.{FORECAST.setting}: " in line and "`kpiokr setup` creates" in line for line in optional)

    assert world.main("setup") == 0
    out = capsys.readouterr().out
    assert f"created: {FORECAST.default_name} (" in out
    assert f"note: {FORECAST.default_name} is optional: " in out
    created = _field_key(world)
    assert created is not None
    assert created != key
    assert world.main("sync") == 0
    assert any(world.site.by_key[epic].values.get(created) is not None for epic in _objective_documents(world))


def test_a_forecast_field_the_mapping_names_is_reported_when_missing(world, capsys):
    path = world.mappings / "mob.toml"
    path.write_text(
        path.read_text().replace("[team]", f'[score_fields]\n{FORECAST.setting} = "OKR outlook"\n\n[team]', 1)
    )

    assert world.main("sync") == 1
    problems = [line for line in capsys.readouterr().out.splitlines() if line.startswith("  ! ")]
    assert len(problems) == 1
    assert problems[0].startswith("  ! MOB: no field named 'OKR outlook' on the site")

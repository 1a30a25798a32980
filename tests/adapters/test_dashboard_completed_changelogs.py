"""Changelogs Jira's search cut short, completed by the sync, counted with every KPI: the same site
synced with whole changelogs and with changelogs cut after a few entries gives the same figures,
and the cut one says, on the API, the pages and the command line, how many of each KPI's issues
had their changelog completed."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from sync.app import Access, dashboard_app
from sync.jira.translate import COMPLETED_CHANGELOG
from tests.fakes.world import World, make_world

#: Histories a search returns inline in the cut world (the sandbox's newest, newest first).
INLINE = 3
#: The demo's teams (one a scrum board of the site).
TEAMS = ("MOB", "WEB")


@dataclass
class Synced:
    """A world synced once, the keys of the stored issues marked as completed, and its dashboard."""

    world: World
    #: The keys of the issues holding more histories than a search shows, before the sync wrote scores.
    longer: set[str]
    stored: set[str]
    marked: set[str]
    client: TestClient

    def kpis(self, team: str) -> list[dict]:
        """The team's KPIs as the API answers them."""
        answer = self.client.get(f"/api/teams/{team}/report")
        assert answer.status_code == 200
        kpis: list[dict] = answer.json()["teams"][0]["kpis"]
        return kpis


def synced(directory: Path, inline: int | None) -> Iterator[Synced]:
    world = make_world(directory)
    world.site.inline_changelog_limit[world.flavor] = inline
    longer = {i.key for i in world.site.issues if inline is not None and len(i.histories) > inline}
    with world.app() as app:
        assert world.runner(app).run().ok
        stored = set(app.store.issue_keys())
        raws = (app.store.get_issue(key) for key in stored)
        marked = {raw["key"] for raw in raws if raw and (raw.get("changelog") or {}).get(COMPLETED_CHANGELOG)}
        paths, clock = world.config.mapping_paths, world.site.clock
        web = dashboard_app(app.store, paths, Access(), clock, jira_url=world.config.jira.url)
        with TestClient(web) as client:
            yield Synced(world, longer, stored, marked, client)


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    yield from synced(tmp_path_factory.mktemp("whole"), None)


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    yield from synced(tmp_path_factory.mktemp("cut"), INLINE)


def test_the_store_marks_exactly_the_issues_whose_changelog_came_back_cut(whole, cut):
    assert whole.marked == set()
    assert cut.marked == cut.longer & cut.stored
    assert cut.marked
    assert cut.marked != cut.stored


@pytest.mark.parametrize("team", TEAMS)
def test_the_figures_are_the_same_and_only_the_cut_sync_counts_completed_changelogs(whole, cut, team):
    before, after = whole.kpis(team), cut.kpis(team)

    def figures(kpis: list[dict]) -> list[tuple]:
        return [(k["key"], k["value"], k["sample_size"], k["without_history"]) for k in kpis]

    assert figures(after) == figures(before)
    assert [k["completed_changelogs"] for k in before] == [0] * len(before)
    assert all(k["completed_changelogs"] >= 0 for k in after)


def test_the_count_is_shown_beside_the_other_data_quality_figures_on_every_page(whole, cut):
    counted = {(team, k["key"]): k["completed_changelogs"] for team in TEAMS for k in cut.kpis(team)}
    assert any(counted.values()), "a cut of 3 histories leaves some KPI with completed changelogs"
    for (team, key), count in counted.items():
        kpi_page = cut.client.get(f"/teams/{team}/kpis/{key}").text
        shown = re.search(r"<p>Data: .*?</p>", kpi_page, re.S)
        assert shown is not None
        said = re.findall(r"(\d+) changelogs? completed", shown.group(0))
        assert said == ([str(count)] if count else []), (team, key)
        uncut = re.search(r"<p>Data: .*?</p>", whole.client.get(f"/teams/{team}/kpis/{key}").text, re.S)
        assert uncut is not None
        assert "changelog" not in uncut.group(0)
    for team in TEAMS:
        shown = sorted(
            int(n) for n in re.findall(r"(\d+) changelogs? completed", cut.client.get(f"/teams/{team}").text)
        )
        assert shown == sorted(c for (t, _), c in counted.items() if t == team and c)


def test_kpiokr_report_prints_the_count_of_the_sample(cut, capsys):
    capsys.readouterr()
    assert cut.world.main("report", "--team", "MOB") == 0
    table = capsys.readouterr().out
    header = next(line for line in table.splitlines() if line.startswith("KPI "))
    assert header.rstrip().endswith("completed log")
    for k in cut.kpis("MOB"):
        row = next(line for line in table.splitlines() if line.startswith(k["name"]))
        count = k["completed_changelogs"]
        assert row.endswith(f"{count} of {k['sample_size']}" if count else "-"), row

"""Fetching against an in-memory Jira (no HTTP): small pages, cut changelogs completed before an issue
is stored, and the ledger settling the write a killed pass left pending."""

from collections import Counter
from pathlib import Path

import pytest

from sync.store import Store
from tests.fakes.world import World, make_world


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr", flavor=request.param)


def longest(world: World) -> str:
    return max((i for i in world.site.issues if i.project in {"MOB", "WEB"}), key=lambda i: len(i.histories)).key


def test_small_pages_and_cut_changelogs_store_every_issue_with_its_whole_history(world):
    key = longest(world)
    histories = len(world.site.by_key[key].histories)
    with world.app() as app:
        # Cloud cuts inline changelogs to one history (completed by bulkfetch and changelog pages);
        # Data Center's issue resource, which completes them there, serves what the site holds inline.
        inline = 1 if world.flavor == "cloud" else None
        app.jira.limit_pages(search=7, changelog=2, inline=inline)  # type: ignore[attr-defined]
        summary = world.runner(app).run(dry_run=True)
        stored = app.store.get_issue(key)

    searches = world.jira.requests_to("POST", "/search")
    assert summary.status == "ok"
    assert len(searches) > summary.fetched // 7, "the search was paged"
    assert stored is not None
    assert len(stored["changelog"]["histories"]) == histories
    if world.flavor == "cloud":
        assert world.jira.requests_to("POST", "/changelog/bulkfetch"), "cut changelogs were completed"


def test_search_pages_follow_tokens_or_offsets_without_repeating_an_issue(world):
    fake = world.gateway()
    fake.limit_pages(search=5)
    issues = list(fake.search("project = MOB", ["updated", "project"]))
    keys = [i["key"] for i in issues]
    assert len(keys) == len(set(keys))
    assert len(keys) == sum(1 for i in world.site.issues if i.project == "MOB")
    assert len(fake.requests_to("POST", "/search")) == -(-len(keys) // 5)


def test_a_write_is_a_changelog_entry_of_the_service_account_at_jiras_clock(world):
    fake = world.gateway()
    score = next(f for f in fake.fields() if f.name == "Key result progress")
    fake.update_issue("MOB-2", {score.id: 0.25})
    issue = world.site.by_key["MOB-2"]
    last = issue.histories[-1]
    assert world.site.users["bot"].key == last.author
    assert last.ms == int(world.site.clock().timestamp() * 1000)
    assert fake.writes() == [("MOB-2", {score.id: 0.25})]
    assert fake.server_time == world.site.clock()


@pytest.mark.parametrize("landed", [True, False])
def test_a_write_interrupted_by_a_kill_is_settled_on_restart_and_never_sent_twice(world, landed):
    with world.app() as app:
        world.jira.kill_at("PUT", "/rest/api/2/issue/", landed=landed)
        with pytest.raises(KeyboardInterrupt):
            world.runner(app).run()
        pending = app.store.ledger(outcome="pending")
        assert len({e.issue_key for e in pending}) == 1
        killed = pending[0].issue_key
    with world.app() as app:  # the restart: a new process on the same store
        app.store.recover_abandoned_runs()
        summary = world.runner(app).run()
        settled = [e for e in app.store.ledger(issue_key=killed) if e.run_id == pending[0].run_id]

    assert summary.status == "ok"
    assert {e.outcome for e in settled} == {"written" if landed else "skipped"}
    sent = Counter((key, field, repr(value)) for key, fields in world.writes() for field, value in fields.items())
    assert max(sent.values()) == 1, "no issue received the same write twice"
    assert any(key == killed for key, _ in world.writes()), "Jira holds the interrupted write once"
    with Store.open(world.config.store_url) as store:
        assert store.ledger(outcome="pending") == []

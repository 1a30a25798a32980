"""Review comments against an in-memory Jira: one comment per period per issue, edited when run again,
left alone when unchanged, and never duplicated after a run killed with its POST in Jira's hands or
before it reached Jira; a sync pass in between leaves the review's pending ledger entry to the review."""

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sync.app import make_reviews, publish, review_job
from sync.app.reviews import due_reviews
from sync.app.reviews.blocks import Paragraph
from sync.app.reviews.delivery import INTERRUPTED, plan_comments
from sync.app.reviews.fitting import COMMENT_LIMIT, body_size
from sync.app.reviews.jira_formats import comment_body, to_adf
from sync.cli.bootstrap import App
from sync.jira import CommentBody
from sync.store import LedgerEntry
from tests.fakes.world import NOW, World, make_world

DAY = date(2026, 11, 19)


@pytest.fixture(params=["cloud", "datacenter"])
def world(request: pytest.FixtureRequest, tmp_path: Path) -> World:
    return make_world(tmp_path / "kpiokr", flavor=request.param)


@pytest.fixture
def app(world: World) -> Iterator[App]:
    """The daemon after one sync pass: the store holds every team's histories."""
    with world.app() as app:
        world.runner(app).run()
        yield app


def monthly(world: World, app: App, day: date = DAY) -> list[str]:
    """Make and publish every team's monthly check-in for ``day``; returns the comments' actions."""
    reviews = make_reviews(app.store, app.mappings.current(), "monthly", day=day, now=NOW)
    published = publish(reviews, app.jira, app.store, world.config_path.parent / "reviews", world.site.clock)
    return [o.action for o in published.outcomes]


def first_comment_issue(app: App) -> str:
    """The issue the first monthly comment goes to."""
    reviews = make_reviews(app.store, app.mappings.current(), "monthly", day=DAY, now=NOW)
    return plan_comments(reviews[0])[0].issue_key


def review_comments(world: World) -> dict[str, int]:
    """How many review comments each issue holds, as Jira lists them."""
    keys = {i.key for i in world.site.issues if i.project in {"MOB", "WEB"}}
    counts = {key: sum("kpiokr-review" in c.text for c in world.jira.comments(key)) for key in sorted(keys)}
    return {key: n for key, n in counts.items() if n}


def comment_path(world: World, key: str) -> str:
    return f"/rest/api/{3 if world.flavor == 'cloud' else 2}/issue/{key}/comment"


def review_entries(app: App, key: str) -> list[LedgerEntry]:
    return [e for e in app.store.ledger() if e.issue_key == key and e.field_id.startswith("review:")]


def test_a_second_run_edits_each_comment_and_the_same_review_again_sends_nothing(world: World, app: App):
    first = monthly(world, app)
    comments = review_comments(world)
    posts = len(world.jira.requests_to("POST", "/comment"))

    assert first
    assert set(first) == {"added"}
    assert set(comments.values()) == {1}
    assert posts == len(first)

    assert set(monthly(world, app, date(2026, 11, 20))) == {"edited"}
    assert review_comments(world) == comments
    assert len(world.jira.requests_to("POST", "/comment")) == posts
    puts = len(world.jira.requests_to("PUT", "/comment"))
    assert puts == len(first)

    assert set(monthly(world, app, date(2026, 11, 20))) == {"unchanged"}
    assert len(world.jira.requests_to("PUT", "/comment")) == puts


@pytest.mark.parametrize("landed", [True, False], ids=["comment-landed", "comment-lost"])
def test_a_killed_run_leaves_one_comment_after_a_sync_pass_and_a_second_run(world: World, app: App, landed: bool):
    key = first_comment_issue(app)
    world.jira.kill_at("POST", comment_path(world, key), landed=landed)
    with pytest.raises(KeyboardInterrupt):
        monthly(world, app)
    assert [e.outcome for e in review_entries(app, key)] == ["pending"]
    assert review_comments(world).get(key, 0) == (1 if landed else 0)

    world.runner(app).run()  # its settling of interrupted score writes leaves the comment's entry alone
    assert [(e.outcome, e.reason) for e in review_entries(app, key)] == [("pending", None)]

    actions = monthly(world, app)
    comments = review_comments(world)
    assert set(comments.values()) == {1}
    assert key in comments
    settled = [(e.outcome, e.reason) for e in review_entries(app, key)]
    assert settled == [("written" if landed else "skipped", None if landed else INTERRUPTED), ("written", None)]
    assert actions[0] == ("edited" if landed else "added")
    assert len(world.jira.requests_to("POST", comment_path(world, key))) == 1
    assert len(world.jira.requests_to("POST", "/comment")) == len(actions)


def test_a_huge_teams_digest_is_shortened_to_fit_a_jira_comment_and_points_at_the_whole(tmp_path: Path):
    world = make_world(tmp_path / "kpiokr")
    mob = world.mappings / "mob.toml"
    kpis = "".join(
        f'\n[[kpi]]\nkey = "reopen_{n}"\nname = "Reopen rate of release train {n} across every mobile platform"\n'
        f'kind = "reopen_rate"\ntarget = 5\nthreshold = 15\nowner = "pm@example.com"\n'
        for n in range(60)
    )
    mob.write_text(mob.read_text() + kpis + '\n[review]\nissue = "MOB-3"\n')
    config = world.config.model_copy(
        update={"dashboard": world.config.dashboard.model_copy(update={"public_url": "https://kpiokr.example.com"})}
    )
    with world.app(config) as app:
        world.runner(app).run()
        mob_team = [t for t in app.mappings.current() if t.team.name == "MOB"]
        reviews = make_reviews(app.store, mob_team, "weekly", day=DAY, now=NOW)
        published = publish(
            reviews,
            app.jira,
            app.store,
            tmp_path / "reviews",
            world.site.clock,
            public_url="https://kpiokr.example.com",
        )

    assert [(o.comment.issue_key, o.action) for o in published.outcomes] == [("MOB-3", "added")]
    ((_, blocks),) = reviews[0].comments
    assert body_size(comment_body(blocks)) > COMMENT_LIMIT, "whole, the digest is more than Jira takes"
    assert "release train 59" in (tmp_path / "reviews" / "mob" / "weekly-week-of-2026-11-16.md").read_text()
    (text,) = [c.text for c in world.jira.comments("MOB-3") if "kpiokr-review" in c.text]
    assert "Weekly KPI digest: MOB, week of 2026-11-16" in text
    assert "leaves out: KPIs (its table)" in text
    assert "mob/weekly-week-of-2026-11-16.md" in text
    assert "https://kpiokr.example.com/teams/MOB/reviews/weekly/week-of-2026-11-16" in text


def test_with_writeback_disabled_a_review_writes_its_files_and_posts_nothing(world: World, capsys):
    world.config_path.write_text(world.config_path.read_text() + "\n[writeback]\nenabled = false\n")
    assert world.main("sync") == 0
    capsys.readouterr()

    assert world.main("review", "monthly", "--as-of", DAY.isoformat()) == 0

    err = capsys.readouterr().err
    assert "[writeback] enabled = false: no comment posted" in err
    assert world.jira.requests_to("POST", "/comment") == []
    assert world.jira.requests_to("PUT", "/comment") == []
    assert (world.config_path.parent / "reviews" / "mob" / "monthly-2026-11.md").is_file()


def test_the_daemon_makes_a_review_again_until_jira_has_taken_its_comments(world: World, app: App):
    directory = world.config_path.parent / "reviews"
    job = review_job(app.jira, app.store, app.mappings, directory, lambda: NOW, stop=threading.Event())
    october = directory / "mob" / "monthly-2026-10.json"  # due on 2 November, the month's first working day
    app.jira.fail("/rest/api/*/issue/*/comment", 403, method="POST")

    job()
    assert review_comments(world) == {}
    assert not october.exists(), "a review whose comments Jira refused stays due"
    assert (directory / "mob" / "weekly-week-of-2026-11-09.json").exists(), "the digest has no comment to wait for"

    app.jira.heal()
    job()
    assert october.exists()
    assert set(review_comments(world).values()) == {1}
    posts = len(app.jira.requests_to("POST", "/comment"))

    job()
    assert len(app.jira.requests_to("POST", "/comment")) == posts, "a review made is not made again"


def test_a_review_of_objectives_on_a_day_in_no_cycle_says_which_cycles_there_are(world: World, app: App, capsys):
    capsys.readouterr()
    assert world.main("review", "quarterly", "--as-of", "2025-01-01", "--dry-run") == 2
    err = capsys.readouterr().err
    assert "--as-of 2025-01-01 is in none of team MOB's cycles: 2026-Q4 (2026-10-01 to 2026-12-31)" in err
    assert world.main("review", "weekly", "--as-of", "2025-01-01", "--dry-run") == 0, "KPIs need no cycle"


def test_a_persons_comment_quoting_the_marker_is_left_alone(world: World, app: App):
    key = first_comment_issue(app)
    reviews = make_reviews(app.store, app.mappings.current(), "monthly", day=DAY, now=NOW)
    quoted = f"As {plan_comments(reviews[0])[0].marker} says, we are behind. Let us talk on Monday."
    world.jira.add_comment(key, CommentBody(adf=to_adf([Paragraph(quoted)]), wiki=quoted))

    monthly(world, app)

    texts = [c.text for c in world.jira.comments(key)]
    assert quoted in texts, "the person's comment is not edited"
    assert len(texts) == 2
    assert world.jira.requests_to("PUT", "/comment") == []


def test_a_dry_run_says_which_teams_digest_goes_to_no_jira_issue(world: World, app: App, capsys):
    mob = world.mappings / "mob.toml"
    mob.write_text(mob.read_text() + '\n[review]\nissue = "MOB-3"\n')
    capsys.readouterr()

    assert world.main("review", "weekly", "--as-of", DAY.isoformat(), "--dry-run") == 0

    err = capsys.readouterr().err
    assert "would post: MOB-3: one comment" in err
    assert "WEB: no [review] issue in its mapping, so its weekly digest is written only as files" in err
    assert "MOB: no [review] issue" not in err


def test_the_schedule_makes_no_check_in_of_a_month_before_the_cycle(world: World, app: App, tmp_path: Path):
    monday = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)  # 10:00 in Berlin; September's check-in fell due on 1 October
    made = due_reviews(app.store, app.mappings.current(), tmp_path / "reviews", monday)
    assert {(r.team, r.kind) for r in made} == {("MOB", "weekly"), ("WEB", "weekly")}
    november = due_reviews(app.store, app.mappings.current(), tmp_path / "reviews", NOW)
    assert {r.kind for r in november} == {"weekly", "monthly"}, "October's check-in is made"

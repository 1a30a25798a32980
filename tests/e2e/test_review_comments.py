"""``kpiokr review`` over real HTTP against the sandbox, in both flavours, each command its own process.

A dry run prints every demo team's review and sends nothing; a real run leaves one comment per
period per issue, a second run edits it, and a run SIGKILLed while its POST is in Jira's hands,
run again, still ends with exactly one comment per period per issue.
"""

import json
import time
from pathlib import Path

import pytest

from jira_sandbox.api_comments import comments_of
from jira_sandbox.faults import Fault
from sync.config import Config
from tests.e2e.cli_process import Cli
from tests.e2e.conftest import Jira
from tests.e2e.resilience_support import config_file

pytestmark = pytest.mark.e2e

REVIEW_ISSUE = "MOB-2"


@pytest.fixture(scope="module")
def cli() -> Cli:
    return Cli()


@pytest.fixture
def synced(config: Config, jira: Jira, cli: Cli, tmp_path: Path) -> Path:
    """The demo's config with a review issue for team MOB, after one sync; the request log cleared."""
    mob = config.base_dir / "mappings" / "mob.toml"
    mob.write_text(mob.read_text() + f'\n[review]\nissue = "{REVIEW_ISSUE}"\n')
    path = config_file(config)
    assert cli.run(["--config", str(path), "sync"], tmp_path / "sync.out") == 0, (tmp_path / "sync.out").read_text()
    jira.server.clear_request_log()
    return path


def review(cli: Cli, path: Path, out: Path, *args: str) -> str:
    code = cli.run(["--config", str(path), "review", *args], out)
    text = out.read_text()
    assert code == 0, text[-3000:]
    return text


def marked(jira: Jira) -> dict[str, list[str]]:
    """The review comments' texts by issue key."""
    book = comments_of(jira.site)
    found: dict[str, list[str]] = {}
    for key, comments in book.by_issue.items():
        for comment in comments:
            text = json.dumps(comment.body)
            if "kpiokr-review" in text:
                found.setdefault(key, []).append(text)
    return found


def objective_epics(jira: Jira) -> set[str]:
    labels = next(f.key for f in jira.site.fields.values() if f.name == "Labels")
    return {i.key for i in jira.site.issues if "okr" in (i.values.get(labels) or ())}


def test_a_dry_run_prints_every_teams_review_and_sends_nothing(jira: Jira, synced: Path, cli: Cli, tmp_path: Path):
    for kind, title in (
        ("weekly", "Weekly KPI digest"),
        ("monthly", "Monthly OKR check-in"),
        ("quarterly", "Quarterly review"),
    ):
        text = review(cli, synced, tmp_path / f"{kind}.out", kind, "--dry-run", "--as-of", "2026-11-20")
        assert f"# {title}: MOB" in text
        assert f"# {title}: WEB" in text
        assert "dry run: nothing posted" in text
    assert "## Grades so far (the cycle goes on)" in text, "as of 2026-11-20 the quarter goes on"
    as_json = json.loads(
        review(cli, synced, tmp_path / "json.out", "weekly", "--dry-run", "--format", "json").split("\nwould post")[0]
    )
    assert {r["team"] for r in as_json["reviews"]} == {"MOB", "WEB"}
    assert jira.requests() == []
    assert not (synced.parent / "reviews").exists()
    assert marked(jira) == {}


def test_comments_appear_once_per_period_and_a_second_run_edits_them(
    jira: Jira, synced: Path, cli: Cli, tmp_path: Path
):
    review(cli, synced, tmp_path / "m1.out", "monthly", "--as-of", "2026-11-19")
    review(cli, synced, tmp_path / "w1.out", "weekly", "--as-of", "2026-11-19")
    first = marked(jira)
    epics = objective_epics(jira)
    assert epics
    assert epics <= first.keys()
    assert set(first) == epics | {REVIEW_ISSUE}
    assert all(len(texts) == 1 for texts in first.values())
    posts = len(jira.requests("POST", "/comment"))
    assert posts == len(first)

    review(cli, synced, tmp_path / "m2.out", "monthly", "--as-of", "2026-11-20")
    review(cli, synced, tmp_path / "w2.out", "weekly", "--as-of", "2026-11-20")
    second = marked(jira)
    assert {k: len(v) for k, v in second.items()} == dict.fromkeys(first, 1)
    assert len(jira.requests("POST", "/comment")) == posts
    assert len(jira.requests("PUT", "/comment")) == len(first)
    assert all("2026-11-20" in second[key][0] for key in second)
    written = sorted(p.name for p in (synced.parent / "reviews" / "mob").iterdir())
    assert written == [
        "monthly-2026-11.json",
        "monthly-2026-11.md",
        "weekly-week-of-2026-11-16.json",
        "weekly-week-of-2026-11-16.md",
    ]

    review(cli, synced, tmp_path / "w3.out", "weekly", "--as-of", "2026-11-20")
    assert len(jira.requests("PUT", "/comment")) == len(first), "the same review again edits nothing"


def test_a_run_killed_after_its_post_left_ends_with_one_comment_per_issue(
    jira: Jira, synced: Path, cli: Cli, tmp_path: Path
):
    fault = Fault("slow", "/rest/api/*/issue/*/comment", method="POST", delay=1.5)
    jira.server.faults.add(fault)
    process = cli.start(["--config", str(synced), "review", "monthly", "--as-of", "2026-11-20"], tmp_path / "k.out")
    deadline = time.monotonic() + 60
    while fault.hits == 0 and time.monotonic() < deadline and process.is_alive():
        time.sleep(0.01)
    assert fault.hits == 1, (tmp_path / "k.out").read_text()[-2000:]
    process.kill()
    process.join()
    time.sleep(fault.delay + 0.5)  # Jira finishes the POST the killed process sent
    landed = marked(jira)
    assert sum(len(v) for v in landed.values()) == 1

    review(cli, synced, tmp_path / "again.out", "monthly", "--as-of", "2026-11-20")
    after = marked(jira)
    assert set(after) == objective_epics(jira)
    assert all(len(texts) == 1 for texts in after.values())


def test_the_daemons_review_job_publishes_what_is_due_once(jira: Jira, synced: Path) -> None:
    from datetime import UTC, datetime  # noqa: PLC0415
    from threading import Event  # noqa: PLC0415

    from sync.app import review_job  # noqa: PLC0415
    from sync.cli.bootstrap import build_app  # noqa: PLC0415
    from sync.config import load_config  # noqa: PLC0415

    app = build_app(load_config(synced), {})
    directory = synced.parent / "reviews"
    # Monday 09:30 in Berlin: last week's digest is due, and October's check-in (due on 2 November)
    try:
        monday = datetime(2026, 11, 23, 8, 30, tzinfo=UTC)
        job = review_job(app.jira, app.store, app.mappings, directory, lambda: monday, stop=Event())
        job()
        made = marked(jira)
        assert set(made) == objective_epics(jira) | {REVIEW_ISSUE}
        assert "week of 2026-11-16" in made[REVIEW_ISSUE][0]
        assert all("2026-10" in made[key][0] for key in objective_epics(jira))
        names = sorted(p.name for p in (directory / "mob").iterdir())
        assert names == [
            "monthly-2026-10.json",
            "monthly-2026-10.md",
            "weekly-week-of-2026-11-16.json",
            "weekly-week-of-2026-11-16.md",
        ]
        jira.server.clear_request_log()
        job()
        assert jira.requests() == [], "a review already made is not made again"
    finally:
        app.close()

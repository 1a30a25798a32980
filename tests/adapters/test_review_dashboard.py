"""The team's reviews on the dashboard, read from the files the reviews wrote: the list, each review as a
page (Jira's text escaped, no inline script), both in the JSON API and valid against its OpenAPI
document, and clear refusals for an unknown team, a review never written and a path that is none."""

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openapi_schema_validator import OAS31Validator
from starlette.testclient import TestClient

from sync.app import Access, ReviewShelf, dashboard_app, make_reviews
from sync.app.reviews.files import write_files
from tests.adapters.dashboard_support import SCRIPT, Served, served_world
from tests.fakes.world import NOW


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from served_world(tmp_path_factory.mktemp("review-dashboard"))


@pytest.fixture(scope="module")
def directory(served: Served) -> Path:
    """The monthly check-in and the weekly digest of every team, written as files."""
    folder = served.world.config_path.parent / "reviews"
    teams = served.app.mappings.current()
    for kind in ("monthly", "weekly"):
        for review in make_reviews(served.app.store, teams, kind, day=date(2026, 11, 19), now=NOW):
            write_files(folder, review)
    return folder


def client(served: Served, reviews: Path | None) -> TestClient:
    paths, clock = served.world.config.mapping_paths, served.world.site.clock
    shelf = ReviewShelf(reviews) if reviews is not None else None
    return TestClient(dashboard_app(served.app.store, paths, Access(), clock, reviews=shelf))


def test_the_team_page_links_to_its_reviews_which_lists_each_written_review(served: Served, directory: Path):
    web = client(served, directory)
    assert 'href="/teams/MOB/reviews"' in web.get("/teams/MOB").text
    page = web.get("/teams/MOB/reviews")
    assert page.status_code == 200
    links = re.findall(r'href="(/teams/MOB/reviews/[^"]+)"', page.text)
    assert sorted(links) == ["/teams/MOB/reviews/monthly/2026-11", "/teams/MOB/reviews/weekly/week-of-2026-11-16"]
    assert "week of 2026-11-16" in page.text


def test_a_review_page_says_what_its_markdown_file_says_with_jiras_text_escaped(served: Served, directory: Path):
    page = client(served, directory).get("/teams/MOB/reviews/monthly/2026-11")
    assert page.status_code == 200
    assert "<h1>Monthly OKR check-in: MOB, 2026-11</h1>" in page.text
    markdown = (directory / "mob" / "monthly-2026-11.md").read_text()
    for heading in re.findall(r"^## (.+)$", markdown, re.MULTILINE):
        if "<" not in heading and "&" not in heading and "\\" not in heading:
            assert f"<h2>{heading}</h2>" in page.text
    assert "Grow" in page.text
    assert SCRIPT not in page.text
    assert "&lt;script&gt;" in page.text
    assert all('src="' in tag for tag in re.findall(r"<script[^>]*>", page.text)), "no inline script"


@pytest.mark.parametrize("path", ["/teams/MOB/reviews", "/teams/MOB/reviews/monthly/2026-11"])
def test_a_review_page_offers_no_date_control_as_a_review_is_as_of_its_own_date(
    served: Served, directory: Path, path: str
):
    page = client(served, directory).get(path).text
    assert 'id="as_of"' not in page
    assert 'name="as_of"' not in page
    assert 'id="as_of"' in client(served, directory).get("/teams/MOB").text


def test_the_api_lists_the_reviews_and_gives_each_document_valid_against_the_openapi_document(
    served: Served, directory: Path
):
    web = client(served, directory)
    document = web.get("/api/openapi.json").json()
    schemas = document["components"]["schemas"]

    def validate(instance: object, name: str) -> None:
        OAS31Validator({**schemas[name], "components": {"schemas": schemas}}).validate(instance)

    listed = web.get("/api/teams/WEB/reviews").json()
    validate(listed, "Reviews")
    assert [(r["kind"], r["period"]) for r in listed["reviews"]] == [
        ("weekly", "week-of-2026-11-16"),
        ("monthly", "2026-11"),
    ]
    for entry in listed["reviews"]:
        answer = web.get(entry["review"])
        assert answer.status_code == 200
        validate(answer.json(), "Review")
        written = directory / "web" / f"{entry['kind']}-{entry['period']}.json"
        assert answer.json() == json.loads(written.read_text())
        assert web.get(entry["page"]).status_code == 200
    for missing in ("/api/teams/NOPE/reviews", "/api/teams/MOB/reviews/quarterly/2026-q4"):
        answer = web.get(missing)
        assert answer.status_code == 404
        validate(answer.json(), "Error")
    assert "known teams: MOB, WEB" in web.get("/api/teams/NOPE/reviews").json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/teams/MOB/reviews/monthly/..%2F..%2Fconfig",
        "/api/teams/MOB/reviews/yearly/2026",
        "/teams/MOB/reviews/monthly/2026-11.json",
        "/teams/NOPE/reviews",
    ],
)
def test_what_names_no_written_review_is_not_found(served: Served, directory: Path, path: str):
    assert client(served, directory).get(path).status_code == 404


def test_a_review_file_that_is_no_review_is_left_out_of_the_list(served: Served, directory: Path):
    broken = directory / "mob" / "weekly-week-of-2026-10-05.json"
    broken.write_text("{not json")
    try:
        listed = client(served, directory).get("/api/teams/MOB/reviews").json()["reviews"]
    finally:
        broken.unlink()
    assert [r["period"] for r in listed] == ["week-of-2026-11-16", "2026-11"]


def test_without_a_reviews_directory_the_list_is_empty(served: Served):
    web = client(served, None)
    assert web.get("/api/teams/MOB/reviews").json() == {"team": "MOB", "reviews": []}
    assert "No review written yet" in web.get("/teams/MOB/reviews").text

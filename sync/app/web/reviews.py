"""The team's reviews on the dashboard: the list of its written reviews and each one as a page, made
from the review's JSON file (the same words as its Markdown file and its Jira comments), and both
in the JSON API. Jira text reaches the page through Jinja2's autoescaping only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Route

from sync.app.reviews.blocks import Bullets, Heading, Paragraph
from sync.app.web.pages import TEMPLATES
from sync.app.web.source import Reports

if TYPE_CHECKING:  # the reviews read KPI details through this package: imported for typing only
    from sync.app.reviews import ReviewShelf, WrittenReview


def _html_blocks(shelf: ReviewShelf, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The review's blocks as the template walks them: a kind and its plain text (escaped there)."""
    shown: list[dict[str, Any]] = []
    for block in shelf.blocks(data):
        if isinstance(block, Heading):
            shown.append({"kind": "heading", "level": block.level, "text": block.text})
        elif isinstance(block, Paragraph):
            shown.append({"kind": "paragraph", "text": block.text})
        elif isinstance(block, Bullets):
            shown.append({"kind": "bullets", "items": block.items})
        else:
            shown.append({"kind": "table", "header": block.header, "rows": block.rows})
    return shown


def _listed(team: str, base: str, review: WrittenReview) -> dict[str, Any]:
    team = quote(team, safe="")
    return {
        "kind": review.kind,
        "period": review.period,
        "label": review.label,
        "as_of": review.as_of,
        "written": review.written.isoformat(),
        "review": f"{base}/api/teams/{team}/reviews/{review.kind}/{review.period}",
        "page": f"{base}/teams/{team}/reviews/{review.kind}/{review.period}",
    }


class ReviewViews:
    """Pages and API answers over the review files on ``shelf`` (none when it is ``None``); links start at
    ``base_path``."""

    def __init__(self, reports: Reports, shelf: ReviewShelf | None, base_path: str) -> None:
        self.reports = reports
        self.shelf = shelf
        self.base = base_path
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True))

    def routes(self) -> list[Route]:
        """The pages' and the API's routes."""
        return [
            Route("/teams/{team}/reviews", self.page_list),
            Route("/teams/{team}/reviews/{kind}/{period}", self.page_one),
            Route("/api/teams/{team}/reviews", self.api_list),
            Route("/api/teams/{team}/reviews/{kind}/{period}", self.api_one),
        ]

    def _written(self, team: str) -> list[WrittenReview]:
        return [] if self.shelf is None else self.shelf.written(team)

    def _read(self, team: str, kind: str, period: str) -> dict[str, Any] | None:
        return None if self.shelf is None else self.shelf.read(team, kind, period)

    def _unknown(self, team: str) -> str | None:
        return None if team in self.reports.teams() else self.reports.no_team(team)

    def _page(self, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A page without the date control: a review is as of its own date."""
        page = self.env.get_template(template).render(base=self.base, as_of=None, q="", dated=False, **context)
        return HTMLResponse(page, status)

    def _missing_page(self, message: str) -> HTMLResponse:
        return self._page("error.html", 404, message=message, teams=self.reports.teams())

    def page_list(self, request: Request) -> HTMLResponse:
        """The team's written reviews, newest period first: kind, period, as of and when written."""
        team = request.path_params["team"]
        unknown = self._unknown(team)
        if unknown is not None:
            return self._missing_page(unknown)
        return self._page("reviews.html", team=team, reviews=self._written(team))

    def page_one(self, request: Request) -> HTMLResponse:
        """One review, as its Markdown file says it."""
        team, kind, period = (request.path_params[k] for k in ("team", "kind", "period"))
        unknown = self._unknown(team)
        if unknown is not None:
            return self._missing_page(unknown)
        data = self._read(team, kind, period)
        if data is None or self.shelf is None:
            return self._missing_page(f"team {team} has no {kind} review {period!r} written")
        return self._page("review.html", team=team, data=data, blocks=_html_blocks(self.shelf, data))

    def api_list(self, request: Request) -> JSONResponse:
        """The team's written reviews, newest period first, each with the addresses of its JSON and its page."""
        team = request.path_params["team"]
        unknown = self._unknown(team)
        if unknown is not None:
            return JSONResponse({"error": unknown}, 404)
        listed = [_listed(team, self.base, r) for r in self._written(team)]
        return JSONResponse({"team": team, "reviews": listed})

    def api_one(self, request: Request) -> JSONResponse:
        """One review's JSON document, as ``kpiokr review --format json`` gives it."""
        team, kind, period = (request.path_params[k] for k in ("team", "kind", "period"))
        unknown = self._unknown(team)
        if unknown is not None:
            return JSONResponse({"error": unknown}, 404)
        data = self._read(team, kind, period)
        if data is None:
            return JSONResponse({"error": f"team {team} has no {kind} review {period!r} written"}, 404)
        return JSONResponse(data)

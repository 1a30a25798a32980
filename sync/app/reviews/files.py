"""Reviews as files: ``<directory>/<team>/<kind>-<period>.md`` and ``.json``, rewritten when run again."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from sync.app.results import strict_json
from sync.app.reviews.markdown import to_markdown
from sync.app.reviews.model import Review
from sync.app.reviews.periods import Period, slug


def review_path(directory: Path, team: str, period: Period) -> Path:
    """Where the review of ``team`` for ``period`` is written, without the suffix."""
    return directory / slug(team) / f"{period.kind}-{slug(period.label)}"


def dashboard_link(public_url: str, review: Review) -> str:
    """The dashboard page of ``review`` under the dashboard's ``public_url``."""
    team = quote(review.team, safe="")
    return f"{public_url.rstrip('/')}/teams/{team}/reviews/{review.kind}/{slug(review.period.label)}"


def whereabouts(review: Review, public_url: str | None) -> str:
    """The sentence saying where the whole of ``review`` can be read: its file, and the dashboard if known."""
    name = review_path(Path(), review.team, review.period).with_suffix(".md")
    where = f"The whole review is the file {name.as_posix()} in kpiokr's reviews directory"
    return f"{where} and at {dashboard_link(public_url, review)}." if public_url else f"{where}."


def review_json(review: Review) -> str:
    """The review's JSON document as text (strict JSON)."""
    return json.dumps(strict_json(review.data), indent=2, ensure_ascii=False) + "\n"


def write_files(directory: Path, review: Review) -> list[Path]:
    """Write the review's Markdown and JSON (each replaced whole, never half-written); returns the paths."""
    base = review_path(directory, review.team, review.period)
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, text in ((".md", to_markdown(review.blocks)), (".json", review_json(review))):
        path = base.with_suffix(suffix)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
        written.append(path)
    return written

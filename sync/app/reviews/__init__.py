"""The review rhythm: the weekly KPI digest, the monthly OKR check-in and the quarterly review, made
from the store as of any date, written as Markdown and JSON files and posted as Jira comments (one
per period per issue, edited in place), on demand or on each team's schedule."""

from sync.app.reviews.delivery import describe_comments
from sync.app.reviews.files import review_json
from sync.app.reviews.jira_formats import to_wiki
from sync.app.reviews.markdown import to_markdown
from sync.app.reviews.model import Review
from sync.app.reviews.run import Published, due_reviews, make_reviews, publish
from sync.app.reviews.scheduled import review_job
from sync.app.reviews.shelf import ReviewShelf, WrittenReview

__all__ = [
    "Published",
    "Review",
    "ReviewShelf",
    "WrittenReview",
    "describe_comments",
    "due_reviews",
    "make_reviews",
    "publish",
    "review_job",
    "review_json",
    "to_markdown",
    "to_wiki",
]

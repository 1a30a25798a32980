"""Reviews rendered for Jira and for files: ADF is a well-formed document, wiki markup and Markdown
show Jira text as text, and the review periods and schedule fall where the cadence says."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from jira_sandbox.api_comments import adf_problems
from sync.app.reviews.blocks import Bullets, Heading, Paragraph, Table
from sync.app.reviews.figures import moment, review_head
from sync.app.reviews.jira_formats import to_adf, to_wiki, wiki_escape
from sync.app.reviews.markdown import to_markdown
from sync.app.reviews.periods import latest_due, period_of
from sync.app.reviews.quarterly import grade_blocks
from sync.mapping import CycleSection, ReviewSection

HOSTILE = "[evil|http://x] {code} *bold* _it_ -- !img.png! | a"
BLOCKS = (
    Heading("Weekly KPI digest: MOB", 1),
    Paragraph(HOSTILE),
    Bullets(("one", HOSTILE)),
    Table(("KPI", "Value"), (("Lead time", "3 days"), (HOSTILE, ""))),
)
CYCLE = CycleSection(name="2026-Q4", start=date(2026, 10, 1), end=date(2026, 12, 31))
BERLIN = ZoneInfo("Europe/Berlin")


def test_adf_is_a_well_formed_document_holding_the_text_as_is():
    document = to_adf(BLOCKS)
    assert list(adf_problems(document)) == []
    texts = [n["text"] for n in _nodes(document) if n.get("type") == "text"]
    assert HOSTILE in texts
    table = next(n for n in document["content"] if n["type"] == "table")
    assert [c["type"] for c in table["content"][0]["content"]] == ["tableHeader", "tableHeader"]


def _nodes(node):
    yield node
    for child in node.get("content", []):
        yield from _nodes(child)


def test_wiki_markup_escapes_every_character_jira_would_read_as_markup():
    escaped = wiki_escape(HOSTILE)
    unescaped = [c for i, c in enumerate(escaped) if c in "[]{}|*_!" and escaped[i - 1 : i] != "\\"]
    assert unescaped == []
    assert "--" not in escaped
    assert escaped.replace("\\", "") == HOSTILE
    wiki = to_wiki(BLOCKS)
    assert wiki.startswith("h1. Weekly KPI digest: MOB")
    assert "||KPI||Value||" in wiki
    assert "|Lead time|3 days|" in wiki
    assert "| |" in wiki.splitlines()[-1], "an empty cell keeps the table's shape"


def test_markdown_escapes_table_pipes_and_links():
    markdown = to_markdown(BLOCKS)
    assert "\\[evil\\|http://x\\]" in markdown
    assert markdown.startswith("# Weekly KPI digest: MOB\n")
    assert "| KPI | Value |\n|---|---|\n| Lead time | 3 days |" in markdown


def test_periods_are_weeks_from_the_weekly_day_calendar_months_and_the_cycle():
    monday, wednesday = ReviewSection(), ReviewSection(weekly_day="wednesday")
    day = date(2026, 11, 20)  # a Friday
    assert period_of("weekly", day, monday, (CYCLE,)).label == "week of 2026-11-16"
    assert period_of("weekly", day, wednesday, (CYCLE,)).start == date(2026, 11, 18)
    month = period_of("monthly", day, monday, (CYCLE,))
    assert (month.start, month.end, month.key) == (date(2026, 11, 1), date(2026, 11, 30), "monthly:2026-11")
    assert period_of("quarterly", day, monday, (CYCLE,)).key == "quarterly:2026-q4"


def test_the_schedule_reviews_the_period_just_ended_at_the_teams_local_time():
    review = ReviewSection()
    before_nine = datetime(2026, 11, 23, 7, 59, tzinfo=UTC)  # Monday 08:59 in Berlin
    due = latest_due("weekly", review, CYCLE, BERLIN, before_nine)
    assert due is not None
    assert due.period.label == "week of 2026-11-09"
    after_nine = latest_due("weekly", review, CYCLE, BERLIN, datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    assert after_nine is not None
    assert after_nine.period.label == "week of 2026-11-16"
    assert after_nine.as_of == datetime(2026, 11, 22, 23, 59, 59, 999999, tzinfo=BERLIN)
    # 2026-08-01 is a Saturday: the check-in of July falls on Monday the 3rd.
    monthly = latest_due("monthly", review, CYCLE, BERLIN, datetime(2026, 8, 2, 12, tzinfo=UTC))
    assert monthly is not None
    assert monthly.period.label == "2026-06"
    monthly = latest_due("monthly", review, CYCLE, BERLIN, datetime(2026, 8, 3, 12, tzinfo=UTC))
    assert monthly is not None
    assert (monthly.period.label, monthly.due.date()) == ("2026-07", date(2026, 8, 3))
    assert latest_due("quarterly", review, CYCLE, BERLIN, datetime(2026, 12, 30, tzinfo=UTC)) is None
    quarterly = latest_due("quarterly", review, CYCLE, BERLIN, datetime(2026, 12, 31, 9, tzinfo=UTC))
    assert quarterly is not None
    assert quarterly.period.label == "2026-Q4"


def test_grades_are_final_only_once_the_cycle_is_over():
    objectives = [
        {"key": "MOB-3", "title": "Win SMB", "owner": "pm", "ambition": "stretch", "grade": 0.3, "reading": "failed"}
        | {"slow_weeks": ["2026-10-05"]}
    ]
    over = to_markdown(grade_blocks(objectives, ended=True))
    going = to_markdown(grade_blocks(objectives, ended=False))
    assert "## Final grades" in over
    assert "| MOB-3 Win SMB | pm | stretch | 0.3 | failed | 1 |" in over
    assert "## Grades so far (the cycle goes on)" in going
    assert "| Objective | Owner | Ambition | Grade so far | Read as | Slow weeks |" in going
    assert "| failed, were the cycle over |" in going


def test_a_review_is_as_of_an_instant_in_the_teams_time_zone_read_to_the_minute():
    period = period_of("weekly", date(2026, 11, 20), ReviewSection(), (CYCLE,))
    head = review_head(
        "weekly", "MOB", period, as_of=datetime(2026, 11, 20, 11, 5, 7, 4711, tzinfo=UTC), tz=BERLIN, cycle="2026-Q4"
    )
    assert head["as_of"] == "2026-11-20T12:05:07+01:00"
    assert head["period"] == {"label": "week of 2026-11-16", "start": "2026-11-16", "end": "2026-11-22"}
    assert moment(head["as_of"]) == "2026-11-20 12:05 (UTC+01:00)"

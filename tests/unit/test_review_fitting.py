"""Review comments too long for Jira are shortened: the header, the sections that fit (a section too long
whole without its table), a note naming what was left out and where the whole review is, and the marker."""

import json

from sync.app.reviews.blocks import Block, Bullets, Heading, Paragraph, Table
from sync.app.reviews.fitting import COMMENT_LIMIT, body_size, fitted_body
from sync.app.reviews.jira_formats import comment_body

MARK = Paragraph("kpiokr-review weekly:week-of-2026-11-16 mob mob-3")
ELSEWHERE = "The whole review is the file mob/weekly-week-of-2026-11-16.md in kpiokr's reviews directory."


def head() -> list[Block]:
    return [Heading("Weekly KPI digest: MOB, week of 2026-11-16", 1), Paragraph("As of 2026-11-22.")]


def kpi_table(rows: int) -> Table:
    return Table(
        ("KPI", "Owner", "Value", "Target"),
        tuple((f"KPI number {n} with a long and telling name", "pm@example.com", f"{n}.5", "40") for n in range(rows)),
    )


def test_a_review_within_the_limit_is_posted_whole():
    blocks = [*head(), Heading("KPIs"), kpi_table(10), Heading("Breaches"), Paragraph("None.")]
    assert fitted_body(blocks, MARK, ELSEWHERE) == comment_body((*blocks, MARK))


def test_a_huge_review_keeps_its_header_the_sections_that_fit_and_says_what_it_left_out():
    blocks = [
        *head(),
        Heading("Breaches"),
        Bullets(("Velocity (pm@example.com): 12 is past the guardrail 25",)),
        Heading("KPIs"),
        Paragraph("Each KPI against target and guardrail."),
        kpi_table(600),
        Heading("Early warnings"),
        Paragraph("No KPI is heading for its guardrail."),
        Heading("Data quality"),
        Bullets(tuple(f"KPI number {n}: 40 issues, 3 unestimated" for n in range(600))),
    ]
    assert body_size(comment_body(blocks)) > 4 * COMMENT_LIMIT

    body = fitted_body(blocks, MARK, ELSEWHERE)
    wiki, adf = body.wiki, json.dumps(body.adf)

    assert len(wiki) <= COMMENT_LIMIT
    assert len(adf) <= COMMENT_LIMIT
    assert body_size(body) <= COMMENT_LIMIT
    for kept in (
        "Weekly KPI digest: MOB",
        "As of 2026",
        "past the guardrail 25",
        "Each KPI against",
        "No KPI is heading",
    ):
        assert kept in adf
    assert "KPI number 17 with a long" not in adf  # the table went
    assert wiki.endswith(MARK.text)
    assert "leaves out: KPIs (its table); Data quality." in adf
    assert ELSEWHERE in adf


def test_the_note_names_where_the_whole_review_is_in_both_formats():
    blocks = [*head(), Heading("KPIs"), kpi_table(400)]
    body = fitted_body(blocks, MARK, ELSEWHERE)
    assert ELSEWHERE in body.wiki
    assert ELSEWHERE in json.dumps(body.adf)
    assert body_size(body) <= COMMENT_LIMIT

"""The ``[review]`` table: when a team's reviews fall due and where the weekly digest is posted.

Weekly on ``weekly_day`` at ``time``, monthly on the first working day of the month at ``time``,
quarterly on the cycle's last day at ``time``, all in the team's time zone.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from sync.mapping.types import IssueKey, Table

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
ReviewKind = Literal["weekly", "monthly", "quarterly"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REVIEW_KINDS: tuple[ReviewKind, ...] = ("weekly", "monthly", "quarterly")
ClockTime = Annotated[str, StringConstraints(strict=True, pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class ReviewSection(Table):
    """The team's review rhythm: the weekly KPI digest, the monthly OKR check-in, the quarterly review."""

    issue: IssueKey | None = Field(
        None,
        description='The standing "KPI review" issue the weekly digest is a comment on; none: the digest is only '
        "written as files",
    )
    reviews: tuple[ReviewKind, ...] = Field(
        REVIEW_KINDS, description='The reviews the daemon makes on their days, e.g. ["weekly", "monthly"]'
    )
    weekly_day: Weekday = Field("monday", description="The day of the weekly KPI digest")
    time: ClockTime = Field("09:00", description="Local time (HH:MM, 24-hour) each review falls due at")
    working_days: tuple[Weekday, ...] = Field(
        WEEKDAYS[:5],
        min_length=1,
        description="The days the monthly check-in may fall on (its day: the month's first of them)",
    )
    warning_weeks: Annotated[int, Field(strict=True, ge=1, le=52)] = Field(
        4, description="An early warning names a KPI whose trend reaches its threshold within this many weeks"
    )

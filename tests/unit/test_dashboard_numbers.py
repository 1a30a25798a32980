"""Figures on the dashboard's pages: two decimals at most, never in exponent notation, ``-`` for none."""

import pytest

from sync.app.web.views import number


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (4.333333, "points", "4.33 points"),
        (53562.0, "", "53562"),
        (1234567.891, "", "1234567.89"),
        (1e-7, "%", "0 %"),
        (-0.001, "", "0"),
        (0.5, "", "0.5"),
        (12, "days", "12 days"),
        (None, "days", "-"),
    ],
)
def test_a_figure_reads_as_people_write_it(value, unit, shown):
    assert number(value, unit) == shown

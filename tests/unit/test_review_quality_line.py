"""The reviews' data-quality line names every figure a KPI's value stands on."""

from sync.app.reviews.figures import quality_text


def test_the_line_counts_the_changelogs_completed_beside_the_other_figures():
    quality = {"sample_size": 40, "without_history": 2, "completed_changelogs": 3, "unestimated": None}

    assert quality_text("Lead time", quality) == "Lead time: n = 40, 2 without history, 3 changelogs completed"
    assert quality_text("Lead time", {**quality, "completed_changelogs": 1}).endswith(", 1 changelog completed")


def test_a_line_without_the_count_says_nothing_of_it():
    older = {"sample_size": 40, "without_history": 0, "unestimated": {"issues": 3, "of": 20}}

    assert quality_text("Velocity", older) == "Velocity: n = 40, 3 of 20 unestimated"
    assert quality_text("Velocity", {**older, "completed_changelogs": 0}) == "Velocity: n = 40, 3 of 20 unestimated"

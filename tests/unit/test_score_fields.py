"""What ``kpiokr check`` and the daemon say about a score field that is missing from the site."""

from datetime import UTC, datetime

from sync.app.score_fields import explain_missing
from sync.errors import FieldNotFound
from sync.jira.site import FieldInfo, resolve_field

FIELDS = [
    FieldInfo("customfield_10100", "OKR score", True, "number", None),
    FieldInfo("customfield_10200", "Objective scores", True, "number", None),
    FieldInfo("customfield_10300", "Twin", True, "number", None),
    FieldInfo("customfield_10301", "Twin", True, "number", None),
]
WRITTEN_AT = datetime(2026, 11, 20, 12, tzinfo=UTC)


def missing(name: str) -> FieldNotFound:
    try:
        resolve_field(FIELDS, name)
    except FieldNotFound as error:
        return error
    raise AssertionError(f"{name} exists")


def test_a_renamed_field_is_named_with_its_new_name_and_both_fixes():
    written = {"Objective score": ("customfield_10100", WRITTEN_AT)}
    text = explain_missing("Objective score", "objective_score", FIELDS, written, missing("Objective score"))
    assert text == (
        "no field named 'Objective score' on the site: kpiokr last wrote these scores to customfield_10100 on "
        "2026-11-20, which Jira now calls 'OKR score' (the field was renamed). Set objective_score = 'OKR score' "
        "in [score_fields], or rename the field back to 'Objective score' in Jira."
    )


def test_a_deleted_field_says_setup_creates_it_again():
    written = {"Objective status": ("customfield_10101", WRITTEN_AT)}
    text = explain_missing("Objective status", "objective_status", FIELDS, written, missing("Objective status"))
    assert "customfield_10101 on 2026-11-20, which no longer exists (the field was deleted)" in text
    assert "Run `kpiokr setup` to create 'Objective status' again" in text
    assert "or set objective_status in [score_fields] to the name of another field" in text


def test_a_field_kpiokr_never_wrote_to_gets_the_setup_advice_and_close_names():
    text = explain_missing("Objective score", "objective_score", FIELDS, {}, missing("Objective score"))
    assert text.startswith("no field named 'Objective score' on the site (did you mean 'Objective scores'")
    assert "Run `kpiokr setup` to create it, or set objective_score in [score_fields]" in text


def test_an_ambiguous_name_keeps_the_error_that_says_to_use_the_id():
    error = missing("Twin")
    assert explain_missing("Twin", "objective_score", FIELDS, {}, error) == str(error)

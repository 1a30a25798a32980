"""What ``kpiokr sync`` (and the demo) print after a pass: the counts, each field write and each
property document, and what went wrong."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from sync.app import DesiredProperty, IssueWrite, RunSummary


def describe_plan(plan: Sequence[IssueWrite]) -> list[str]:
    """One line per field write: issue, field, before and after."""
    return [
        f"{write.issue_key}: {field.field_name} ({field.field_id}): {_shown(field.before)} -> {_shown(field.after)}"
        for write in plan
        for field in write.fields
    ]


def _shown(value: object) -> str:
    if isinstance(value, dict):
        value = value.get("value")
    return "empty" if value is None or value == "" else repr(value)


def print_summary(summary: RunSummary, *, dry_run: bool, out: TextIO | None = None) -> None:
    """What a pass did, for a person (on standard output unless ``out`` is given).

    Nothing is written in a dry run or with write-back disabled: the plan then reads "would write".
    """
    out = out or sys.stdout
    writes = describe_plan(summary.planned)
    disabled = " (write-back is disabled)" if summary.writeback_disabled and not dry_run else ""
    verb = "would write" if dry_run or disabled else "wrote"
    print(
        f"run {summary.run_id} ({summary.kind}): {summary.fetched} issue(s) fetched, "
        f"{len(writes)} field(s) to write{disabled}, {_property_counts(summary, sent=not (dry_run or disabled))}, "
        f"{summary.requests} request(s), {summary.seconds:.1f}s",
        file=out,
    )
    rejected = {o.write.issue_key: o.reason for o in summary.outcomes if not o.ok}
    for line in writes:
        key = line.split(":", 1)[0]
        mark = f"  REJECTED: {rejected[key]}" if key in rejected else ""
        print(f"  {verb} {line}{mark}{disabled}", file=out)
    if dry_run or disabled:
        shown = [("would write", p) for p in summary.planned_properties]
    else:
        shown = [
            *(("wrote", p) for p in summary.written_properties),
            *(("REJECTED", p) for p in summary.refused_properties),
            *(("still being set by Jira:", p) for p in summary.unconfirmed_properties),
        ]
    for said, p in shown:
        print(f"  {said} {_document(p)}{disabled}", file=out)
    for team, message in summary.failed_teams.items():
        print(f"  ! {team} skipped: {message}", file=out)
    for problem in summary.problems:
        print(f"  ! {problem}", file=out)


def _property_counts(summary: RunSummary, *, sent: bool) -> str:
    """ "3 property document(s) to write", or once sent how many Jira took, refused and is still setting."""
    if not sent or not summary.planned_properties:
        return f"{len(summary.planned_properties)} property document(s) to write"
    said = f"{summary.properties_written} property document(s) written"
    if summary.refused_properties:
        said += f", {summary.properties_rejected} refused"
    if summary.unconfirmed_properties:
        said += f", {len(summary.unconfirmed_properties)} still being set by Jira"
    return said


def _document(p: DesiredProperty) -> str:
    return f"{p.entity} {p.key}: property {p.property_key}"

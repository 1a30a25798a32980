"""What a team's evaluation read besides its histories, kept with each stored report.

A sync pass asks Jira which epics are objectives, which issues its queries select and how many
issues a query counts, and translates issues with the site's vocabulary (statuses, the sprint and
estimate fields). The report document of every pass keeps these (``basis``), so a report as of any
date can be computed from the store alone: the histories are stored, and the answers Jira gave
are read from the last report recorded at or before that date.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Any

from kpiokr.history import Status, StatusCategory
from sync.jira import BoardConfig, SiteDictionary


@dataclass(frozen=True)
class JiraAnswers:
    """What only Jira can say about a team: its objective epics, JQL-selected key results, JQL
    matches of filtered KPIs and, by query, the counts key-result measures read (each measure's
    mapping model declares the queries it counts). ``questions`` are the mapping's questions these
    answer (its JQL), so answers kept are used only for the same ones."""

    objective_keys: tuple[str, ...]
    key_result_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    kpi_matches: Mapping[str, frozenset[str]] = field(default_factory=dict)
    query_counts: Mapping[str, int] = field(default_factory=dict)
    questions: tuple[str, ...] = ()

    def named_keys(self) -> Iterator[str]:
        """The objective epics and JQL-selected key results: issues the team's scores read."""
        yield from self.objective_keys
        for keys in self.key_result_keys.values():
            yield from keys


def basis_document(
    answers: JiraAnswers, site: SiteDictionary | None, board: BoardConfig | None, tz: tzinfo
) -> dict[str, Any]:
    """The plain JSON of what an evaluation read besides the histories."""
    document: dict[str, Any] = {
        "objective_keys": list(answers.objective_keys),
        "key_result_keys": {epic: list(keys) for epic, keys in answers.key_result_keys.items()},
        "kpi_matches": {kpi: sorted(keys) for kpi, keys in answers.kpi_matches.items()},
        "query_counts": dict(answers.query_counts),
        "questions": list(answers.questions),
        "timezone": getattr(tz, "key", None),
        "board_id": board.board_id if board is not None else None,
    }
    if site is not None:
        used = {site.sprint_field, site.epic_link_field, site.estimate_field, *site.numbers.values()}
        document["site"] = {
            "statuses": [[s.id, s.name, s.category.value] for s in site.statuses.values()],
            "estimate_field": site.estimate_field,
            "sprint_field": site.sprint_field,
            "epic_link_field": site.epic_link_field,
            "numbers": dict(site.numbers),
            "field_names": {i: n for i, n in site.field_names.items() if i in used},
            "sprint_ids_by_name": dict(site.sprint_ids_by_name),
        }
    return document


@dataclass(frozen=True)
class Basis:
    """A stored basis, read back."""

    answers: JiraAnswers
    site: SiteDictionary | None
    timezone: str | None
    board_id: int | None

    @classmethod
    def from_document(cls, document: object) -> Basis:
        """Read :func:`basis_document`'s JSON (anything else reads as an empty basis)."""
        if not isinstance(document, Mapping):
            document = {}
        answers = JiraAnswers(
            tuple(document.get("objective_keys") or ()),
            {epic: tuple(keys) for epic, keys in (document.get("key_result_keys") or {}).items()},
            {kpi: frozenset(keys) for kpi, keys in (document.get("kpi_matches") or {}).items()},
            {jql: int(count) for jql, count in (document.get("query_counts") or {}).items()},
            tuple(document.get("questions") or ()),
        )
        site = document.get("site")
        board_id = document.get("board_id")
        return cls(
            answers,
            None if site is None else _site(site),
            document.get("timezone"),
            None if board_id is None else int(board_id),
        )


def _site(raw: Mapping[str, Any]) -> SiteDictionary:
    return SiteDictionary(
        statuses={i: Status(i, name, StatusCategory(category)) for i, name, category in raw["statuses"]},
        estimate_field=raw.get("estimate_field"),
        sprint_field=raw.get("sprint_field"),
        epic_link_field=raw.get("epic_link_field"),
        numbers=dict(raw.get("numbers") or {}),
        field_names=dict(raw.get("field_names") or {}),
        sprint_ids_by_name={name: int(i) for name, i in (raw.get("sprint_ids_by_name") or {}).items()},
    )

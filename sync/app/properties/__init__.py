"""Entity properties kpiokr writes into Jira: ``kpiokr.objective`` on each objective epic and
``kpiokr.team`` on each team's project, built from the report documents, planned from what Jira
holds and sent through the write ledger."""

from sync.app.properties.documents import (
    OBJECTIVE_PROPERTY,
    SCHEMA_VERSION,
    TEAM_PROPERTY,
    objective_documents,
    team_document,
    team_entry,
)
from sync.app.properties.sizing import LIMIT_BYTES, fit, size

__all__ = [
    "LIMIT_BYTES",
    "OBJECTIVE_PROPERTY",
    "SCHEMA_VERSION",
    "TEAM_PROPERTY",
    "fit",
    "objective_documents",
    "size",
    "team_document",
    "team_entry",
]

"""The material beside the repository in ``../shared``: recorded Jira responses and Atlassian's
OpenAPI documents (``$KPIOKR_SHARED`` points elsewhere). Their absence is an error, never a silent
skip: the contract and schema tests are what prove kpiokr and its sandbox speak real Jira JSON."""

import os
from pathlib import Path

ENV = "KPIOKR_SHARED"
SHARED = Path(os.environ.get(ENV) or Path(__file__).resolve().parents[2] / "shared")
JIRA_SAMPLES = SHARED / "jira-samples"
JIRA_API = SHARED / "jira-api"

for _needed in (JIRA_SAMPLES, JIRA_API):
    if not _needed.is_dir():
        raise FileNotFoundError(
            f"no {_needed.name} at {_needed}: check out shared/ beside the repository, or point {ENV} at a copy"
        )

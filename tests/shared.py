"""Where the tests' Jira fixtures live: recorded Jira responses and the subset of Atlassian's OpenAPI
documents the tests use, both under ``tests/fixtures/`` (their README says where each file comes from).

``SOURCE`` is the full material they are taken from (``../shared`` beside the repository, or
``$KPIOKR_SHARED``); only ``tests/fixtures/regenerate.py`` and the test that checks the committed
fixtures against it read it, and it may be absent.
"""

import os
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
JIRA_SAMPLES = FIXTURES / "jira-samples"
JIRA_API = FIXTURES / "openapi"

ENV = "KPIOKR_SHARED"
SOURCE = Path(os.environ.get(ENV) or Path(__file__).resolve().parents[2] / "shared")
SOURCE_SAMPLES = SOURCE / "jira-samples"
SOURCE_API = SOURCE / "jira-api"

#: The OpenAPI documents by the short name the schema tests use.
OPENAPI_DOCUMENTS = {
    "platform": "jira-cloud-platform-swagger-v3.v3.json",
    "software": "jira-software-cloud-swagger.v3.json",
    "dc": "jira-software-dc-10.3-openapi.json",
}

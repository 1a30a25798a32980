"""Where the recorded Jira responses are: ``../shared/jira-samples`` beside the repository, or
``$KPIOKR_JIRA_SAMPLES``. Their absence is an error, never a silent skip: the contract tests are
what proves kpiokr reads real Jira JSON."""

import os
from pathlib import Path

ENV = "KPIOKR_JIRA_SAMPLES"
JIRA_SAMPLES = Path(os.environ.get(ENV) or Path(__file__).resolve().parents[2] / "shared" / "jira-samples")

if not JIRA_SAMPLES.is_dir():
    raise FileNotFoundError(
        f"no recorded Jira samples at {JIRA_SAMPLES}: check out shared/ beside the repository, "
        f"or point {ENV} at a copy of jira-samples"
    )

"""kpiokr: OKRs and KPIs computed from Jira issue history. Standard library only."""

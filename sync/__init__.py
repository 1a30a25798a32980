"""The kpiokr daemon: reads Jira, scores objectives and KPIs, writes the scores back."""

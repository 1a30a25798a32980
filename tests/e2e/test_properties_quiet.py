"""Entity properties in quiet passes, over real HTTP, Cloud and Data Center: documents that move only as
time passes (rolling windows, ageing figures, the cycle's expected pace) are not written again by a pass
in which nothing changed in Jira until the ones Jira holds are six hours old; a change in Jira sends
them at once."""

from datetime import timedelta

import pytest

from sync.app.properties.write import DRIFT_REFRESH
from tests.e2e.conftest import NOW, runner_of
from tests.e2e.resilience_support import field_by_name

pytestmark = pytest.mark.e2e


def test_documents_moved_by_time_alone_wait_in_quiet_passes_and_a_change_sends_them(jira, app):
    runner = runner_of(app, jira)
    first = runner.run()
    jira.site.clock_state.set(NOW + timedelta(minutes=7))
    runner.run()  # the daemon's own field writes come back once
    jira.server.clear_request_log()
    later = NOW + DRIFT_REFRESH - timedelta(minutes=30)
    jira.site.clock_state.set(later)

    quiet = runner.run()

    assert quiet.planned == []
    assert jira.property_writes() == []

    jira.site.clock_state.set(NOW + DRIFT_REFRESH + timedelta(minutes=30))
    jira.server.clear_request_log()
    stale = runner.run()
    assert [p for p in stale.planned_properties if p.entity == "project"], "the team documents moved with time"
    assert jira.property_writes()

    objective = next(o for r in first.results for o, s in r.objectives if s.key_results)
    kr = next(k for k in objective.key_results if hasattr(k.measure, "number"))
    field = field_by_name(jira.site, kr.measure.number)
    jira.site.clock_state.set(NOW + DRIFT_REFRESH + timedelta(minutes=40))
    jira.site.edit_issue(kr.key, {field.wire_id(jira.flavor): kr.measure.target}, author="pm")
    jira.server.clear_request_log()

    edited = runner.run()
    assert objective.key in {p.key for p in edited.planned_properties}
    assert jira.property_writes()

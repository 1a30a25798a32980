"""The application: one sync pass (fetch, translate, score, plan, apply, record), evaluation,
write-back planning and the ledger, scheduling, as-of evaluation and report documents.

The pass is :func:`sync.app.sync_pass.sync_pass` over :class:`sync.app.ports.Ports` and a
:class:`sync.app.warm_state.WarmState` it hands back; :class:`Runner` holds that state between passes."""

from sync.app.as_of import AsOfError, When, evaluate_as_of
from sync.app.evaluate import field_kind
from sync.app.fetch import Progress
from sync.app.leases_daemon import daemon_share
from sync.app.metrics import Metrics
from sync.app.ports import PassHooks
from sync.app.properties.build import DesiredProperty
from sync.app.report import render
from sync.app.results import team_document
from sync.app.reviews import (
    Review,
    ReviewShelf,
    describe_comments,
    make_reviews,
    publish,
    review_job,
    review_json,
    to_markdown,
)
from sync.app.runner import Runner, RunSummary
from sync.app.saved_filters import FieldRef, field_ref, pie_chart_advice, team_filters
from sync.app.scheduler import add_review_job, build_scheduler, run_until_stopped
from sync.app.score_fields import explain_missing
from sync.app.web import Access, DashboardServer, dashboard_access, dashboard_app
from sync.app.webhooks import REGISTERED_EVENTS, LiveUpdates, WebhookReceiver, webhook_receiver
from sync.app.writeback import IssueWrite

__all__ = [
    "REGISTERED_EVENTS",
    "Access",
    "AsOfError",
    "DashboardServer",
    "DesiredProperty",
    "FieldRef",
    "IssueWrite",
    "LiveUpdates",
    "Metrics",
    "PassHooks",
    "Progress",
    "Review",
    "ReviewShelf",
    "RunSummary",
    "Runner",
    "WebhookReceiver",
    "When",
    "add_review_job",
    "build_scheduler",
    "daemon_share",
    "dashboard_access",
    "dashboard_app",
    "describe_comments",
    "evaluate_as_of",
    "explain_missing",
    "field_kind",
    "field_ref",
    "make_reviews",
    "pie_chart_advice",
    "publish",
    "render",
    "review_job",
    "review_json",
    "run_until_stopped",
    "team_document",
    "team_filters",
    "to_markdown",
    "webhook_receiver",
]

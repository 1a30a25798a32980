"""Jira access: the gateway (Cloud and Data Center), HTTP with retries and rate limits, paged search,
site facts, and the translation of Jira JSON into domain histories."""

from sync.jira.comments import CommentBody
from sync.jira.gateway import JiraRestGateway
from sync.jira.jql import date_literal, keys_in, project_clause, updated_since
from sync.jira.port import JiraGateway
from sync.jira.properties import PROPERTY_BULK_ISSUES
from sync.jira.request_kinds import REQUEST_KINDS
from sync.jira.retry import RetryPolicy
from sync.jira.search import KnownHistories
from sync.jira.settings import JiraSettings
from sync.jira.site import Account, BoardConfig, FieldInfo, OwnWrites, resolve_field
from sync.jira.translate import SiteDictionary, to_history
from sync.jira.translate_agile import to_sprint
from sync.jira.translate_values import parse_datetime
from sync.jira.webhooks import WebhookRegistration

__all__ = [
    "PROPERTY_BULK_ISSUES",
    "REQUEST_KINDS",
    "Account",
    "BoardConfig",
    "CommentBody",
    "FieldInfo",
    "JiraGateway",
    "JiraRestGateway",
    "JiraSettings",
    "KnownHistories",
    "OwnWrites",
    "RetryPolicy",
    "SiteDictionary",
    "WebhookRegistration",
    "date_literal",
    "keys_in",
    "parse_datetime",
    "project_clause",
    "resolve_field",
    "to_history",
    "to_sprint",
    "updated_since",
]

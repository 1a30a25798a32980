"""The dashboard: a read-only web app over the store's report documents (pages and a JSON API)."""

from sync.app.web.access import Access, dashboard_access
from sync.app.web.app import dashboard_app
from sync.app.web.serve import DashboardServer

__all__ = ["Access", "DashboardServer", "dashboard_access", "dashboard_app"]

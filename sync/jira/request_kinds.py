"""What a Jira request is for, in a word, and who hears of each request sent.

:func:`request_kind` names a request by what it asks (``search``, ``issue``, ``changelog``,
``board``, ``sprint``, ``write``, ``property``, ``site``, ``setup``, ``other``) so counts of requests stay a
handful of series whatever the keys and ids in the paths. A :data:`RequestObserver` is told of
every HTTP exchange :class:`sync.jira.http.JiraHttp` makes (retries included): its kind and the
status Jira answered (``None`` when no answer came).
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: ``observer(kind, status)``: one exchange with Jira, ``status`` ``None`` when it got no answer.
RequestObserver = Callable[[str, int | None], None]

_API = r"^/rest/api/\d+"
_AGILE = r"^/rest/agile/[\d.]+"
_KINDS: tuple[tuple[str | None, re.Pattern[str], str], ...] = (
    (None, re.compile(_API + r"/(issue|project)/([^/]+/)?properties(/|$)"), "property"),
    (None, re.compile(_API + r"/changelog/"), "changelog"),
    (None, re.compile(_API + r"/issue/[^/]+/changelog$"), "changelog"),
    (None, re.compile(_API + r"/(search|jql)(/|$)"), "search"),
    ("GET", re.compile(_API + r"/issue/"), "issue"),
    (None, re.compile(_API + r"/issue(/|$)"), "write"),
    (None, re.compile(_AGILE + r"/board/[^/]+/sprint"), "sprint"),
    (None, re.compile(_AGILE + r"/(board|sprint)(/|$)"), "board"),
    ("GET", re.compile(_API + r"/(serverInfo|myself|field|status|resolution)$"), "site"),
    (None, re.compile(_API + r"/field(/|$)"), "setup"),
    (None, re.compile(r"^/rest/(webhooks/[\d.]+|api/\d+)/webhook"), "setup"),
)

#: Every kind :func:`request_kind` names, ``other`` last.
REQUEST_KINDS: tuple[str, ...] = (*dict.fromkeys(kind for _, _, kind in _KINDS), "other")


def request_kind(method: str, path: str) -> str:
    """The kind of ``method path`` (a path without its query string), ``other`` when none fits."""
    for wanted, pattern, kind in _KINDS:
        if (wanted is None or wanted == method) and pattern.search(path):
            return kind
    return "other"

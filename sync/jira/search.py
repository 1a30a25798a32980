"""Issue search with complete changelogs, page by page, for Jira Cloud and Data Center.

Cloud: ``POST /rest/api/3/search/jql`` paged by ``nextPageToken``; issues whose inline changelog
was cut are completed with ``POST /rest/api/3/changelog/bulkfetch`` (up to 1000 issues a call,
paged by its own token), falling back to ``GET /rest/api/3/issue/{key}/changelog`` pages. Cut
issues are gathered across search pages and completed 1000 at a time (they come after the others):
one bulkfetch per search page would cost as many calls as pages hold a long history.
Data Center: ``POST /rest/api/2/search`` paged by ``startAt``; a cut changelog is re-read with
``GET /rest/api/2/issue/{key}?expand=changelog`` (DC 10.3 has no changelog endpoint).
Either way a changelog that still comes back short raises :class:`JiraBadResponse`: a score
must never be computed from a partial history. A completed changelog carries
``COMPLETED_CHANGELOG: true``, kept in the store with the issue, so reports can say how many of
the issues behind a figure had to be completed.

A caller that already holds issues (an incremental sync) passes ``known``: the histories it holds
for given issues. A cut changelog whose inline part reaches back into them is completed from them
without a request, when together they hold exactly the number of histories Jira counts.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Protocol

from sync.errors import JiraBadResponse, JiraNotFound, JiraRequestRejected
from sync.jira.http import READ, ErrorHint
from sync.jira.translate import COMPLETED_CHANGELOG

log = logging.getLogger(__name__)

#: Largest ``maxResults`` the Cloud enhanced search accepts (it returns fewer for wide issues).
CLOUD_PAGE_MAX = 5000
#: Data Center's default ``jira.search.views.default.max``; the server answers with its own cap.
DC_PAGE_MAX = 1000
#: ``changelog/bulkfetch`` limits: issues per request, histories per page.
BULK_ISSUES_MAX = 1000
BULK_PAGE_MAX = 10000
#: ``GET /issue/{key}/changelog`` page size (the endpoint's default and usual cap).
CHANGELOG_PAGE = 100
BULKFETCH = "/rest/api/3/changelog/bulkfetch"

Issue = dict[str, Any]
#: The histories a caller holds for some issues (by issue id), oldest first; see :func:`complete_from_known`.
KnownHistories = Callable[[Sequence[Issue]], Mapping[str, Sequence[Mapping[str, Any]]]]
#: Told each page's issues; True ends the search after that page (the caller holds the rest already).
Enough = Callable[[Sequence[Issue]], bool]
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)


class Caller(Protocol):
    """What the search needs from :class:`sync.jira.http.JiraHttp`."""

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        hint: ErrorHint = READ,
    ) -> Any: ...


def _items(page: Any, key: str, method: str, path: str) -> list[Any]:
    if not isinstance(page, Mapping) or not isinstance(page.get(key), list):
        raise JiraBadResponse(f"{method} {path} answered without a {key!r} list", method=method, path=path)
    items: list[Any] = page[key]
    return items


def _is_cut(changelog: Mapping[str, Any] | None) -> bool:
    """True when an inline changelog holds fewer histories than the issue has."""
    if changelog is None:
        return True
    held = len(changelog.get("histories") or ())
    total, page = changelog.get("total"), changelog.get("maxResults")
    if total is None:
        return page is not None and held >= page
    return total > held or (page is not None and page < total)


def _expected(issue: Mapping[str, Any]) -> int:
    changelog = issue.get("changelog") or {}
    return int(changelog.get("total") or 0)


def _replace(issue: Issue, histories: list[Any], method: str, path: str, expected: int = 0) -> None:
    expected = max(expected, _expected(issue))
    if len(histories) < expected:
        raise JiraBadResponse(
            f"{method} {path} returned {len(histories)} of the {expected} changelog entries of"
            f" {issue.get('key')}; refusing to score from a partial history",
            method=method,
            path=path,
        )
    issue["changelog"] = _completed(histories)


def _completed(histories: list[Any]) -> dict[str, Any]:
    """A whole changelog of ``histories``, marked as completed after the search cut it."""
    return {
        "startAt": 0,
        "maxResults": len(histories),
        "total": len(histories),
        "histories": histories,
        COMPLETED_CHANGELOG: True,
    }


def _unseen(issues: Sequence[Issue], seen: set[str]) -> Iterator[Issue]:
    for issue in issues:
        ident = str(issue.get("id") or issue.get("key"))
        if ident not in seen:
            seen.add(ident)
            yield issue


def complete_from_known(issues: Sequence[Issue], known: KnownHistories | None) -> list[Issue]:
    """Complete, in place, the cut changelogs of ``issues`` that ``known`` histories make whole;
    returns the issues still cut.

    The inline histories (Jira's newest) must reach back to a history already held, so none is
    missing between the two, and together they must hold exactly ``changelog.total`` histories.
    """
    cut = [issue for issue in issues if _is_cut(issue.get("changelog"))]
    if not cut or known is None:
        return cut
    held = known(cut)
    still: list[Issue] = []
    for issue in cut:
        merged = _merge(held.get(str(issue["id"])), issue.get("changelog") or {})
        if merged is None:
            still.append(issue)
        else:
            issue["changelog"] = _completed(merged)
    return still


def _merge(held: Sequence[Mapping[str, Any]] | None, changelog: Mapping[str, Any]) -> list[Any] | None:
    inline = list(changelog.get("histories") or ())
    total = changelog.get("total")
    if not held or not inline or not isinstance(total, int):
        return None
    ids = {str(h.get("id")) for h in held}
    if not any(str(h.get("id")) in ids for h in inline):
        return None  # more changed since than Jira shows inline: histories may be missing between
    merged = {str(h.get("id")): h for h in held}
    for history in inline:
        merged.setdefault(str(history.get("id")), history)
    if len(merged) != total or not all(key.isdigit() for key in merged):
        return None
    return [merged[key] for key in sorted(merged, key=int)]


def _stripped(issue: Issue) -> Issue:
    """A cut issue waiting for its complete changelog, without the inline histories it will not need."""
    changelog = issue.get("changelog")
    if isinstance(changelog, dict) and isinstance(changelog.get("total"), int):
        issue["changelog"] = {**changelog, "histories": [], "maxResults": 0}
    return issue


def search_cloud(
    http: Caller,
    jql: str,
    fields: Sequence[str],
    *,
    expand_changelog: bool = True,
    page_size: int | None = None,
    known: KnownHistories | None = None,
    enough: Enough | None = None,
) -> Iterator[Issue]:
    """Yield the issues matching ``jql`` with complete changelogs (Cloud enhanced search).

    Issues whose changelog was cut come after the others, completed up to 1000 at a time.
    """
    path = "/rest/api/3/search/jql"
    body: dict[str, Any] = {
        "jql": jql,
        "fields": list(fields),
        "maxResults": min(page_size or CLOUD_PAGE_MAX, CLOUD_PAGE_MAX),
    }
    if expand_changelog:
        body["expand"] = "changelog"
    seen: set[str] = set()
    tokens: set[str] = set()
    waiting: list[Issue] = []
    while True:
        page = http.call("POST", path, json_body=body)
        issues = _items(page, "issues", "POST", path)
        page_done = enough is not None and enough(issues)
        if expand_changelog:
            cut = complete_from_known(issues, known)
            if cut:
                ids = {id(issue) for issue in cut}
                issues = [issue for issue in issues if id(issue) not in ids]
                waiting.extend(_stripped(issue) for issue in cut)
        yield from _unseen(issues, seen)
        token = page.get("nextPageToken")
        last = page.get("isLast", not token) or page_done
        if waiting and (last or len(waiting) >= BULK_ISSUES_MAX):
            complete_cloud_changelogs(http, waiting)
            yield from _unseen(waiting, seen)
            waiting = []
        if last:
            return
        if not token or token in tokens:
            message = f"POST {path}: a page that is not the last came without a new nextPageToken"
            raise JiraBadResponse(message, method="POST", path=path)
        tokens.add(token)
        body["nextPageToken"] = token


def complete_cloud_changelogs(http: Caller, issues: Sequence[Issue]) -> None:
    """Replace every cut inline changelog of ``issues`` with the full one, in place."""
    cut = {str(issue["id"]): issue for issue in issues if _is_cut(issue.get("changelog"))}
    if not cut:
        return
    try:
        fetched = _bulkfetch(http, list(cut))
    except (JiraNotFound, JiraRequestRejected) as error:
        log.warning("changelog bulkfetch unavailable (%s); reading changelogs issue by issue", error.status)
        fetched = {}
    for issue_id, issue in cut.items():
        histories = fetched.get(issue_id)
        if histories is not None and len(histories) >= _expected(issue):
            _replace(issue, histories, "POST", BULKFETCH)
            continue
        path = f"/rest/api/3/issue/{issue.get('key') or issue_id}/changelog"
        histories, total = _changelog_pages(http, path)
        _replace(issue, histories, "GET", path, total)


def _bulkfetch(http: Caller, issue_ids: list[str]) -> dict[str, list[Any]]:
    fetched: dict[str, list[Any]] = {}
    for start in range(0, len(issue_ids), BULK_ISSUES_MAX):
        body: dict[str, Any] = {
            "issueIdsOrKeys": issue_ids[start : start + BULK_ISSUES_MAX],
            "maxResults": BULK_PAGE_MAX,
        }
        tokens: set[str] = set()
        while True:
            page = http.call("POST", BULKFETCH, json_body=body)
            for entry in _items(page, "issueChangeLogs", "POST", BULKFETCH):
                fetched.setdefault(str(entry.get("issueId")), []).extend(entry.get("changeHistories") or ())
            token = page.get("nextPageToken")
            if not token:
                break
            if token in tokens:
                raise JiraBadResponse(f"POST {BULKFETCH} repeated a nextPageToken", method="POST", path=BULKFETCH)
            tokens.add(token)
            body["nextPageToken"] = token
    return fetched


def _changelog_pages(http: Caller, path: str) -> tuple[list[Any], int]:
    histories: list[Any] = []
    while True:
        page = http.call("GET", path, params={"startAt": len(histories), "maxResults": CHANGELOG_PAGE})
        values = _items(page, "values", "GET", path)
        histories.extend(values)
        total = int(page.get("total") or 0)
        if not values or page.get("isLast") or len(histories) >= total:
            return histories, total


def search_datacenter(
    http: Caller,
    jql: str,
    fields: Sequence[str],
    *,
    expand_changelog: bool = True,
    page_size: int | None = None,
    known: KnownHistories | None = None,
    enough: Enough | None = None,
) -> Iterator[Issue]:
    """Yield the issues matching ``jql`` with complete changelogs (Data Center ``startAt`` paging).

    A JQL without ``ORDER BY`` gets ``ORDER BY key ASC`` so offsets stay stable while paging.
    """
    path = "/rest/api/2/search"
    ordered = jql if _ORDER_BY.search(jql) else f"{jql} ORDER BY key ASC"
    size = min(page_size or DC_PAGE_MAX, DC_PAGE_MAX)
    body: dict[str, Any] = {"jql": ordered, "fields": list(fields), "startAt": 0, "maxResults": size}
    if expand_changelog:
        body["expand"] = ["changelog"]
    seen: set[str] = set()
    while True:
        page = http.call("POST", path, json_body=body)
        issues = _items(page, "issues", "POST", path)
        if expand_changelog:
            complete_datacenter_changelogs(http, complete_from_known(issues, known))
        yield from _unseen(issues, seen)
        body["startAt"] += len(issues)
        total = page.get("total")
        if total is None or body["startAt"] >= total or (enough is not None and enough(issues)):
            return
        if not issues:
            log.warning("POST %s: total said %s issues but the page at %s was empty", path, total, body["startAt"])
            return


def complete_datacenter_changelogs(http: Caller, issues: Sequence[Issue]) -> None:
    """Re-read every cut changelog of ``issues`` from the issue resource, in place."""
    for issue in issues:
        if not _is_cut(issue.get("changelog")):
            continue
        key = str(issue.get("key") or issue.get("id"))
        path = f"/rest/api/2/issue/{key}"
        full = http.call("GET", path, params={"expand": "changelog", "fields": "status"})
        changelog = (full.get("changelog") if isinstance(full, Mapping) else None) or {}
        histories = _items(changelog, "histories", "GET", path)
        _replace(issue, list(histories), "GET", path, int(changelog.get("total") or 0))

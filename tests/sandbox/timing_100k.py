"""Timing of a full sync against a large sandbox (not a test; run it by hand).

    .venv/bin/python -m tests.sandbox.timing_100k [--issues 100000] [--flavor cloud] [--page 100]

Starts ``python -m jira_sandbox`` in a subprocess (so server and client each have a core), then
pages through every issue with changelogs as a sync daemon would (Cloud: enhanced search with
``nextPageToken`` plus ``changelog/bulkfetch`` for issues whose inline changelog is truncated;
Data Center: ``/rest/api/2/search`` with ``startAt``), parsing every page, and prints figures.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time

import requests

FIELDS = [
    "summary",
    "status",
    "issuetype",
    "created",
    "updated",
    "resolutiondate",
    "priority",
    "labels",
    "duedate",
    "parent",
]
CLOUD_FIELDS = [*FIELDS, "customfield_10016", "customfield_10020", "customfield_10014"]
DC_FIELDS = [*FIELDS, "customfield_10002", "customfield_10001", "customfield_10003"]
JQL = "project in (MOB, SUP, WEB) ORDER BY updated ASC, key ASC"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--flavor", default="cloud", choices=("cloud", "datacenter"))
    parser.add_argument("--page", type=int, default=100)
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    started = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jira_sandbox",
            "--flavor",
            args.flavor,
            "--issues",
            str(args.issues),
            "--port",
            str(args.port),
            "--now",
            "2026-11-20T12:00:00+00:00",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    assert proc.stdout is not None
    print(proc.stdout.readline().strip())
    url = proc.stdout.readline().split()[-1]
    print(f"generation + start: {time.perf_counter() - started:.1f} s")
    try:
        with requests.Session() as s:
            if args.flavor == "cloud":
                s.auth = ("kpiokr-bot@example.com", "sandbox-token")
                cloud(s, url, args.page)
            else:
                s.headers["Authorization"] = "Bearer sandbox-pat"
                datacenter(s, url, args.page)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    return 0


def cloud(s: requests.Session, url: str, page: int) -> None:
    t0 = time.perf_counter()
    token, pages, issues, size, truncated = None, 0, 0, 0, []
    while True:
        body = {"jql": JQL, "maxResults": page, "fields": CLOUD_FIELDS, "expand": "changelog"}
        r = s.post(url + "/rest/api/3/search/jql", json=body | ({"nextPageToken": token} if token else {}))
        r.raise_for_status()
        data = r.json()
        pages, issues, size = pages + 1, issues + len(data["issues"]), size + len(r.content)
        truncated += [i["id"] for i in data["issues"] if i["changelog"]["total"] > len(i["changelog"]["histories"])]
        token = data.get("nextPageToken")
        if data["isLast"]:
            break
    t1 = time.perf_counter()
    print(f"search/jql: {pages} pages, {issues} issues, {size / 1e6:.0f} MB in {t1 - t0:.1f} s")
    calls = 0
    for start in range(0, len(truncated), 1000):
        token = None
        while True:
            body = {"issueIdsOrKeys": truncated[start : start + 1000], "maxResults": 1000}
            data = s.post(
                url + "/rest/api/3/changelog/bulkfetch", json=body | ({"nextPageToken": token} if token else {})
            ).json()
            calls += 1
            token = data.get("nextPageToken")
            if not token:
                break
    t2 = time.perf_counter()
    print(f"bulkfetch: {len(truncated)} issues with truncated changelogs, {calls} calls in {t2 - t1:.1f} s")
    print(f"full sync: {t2 - t0:.1f} s")


def datacenter(s: requests.Session, url: str, page: int) -> None:
    t0 = time.perf_counter()
    start, pages, size = 0, 0, 0
    while True:
        r = s.get(
            url + "/rest/api/2/search",
            params={
                "jql": JQL,
                "startAt": start,
                "maxResults": page,
                "fields": ",".join(DC_FIELDS),
                "expand": "changelog",
            },
        )
        r.raise_for_status()
        data = r.json()
        pages, size, start = pages + 1, size + len(r.content), start + len(data["issues"])
        if start >= data["total"]:
            break
    print(f"search: {pages} pages, {start} issues, {size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    raise SystemExit(main())

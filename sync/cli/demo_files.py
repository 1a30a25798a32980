"""The demo's files: the config, the token file and a mapping file per team of a seeded sandbox site.

The mapping files are written from the site itself: each scrum board's project becomes a team whose
objectives are its epics and whose key results are set, from each issue's history, to be ambitious
but reachable in the current calendar quarter.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from jira_sandbox import Site

#: The sandbox's published demo accounts (they exist only in the sandbox).
BOT = ("kpiokr-bot@example.com", "sandbox-token", "sandbox-pat")
PM = ("pm@example.com", "pm-token", "pm-pat")
#: Where the demo's dashboard listens unless told otherwise (``[dashboard]``'s own default).
DASHBOARD_PORT = 8040
#: The sandbox's metric fields, and the most each can reach (None: no ceiling).
METRICS: dict[str, float | None] = {"Downloads": None, "App rating": 5.0, "Market share": 100.0, "Code coverage": 100.0}
#: How ambitious each successive demo key result is: its target is the pace so far times this.
AMBITION = (2.4, 1.5, 1.1, 3.0, 1.8)


def quarter(today: date) -> tuple[str, date, date]:
    """The calendar quarter containing ``today``: name, first day, last day."""
    first_month = 3 * ((today.month - 1) // 3) + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + (first_month == 10), (first_month + 2) % 12 + 1, 1) - timedelta(days=1)
    return f"{today.year}-Q{(first_month - 1) // 3 + 1}", start, end


def _value_at(site: Site, key: str, field_id: str, instant_ms: int) -> float | None:
    """A number field's value at an instant, replayed from the sandbox issue's history."""
    issue = site.by_key[key]
    value = issue.values.get(field_id)
    for history in reversed(issue.histories):
        if history.ms <= instant_ms:
            break
        for item in history.items:
            if item.field == field_id:
                value = float(item.from_string) if item.from_string else None
    return None if value is None else float(value)


def _objectives(
    site: Site, project: str, cycle_start: datetime, now: datetime
) -> list[tuple[str, list[tuple[str, str, float, float]]]]:
    """The project's OKR epics and their metric key results: (key, field name, baseline, value now)."""
    metric_ids = {f.key: f.name for f in site.fields.values() if f.name in METRICS}
    start_ms = int(cycle_start.timestamp() * 1000)
    found: dict[str, list[tuple[str, str, float, float]]] = {}
    for issue in site.issues:
        if issue.project != project or "kr" not in issue.values.get("labels", ()):
            continue
        epic = site.by_id[issue.values["epic_link"]].key
        for field_id, name in metric_ids.items():
            if field_id in issue.values:
                baseline = _value_at(site, issue.key, field_id, start_ms)
                current = _value_at(site, issue.key, field_id, int(now.timestamp() * 1000))
                if baseline is not None and current is not None:
                    found.setdefault(epic, []).append((issue.key, name, baseline, current))
    return sorted(found.items(), key=lambda item: site.by_key[item[0]].num)


def team_mapping(site: Site, project: str, cycle: tuple[str, date, date], now: datetime) -> str:
    """A mapping file for one of the sandbox's Scrum teams, as an admin would write it.

    Each key result's target is set from its pace so far, some more ambitious than others, so the
    demo shows objectives on track, at risk and off track.
    """
    board = next(b for b in site.boards.values() if b.project_key == project)
    name, start, end = cycle
    cycle_start = datetime.combine(start, datetime.min.time(), tzinfo=ZoneInfo(site.time_zone))
    cycle_end = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=ZoneInfo(site.time_zone))
    elapsed = max((now - cycle_start) / (cycle_end - cycle_start), 0.05)
    ambition = iter(AMBITION * 20)
    lines = [
        f"# {board.name}: written by `kpiokr demo` for the sandbox site.",
        "[team]",
        f'name = "{board.name.removesuffix(" board")}"',
        f'projects = ["{project}"]',
        f"board = {board.id}",
        f'timezone = "{site.time_zone}"',
        'owner = "pm@example.com"',
        "",
        "[cycle]",
        f'name = "{name}"',
        f"start = {start.isoformat()}",
        f"end = {end.isoformat()}",
        "",
        "[objectives]",
        f"jql = 'project = {project} AND issuetype = Epic AND labels = okr'",
        "",
        "[key_results]",
        'source = "listed"',
        'measure = "child_completion"',
    ]
    for epic, key_results in _objectives(site, project, cycle_start, now):
        tables: list[str] = []
        for key, field, baseline, current in key_results:
            decimals = 2 if baseline < 100 else 0
            pace = max(current - baseline, abs(baseline) * 0.02) / elapsed
            target = round(baseline + pace * next(ambition), decimals)
            ceiling = METRICS[field]
            target = target if ceiling is None else min(target, ceiling)
            if target > current:
                tables += [
                    "[[objective.key_result]]",
                    f'key = "{key}"',
                    'owner = "pm@example.com"',
                    'measure = "numeric"',
                    f'field = "{field}"',
                    f"baseline = {baseline:g}",
                    f"target = {target:g}",
                ]
        if tables:
            lines += ["", "[[objective]]", f'key = "{epic}"', 'owner = "pm@example.com"', *tables]
    lines += [
        "",
        "[[kpi]]",
        'key = "velocity"',
        'name = "Velocity"',
        'kind = "velocity"',
        "window = { sprints = 3 }",
        "target = 40",
        "threshold = 25",
        'owner = "pm@example.com"',
        "",
        "[[kpi]]",
        'key = "say_do"',
        'name = "Say/do ratio"',
        'kind = "say_do_ratio"',
        "target = 80",
        "threshold = 60",
        'owner = "pm@example.com"',
        "",
        "[[kpi]]",
        'key = "critical_bugs"',
        'name = "Critical bug resolution time"',
        'kind = "resolution_time"',
        'priorities = ["Highest", "High"]',
        "window = { days = 90 }",
        "target = 240",
        "threshold = 480",
        'owner = "pm@example.com"',
        'guards = ["*"]',
        "",
        "[[kpi]]",
        'key = "cycle_time"',
        'name = "Cycle time"',
        'kind = "cycle_time"',
        'statistic = "p85"',
        "target = 8",
        "threshold = 14",
        'owner = "pm@example.com"',
        'guards = ["*"]',
        "",
        "[[kpi]]",
        'key = "scope_change"',
        'name = "Scope change"',
        'kind = "scope_change"',
        "target = 15",
        "threshold = 30",
        'owner = "pm@example.com"',
        "",
        "[[kpi]]",
        'key = "reopen_rate"',
        'name = "Reopen rate"',
        'kind = "reopen_rate"',
        "target = 5",
        "threshold = 15",
        'owner = "pm@example.com"',
    ]
    return "\n".join(lines) + "\n"


def write_demo_files(
    directory: Path, site: Site, url: str, flavor: str, now: datetime, *, dashboard_port: int = DASHBOARD_PORT
) -> Path:
    """Write the demo's config, token file and mapping files; returns the config's path."""
    mappings = directory / "mappings"
    mappings.mkdir(parents=True, exist_ok=True)
    for old in mappings.glob("*.toml"):
        old.unlink()
    store = directory / "kpiokr.sqlite3"
    for leftover in directory.glob("kpiokr.sqlite3*"):
        leftover.unlink()
    cycle = quarter(now.astimezone(ZoneInfo(site.time_zone)).date())
    for board in sorted(site.boards.values(), key=lambda b: b.id):
        if board.type == "scrum":
            text = team_mapping(site, board.project_key, cycle, now)
            (mappings / f"{board.project_key.lower()}.toml").write_text(text)
    token = directory / "jira-token"
    token.write_text((BOT[1] if flavor == "cloud" else BOT[2]) + "\n")
    token.chmod(0o600)
    email = f'email = "{BOT[0]}"\n' if flavor == "cloud" else ""
    config = directory / "config.toml"
    config.write_text(
        "# kpiokr demo: a config for the local Jira sandbox (see config.example.toml for every key).\n"
        "[jira]\n"
        f'url = "{url}"\n'
        f'flavor = "{flavor}"\n'
        f"{email}"
        'token_env = "KPIOKR_DEMO_TOKEN"\n'
        'token_file = "jira-token"\n'
        "\n[store]\n"
        f'url = "sqlite:///{store.name}"\n'
        "\n[mappings]\n"
        'paths = ["mappings"]\n'
        "\n[dashboard]\n"
        f"port = {dashboard_port}\n"
    )
    return config

"""deploy/: the container definition and the systemd unit, parsed, held to what the daemon needs
(a non-root user, the store the only thing written, /healthz watched, a stop timeout longer than the
longest step a stop waits for), and the unit checked by ``systemd-analyze verify`` where it exists."""

import configparser
import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from sync.cli.main import _parser
from sync.config import DashboardSettings, JiraSettings
from sync.jira import RetryPolicy

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
CONTAINERFILE = DEPLOY / "Containerfile"
UNIT = DEPLOY / "kpiokr.service"
STORE = "/var/lib/kpiokr"


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Containerfile: comments dropped, continued lines joined."""
    joined, found = "", []
    for line in text.splitlines():
        if not joined and (not line.strip() or line.lstrip().startswith("#")):
            continue
        joined += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            keyword, _, rest = joined.strip().partition(" ")
            found.append((keyword.upper(), rest.strip()))
            joined = ""
    return found


def final_stage() -> list[tuple[str, str]]:
    steps = instructions(CONTAINERFILE.read_text())
    start = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[start:]


def one(stage: list[tuple[str, str]], keyword: str) -> str:
    values = [rest for k, rest in stage if k == keyword]
    assert len(values) == 1, f"{keyword}: {values}"
    return values[0]


def environment(stage: list[tuple[str, str]]) -> dict[str, str]:
    return dict(pair.split("=", 1) for keyword, rest in stage if keyword == "ENV" for pair in shlex.split(rest))


def test_the_image_runs_the_daemon_with_its_dashboard_as_a_user_who_is_not_root():
    stage = final_stage()
    base = one(stage, "FROM")
    assert base.startswith("python:3.1"), base
    assert "-slim" in base, base
    user = one(stage, "USER").split(":")[0]
    assert user not in {"root", "0"}
    command = json.loads(one(stage, "ENTRYPOINT")) + json.loads(one(stage, "CMD"))
    assert command[0] == "kpiokr"
    args = _parser().parse_args(command[1:])
    assert (args.command, args.serve, args.log_format) == ("daemon", True, "json")
    assert one(stage, "EXPOSE") == str(DashboardSettings().port)
    assert one(stage, "STOPSIGNAL") == "SIGTERM"


def test_the_store_is_the_one_volume_and_the_config_is_read_from_its_own_directory():
    stage = final_stage()
    assert json.loads(one(stage, "VOLUME")) == [STORE]
    assert one(stage, "WORKDIR") == STORE
    env = environment(stage)
    assert PurePosixPath(env["KPIOKR_CONFIG"]).parent == PurePosixPath("/etc/kpiokr")
    assert env["PYTHONDONTWRITEBYTECODE"] == "1", "no bytecode written beside the read-only code"


def test_the_health_check_asks_the_dashboards_healthz_on_the_exposed_port():
    stage = final_stage()
    check = one(stage, "HEALTHCHECK")
    options, _, command = check.partition(" CMD ")
    assert "--interval=" in options
    assert "--start-period=" in options
    url = environment(stage)["KPIOKR_HEALTH_URL"]
    assert url == f"http://127.0.0.1:{one(stage, 'EXPOSE')}/healthz"
    assert "KPIOKR_HEALTH_URL" in " ".join(json.loads(command))


def test_the_package_is_installed_from_the_checkout_with_what_the_build_context_lets_in():
    steps = instructions(CONTAINERFILE.read_text())
    copied = [rest.split()[:-1] for keyword, rest in steps if keyword == "COPY" and "--from" not in rest]
    sources = [s.rstrip("/") for sources in copied for s in sources]
    assert {"pyproject.toml", "kpiokr", "sync"} <= set(sources)
    installs = [re.search(r"pip install [^&;]*(?<=\s)\.(\s|$)", rest) for keyword, rest in steps if keyword == "RUN"]
    assert any(installs), "the checkout itself is pip-installed"
    allowed = {
        line.removeprefix("!").rstrip("/")
        for line in (DEPLOY / "Containerfile.dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    assert set(sources) <= allowed, "every COPY source is let into the build context"


def unit() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    return parser


def test_the_unit_runs_the_daemon_and_its_dashboard_with_secrets_from_an_environment_file():
    service = unit()["Service"]
    command = shlex.split(service["ExecStart"])
    assert PurePosixPath(command[0]).name == "kpiokr"
    args = _parser().parse_args(command[1:])
    assert (args.command, args.serve, args.log_format) == ("daemon", True, "json")
    assert PurePosixPath(args.config).parent == PurePosixPath(service["ReadOnlyPaths"])
    assert service["EnvironmentFile"].startswith("/etc/kpiokr/")
    assert unit()["Install"]["WantedBy"] == "multi-user.target"


def test_the_unit_may_write_only_its_store_and_restarts_after_a_failure_not_after_bad_input():
    service = unit()["Service"]
    assert service["DynamicUser"] == "yes" or service.get("User") not in {None, "root", "0"}
    assert service["ProtectSystem"] == "strict"
    assert service["StateDirectory"] == "kpiokr"
    assert service["WorkingDirectory"] == STORE
    assert "ReadWritePaths" not in service, "the state directory is the only writable path"
    assert service["Restart"] == "on-failure"
    assert "2" in service["RestartPreventExitStatus"].split()
    assert service["KillSignal"] == "SIGTERM"


def test_the_stop_timeout_outlasts_a_request_in_flight_with_its_retries():
    longest_step = RetryPolicy().max_wait_seconds + JiraSettings.model_fields["timeout_seconds"].default
    assert int(unit()["Service"]["TimeoutStopSec"]) > longest_step


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here")
def test_systemd_analyze_verify_finds_nothing_to_say(tmp_path):
    kpiokr = shutil.which("kpiokr") or str(Path(__file__).resolve().parents[2] / ".venv/bin/kpiokr")
    text = UNIT.read_text().replace("/opt/kpiokr/bin/kpiokr", kpiokr)  # verify checks the binary exists
    (tmp_path / "kpiokr.service").write_text(text)
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", str(tmp_path / "kpiokr.service")],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "kpiokr.service:" not in done.stderr, done.stderr

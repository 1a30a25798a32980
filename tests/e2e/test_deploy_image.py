"""deploy/Containerfile built and run where a container engine answers (docker or podman): the image
starts ``kpiokr daemon --serve`` as its non-root user on a read-only root filesystem, secrets from an
environment file, config and mappings from a read-only volume, the store on its own volume; /healthz
and /metrics answer; SIGTERM (``stop``) ends it with exit 0 and JSON log lines that hold no secret.
Without an engine (a docker client alone, no daemon) the test skips and says so."""

import json
import shutil
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "jira-token-never-logged"
READER = "metrics-reader-token"


def engine() -> str | None:
    """The first of docker and podman whose engine answers ``info`` (one that hangs answers nothing)."""
    for name in ("docker", "podman"):
        path = shutil.which(name)
        if not path:
            continue
        try:
            if subprocess.run([path, "info"], capture_output=True, check=False, timeout=60).returncode == 0:
                return path
        except (subprocess.TimeoutExpired, OSError):
            continue
    return None


ENGINE = engine()
pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(ENGINE is None, reason="no container engine answers `docker info` or `podman info` here"),
]


def run(*args: str, timeout: float = 600) -> str:
    assert ENGINE is not None
    done = subprocess.run([ENGINE, *args], capture_output=True, text=True, check=False, timeout=timeout)
    assert done.returncode == 0, f"{ENGINE} {' '.join(args)}: {done.stderr}"
    return done.stdout.strip()


def readable_config(directory: Path) -> tuple[Path, Path]:
    """A config (Jira unreachable on purpose: the pass fails, the service stays up) and an env file."""
    directory.mkdir(mode=0o755)
    (directory / "mappings").mkdir(mode=0o755)
    for example in (ROOT / "mappings" / "examples").glob("*.toml"):
        shutil.copy(example, directory / "mappings" / example.name)
    (directory / "config.toml").write_text(
        'log_level = "INFO"\n'
        '[jira]\nurl = "http://127.0.0.1:9"\nflavor = "datacenter"\ntoken_env = "KPIOKR_JIRA_TOKEN"\n'
        '[store]\nurl = "sqlite:////var/lib/kpiokr/kpiokr.sqlite3"\n'
        '[mappings]\npaths = ["mappings"]\n'
        '[dashboard]\nbind = "0.0.0.0"\nport = 8040\ntoken_env = "KPIOKR_DASHBOARD_TOKEN"\n'
    )
    env = directory.parent / "kpiokr.env"
    env.write_text(f"KPIOKR_JIRA_TOKEN={TOKEN}\nKPIOKR_DASHBOARD_TOKEN={READER}\n")
    for path in [directory, *directory.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    directory.parent.chmod(0o755)
    return directory, env


def get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except (urllib.error.URLError, ConnectionError):
        return 0, ""


def test_the_image_builds_serves_health_and_metrics_and_stops_cleanly_on_sigterm(tmp_path):
    tag = f"kpiokr-test:{uuid.uuid4().hex[:12]}"
    store = f"kpiokr-store-{uuid.uuid4().hex[:12]}"
    config, env = readable_config(tmp_path / "etc")
    run("build", "-f", str(ROOT / "deploy" / "Containerfile"), "-t", tag, str(ROOT), timeout=1800)
    container = ""
    try:
        assert run("run", "--rm", tag, "--version").startswith("kpiokr ")
        container = run(
            "run", "--detach", "--read-only", "--tmpfs", "/tmp", "--env-file", str(env),
            "--volume", f"{config}:/etc/kpiokr:ro", "--volume", f"{store}:/var/lib/kpiokr",
            "--publish", "127.0.0.1::8040", tag,
        )  # fmt: skip
        port = run("port", container, "8040/tcp").splitlines()[0].rsplit(":", 1)[1]
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        status, body = get(f"{base}/healthz")
        while status != 200 or json.loads(body)["last_run"] is None:
            assert time.monotonic() < deadline, (status, body, run("logs", container))
            time.sleep(1)
            status, body = get(f"{base}/healthz")
        assert json.loads(body)["store"] == "reachable"
        assert get(f"{base}/metrics")[0] == 401, "metrics need the dashboard's token"
        status, metrics = get(f"{base}/metrics", READER)
        assert status == 200
        assert "kpiokr_runs_total" in metrics
        assert run("inspect", "--format", "{{.Config.User}}", container).split(":")[0] not in {"", "root", "0"}
        run("stop", "--time", "180", container, timeout=240)
        assert run("inspect", "--format", "{{.State.ExitCode}}", container) == "0"
        logs = subprocess.run([ENGINE, "logs", container], capture_output=True, text=True, check=False, timeout=60)
        lines = [json.loads(line) for line in (logs.stdout + logs.stderr).splitlines() if line.strip()]
        assert any(line["message"] == "daemon stopped" for line in lines)
        assert TOKEN not in logs.stdout + logs.stderr
        assert READER not in logs.stdout + logs.stderr
    finally:
        if container:
            subprocess.run([ENGINE, "rm", "--force", container], capture_output=True, check=False)
        subprocess.run([ENGINE, "volume", "rm", "--force", store], capture_output=True, check=False)
        subprocess.run([ENGINE, "rmi", "--force", tag], capture_output=True, check=False)

"""Who may read the dashboard: ``[dashboard]`` read into an access control, secrets from the
environment or a file, and the refusal to listen beyond loopback open to anyone."""

from pathlib import Path

import pytest

from sync.app import dashboard_access
from sync.cli.main import main
from sync.config import DashboardSettings
from sync.errors import ConfigError


def settings(**values) -> DashboardSettings:
    return DashboardSettings.model_validate(values)


def test_by_default_it_listens_on_loopback_port_8040_open_to_this_machine(tmp_path):
    default = DashboardSettings()
    assert (default.bind, default.port, default.base_path) == ("127.0.0.1", 8040, "")
    assert dashboard_access(default, {}, tmp_path).open


@pytest.mark.parametrize("bind", ["0.0.0.0", "192.168.1.20", "::", "kpiokr.example.com"])
def test_beyond_loopback_without_access_control_it_refuses_and_says_the_fix(tmp_path, bind):
    with pytest.raises(ConfigError) as refused:
        dashboard_access(settings(bind=bind), {}, tmp_path)
    message = str(refused.value)
    assert f"dashboard.bind = {bind!r} reaches beyond this machine" in message
    assert "dashboard.token_env" in message
    assert "trusted_header" in message
    assert "or bind to 127.0.0.1" in message


@pytest.mark.parametrize("bind", ["127.0.0.1", "127.0.0.2", "::1", "localhost"])
def test_loopback_addresses_need_no_access_control(tmp_path, bind):
    assert dashboard_access(settings(bind=bind), {}, tmp_path).open


def test_a_token_from_the_environment_else_from_its_file(tmp_path):
    (tmp_path / "token").write_text("from-file\n", encoding="utf-8")
    both = settings(bind="0.0.0.0", token_env="DASH_TOKEN", token_file="token")
    assert dashboard_access(both, {"DASH_TOKEN": " from-env "}, tmp_path).token == "from-env"
    assert dashboard_access(both, {}, tmp_path).token == "from-file"


@pytest.mark.parametrize("bind", ["127.0.0.1", "0.0.0.0"])
def test_a_token_configured_but_not_found_is_refused_not_served_open(tmp_path, bind):
    with pytest.raises(ConfigError) as unset:
        dashboard_access(settings(bind=bind, token_env="DASH_TOKEN"), {"DASH_TOKEN": " "}, tmp_path)
    assert str(unset.value) == (
        "dashboard.token_env names DASH_TOKEN, which holds no token: export DASH_TOKEN with the token readers"
        " send, or remove token_env from [dashboard] to serve without one"
    )
    with pytest.raises(ConfigError, match="names DASH_TOKEN, which holds no token"):
        dashboard_access(settings(bind=bind, token_env="DASH_TOKEN"), {}, tmp_path)


def test_a_basic_auth_password_without_its_user_is_refused(tmp_path):
    with pytest.raises(ConfigError, match=r"basic_password_env is set without basic_user: set dashboard\.basic_user"):
        dashboard_access(settings(basic_password_env="DASH_PW"), {"DASH_PW": "pw"}, tmp_path)


def test_basic_auth_needs_its_password(tmp_path):
    access = dashboard_access(settings(basic_user="pm", basic_password_env="DASH_PW"), {"DASH_PW": "pw"}, tmp_path)
    assert access.basic == ("pm", "pw")
    with pytest.raises(ConfigError, match="basic_user is set without a password"):
        dashboard_access(settings(basic_user="pm", basic_password_env="DASH_PW"), {}, tmp_path)
    with pytest.raises(ConfigError, match=r"dashboard\.basic_password_file: cannot read a password from"):
        dashboard_access(settings(basic_user="pm", basic_password_file="missing"), {}, tmp_path)


def test_a_trusted_proxy_header_is_access_control(tmp_path):
    access = dashboard_access(settings(bind="0.0.0.0", trusted_header="X-Forwarded-User"), {}, tmp_path)
    assert access.trusted_header == "X-Forwarded-User"
    assert not access.open


def test_the_base_path_is_a_path(tmp_path):
    assert settings(base_path="/kpiokr/").base_path == "/kpiokr"
    with pytest.raises(ValueError, match="leading slash"):
        settings(base_path="kpiokr")


def test_kpiokr_serve_beyond_loopback_without_access_exits_2_with_the_fix(tmp_path: Path, capsys):
    config = tmp_path / "config.toml"
    config.write_text('[jira]\nurl = "https://example.atlassian.net"\n\n[dashboard]\nbind = "0.0.0.0"\n')
    assert main(["--config", str(config), "serve"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("kpiokr: dashboard.bind = '0.0.0.0' reaches beyond this machine")
    assert not (tmp_path / "kpiokr.sqlite3").exists()

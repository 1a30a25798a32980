"""``[dashboard] public_url`` is published inside Jira (in every property document and review comment),
so it must be a plain web address: no credentials, nothing but http(s)."""

from pathlib import Path

import pytest

from sync.config import ConfigError, load_config


def _config(tmp_path: Path, public_url: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[jira]\nurl = "https://x.atlassian.net"\n[dashboard]\npublic_url = "{public_url}"\n')
    return path


def test_a_public_url_is_kept_without_its_trailing_slash(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "https://kpiokr.example.com/kpiokr/"))
    assert config.dashboard.public_url == "https://kpiokr.example.com/kpiokr"


def test_credentials_in_the_public_url_are_refused_without_repeating_them(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(_config(tmp_path, "https://reader:s3cret-pass@kpiokr.example.com/"))
    message = str(error.value)
    assert "dashboard.public_url: Value error, must not hold credentials" in message
    assert "everyone who can see the epic" in message
    assert "s3cret-pass" not in message


@pytest.mark.parametrize(
    "value", ["kpiokr.example.com/kpiokr", "javascript:alert(1)", "ftp://kpiokr.example.com", "https://"]
)
def test_a_public_url_that_is_no_web_address_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(_config(tmp_path, value))
    assert "dashboard.public_url: Value error, must be the dashboard's full address" in str(error.value)

"""The config file: defaults, relative paths, secrets from the environment, every error named."""

from pathlib import Path

import pytest

from sync.config import ConfigError, config_path, load_config, read_token

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_config_loads_and_documents_every_key():
    config = load_config(ROOT / "config.example.toml")
    text = (ROOT / "config.example.toml").read_text()
    for section in ("jira", "store", "mappings", "sync", "retry", "writeback", "dashboard", "webhooks"):
        model = getattr(config, section)
        for name in type(model).model_fields:
            assert f"{name} =" in text, f"config.example.toml does not document {section}.{name}"


def test_relative_sqlite_and_mapping_paths_are_next_to_the_config(tmp_path):
    path = tmp_path / "conf" / "config.toml"
    path.parent.mkdir()
    path.write_text('[jira]\nurl = "http://127.0.0.1:9/"\n')
    config = load_config(path)
    assert config.jira.url == "http://127.0.0.1:9"
    assert config.store_url == f"sqlite:///{path.parent.resolve()}/kpiokr.sqlite3"
    assert config.mapping_paths == [path.parent.resolve() / "mappings"]


def test_every_error_is_reported_with_its_key(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[jira]\nurl = "example.com"\ntimeout_seconds = -1\n[sync]\nintervall_minutes = 3\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert f"{path}: jira.url: Value error, must start with https://" in message
    assert f"{path}: jira.timeout_seconds: Input should be greater than 0" in message
    assert f"{path}: sync.intervall_minutes: Extra inputs are not permitted" in message


def test_a_missing_config_says_how_to_make_one(tmp_path):
    with pytest.raises(ConfigError, match=r"copy config\.example\.toml"):
        load_config(tmp_path / "config.toml")


def test_config_path_prefers_the_flag_then_the_environment():
    assert config_path("a.toml", {"KPIOKR_CONFIG": "b.toml"}) == Path("a.toml")
    assert config_path(None, {"KPIOKR_CONFIG": "b.toml"}) == Path("b.toml")
    assert config_path(None, {}) == Path("config.toml")


def test_the_token_comes_from_the_environment_or_a_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[jira]\nurl = "https://x.atlassian.net"\ntoken_env = "MY_TOKEN"\ntoken_file = "secret"\n')
    config = load_config(path)
    assert read_token(config.jira, {"MY_TOKEN": " abc "}, config.base_dir) == "abc"
    (tmp_path / "secret").write_text("from-file\n")
    assert read_token(config.jira, {}, config.base_dir) == "from-file"
    (tmp_path / "secret").unlink()
    with pytest.raises(ConfigError, match="cannot read a token"):
        read_token(config.jira, {}, config.base_dir)


def _config(tmp_path, text: str | bytes) -> Path:
    path = tmp_path / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


@pytest.mark.parametrize("value", ["25:99", "24:00", "03:60", "3:30", "noon"])
def test_a_reconcile_time_that_is_no_time_of_day_is_refused(tmp_path, value):
    path = _config(tmp_path, f'[jira]\nurl = "https://x.atlassian.net"\n[sync]\nreconcile_at = "{value}"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"{path}: sync.reconcile_at: Value error, '{value}' is not a time of day: write HH:MM" in str(error.value)


def test_midnight_and_the_last_minute_are_times_of_day(tmp_path):
    for value in ("00:00", "23:59"):
        path = _config(tmp_path, f'[jira]\nurl = "https://x.atlassian.net"\n[sync]\nreconcile_at = "{value}"\n')
        assert load_config(path).sync.reconcile_at == value


def test_a_config_that_is_not_utf8_says_to_save_it_as_utf8(tmp_path):
    path = _config(tmp_path, '[jira]\nurl = "https://x.atlassian.net"\n# caf\xe9\n'.encode("latin-1"))
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(byte 0xe9 at offset \d+\): save the file as UTF-8"):
        load_config(path)


def test_a_directory_given_as_the_config_names_the_file_to_pass(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config(tmp_path)
    assert f"{tmp_path} is a directory, not a config file: pass the file itself" in str(error.value)
    assert f"--config {tmp_path / 'config.toml'}" in str(error.value)


def test_a_ca_bundle_that_does_not_exist_is_refused_at_load(tmp_path):
    path = _config(tmp_path, '[jira]\nurl = "https://x.atlassian.net"\nca_bundle = "certs/company-ca.pem"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert f"jira.ca_bundle: no such file {tmp_path / 'certs' / 'company-ca.pem'}" in str(error.value)
    (tmp_path / "certs").mkdir()
    (tmp_path / "certs" / "company-ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    assert load_config(path).jira.ca_bundle == Path("certs/company-ca.pem")


def test_credentials_in_the_url_are_refused_without_repeating_them(tmp_path):
    token = "ATATT3xFfGF0-secret-token"
    path = _config(tmp_path, f'[jira]\nurl = "https://bot%40acme.com:{token}@acme.atlassian.net"\n')
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert "jira.url: Value error, must not hold credentials" in message
    assert "jira.token_env" in message
    assert "jira.token_file" in message
    assert token not in message
    assert "bot%40acme.com" not in message

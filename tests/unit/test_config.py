"""The config file: defaults, relative paths, secrets from the environment, every error named."""

from pathlib import Path

import pytest

from sync.config import ConfigError, config_path, load_config, read_token

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_config_loads_and_documents_every_key():
    config = load_config(ROOT / "config.example.toml")
    text = (ROOT / "config.example.toml").read_text()
    for section in ("jira", "store", "mappings", "sync", "retry", "writeback"):
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

"""Settings: TOML plus environment, and one clear line for every configuration error."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import get_args, get_origin

import pytest
from pydantic import BaseModel

from bot.settings import ConfigError, Settings, load_settings
from tests.conftest import TEST_KEY
from tests.helpers.cli import run_cli
from tests.helpers.config import GOOD, write_toml

ROOT = Path(__file__).resolve().parents[2]
def test_example_config_is_valid() -> None:
    settings = load_settings(ROOT / "config.example.toml")
    assert [g.code for g in settings.gemeenten] == ["GM0715", "GM0534"]
    assert settings.gemeenten[0].pc4_ranges == [(4531, 4539)]
    assert settings.telegram.messages_per_second == 28


def test_toml_values_and_env_overrides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_toml(tmp_path, GOOD)
    settings = load_settings(path)
    assert settings.telegram.token.get_secret_value() == "123456:ABCdef-ghi"
    assert settings.gemeenten[0].pc4_ranges == [(4531, 4539), (4543, 4543)]
    monkeypatch.setenv("SIGNAALBOT_TELEGRAM__TOKEN", "999:fromTheEnvironment")
    monkeypatch.setenv("SIGNAALBOT_DATABASE__URL", "postgresql+asyncpg://u@h/db")
    monkeypatch.setenv("SIGNAALBOT_INTAKE__DRAFT_TTL_HOURS", "2")
    settings = load_settings(path)
    assert settings.telegram.token.get_secret_value() == "999:fromTheEnvironment"
    assert settings.database.url == "postgresql+asyncpg://u@h/db"
    assert settings.intake.draft_ttl_hours == 2
    monkeypatch.setenv("SIGNAALBOT_CONFIG", str(path))
    assert load_settings().gemeenten[0].name == "Terneuzen"


@pytest.mark.parametrize(("text", "names"), [
    (GOOD.replace('url = "sqlite+aiosqlite:///x.db"', 'url = "mysql://x"'), "database.url"),
    (GOOD.replace('token = "123456:ABCdef-ghi"', 'token = "nonsense"'), "telegram.token"),
    (GOOD.replace("[telegram]", "[telegram]\nbase_url = 'not a url'"), "telegram.base_url"),
    (GOOD + '[[gemeenten]]\ncode = "GM0917"\nname = "X"\npc4 = ["4539-4540"]\n'
     'alert_chat_ids = [2]\n', "pc4 4539 is claimed by both GM0715 and GM0917"),
    (GOOD.replace('code = "GM0715"', 'code = "715"'), "gemeenten.0.code"),
    (GOOD.replace('pc4 = ["4531-4539", "4543"]', 'pc4 = ["45x1"]'), "gemeenten.0.pc4"),
    (GOOD.replace("alert_chat_ids = [1, -100200]", ""), "alert_chat_ids"),
    (GOOD + "[surprise]\nkey = 1\n", "surprise"),
    (GOOD.replace("[database]", "[database"), "malformed TOML"),
    (GOOD.replace(TEST_KEY, "too-short"), "security.encryption_key"),
    (GOOD.replace(TEST_KEY, TEST_KEY[:-4] + "!!!!"), "security.encryption_key"),
])
def test_config_errors_name_the_setting(tmp_path: Path, text: str, names: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, text))
    message = str(caught.value)
    assert names in message and "\n" not in message


def test_run_without_token_stops_with_one_line(tmp_path: Path) -> None:
    path = write_toml(tmp_path, GOOD.replace('token = "123456:ABCdef-ghi"', ""))
    result = run_cli("run", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "signaalbot: config error: no channel: set telegram.token (SIGNAALBOT_TELEGRAM__TOKEN), "
        "signal.account, web.public_url, or more than one")


def test_broken_config_stops_with_one_line_not_a_traceback(tmp_path: Path) -> None:
    path = write_toml(tmp_path, GOOD.replace("[database]", "[database"))
    result = run_cli("run", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "malformed TOML" in lines[0] and "Traceback" not in result.stderr


def test_db_upgrade_command(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    result = run_cli("db", "upgrade", env={"SIGNAALBOT_DATABASE__URL": url})
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
    current = run_cli("db", "current", env={"SIGNAALBOT_DATABASE__URL": url})
    assert current.stdout.strip() == result.stdout.split()[-1]


def test_run_without_a_valid_key_refuses_to_start(tmp_path: Path) -> None:
    path = write_toml(tmp_path, GOOD.replace(f'encryption_key = "{TEST_KEY}"', ""))
    result = run_cli("run", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "signaalbot: config error: security.encryption_key: missing; make one with "
        "`signaalbot keys generate` and set SIGNAALBOT_SECURITY__ENCRYPTION_KEY")
    malformed = run_cli("run", "--config", str(path), cwd=tmp_path,
                        env={"SIGNAALBOT_SECURITY__ENCRYPTION_KEY": "not-a-key"})
    assert malformed.returncode == 2
    assert malformed.stderr.count("\n") == 1 and "security.encryption_key" in malformed.stderr
    assert "Traceback" not in malformed.stderr


def test_keys_generate_prints_a_usable_key() -> None:
    result = run_cli("keys", "generate")
    from storage.crypto import parse_key

    assert len(parse_key(result.stdout.strip())) == 32


# -- strictness: a typo anywhere is one line that names it

def _sections(model: type[BaseModel] = Settings,
              path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], type]]:
    """Every table of the config, from the models: ``(path, model)``; list items at index 0."""
    yield path, model
    for name, field in model.model_fields.items():
        inner, index = field.annotation, ()
        if get_origin(inner) is list:
            inner, index = get_args(inner)[0], (0,)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            yield from _sections(inner, (*path, name, *index))


def _toml(value: object) -> str:
    """``value`` as TOML (tables inline), enough for config.example.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(map(_toml, value)) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + "}"


SECTIONS = list(_sections())


def test_every_section_is_in_the_example_config() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    for path, _ in SECTIONS:
        table = example
        for part in path:
            table = table[part]  # a KeyError: document the new section in the example
        assert isinstance(table, dict)


@pytest.mark.parametrize(("path", "model"), SECTIONS,
                         ids=[".".join(map(str, path)) or "top" for path, _ in SECTIONS])
def test_a_typo_in_any_section_stops_with_one_line_naming_it(
        tmp_path: Path, path: tuple[str | int, ...], model: type[BaseModel]) -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    table = example
    for part in path:
        table = table[part]
    meant = max(model.model_fields, key=len)
    typo = meant[0] + meant[2:]  # one letter left out
    table[typo] = table.get(meant, 1)
    config = write_toml(tmp_path, "\n".join(f"{key} = {_toml(value)}"
                                       for key, value in example.items()))
    with pytest.raises(ConfigError) as caught:
        load_settings(config)
    message = str(caught.value)
    dotted = ".".join(map(str, (*path, typo)))
    assert message == f"{dotted}: unknown key; did you mean {meant}? (in {config})"


def test_run_with_a_typo_stops_with_one_line(tmp_path: Path) -> None:
    path = write_toml(tmp_path, GOOD.replace("[database]", "[database]\nmigrate_on_strat = false"))
    result = run_cli("run", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "signaalbot: config error: database.migrate_on_strat: unknown key; did you mean "
        f"migrate_on_start? (in {path})"]


def test_an_unknown_text_suggests_the_one_meant(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, GOOD + 'texts = { thnks = "Dank u" }\n'))
    assert str(caught.value) == ("gemeenten.0.texts: unknown text thnks; did you mean thanks? "
                                 f"(in {tmp_path / 'config.toml'})")


@pytest.mark.parametrize(("name", "expected"), [
    ("SIGNAALBOT_TELEGRAM__TOKN", "telegram.tokn: unknown key; did you mean "
     "SIGNAALBOT_TELEGRAM__TOKEN? (from SIGNAALBOT_TELEGRAM__TOKN)"),
    ("SIGNAALBOT_TELEGRAM__WEBHOOK__SECRET", "telegram.webhook.secret: unknown key; did you "
     "mean SIGNAALBOT_TELEGRAM__WEBHOOK__SECRET_TOKEN? (from "
     "SIGNAALBOT_TELEGRAM__WEBHOOK__SECRET)"),
    ("SIGNAALBOT_TELEGRAM_TOKEN", "SIGNAALBOT_TELEGRAM_TOKEN: not a setting (a section and its "
     "key are joined by two underscores); did you mean SIGNAALBOT_TELEGRAM__TOKEN?"),
    ("signaalbot_database__ulr", "database.ulr: unknown key; did you mean "
     "SIGNAALBOT_DATABASE__URL? (from SIGNAALBOT_DATABASE__ULR)"),
])
def test_an_unknown_environment_setting_stops_with_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, expected: str) -> None:
    monkeypatch.setenv(name, "123456:ABCdef-ghi")
    monkeypatch.setenv("SIGNAALBOT_TRANSPORT", "other tools' variables are left alone")
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, GOOD))
    assert str(caught.value) == expected


def test_a_wrong_value_names_where_it_came_from(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_toml(tmp_path,
                      GOOD.replace("[database]", "[intake]\ndraft_ttl_hours = 0\n[database]"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == ("intake.draft_ttl_hours: must be a number from 1 to 720, "
                                 f"not 0 (in {path})")
    monkeypatch.setenv("SIGNAALBOT_DATABASE__URL", "mysql://x")
    with pytest.raises(ConfigError) as caught:
        load_settings(write_toml(tmp_path, GOOD))
    assert str(caught.value).startswith("database.url: use sqlite")
    assert str(caught.value).endswith(" (from SIGNAALBOT_DATABASE__URL)")


# -- check-config

def test_check_config_fails_without_token_and_key_and_names_both(tmp_path: Path) -> None:
    path = write_toml(tmp_path, GOOD.replace('token = "123456:ABCdef-ghi"', "").replace(
        f'encryption_key = "{TEST_KEY}"', ""))
    result = run_cli("check-config", "--config", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "signaalbot: config error: no channel: set telegram.token (SIGNAALBOT_TELEGRAM__TOKEN), "
        "signal.account, web.public_url, or more than one",
        "signaalbot: config error: security.encryption_key: missing; make one with `signaalbot "
        "keys generate` and set SIGNAALBOT_SECURITY__ENCRYPTION_KEY"]
    assert "database: sqlite+aiosqlite:///x.db" in result.stdout  # what is fine is still shown
    assert "GM0715 Terneuzen: active" in result.stdout
    malformed = run_cli("check-config", "--config", str(path), cwd=tmp_path,
                        env={"SIGNAALBOT_SECURITY__ENCRYPTION_KEY": "not-a-key",
                             "SIGNAALBOT_TELEGRAM__TOKEN": "123456:ABCdef-ghi"})
    assert malformed.returncode == 2
    [line] = malformed.stderr.splitlines()
    assert line.startswith("signaalbot: config error: security.encryption_key: ")
    assert line.endswith(" (from SIGNAALBOT_SECURITY__ENCRYPTION_KEY)")


def test_check_config_passes_a_good_config(tmp_path: Path) -> None:
    result = run_cli("check-config", "--config", str(write_toml(tmp_path, GOOD)), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "token set" in result.stdout and "encryption key set" in result.stdout
    assert "123456:ABCdef-ghi" not in result.stdout and TEST_KEY not in result.stdout

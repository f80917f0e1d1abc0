"""The deployment files (Dockerfile, deploy/) name only settings and commands that exist."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
from pydantic import BaseModel
from typer.testing import CliRunner

from bot.cli.main import app
from bot.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
FILES = [ROOT / "Dockerfile", *sorted((ROOT / "deploy").rglob("*"))]
ASSIGNMENT = re.compile(r"(#\s*)?\b(SIGNAALBOT_[A-Z0-9_]+)=(\S*)")
COMMAND = "/opt/signaalbot/current/bin/signaalbot"


def setting_names(model: type[BaseModel] = Settings, prefix: str = "SIGNAALBOT_") -> set[str]:
    """Every environment variable that names a setting (tables inside tables too)."""
    names = {"SIGNAALBOT_CONFIG"}
    for name, field in model.model_fields.items():
        names.add(prefix + name.upper())
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            names |= setting_names(field.annotation, f"{prefix}{name.upper()}__")
    return names


def assignments() -> list[tuple[str, str, str, bool]]:
    """(file, name, value, commented out) for each SIGNAALBOT_ variable a file sets."""
    return [(path.name, match[2], match[3].replace("%i", "1"), bool(match[1]))
            for path in FILES if path.is_file()
            for match in ASSIGNMENT.finditer(path.read_text(encoding="utf-8"))]


def test_every_variable_names_a_setting() -> None:
    found = assignments()
    assert len(found) > 10
    known = setting_names()
    assert [(file, name) for file, name, _, _ in found if name not in known] == []


@pytest.mark.parametrize("files", [("Dockerfile",), ("signaalbot@.service",
                                                     "signaalbot.env.example",
                                                     "secrets.env.example")])
def test_the_values_set_together_make_valid_settings(monkeypatch: pytest.MonkeyPatch,
                                                     files: tuple[str, ...]) -> None:
    for name in [name for name in os.environ if name.startswith("SIGNAALBOT_")]:
        monkeypatch.delenv(name)
    for file, name, value, commented in assignments():
        if file in files and not commented and name != "SIGNAALBOT_CONFIG":
            monkeypatch.setenv(name, value)
    settings = load_settings(ROOT / "config.example.toml")
    if "Dockerfile" in files:
        assert settings.telegram.webhook.listen == "0.0.0.0"
    else:
        assert (settings.telegram.mode, settings.telegram.webhook.port) == ("webhook", 8441)
        assert settings.database.url.startswith("postgresql+asyncpg://")
    assert settings.database.migrate_on_start is False


def commands() -> list[tuple[str, list[str]]]:
    """The signaalbot command lines of the units and the image's default."""
    found = [(path.name, shlex.split(line.split("=", 1)[1])[1:])
             for path in FILES if path.suffix == ".service"
             for line in path.read_text(encoding="utf-8").splitlines()
             if line.startswith(f"ExecStart={COMMAND} ")]
    docker = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    cmd = re.search(r"^CMD (\[.*\])$", docker, re.M)
    assert cmd and re.search(r'^ENTRYPOINT \["signaalbot"\]$', docker, re.M)
    return [*found, ("Dockerfile", json.loads(cmd[1]))]


def test_every_command_line_is_one_the_cli_has() -> None:
    found = commands()
    assert sorted(" ".join(args[:2]) for _, args in found) == [
        "db upgrade", "run --config", "run --config"]
    for file, args in found:
        result = CliRunner().invoke(app, [*args, "--help"])
        assert result.exit_code == 0, (file, args, result.output)

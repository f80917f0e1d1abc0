"""Running the installed commands in a process of their own, with a clean environment."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from typer.testing import CliRunner

from bot.cli.main import app
from tests.conftest import TEST_KEY

ROOT = Path(__file__).resolve().parents[2]


def clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without any SIGNAALBOT_ setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNAALBOT_")}
    env.update(extra)
    return env


def bot_environment() -> dict[str, str]:
    """A clean environment for ``signaalbot run``: the test key, PTB's timedelta periods."""
    return clean_environment(SIGNAALBOT_SECURITY__ENCRYPTION_KEY=TEST_KEY, PTB_TIMEDELTA="true")


def signaalbot() -> list[str]:
    """The installed ``signaalbot`` command (``python -m bot`` where it is not installed)."""
    script = Path(sys.executable).parent / "signaalbot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot"]


def run_cli(*args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` with a clean environment plus `env`, in the repository."""
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          env=clean_environment(**(env or {})), cwd=cwd or ROOT, timeout=60)


async def run_cli_async(*args: str, env: dict[str, str] | None = None
                        ) -> tuple[int, str, str]:
    """``run_cli`` that lets this event loop go on meanwhile (a stand-in it talks to runs
    here): (exit code, stdout, stderr)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE, env=clean_environment(**(env or {})), cwd=ROOT)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return int(process.returncode or 0), out.decode(), err.decode()


def invoke(config: Path | str, *args: str, env: Mapping[str, str] | None = None
           ) -> tuple[int, str, str]:
    """``signaalbot ARGS --config CONFIG`` in this process (a fresh interpreter per command
    takes seconds), without this environment's SIGNAALBOT_ settings, plus ``env``.

    Returns the exit code, stdout and stderr; an exception other than an exit fails.
    """
    clean: dict[str, str | None] = {name: None for name in os.environ
                                    if name.startswith("SIGNAALBOT_")}
    result = CliRunner().invoke(app, [*args, "--config", str(config)],
                                env={**clean, **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.exception)
    return result.exit_code, result.stdout, result.stderr


async def invoke_in_thread(config: Path | str, *args: str) -> tuple[int, str, str]:
    """``invoke`` in a thread: the command runs an event loop of its own."""
    return await asyncio.to_thread(invoke, config, *args)

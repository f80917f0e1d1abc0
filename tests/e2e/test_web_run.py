"""``signaalbot run`` with only ``[web] public_url`` set serves the web chat, and stops cleanly."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import aiohttp

from tests.helpers.cli import bot_environment, signaalbot
from tests.helpers.config import write_config


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_run_serves_the_web_chat_without_any_chat_app(tmp_path: Path, db_url: str) -> None:
    port = free_port()
    config = write_config(tmp_path, db_url)
    config.write_text(config.read_text(encoding="utf-8") + (
        f'\n[web]\npublic_url = "http://127.0.0.1:{port}"\nport = {port}\n'), encoding="utf-8")
    output = tmp_path / "run.log"
    with output.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            *signaalbot(), "run", "--config", str(config), stdout=log, stderr=log,
            env=bot_environment(), cwd=tmp_path)
    try:
        page = ""
        async with aiohttp.ClientSession() as http, asyncio.timeout(30):
            while "<form" not in page:
                try:
                    page = await (await http.get(f"http://127.0.0.1:{port}/")).text()
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            assert await process.wait() == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    text = output.read_text(encoding="utf-8")
    assert "web chat listening" in text and "Traceback" not in text and " ERROR " not in text

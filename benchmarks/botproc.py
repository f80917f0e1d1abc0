"""One bot process for the benchmark, started by ``benchmarks/run.py``.

Usage: ``python benchmarks/botproc.py '<json spec>'``. The spec names the bot (``kind``):

* ``echo``: a bare python-telegram-bot echo bot; ``backend`` is ``httpx`` (stock
  ``HTTPXRequest``), ``httpx-aiohttp`` (``HTTPXRequest`` on the httpx-aiohttp transport) or
  ``aiohttp`` (``AiohttpRequest``); ``concurrent`` > 1 processes updates concurrently, with
  PTB's ``SimpleUpdateProcessor`` or (``ordered``) Signaalbot's ``ChatOrderedUpdateProcessor``;
  it runs on asyncio's event loop, or with ``uvloop`` on uvloop.
* ``raw``: no PTB at all, an aiohttp long-poll loop answering each update in turn (the
  transport's own limit on this machine).
* ``signaalbot``: ``handlers.telegram.app.build_application`` on ``settings`` (a ``Settings``
  dict), on the
  event loop and with the garbage collector settings of ``signaalbot run``.
* ``signal``: ``signaalbot run`` serving Signal alone (``handlers.channels.run``) on
  ``settings``, whose ``[signal]`` points at the signal-cli stand-in.
* ``web``: ``signaalbot run`` serving the web chat alone, the same way; ``settings``'s
  ``[web]`` names its port.

The process polls ``base_url`` and prints one JSON line ``{"ready": true}`` once polling
(``signal``, ``web``: once its settings are read; it is ready when its event stream
connects, or when its web chat answers); on
SIGTERM it stops like ``run_polling`` (``signaalbot run``) would. Its CPU time and memory are
read from /proc.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("PTB_TIMEDELTA", "true")

import aiohttp  # noqa: E402
from telegram import Update  # noqa: E402
from telegram.ext import (  # noqa: E402
    Application,
    ApplicationBuilder,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest  # noqa: E402

from handlers.telegram.request import AiohttpRequest  # noqa: E402
from handlers.telegram.update_processor import ChatOrderedUpdateProcessor  # noqa: E402

POOL = 256  # PTB's default pool size for ordinary calls
POLL_TIMEOUT = timedelta(seconds=10)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


def _request(backend: str, pool: int) -> Any:
    if backend == "aiohttp":
        return AiohttpRequest(connection_pool_size=pool)
    if backend == "httpx-aiohttp":
        import httpx
        from httpx_aiohttp import AiohttpTransport

        transport = AiohttpTransport(limits=httpx.Limits(max_connections=pool))
        return HTTPXRequest(connection_pool_size=pool, httpx_kwargs={"transport": transport})
    raise ValueError(f"unknown backend {backend!r}")


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.message is not None and update.message.text is not None
    await update.message.reply_text(update.message.text)


def echo_application(spec: dict[str, Any]) -> Application[Any, Any, Any, Any, Any, Any]:
    """The bare echo bot; stock PTB unless the spec says otherwise."""
    builder = ApplicationBuilder().token(spec["token"]).base_url(spec["base_url"])
    if spec["backend"] != "httpx":
        builder = (builder.request(_request(spec["backend"], POOL))
                   .get_updates_request(_request(spec["backend"], 1)))
    if spec["concurrent"] > 1:
        builder = builder.concurrent_updates(
            ChatOrderedUpdateProcessor(spec["concurrent"]) if spec.get("ordered")
            else spec["concurrent"])
    application = builder.build()
    application.add_handler(MessageHandler(filters.TEXT, _echo))
    return application


def signaalbot_application(spec: dict[str, Any]) -> Application[Any, Any, Any, Any, Any, Any]:
    """Signaalbot itself, from a real settings object."""
    from bot.settings import Settings
    from handlers.telegram.app import build_application

    settings = dict(spec["settings"])
    settings["telegram"] = {**settings["telegram"], "token": spec["token"],
                            "base_url": spec["base_url"]}
    return build_application(Settings(**settings))


async def run_application(application: Application[Any, Any, Any, Any, Any, Any],
                          stop: asyncio.Event) -> None:
    """Start like ``run_polling`` (post_init included), announce readiness, stop on request."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0.0, timeout=POLL_TIMEOUT,
                                            allowed_updates=ALLOWED_UPDATES)
    await application.start()
    _say(ready=True)
    await stop.wait()
    await application.updater.stop()
    await application.stop()
    await application.shutdown()
    if application.post_shutdown is not None:
        await application.post_shutdown(application)


async def run_raw(spec: dict[str, Any]) -> None:
    """Long-poll and answer every update in turn, straight on aiohttp (until cancelled)."""
    url = f"{spec['base_url']}{spec['token']}"
    timeout = int(POLL_TIMEOUT.total_seconds())
    async with aiohttp.ClientSession() as session:
        _say(ready=True)
        offset = 0
        while True:
            async with session.post(f"{url}/getUpdates",
                                    data={"offset": offset, "timeout": timeout}) as response:
                updates = (await response.json())["result"]
            for update in updates:
                offset = update["update_id"] + 1
                message = update.get("message") or {}
                if "text" in message:
                    async with session.post(f"{url}/sendMessage", data={
                            "chat_id": message["chat"]["id"], "text": message["text"]}) as sent:
                        await sent.read()


def _say(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


async def main(spec: dict[str, Any]) -> None:
    """Run the bot the spec describes until SIGTERM."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    if spec["kind"] == "raw":
        task = asyncio.create_task(run_raw(spec))
        await stop.wait()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    elif spec["kind"] == "echo":
        await run_application(echo_application(spec), stop)
    else:
        await run_application(signaalbot_application(spec), stop)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    spec = json.loads(sys.argv[1])
    if spec["kind"] in ("signal", "web"):
        from bot.settings import Settings
        from handlers.channels import run

        settings = Settings(**spec["settings"])
        _say(ready=True)
        run(settings)
        sys.exit()
    loop_factory = None  # asyncio's
    if spec["kind"] == "signaalbot":
        from bot.runtime import new_event_loop, tune_garbage_collector

        tune_garbage_collector()
        loop_factory = new_event_loop
    elif spec.get("uvloop"):
        import uvloop

        loop_factory = uvloop.new_event_loop
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        if os.environ.get("SB_PROFILE") and spec["kind"] == "signaalbot":
            import cProfile
            prof = cProfile.Profile()
            prof.enable()
            runner.run(main(spec))
            prof.disable()
            prof.dump_stats(os.environ["SB_PROFILE"])
        else:
            runner.run(main(spec))

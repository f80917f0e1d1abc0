"""Webhook mode: the secret token and the body size are checked before a body is read; an
update is answered once processed; /healthz, /readyz and draining on stop.

The bot is started as ``run()`` starts it in webhook mode
(``handlers.telegram.webhook.serve_webhook``),
against the Bot API stand-in, and spoken to over raw HTTP/1.1 so a test can stop sending half
way through a body and see whether the server answers before it has the whole body.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr

from bot.settings import Settings
from handlers.telegram.app import ALLOWED_UPDATES, build_application
from handlers.telegram.webhook import serve_webhook

SECRET = "s3cret-token"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

HUGE = 5 * 1024 * 1024  # a 5 MB body: Telegram's updates are a few KB
LIMIT = 1024 * 1024  # the bot takes bodies of at most 1 MiB
SENT = 32 * 1024  # what a test sends of a huge body before it waits for the answer
ANSWER_SECONDS = 5.0
USER = 4242


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_update(update_id: int = 1) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1, "chat": {"id": USER, "type": "private"},
        "from": {"id": USER, "is_bot": False, "first_name": "X"}, "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}}


@pytest.fixture
async def webhook(api: Any, settings: Settings) -> AsyncIterator[tuple[str, Any]]:
    """The bot running in webhook mode as run() runs it; yields the webhook's URL and app."""
    async with served(api, settings) as (url, app, stop, serving):
        yield url, app
        stop.set()
        await asyncio.wait_for(serving, timeout=30)


@asynccontextmanager
async def served(api: Any, settings: Settings) -> AsyncIterator[
        tuple[str, Any, asyncio.Event, asyncio.Task[None]]]:
    """``serve_webhook`` started: the webhook's URL, the app, the stop event, the task."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    webhook = settings.telegram.webhook.model_copy(update={
        "url": url, "listen": "127.0.0.1", "port": port, "secret_token": SecretStr(SECRET)})
    configured = settings.model_copy(update={"telegram": settings.telegram.model_copy(update={
        "token": SecretStr(api.token), "base_url": api.base_url, "mode": "webhook",
        "webhook": webhook})})
    app = build_application(configured)
    stop = asyncio.Event()
    serving = asyncio.create_task(
        serve_webhook(app, configured.telegram.webhook, allowed_updates=ALLOWED_UPDATES,
                      stop=stop))
    try:
        # Start-up: migrations, post_init, start, listen, setWebhook; ready once its first
        # heartbeat counted it (``/readyz``), as a load balancer waits for it.
        ready = False
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                ready = (api.webhook["url"] == url
                         and await _answers_ok(http, url.removesuffix("/telegram") + "/readyz"))
                if ready or serving.done():
                    break
                await asyncio.sleep(0.05)
        if serving.done():
            serving.result()  # start-up failed: show why
        assert ready, "the bot was not ready within 30 s"
        yield url, app, stop, serving
    finally:
        if not serving.done():
            stop.set()
            await asyncio.wait_for(serving, timeout=30)


async def _answers_ok(http: aiohttp.ClientSession, url: str) -> bool:
    """Whether ``url`` answers 200 (not when refused: the server is not listening yet)."""
    try:
        async with http.get(url) as response:
            return response.status == 200
    except aiohttp.ClientConnectionError:
        return False


async def raw_post(url: str, headers: dict[str, str], first: bytes) -> str:
    """Send the request head and ``first`` bytes of the body, then only listen.

    Returns the answer's status code once the server has answered and closed the connection,
    or "no answer" if it has not within a few seconds (it waits for the rest of the body).
    """
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = "".join(f"{name}: {value}\r\n" for name, value in {
            "Host": f"127.0.0.1:{port}", "Content-Type": "application/json", **headers}.items())
        writer.write(f"POST /telegram HTTP/1.1\r\n{head}\r\n".encode() + first)
        await writer.drain()
        try:
            status = await asyncio.wait_for(reader.readline(), ANSWER_SECONDS)
            await asyncio.wait_for(reader.read(), ANSWER_SECONDS)  # until the server closes
        except TimeoutError:
            return "no answer"
        return status.decode().split()[1]
    finally:
        writer.close()


async def test_webhook_refuses_an_oversized_body_before_reading_it(
        api: Any, webhook: tuple[str, Any]) -> None:
    webhook_url, app = webhook
    """5 MB announced, 32 KiB sent: refused at once (403 or 413), connection closed."""
    api.user(USER)
    announced = {"Content-Length": str(HUGE)}
    first = b"{" + b" " * (SENT - 1)
    answers = [await raw_post(webhook_url, announced, first),
               await raw_post(webhook_url, {**announced, SECRET_HEADER: "wrong"}, first),
               await raw_post(webhook_url, {**announced, SECRET_HEADER: SECRET}, first)]
    # Without a Content-Length (chunked) the size shows only while reading: the server reads at
    # most the limit. The test sends one byte more, then listens.
    body = b"{" + b" " * LIMIT
    step = 64 * 1024
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(body[i:i + step]), body[i:i + step])
                       for i in range(0, len(body), step))
    answers.append(await raw_post(webhook_url, {SECRET_HEADER: SECRET,
                                                "Transfer-Encoding": "chunked"}, chunked))
    assert answers == ["403", "403", "413", "413"]
    assert app.update_queue.empty() and api.messages(USER) == []  # nothing was taken in


async def test_webhook_passes_a_valid_update_to_the_bot(api: Any,
                                                       webhook: tuple[str, Any]) -> None:
    webhook_url, app = webhook
    api.user(USER)
    assert api.webhook == {"url": webhook_url, "secret_token": SECRET, "max_connections": 40,
                           "allowed_updates": ALLOWED_UPDATES}
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {SECRET_HEADER: "wrong"}):
            async with http.post(webhook_url, json=start_update(), headers=headers) as response:
                assert response.status == 403
        assert app.update_queue.empty() and api.messages(USER) == []  # nothing taken in
        async with http.post(webhook_url, json=start_update(1),
                             headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
        await api.wait_for(lambda: len(api.messages(USER)) == 1)
        # A body of exactly the limit is still taken (padded JSON: Telegram's are far smaller).
        body = json.dumps(start_update(2)).encode()
        body += b" " * (LIMIT - len(body))
        async with http.post(webhook_url, data=body, headers={
                "Content-Type": "application/json", SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
    await api.wait_for(lambda: len(api.messages(USER)) == 2)


async def test_webhook_answers_once_processed_and_drains_on_stop(
        api: Any, settings: Settings) -> None:
    """200 only once the reply is sent; on stop: /readyz 503, new updates 503, the update in
    flight finishes, then the server goes."""
    api.user(USER)
    async with served(api, settings) as (url, app, stop, serving), aiohttp.ClientSession() as http:
        base = url.removesuffix("/telegram")
        for path in ("/healthz", "/readyz"):
            async with http.get(base + path) as response:
                assert response.status == 200
        api.set_latency(1.0)  # the reply takes a second to send
        posting = asyncio.create_task(http.post(url, json=start_update(1),
                                                headers={SECRET_HEADER: SECRET}))
        await api.wait_for(lambda: api.in_flight > 0)  # the reply is on its way
        assert not posting.done() and api.messages(USER) == []
        stop.set()
        async with http.get(base + "/readyz") as response:
            assert response.status == 503
        async with http.post(url, json=start_update(2),
                             headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 503  # Telegram delivers it again, elsewhere or later
        async with await posting as response:
            assert response.status == 200
        assert len(api.messages(USER)) == 1  # its reply was sent before the 200
        await asyncio.wait_for(serving, timeout=30)

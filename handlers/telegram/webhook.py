"""Webhook mode: a small aiohttp endpoint that judges a request by its head before its body.

PTB's own webhook server (tornado, via ``Application.run_webhook``) reads a request body of up
to tornado's default 100 MB into memory before it looks at Telegram's secret token, and offers
no setting for either. So the bot runs its own endpoint, the way PTB documents for custom
webhook servers: updates go into ``Application.update_queue``; ``setWebhook`` is called with
the same arguments ``run_webhook`` passed (URL, secret token, allowed updates, 40 connections).

A request is refused from its head alone: without the right ``X-Telegram-Bot-Api-Secret-Token``
(403, before anything of the body is read), not JSON (403, as PTB did) or with a
``Content-Length`` over ``MAX_BODY_BYTES`` (413). A body without a length (chunked) is read up
to that limit at most. A refused connection is closed at once, without reading the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application, ExtBot

from bot.settings import WebhookSettings

log = logging.getLogger(__name__)

URL_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# Telegram's updates are a few KB (a message holds at most 4096 characters, a reply quotes one
# more); 1 MiB is generous, and aiohttp's own default. PTB/tornado would take 100 MB.
MAX_BODY_BYTES = 1024 * 1024
MAX_CONNECTIONS = 40  # what run_webhook passed to setWebhook (and Telegram's default)


class WebhookServer:
    """The HTTP endpoint Telegram posts updates to, and the ``setWebhook`` that points there."""

    def __init__(self, application: Application[Any, Any, Any, Any, Any, Any],
                 webhook: WebhookSettings, *, allowed_updates: Sequence[str],
                 max_body: int = MAX_BODY_BYTES) -> None:
        self._application = application
        self._webhook = webhook
        self._allowed_updates = list(allowed_updates)
        self._secret = webhook.secret_token.get_secret_value().encode()
        self._max_body = max_body
        app = web.Application(client_max_size=max_body)
        app.router.add_post(URL_PATH, self._receive)
        app.router.add_post(URL_PATH + "/", self._receive)
        # lingering_time=0: a refused request's remaining body is not read (and thrown away)
        # after the answer; the connection is closed instead.
        self._runner = web.AppRunner(app, access_log=None, lingering_time=0,
                                     shutdown_timeout=5.0)

    async def start(self) -> None:
        """Listen, then tell Telegram where to post."""
        await self._runner.setup()
        await web.TCPSite(self._runner, self._webhook.listen, self._webhook.port).start()
        await self._application.bot.set_webhook(
            url=self._webhook.url, allowed_updates=self._allowed_updates,
            secret_token=self._secret.decode(), max_connections=MAX_CONNECTIONS)
        log.info("webhook listening on %s:%d", self._webhook.listen, self._webhook.port)

    async def stop(self) -> None:
        """Stop listening (the webhook stays set at Telegram, as with PTB's run_webhook)."""
        await self._runner.cleanup()

    async def _receive(self, request: web.Request) -> web.Response:
        token = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(token, self._secret):
            return _refuse(HTTPStatus.FORBIDDEN)
        if request.content_type != "application/json":
            return _refuse(HTTPStatus.FORBIDDEN)
        if request.content_length is not None and request.content_length > self._max_body:
            return _refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        try:
            data = await request.json()  # raises past client_max_size (a chunked body)
        except web.HTTPRequestEntityTooLarge:
            return _refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        except ValueError:
            return _refuse(HTTPStatus.BAD_REQUEST)
        bot = self._application.bot
        try:
            update = Update.de_json(data, bot)
        except Exception:  # any shape PTB cannot read; the body is not logged (personal data)
            log.warning("webhook: a request with the right secret was not a readable update")
            return _refuse(HTTPStatus.BAD_REQUEST)
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)  # as PTB's own webhook handler does
        await self._application.update_queue.put(update)
        return web.Response()


def _refuse(status: HTTPStatus) -> web.Response:
    response = web.Response(status=status)
    response.force_close()
    return response


async def serve_webhook(application: Application[Any, Any, Any, Any, Any, Any],
                        webhook: WebhookSettings, *, allowed_updates: Sequence[str],
                        stop: asyncio.Event) -> None:
    """Run the bot on a webhook until ``stop`` is set, in the steps of PTB's ``run_webhook``.

    initialize, post_init, listen and setWebhook, start; then stop listening, stop, post_stop,
    shutdown, post_shutdown.
    """
    server = WebhookServer(application, webhook, allowed_updates=allowed_updates)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        try:
            await server.start()
            await application.start()
            await stop.wait()
        finally:
            await server.stop()
            if application.running:
                await application.stop()
                if application.post_stop is not None:
                    await application.post_stop(application)
    finally:
        await application.shutdown()
        if application.post_shutdown is not None:
            await application.post_shutdown(application)


def run_webhook(application: Application[Any, Any, Any, Any, Any, Any],
                webhook: WebhookSettings, *, allowed_updates: Sequence[str]) -> None:
    """Run the bot on a webhook on the current event loop until SIGINT/SIGTERM; close the loop."""
    loop = asyncio.get_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGABRT):
        with contextlib.suppress(NotImplementedError):  # Windows: Ctrl+C raises instead
            loop.add_signal_handler(sig, stop.set)
    serving = loop.create_task(
        serve_webhook(application, webhook, allowed_updates=allowed_updates, stop=stop))
    try:
        try:
            loop.run_until_complete(serving)
        except KeyboardInterrupt:
            if not serving.done():
                stop.set()
                loop.run_until_complete(serving)
    finally:
        loop.close()

"""Webhook mode: a small aiohttp endpoint that judges a request by its head before its body.

PTB's own webhook server (tornado, via ``Application.run_webhook``) reads a request body of up
to tornado's default 100 MB into memory before it looks at Telegram's secret token, and offers
no setting for either. So the bot runs its own endpoint, the way PTB documents for custom
webhook servers; ``setWebhook`` is called with the same arguments ``run_webhook`` passed (URL,
secret token, allowed updates, 40 connections).

Nothing is lost when a worker dies: an update is answered 200 only once it has been processed
(through the application's update processor, so each chat's updates stay in order and the
concurrency bound holds), its effect committed and its reply sent or in the outbox. An update
whose worker dies gets no 200, and Telegram (or the load balancer in front of N workers)
delivers it again; the intake applies a redelivered update once (``bot.core.intake``). A
handler's error is answered 200 too: the error handler has told the person, and an update that
always fails must not come back forever.

``/healthz`` answers 200 while the process serves; ``/readyz`` 200 while the bot is started,
the database answers and (with other workers) they count this one, so its share of
Telegram's limits is its own; 503 otherwise, and from the moment the process drains. Updates
are taken exactly while it is ready. On SIGTERM it
drains: ``/readyz`` turns 503, new updates get 503 (the load balancer sends them elsewhere),
the updates in flight finish, then the application stops (the outbox dispatcher finishes its
message) and the process exits 0.

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
READY_SECONDS = 5.0  # a database that does not answer /readyz's query within this: not ready


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
        self._draining = False
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._processing: set[asyncio.Task[None]] = set()
        app = web.Application(client_max_size=max_body)
        app.router.add_post(URL_PATH, self._receive)
        app.router.add_post(URL_PATH + "/", self._receive)
        app.router.add_get("/healthz", self._health)
        app.router.add_get("/readyz", self._ready)
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

    async def drain(self) -> None:
        """Take no new updates (503, and ``/readyz`` 503); wait for those in flight."""
        self._draining = True
        await self._idle.wait()
        await asyncio.gather(*self._processing)  # the processor's bookkeeping after the last

    async def stop(self) -> None:
        """Stop listening (the webhook stays set at Telegram, as with PTB's run_webhook)."""
        await self.drain()
        await self._runner.cleanup()

    def _taking(self, services: Any) -> bool:
        """Whether this worker takes updates: started, not draining, counted by the others.

        A worker joining others waits until they count it (``WorkerRegistry.counted``): till
        then they still send at the share they had, and its own sends would go beyond the cap.
        """
        return (not self._draining and self._application.running and services is not None
                and (services.workers is None or services.workers.counted))

    async def _health(self, _request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _ready(self, _request: web.Request) -> web.Response:
        services = self._application.bot_data.get("services")
        if not self._taking(services):
            return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE, text="not ready")
        try:
            async with asyncio.timeout(READY_SECONDS), services.uow() as uow:
                await uow.ping()
        except Exception as error:  # any failure to answer: not ready
            log.warning("readyz: the database does not answer (%s)", type(error).__name__)
            return web.Response(status=HTTPStatus.SERVICE_UNAVAILABLE, text="no database")
        return web.Response(text="ready")

    async def _receive(self, request: web.Request) -> web.Response:
        token = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(token, self._secret):
            return _refuse(HTTPStatus.FORBIDDEN)
        if request.content_type != "application/json":
            return _refuse(HTTPStatus.FORBIDDEN)
        if request.content_length is not None and request.content_length > self._max_body:
            return _refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        if not self._taking(self._application.bot_data.get("services")):
            return _refuse(HTTPStatus.SERVICE_UNAVAILABLE)  # delivered again, elsewhere
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
        self._in_flight += 1
        self._idle.clear()
        try:
            await self._process(update)
        finally:
            self._in_flight -= 1
            if not self._in_flight:
                self._idle.set()
        return web.Response()

    async def _process(self, update: Update) -> None:
        """Process the update as PTB would have taken it from its queue; wait until done.

        It runs in a task of its own (as in PTB), so a client that goes away does not cancel
        it; the update processor may queue it behind its chat's earlier updates.
        """
        application = self._application
        done = asyncio.get_running_loop().create_future()

        async def processing() -> None:
            try:
                await application.process_update(update)
            finally:
                if not done.done():
                    done.set_result(None)

        task = asyncio.create_task(
            application.update_processor.process_update(update, processing()))
        self._processing.add(task)
        task.add_done_callback(self._processing.discard)
        await asyncio.shield(done)


def _refuse(status: HTTPStatus) -> web.Response:
    response = web.Response(status=status)
    response.force_close()
    return response


async def serve_webhook(application: Application[Any, Any, Any, Any, Any, Any],
                        webhook: WebhookSettings, *, allowed_updates: Sequence[str],
                        stop: asyncio.Event) -> None:
    """Run the bot on a webhook until ``stop`` is set, in the steps of PTB's ``run_webhook``.

    initialize, post_init, start, listen and setWebhook; then drain (the updates in flight
    finish) and stop listening, stop, post_stop, shutdown, post_shutdown.
    """
    server = WebhookServer(application, webhook, allowed_updates=allowed_updates)
    await application.initialize()
    try:
        if application.post_init is not None:
            await application.post_init(application)
        try:
            await application.start()
            await server.start()
            await stop.wait()
            log.info("webhook draining: the updates in flight finish")
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

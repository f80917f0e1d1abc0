"""The Telegram application: built from settings, services opened in ``post_init``.

``run`` prepares the database before it reaches Telegram (``connect``), then serves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from telegram import BotCommand, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder

from bot.core import messages
from bot.core.language import languages, use_language
from bot.core.outbox import Sender
from bot.core.people import TELEGRAM
from bot.runtime import new_event_loop, prepare, stop_signals, tune_garbage_collector, unless
from bot.services import Services, open_services
from bot.settings import ConfigError, Settings, keyring
from handlers.channels import hosted
from handlers.telegram import (
    admin,
    buttons,
    intake,
    kaart,
    language,
    news,
    privacy,
    staff,
    stats,
    vraagje,
)
from handlers.telegram.connect import connect, polling_error
from handlers.telegram.notifier import TelegramSender
from handlers.telegram.ratelimit import PriorityRateLimiter
from handlers.telegram.render import DEFAULTS, ConversationBot
from handlers.telegram.request import api_request, get_updates_request
from handlers.telegram.update_processor import update_processor
from handlers.telegram.webhook import run_webhook

log = logging.getLogger(__name__)



class Channel(Protocol):
    """Another channel the Telegram process hosts (Signal, the web chat)."""

    name: str
    sender: Sender | None  # None: nothing is pushed to this channel's people (the web)

    async def start(self, services: Services) -> None:
        """Begin serving, with the services open."""

    async def stop(self) -> None:
        """Stop serving, before the services close."""

    async def close(self) -> None:
        """Let go of what the sender used, after the services closed."""


ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


def build_application(settings: Settings, *, senders: Mapping[str, Sender] | None = None,
                      channels: Sequence[Channel] = ()
                      ) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB application for these settings; nothing connects until it is started.

    ``senders`` deliver the outbox rows of other channels this process serves (the console);
    ``channels`` are other channels it hosts (Signal): started once the services are open,
    stopped before they close, their senders added.
    """
    token = settings.telegram.token.get_secret_value()
    if not token:
        raise ConfigError("telegram.token: missing; set SIGNAALBOT_TELEGRAM__TOKEN")
    base_url = str(settings.telegram.base_url)
    bot = ConversationBot(
        token,
        base_url=base_url,
        base_file_url=file_url(base_url),
        defaults=DEFAULTS,
        request=api_request(settings.telegram.http_backend,
                            connection_pool_size=settings.telegram.connection_pool_size),
        get_updates_request=get_updates_request(settings.telegram.http_backend),
        rate_limiter=PriorityRateLimiter(per_second=settings.telegram.messages_per_second),
    )
    application = (
        ApplicationBuilder()
        .bot(bot)
        .concurrent_updates(update_processor(settings.telegram.concurrent_updates))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    application.bot_data["settings"] = settings
    application.bot_data["senders"] = {**(senders or {}),
                                       **{channel.name: channel.sender for channel in channels
                                          if channel.sender is not None}}
    application.bot_data["channels"] = list(channels)
    application.add_error_handler(polling_error)  # before the handlers' own (intake)
    privacy.register(application, limit=settings.security.flood_updates,
                     seconds=settings.security.flood_seconds)
    buttons.register(application)  # first: most updates are presses, no other handler takes one
    admin.register(application)
    staff.register(application)
    stats.register(application)
    kaart.register(application)
    vraagje.register(application)
    news.register(application)
    language.register(application)
    intake.register(application)  # last: it answers any other command and message
    return application


def file_url(base_url: str) -> str:
    """Where files come from, beside the Bot API at ``base_url`` (``…/bot`` -> ``…/file/bot``).

    Telegram's own, or a self-hosted Bot API server's: users' documents (a sociale kaart).
    """
    root, _, last = base_url.rstrip("/").rpartition("/")
    return f"{root}/file/{last}"


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    settings: Settings = application.bot_data["settings"]
    limiter = application.bot.rate_limiter
    assert isinstance(limiter, PriorityRateLimiter)
    senders = {**application.bot_data["senders"], TELEGRAM: TelegramSender(application.bot)}
    services = await open_services(settings, senders, throttles={TELEGRAM: limiter})
    application.bot_data["services"] = services
    if services.workers is not None:
        limiter.share(services.workers)
    services.start_background(due_work=True, counted=True)
    for channel in application.bot_data["channels"]:
        await channel.start(services)
    try:
        await _set_commands(application, settings)
    except TelegramError as error:
        log.warning("command menu not set (%s); it is set at the next start", error.message)
    log.info("Signaalbot ready as @%s", application.bot.username)


async def _set_commands(application: Application[Any, Any, Any, Any, Any, Any],
                        settings: Settings) -> None:
    """The command menu: signaler commands for everyone, staff commands for staff."""
    public = [BotCommand(*command) for command in messages.COMMANDS]
    await application.bot.set_my_commands(public)
    for code in languages()[1:]:  # each other language's menu, for apps set to it
        with use_language(code):
            await application.bot.set_my_commands(
                [BotCommand(*command) for command in messages.COMMANDS], language_code=code)
    staff_menu = public + [BotCommand(*command) for command in messages.STAFF_COMMANDS]
    for member in {m.telegram_id for g in settings.gemeenten for m in g.staff
                   if m.telegram_id is not None}:
        try:
            await application.bot.set_my_commands(staff_menu,
                                                  scope=BotCommandScopeChat(member))
        except TelegramError as error:  # they have not opened a chat with the bot yet
            log.info("staff command menu not set for one member: %s", error)


async def _post_stop(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services | None = application.bot_data.pop("services", None)
    for channel in application.bot_data["channels"]:
        await channel.stop()
    if services is not None:
        await services.close()
    for channel in application.bot_data["channels"]:
        await channel.close()


async def _start_up(application: Application[Any, Any, Any, Any, Any, Any]) -> bool:
    """Prepare the database, then reach Telegram; False when stopped first (nothing left open).

    Raises:
        ConfigError: Telegram rejected the token.
    """
    connected = False
    try:
        with stop_signals() as stopped:
            await prepare(application.bot_data["settings"])  # a migration runs to its end
            connected = not stopped.is_set() and await unless(stopped, connect(application))
        return connected
    finally:
        if not connected:
            await application.bot.shutdown()  # closes its HTTP sessions


def run(settings: Settings) -> None:
    """Run the bot until SIGINT or SIGTERM: long polling, or a webhook when configured.

    First the database is migrated and the config applied; then Telegram is reached (see
    ``handlers.telegram.connect``), however long that takes.

    Raises:
        ConfigError: Settings that cannot work, or a token Telegram rejects.
    """
    keyring(settings)  # refuse to start without a valid encryption key
    webhook = settings.telegram.webhook
    if settings.telegram.mode == "webhook" and not (
            webhook.url and webhook.secret_token.get_secret_value()):
        raise ConfigError("telegram.webhook: url and secret_token are required in webhook mode")
    application = build_application(settings, channels=hosted(settings))
    loop = new_event_loop()
    asyncio.set_event_loop(loop)  # PTB runs on the current loop and closes it
    try:
        started = loop.run_until_complete(_start_up(application))
    except BaseException:
        loop.close()
        raise
    if not started:
        loop.close()
        return
    tune_garbage_collector()
    if settings.telegram.mode == "webhook":
        # Our own endpoint, not PTB's run_webhook: that one reads bodies of up to 100 MB before
        # it checks the secret token (handlers/telegram/webhook.py).
        run_webhook(application, webhook, allowed_updates=ALLOWED_UPDATES)
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)

"""The Telegram application: built from settings, services opened in ``post_init``."""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from bot import messages
from bot.services import Services, open_services
from bot.settings import ConfigError, Settings
from handlers import intake
from handlers.notifier import TelegramSender

log = logging.getLogger(__name__)

DRAFT_PURGE_SECONDS = 600


def build_application(settings: Settings) -> Application[Any, Any, Any, Any, Any, Any]:
    """The PTB application for these settings; nothing connects until it is started."""
    token = settings.telegram.token.get_secret_value()
    if not token:
        raise ConfigError("telegram.token: missing; set SIGNAALBOT_TELEGRAM__TOKEN")
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(str(settings.telegram.base_url))
        .defaults(Defaults(parse_mode=ParseMode.HTML,
                           link_preview_options=LinkPreviewOptions(is_disabled=True)))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
        .build()
    )
    application.bot_data["settings"] = settings
    intake.register(application)
    return application


async def _post_init(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    settings: Settings = application.bot_data["settings"]
    services = await open_services(settings, TelegramSender(application.bot))
    application.bot_data["services"] = services
    services.start_background()
    assert application.job_queue is not None
    application.job_queue.run_repeating(_purge_drafts, interval=DRAFT_PURGE_SECONDS, first=5)
    await application.bot.set_my_commands([BotCommand(*command) for command in messages.COMMANDS])
    log.info("Signaalbot ready as @%s", application.bot.username)


async def _post_shutdown(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    services: Services | None = application.bot_data.pop("services", None)
    if services is not None:
        await services.close()


async def _purge_drafts(context: ContextTypes.DEFAULT_TYPE) -> None:
    await context.application.bot_data["services"].purge_expired_drafts()


def run(settings: Settings) -> None:
    """Run the bot until interrupted: long polling, or a webhook when configured."""
    application = build_application(settings)
    if settings.telegram.mode == "webhook":
        webhook = settings.telegram.webhook
        secret = webhook.secret_token.get_secret_value()
        if not webhook.url or not secret:
            raise ConfigError("telegram.webhook: url and secret_token are required in webhook mode")
        application.run_webhook(listen=webhook.listen, port=webhook.port, url_path="telegram",
                                webhook_url=webhook.url, secret_token=secret,
                                allowed_updates=["message", "edited_message", "callback_query"])
    else:
        application.run_polling(allowed_updates=["message", "edited_message", "callback_query"])

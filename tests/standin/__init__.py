"""Telegram Bot API stand-in for end-to-end tests and benchmarks.

A small aiohttp server on 127.0.0.1 that answers the Bot API methods Signaalbot uses with
Telegram's JSON shapes, error texts and getUpdates semantics, plus a test-driving API to push
updates, inspect what the bot sent and inject faults::

    async with BotApiStandIn() as api:
        bot = telegram.Bot(api.token, base_url=api.base_url)
        api.send_command(42, "start")
        ...  # run the bot
        reply = await api.wait_for_message(42, containing="Welkom")

Everything runs on the caller's event loop; the helpers that push updates are synchronous.
The parts: `server` (HTTP and dispatch), `state`, `incoming` (users, chats, pushed updates),
`observing`, `faults`, `update_methods` and `message_methods` (the Bot API methods),
`webhooks` (delivery to a webhook set with setWebhook),
`entities` (Telegram's HTML subset), `markup` and `protocol` (limits, errors, calls).
"""

from tests.standin.entities import parse_html
from tests.standin.protocol import DEFAULT_TOKEN, DROPPED, ApiError, Call, Upload
from tests.standin.server import BotApiStandIn

__all__ = ["DEFAULT_TOKEN", "DROPPED", "ApiError", "BotApiStandIn", "Call", "Upload", "parse_html"]

"""The channels beside Telegram that ``signaalbot run`` serves: Signal, the web chat.

With a Telegram token the Telegram application hosts them (``hosted``); without one,
``run`` serves them on their own event loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.runtime import new_event_loop, prepare, stop_signals, tune_garbage_collector
from bot.services import open_services
from bot.settings import Settings, keyring
from handlers.signal.app import SignalChannel
from handlers.web.app import WebChannel

if TYPE_CHECKING:
    from handlers.telegram.app import Channel


def hosted(settings: Settings) -> list[Channel]:
    """The configured channels other than Telegram."""
    channels: list[Channel] = []
    if settings.signal.account:
        channels.append(SignalChannel(settings))
    if settings.web.public_url:
        channels.append(WebChannel(settings))
    return channels


def run(settings: Settings) -> None:
    """Serve the channels without Telegram until SIGINT or SIGTERM.

    Raises:
        ConfigError: settings that cannot work, or a signal-cli that is too old.
    """
    keyring(settings)  # refuse to start without a valid encryption key
    loop = new_event_loop()
    try:
        loop.run_until_complete(_serve(settings))
    finally:
        loop.close()


async def _serve(settings: Settings) -> None:
    with stop_signals() as stopped:
        await prepare(settings)
        if stopped.is_set():
            return
        channels = hosted(settings)
        services = await open_services(settings, {
            c.name: c.sender for c in channels if c.sender is not None})
        try:
            services.start_background(due_work=True)
            for channel in channels:
                await channel.start(services)
            tune_garbage_collector()
            await stopped.wait()
        finally:
            for channel in channels:
                await channel.stop()
            await services.close()
            for channel in channels:
                await channel.close()

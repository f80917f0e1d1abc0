"""The console channel: the signaler conversation in a terminal, same engine and database.

Buttons are numbered; type a number (or the button's text) to press one, or type an answer.
Alerts that would go to staff are printed. It proves the engine knows no Telegram.
"""

from __future__ import annotations

import asyncio
import html
import re
from typing import TextIO

from bot import messages
from bot.engine import Input, Prompt, Result, Status, Text
from bot.intake import ConversationKey
from bot.outbox import Outgoing
from bot.services import Services

CHANNEL = "console"
_COMMANDS = "Opdrachten: /start, /cancel, /help, /privacy, /quit"


def plain(text: str) -> str:
    """Telegram-HTML text as terminal text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class ConsoleSender:
    """Prints outbox messages (alerts to staff) instead of sending them."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._sent = 0

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        """Print the message as it would reach the chat."""
        self._sent += 1
        self._out.write(f"\n=== Melding aan het team ===\n"
                        f"{plain(message.text)}\n=== einde melding ===\n")
        self._out.flush()
        return self._sent


class ConsoleChat:
    """One person talking to the bot through stdin/stdout."""

    def __init__(self, services: Services, stdin: TextIO, out: TextIO, user: str) -> None:
        self._services = services
        self._in = stdin
        self._out = out
        self._key = ConversationKey(CHANNEL, user)
        self._prompt: Prompt | None = None
        self._token: str | None = None

    async def run(self) -> None:
        """Talk until end of input or ``/quit``."""
        self._say(_COMMANDS)
        self._show(await self._services.intake.start(self._key))
        while True:
            line = await asyncio.to_thread(self._in.readline)
            if not line or line.strip() == "/quit":
                self._say("Tot ziens.")
                return
            await self._on_line(line.rstrip("\n"))

    async def _on_line(self, line: str) -> None:
        intake = self._services.intake
        command = line.strip().lower()
        if command == "/start":
            self._show(await intake.start(self._key))
        elif command in ("/cancel", "/stop"):
            self._prompt = None
            self._say(await intake.cancel(self._key))
        elif command in ("/help", "/privacy"):
            self._say(messages.HELP if command == "/help" else messages.PRIVACY)
            if self._prompt is not None:
                self._render(self._prompt)
        else:
            given = self._parse(line)
            token = None if isinstance(given, Text) else self._token
            result = await intake.handle(self._key, given, token=token)
            self._show(result)
            if result.status is Status.SUBMIT:
                await self._services.dispatcher.drain()
                self._say("Met /start geeft u nog een signaal, met /quit stopt u.")

    def _parse(self, line: str) -> Input:
        """A number picks a button of the current prompt; anything else is text."""
        buttons = self._prompt.buttons() if self._prompt else []
        if line.strip().isdigit() and 1 <= int(line) <= len(buttons):
            return buttons[int(line) - 1].input
        return Text(line)

    def _show(self, result: Result) -> None:
        if result.ack and result.status is Status.NEXT:
            self._say(f"✔ {result.ack}")
        if result.notice:
            self._say(result.notice)
        if result.prompt is not None:
            self._prompt, self._token = result.prompt, result.draft.token
            self._render(result.prompt)
        elif result.status in (Status.SUBMIT, Status.ENDED):
            self._prompt = self._token = None

    def _render(self, prompt: Prompt) -> None:
        # One pass through plain() (in _say): a second would strip a "<...>" it just unescaped.
        lines = [prompt.text]
        lines += [f"  {number}) {html.escape(button.label)}"  # labels are plain text
                  for number, button in enumerate(prompt.buttons(), start=1)]
        self._say("\n".join(lines) + "\n> ")

    def _say(self, text: str) -> None:
        self._out.write(plain(text) + "\n")
        self._out.flush()

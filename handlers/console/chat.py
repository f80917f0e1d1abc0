"""The console channel: the signaler conversation in a terminal, same engine and database.

It shows no buttons: prompts are ``bot.core.numbered`` text (choices numbered, other buttons
as words to type) and every line goes to the engine as typed text, which reads it there. A
question that takes a typed answer (postcode, house number, name...) takes every line as that
answer, a number too. Alerts that would go to staff are printed. It proves the engine knows
no Telegram.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
from typing import TextIO

from bot.core import messages, numbered
from bot.core.inputs import Choose, Text
from bot.core.intake import ConversationKey
from bot.core.outbox import Outgoing
from bot.core.prompts import Button, Capabilities, Prompt, Result, Status
from bot.services import Services

CHANNEL = "console"
CAPABILITIES = Capabilities(numbered=True)  # typed lines only: no buttons, no contact sharing
_COMMAND = re.compile(r"^\s*/(\w+)")
FORGET = "_forget"  # pseudo question of the console's /vergeetmij confirmation
_FORGET_PROMPT = Prompt(FORGET, messages.FORGET_CONFIRM, (
    (Button(messages.FORGET_YES, Choose(FORGET, "yes")),),
    (Button(messages.CANCEL, Choose(FORGET, "no")),),
))


def plain(text: str) -> str:
    """Telegram-HTML text as terminal text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class ConsoleSender:
    """Prints outbox messages (alerts to staff) instead of sending them."""

    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._sent = 0

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        """Print the message as it would reach the chat (an edit as an update)."""
        self._sent += 1
        header = messages.CONSOLE_ALERT_EDIT if message.edit_message_id else messages.CONSOLE_ALERT
        body = "" if message.delete else plain(message.text) + "\n"
        self._out.write(f"\n{header}\n{body}{messages.CONSOLE_ALERT_END}\n")
        self._out.flush()
        return self._sent


class Lines:
    """Lines typed on a file descriptor, awaited without a thread, so Ctrl-C ends the wait."""

    def __init__(self, stream: TextIO) -> None:
        self._fd = stream.fileno()
        self._buffer = b""
        self._eof = False

    async def next(self) -> str | None:
        """The next line without its newline; None at the end of input."""
        while b"\n" not in self._buffer and not self._eof:
            await self._readable()
            chunk = os.read(self._fd, 65536)
            self._eof = not chunk
            self._buffer += chunk
        if not self._buffer:
            return None
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode(errors="replace").rstrip("\r")

    async def _readable(self) -> None:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        try:
            loop.add_reader(self._fd, lambda: ready.done() or ready.set_result(None))
        except PermissionError:  # a regular file: reading it never blocks
            return
        try:
            await ready
        finally:
            loop.remove_reader(self._fd)


class ConsoleChat:
    """One person talking to the bot through stdin/stdout."""

    def __init__(self, services: Services, stdin: TextIO, out: TextIO, user: str) -> None:
        self._services = services
        self._lines = Lines(stdin)
        self._out = out
        self._key = ConversationKey(CHANNEL, user, CAPABILITIES)
        self._prompt: Prompt | None = None

    async def run(self) -> None:
        """Talk until the end of input, ``/quit`` or Ctrl-C."""
        try:
            self._say(messages.CONSOLE_INTRO)
            self._show(await self._services.intake.start(self._key))
            while True:
                self._out.write("> ")
                self._out.flush()
                line = await self._lines.next()
                if line is None:  # end of input: the line of the "> " ends here
                    self._say("")
                if line is None or _command(line) == "quit":
                    break
                await self._on_line(line)
        except asyncio.CancelledError:  # Ctrl-C
            self._say("")
            raise
        finally:
            self._say(messages.GOODBYE)

    async def _on_line(self, line: str) -> None:
        intake, command = self._services.intake, _command(line)
        if command == "start":
            self._show(await intake.start(self._key))
        elif command in ("cancel", "stop"):
            self._show(await intake.cancel(self._key))
        elif command is not None:
            self._explain(command)
        elif self._prompt is _FORGET_PROMPT:
            await self._forget(line)
        else:
            result = await intake.handle(self._key, Text(line))  # the engine reads it
            self._show(result)
            if result.status is Status.SUBMIT:
                await self._services.dispatcher.drain()
        if self._prompt is None:  # an end state: say what can be done now
            self._say(messages.CONSOLE_NEXT)

    def _explain(self, command: str) -> None:
        """``/help``, ``/privacy``, ``/vergeetmij`` (asks first), or an unknown command."""
        if command == "vergeetmij":
            self._prompt = _FORGET_PROMPT
        elif command == "help":
            self._say(messages.help_text(messages.CONSOLE_COMMANDS, messages.CONSOLE_HOW))
        elif command == "privacy":
            self._say(messages.PRIVACY)
        else:
            self._say(messages.unknown_command(messages.CONSOLE_COMMANDS))
        if self._prompt is not None:
            self._render(self._prompt)

    async def _forget(self, line: str) -> None:
        """The answer to the /vergeetmij question, through the same use case as Telegram's."""
        yes = numbered.read(_FORGET_PROMPT, line) == Choose(FORGET, "yes")
        self._prompt = None
        if not yes:
            self._say(messages.NOTHING_CHANGED)
            current = await self._services.intake.current(self._key)
            if current is not None:  # back to the question the person was at
                self._show(current)
            return
        count = await self._services.privacy.forget_signaler(CHANNEL, self._key.user_id)
        await self._services.dispatcher.drain()
        self._say(messages.FORGOTTEN.format(count=count))

    def _show(self, result: Result) -> None:
        if result.ack and result.status is Status.NEXT:
            self._say(f"✔ {result.ack}")
        if result.notice:
            self._say(result.notice)
        if result.after:
            self._say(result.after)
        if result.prompt is not None:
            self._prompt = result.prompt
            self._render(result.prompt)
        elif result.status in (Status.SUBMIT, Status.ENDED):
            self._prompt = None

    def _render(self, prompt: Prompt) -> None:
        # One pass through plain() (in _say): a second would strip a "<...>" it just unescaped.
        self._say(numbered.render(prompt))

    def _say(self, text: str) -> None:
        self._out.write(plain(text) + "\n")
        self._out.flush()


def _command(line: str) -> str | None:
    """The command a line starts with (``/help`` -> ``"help"``), if any."""
    match = _COMMAND.match(line)
    return match.group(1).lower() if match else None

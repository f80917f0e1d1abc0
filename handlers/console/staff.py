"""The console channel for staff: alerts, cards and replies in a terminal, actions by number.

A staff member of the console channel (``[[staff]]`` with ``channel = "console"``) works here
as on Telegram, through the same use cases and the same checks: what reaches them comes
through the outbox (``ConsoleStaffSender`` prints it, its actions numbered); typing a number
takes that action, the follow-up prompts (assign, status, close with an outcome) come as new
numbered actions; a note or a question is typed when asked.
"""

from __future__ import annotations

from typing import TextIO

from bot.core import messages
from bot.core.buttons import StaffButton, unpack
from bot.core.outbox import Buttons, DeliveryError, Outgoing
from bot.core.people import Person
from bot.core.staff import Reply
from bot.services import Services
from handlers.console.chat import Lines, plain


class StaffConsole:
    """One staff member in a terminal: what the bot shows them, and what they choose."""

    def __init__(self, person: Person, out: TextIO) -> None:
        self.person = person
        self._out = out
        self._actions: list[StaffButton] = []
        self._shown = 0
        self.services: Services | None = None  # set once the services are open

    # -- what the bot shows (the console's outbox sender, and replies)

    def show(self, text: str, buttons: Buttons = (), *, header: str | None = None) -> None:
        """Print a message with its actions numbered (they replace the ones shown before)."""
        lines = [header] if header else []
        lines.append(plain(text))
        actions = [(label, button) for row in buttons for label, data in row
                   if isinstance(button := unpack(data), StaffButton)]
        if actions:
            self._actions = [button for _, button in actions]
            lines += [f"  {n}) {plain(label)}" for n, (label, _) in enumerate(actions, 1)]
        self._say("\n".join(lines))

    async def show_reply(self, reply: Reply) -> None:
        """A staff ``Reply``: its pop-up, its message; one with personal data comes queued."""
        if reply.duplicate:
            return
        if reply.toast:
            self._say(plain(reply.toast))
        if reply.outbox_id is not None:
            assert self.services is not None
            await self.services.dispatcher.deliver_now(reply.outbox_id)
        if reply.text:
            self.show(reply.text, reply.buttons)
        if reply.ask_reply:
            self._say(messages.CONSOLE_STAFF_TYPE)

    # -- what the staff member types

    async def on_line(self, line: str) -> None:
        """A number takes that action; ``/open``, ``/mijn``, ``/signaal``; else a typed note."""
        assert self.services is not None
        staff, text = self.services.staff, line.strip()
        command, _, argument = text.partition(" ")
        if text.isdigit():
            number = int(text)
            if not 1 <= number <= len(self._actions):
                self._say(messages.CONSOLE_STAFF_NO_ACTION)
                return
            reply: Reply | None = await staff.press(self.person, self._actions[number - 1])
        elif command in ("/open", "/mijn"):
            reply = await staff.list_signals(self.person, mine=command == "/mijn")
        elif command == "/signaal":
            reply = (await staff.show(self.person, argument) if argument
                     else Reply(text=messages.SIGNAAL_USAGE))
        else:
            reply = await staff.typed(self.person, text)
        await self.show_reply(reply or Reply(text=messages.NO_ACCESS))

    async def run(self, lines: Lines) -> None:
        """Work until the end of input or ``/quit``; messages appear as the outbox sends them."""
        self._say(messages.CONSOLE_STAFF_INTRO.format(person=self.person))
        try:
            while (line := await lines.next()) is not None and line.strip() != "/quit":
                await self.on_line(line)
        finally:
            self._say(messages.GOODBYE)

    def _say(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()


class ConsoleStaffSender:
    """Delivers the console channel's outbox rows to the staff member at this terminal."""

    def __init__(self, console: StaffConsole) -> None:
        self._console = console
        self._sent = 0

    async def send(self, message: Outgoing, *, bulk: bool = True) -> int | None:
        """Print the message (an edit or erasure as an update); others' rows wait for them."""
        if str(message.chat_id) != self._console.person.external_id:  # theirs, at their own
            raise DeliveryError("that console user is not at this terminal", retry_after=1.0)
        if message.edit_message_id is not None:
            header = messages.CONSOLE_ALERT_EDIT
            self._console.show("" if message.delete else message.text, message.buttons,
                               header=header)
            return message.edit_message_id
        self._sent += 1
        self._console.show(message.text, message.buttons, header=messages.CONSOLE_STAFF_MESSAGE)
        return self._sent

"""End-to-end harness: the real PTB ``Application`` polling the Bot API stand-in.

``BotRunner`` starts the application as ``run_polling`` would (initialize, post_init,
polling, start) and can stop and start it again to simulate a restart. ``Person`` plays a
Telegram user: types, taps buttons by their label, shares a contact.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

from pydantic import SecretStr
from telegram import Update
from telegram.ext import Application, TypeHandler

from bot.core.outbox import Sender
from bot.settings import Settings, keyring
from handlers.telegram.app import Channel, build_application
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWork
from tests.standin import BotApiStandIn

JSON = dict[str, Any]


class BotRunner:
    """One bot process (an ``Application``) against the stand-in."""

    def __init__(self, api: BotApiStandIn, settings: Settings,
                 senders: Mapping[str, Sender] | None = None,
                 channels: Callable[[Settings], Sequence[Channel]] | None = None) -> None:
        self.api = api
        self._senders = senders  # other channels' outbox, delivered by this process too
        self._channels = channels  # other channels this process hosts (made at each start)
        self.hosted: Sequence[Channel] = ()
        self.settings = settings.model_copy(
            update={"telegram": settings.telegram.model_copy(
                update={"token": SecretStr(api.token), "base_url": api.base_url})})
        self.app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._done: set[int] = set()
        self._changed = asyncio.Condition()

    async def start(self) -> None:
        """Start polling, like ``run_polling`` (post_init opens the services)."""
        self.hosted = self._channels(self.settings) if self._channels else ()
        app = build_application(self.settings, senders=self._senders, channels=self.hosted)
        app.add_handler(TypeHandler(Update, self._mark_done), group=99)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        await app.start()
        self.app = app

    async def stop(self) -> None:
        """Stop as ``run_polling`` does on SIGTERM: polling, application, post_stop, shutdown."""
        app, self.app = self.app, None
        assert app is not None and app.updater is not None
        await app.updater.stop()
        await app.stop()
        assert app.post_stop is not None
        await app.post_stop(app)
        await app.shutdown()

    @contextlib.asynccontextmanager
    async def database(self) -> AsyncIterator[UnitOfWork]:
        """A unit of work on the bot's database, usable while the bot is stopped."""
        keys = keyring(self.settings)
        engine = create_engine(self.settings.database.url, keyring=keys)
        try:
            async with UnitOfWork(session_factory(engine), keys) as uow:
                yield uow
        finally:
            await engine.dispose()

    @property
    def services(self) -> Any:
        """The running application's services."""
        assert self.app is not None
        return self.app.bot_data["services"]

    async def _mark_done(self, update: Update, _context: object) -> None:
        async with self._changed:
            self._done.add(update.update_id)
            self._changed.notify_all()

    async def settled(self, timeout: float = 15.0) -> None:
        """Wait until nothing is going on: every update fetched and handled, nothing due in
        the outbox (the dispatcher sleeps), no Bot API call in flight."""
        assert self.app is not None
        app, dispatcher = self.app, self.services.dispatcher

        def quiet() -> bool:
            busy = getattr(app.update_processor, "busy_chats", 0)
            return (not self.api.pending_updates and app.update_queue.empty() and not busy
                    and dispatcher.idle.is_set() and not self.api.in_flight)

        deadline = asyncio.get_running_loop().time() + timeout
        calm = 0
        while calm < 3:  # three looks in a row: nothing is between two steps either
            calm = calm + 1 if quiet() else 0
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the bot did not settle\n{self.api.describe()}")
            await asyncio.sleep(0.02)

    async def redelivered(self, update: JSON) -> None:
        """Have Telegram deliver this update (and any after it) again, as after a crash."""
        self._done.discard(update["update_id"])
        self.api.redeliver_from(update["update_id"])
        await self.processed(update)

    async def processed(self, *updates: JSON, timeout: float = 10.0) -> None:
        """Wait until the bot has handled these updates (all handler groups ran)."""
        ids = {update["update_id"] for update in updates}
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: ids <= self._done),
                                       timeout)
            except TimeoutError:
                raise AssertionError(f"updates {sorted(ids - self._done)} not handled in "
                                     f"{timeout} s\n{self.api.describe()}") from None


REFERENCE = re.compile(r"SP-\d{4}-\d{6}")


class Runner(Protocol):
    """What a ``Person`` talks through: one ``BotRunner``, or N workers (``Workers``)."""

    api: BotApiStandIn

    async def processed(self, *updates: JSON, timeout: float = 10.0) -> None:
        """Wait until the bot has handled these updates."""


class Person:
    """A Telegram user talking to the bot in a private chat."""

    def __init__(self, runner: Runner, user_id: int, name: str = "Test",
                 language_code: str | None = None) -> None:
        self.runner = runner
        self.api = runner.api
        self.id = user_id
        self.api.user(user_id, first_name=name, language_code=language_code)

    async def say(self, text: str) -> None:
        """Type and send a message."""
        await self.runner.processed(self.api.send_text(self.id, text))

    async def command(self, command: str, args: str | None = None) -> None:
        """Send a command like /start."""
        await self.runner.processed(self.api.send_command(self.id, command, args))

    async def share_contact(self, phone: str) -> None:
        """Tap Telegram's share-contact button."""
        await self.runner.processed(self.api.send_contact(self.id, phone, "Test"))

    def button(self, label: str, chat: int | None = None) -> tuple[JSON, str]:
        """The newest bot message in ``chat`` (default: own chat) with a button ``label``."""
        for message in reversed(self.api.messages(self.id if chat is None else chat)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for row in rows:
                for button in row:
                    if label in button["text"]:
                        return message, button["callback_data"]
        raise AssertionError(f"no button {label!r} in chat {self.id}:\n{self.api.describe()}")

    async def tap(self, *labels: str, chat: int | None = None) -> None:
        """Press buttons by (part of) their label, one after another."""
        for label in labels:
            message, data = self.button(label, chat)
            await self.runner.processed(self.api.press(self.id, message, data))

    def toast(self) -> str:
        """The pop-up text of the bot's answer to the last button this person pressed."""
        mine = [u["callback_query"]["id"] for u in self.api.updates
                if u.get("callback_query", {}).get("from", {}).get("id") == self.id]
        answers = [a for a in self.api.callback_answers
                   if str(a.get("callback_query_id")) == mine[-1]]
        assert answers, f"the bot did not answer {self.id}'s last button"
        return str(answers[-1].get("text") or "")

    @property
    def last(self) -> str:
        """The text of the bot's newest message in this chat."""
        message = self.api.last_message(self.id)
        assert message is not None, f"the bot never wrote to {self.id}"
        return str(message.get("text", ""))

    def texts(self) -> list[str]:
        """Every bot message in this chat, oldest first (edits applied)."""
        return [str(message.get("text", "")) for message in self.api.messages(self.id)]

    def thanks(self) -> str:
        """The newest message naming a reference: the thanks after filing (the suggestions
        and the news offer follow it)."""
        found = [text for text in self.texts() if REFERENCE.search(text)]
        assert found, f"no thanks in {self.texts()}"
        return found[-1]


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait until an async check (e.g. on the database) holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


# The buttons of the signal walk as someone reading English taps them (written here, not read
# from the catalog: the walk checks the catalog).
ENGLISH_WALK = {"Nee": "No", "Kapper": "Hairdresser", "Post stapelt": "Post is piling up",
                "Gordijnen": "Curtains", "Klaar": "Done",
                "Langer dan een half jaar": "More than half a year", "Elke week": "Every week",
                "Aangebeld": "Rang the doorbell", "Weet ik niet": "I don't know",
                "Ja, dat mag": "Yes, that's fine", "anoniem": "anonymous", "Versturen": "Send"}
WALK_LABELS = {"nl": {}, "en": ENGLISH_WALK}


async def file_signal(person: Person, *, contact: bool = True, postcode: str = "4531 ab",
                      description: str = "Hij zit <altijd> binnen & de tuin verwildert",
                      language: str = "nl") -> None:
    """Walk a whole signal through Telegram, up to and including "Versturen".

    ``language``: the language the person reads, whose button labels they tap.
    """
    labels = WALK_LABELS[language]

    async def tap(*dutch: str) -> None:
        await person.tap(*(labels.get(label, label) for label in dutch))

    await person.command("start")
    await tap("Nee")
    await tap("Kapper")
    await person.say(postcode)
    await person.say("12a")
    await tap("Post stapelt", "Gordijnen", "Klaar")
    await tap("Langer dan een half jaar", "Elke week")
    await tap("Aangebeld", "Klaar")
    await person.say(description)
    await tap("Weet ik niet")
    if contact:
        await tap("Ja, dat mag")
        await person.say("Fatima de Vries")
        await person.share_contact("+31612345678")
    else:
        await tap("anoniem")
    await tap("Versturen")


async def claim_and_close(person: Person, chat: int) -> None:
    """Staff claims the signal of the alert in ``chat`` and closes it ("Geen zorgen")."""
    await person.tap("Oppakken", chat=chat)
    await person.api.wait_for(
        lambda: "Afronden" in str(person.api.messages(chat)[0].get("reply_markup")))
    await person.tap("Afronden", "Geen zorgen", "Ja, afronden", chat=chat)


def straight_on(api: BotApiStandIn, user: int, typed: dict[str, str],
                preferred: tuple[str, ...]) -> tuple[str, Any]:
    """What a signaler who goes straight on does next, from what their chat shows.

    ``("press", (message, data))``, ``("text", answer)`` (the first ``typed`` cue found in
    the question) or ``("text", "/start")``.
    """
    last = api.last_message(user)
    if last is None:
        return ("text", "/start")
    rows = (last.get("reply_markup") or {}).get("inline_keyboard", [])
    labels = {b["text"]: b["callback_data"] for row in rows for b in row
              if b["text"] not in ("Annuleren", "Overslaan", "Zo laten", "Ja, stoppen")}
    if labels:
        if "Klaar" in labels and any(label.startswith("✅") for label in labels):
            choice = "Klaar"
        elif any(label.startswith("▫️") for label in labels):
            choice = next(label for label in labels if label.startswith("▫️"))
        else:
            choice = next((p for p in preferred if p in labels), next(iter(labels)))
        return ("press", (last, labels[choice]))
    text = last.get("text", "")
    return ("text", next((answer for cue, answer in typed.items() if cue in text), "/start"))

"""What a person on Signal sends, handed to the same use cases as on Telegram.

Signal has no buttons: a prompt is a numbered list (``bot.core.numbered``) and every answer is
typed; the engine reads numbers, words and ``wijzig 3`` itself. Staff act with typed commands
(``bot.core.staff_commands``). Edits, deletes, reactions, attachments, calls and group
messages each get one calm answer; receipts, typing and sync messages none. Replies go
straight back; one that is lost comes again when the person types again (their draft
remembers the message that took effect).
"""

from __future__ import annotations

import asyncio
import html
import logging

from bot.core import messages, numbered, staff_commands, vraagjes
from bot.core.admin import INVITE_PREFIX, ORG_PREFIX
from bot.core.inputs import Input, Text, Unsupported
from bot.core.intake import ConversationKey
from bot.core.language import activate, languages, name, use_language
from bot.core.outbox import Buttons, DeliveryError, Failure, Outgoing
from bot.core.people import SIGNAL, Person
from bot.core.prompts import Capabilities, Result, Status
from bot.core.staff import Reply
from bot.services import Services
from handlers.signal.envelopes import Incoming, Kind
from handlers.signal.sender import SignalSender

log = logging.getLogger(__name__)

CAPABILITIES = Capabilities(numbered=True)
REPLY_RETRIES = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)  # seconds between tries of a reply


def _answers() -> dict[Kind, str]:
    """What the bot says to what it cannot take, in the active language."""
    return {Kind.EDIT: messages.EDITED_MESSAGE, Kind.DELETE: messages.SIGNAL_DELETED,
            Kind.GROUP: messages.SIGNAL_GROUP, Kind.CALL: messages.SIGNAL_CALL,
            Kind.FLOOD: messages.FLOOD}



_UNSUPPORTED = {Kind.ATTACHMENT: "attachment", Kind.STICKER: "sticker", Kind.CONTACT: "contact"}


class SignalConversation:
    """Handles one person's envelopes (the caller keeps each person's in order)."""

    def __init__(self, services: Services, sender: SignalSender) -> None:
        self._services = services
        self._sender = sender

    async def handle(self, incoming: Incoming) -> None:
        """Answer one envelope from a person (``incoming.sender`` is set), in their language."""
        assert incoming.sender is not None
        with use_language(await self._services.languages.chosen(
                channel=SIGNAL, external_id=incoming.sender)):
            await self._handle(incoming)

    async def _handle(self, incoming: Incoming) -> None:
        assert incoming.sender is not None
        if incoming.kind is Kind.TEXT:
            await self._text(incoming)
        elif incoming.kind in _UNSUPPORTED:
            await self._answer(incoming, Unsupported(_UNSUPPORTED[incoming.kind]))
        elif incoming.kind is Kind.REACTION:
            if await self._services.intake.current_draft(_key(incoming)) is not None:
                await self.say(incoming.sender, messages.SIGNAL_REACTION)
        elif incoming.kind in _answers():
            await self.say(incoming.sender, _answers()[incoming.kind])

    # -- typed text

    async def _text(self, incoming: Incoming) -> None:
        assert incoming.sender is not None
        text, person = incoming.text.strip(), Person(SIGNAL, incoming.sender)
        services, update_id = self._services, incoming.update_id
        if text.startswith("/"):
            await self._command(incoming, text)
            return
        if text.lower() == messages.VRAAGJE_WORD:
            await self._vraagje(incoming.sender)
            return
        if (words := text.lower().split()) and (
                words[0] == messages.NEWS_WORD or " ".join(words) == messages.NEWS_STOP_WORD):
            await self._news(person, words)
            return
        command = staff_commands.parse(text)
        if command is not None:
            reply = await services.staff.command(person, command, update_id=update_id)
            if reply is not None:
                await self.show_reply(person, reply)
                return
        if incoming.quote is None:
            result = await services.intake.handle_typed(_key(incoming), text,
                                                        update_id=update_id)
            if result is not None:
                await self._show(incoming.sender, result)
                return
        reply = await services.staff.typed(person, text, update_id=update_id)
        if reply is not None:
            await self.show_reply(person, reply)
            return
        thanks = await services.staff.answer(person, text, reply_to_message_id=incoming.quote,
                                             update_id=update_id)
        if thanks is not None:
            if thanks:
                await self.say(incoming.sender, thanks)
            return
        await self._answer(incoming, Text(text))

    async def _command(self, incoming: Incoming, text: str) -> None:
        """A command: ``/start [code]``, ``/cancel``, ``/help``, ``/privacy`` and the others.

        Also ``/mijnsignalen``, ``/vraagje``, ``/taal [code]``, ``/vergeetmij [ja]``,
        ``/geenvragen``, and staff's
        ``/open``, ``/mijn``, ``/signaal``.
        """
        assert incoming.sender is not None
        name, _, rest = text[1:].partition(" ")
        name, rest = name.lower(), rest.strip()
        services, person = self._services, Person(SIGNAL, incoming.sender)
        key, update_id = _key(incoming), incoming.update_id
        if name == "start" and rest.startswith(INVITE_PREFIX):
            await self._redeem(person, rest)
        elif name == "start":
            organisation = rest.removeprefix(ORG_PREFIX) if rest.startswith(ORG_PREFIX) else None
            await self._show(incoming.sender, await services.intake.start(
                key, update_id=update_id, organisation=organisation))
        elif name in ("cancel", "stop"):
            await self._show(incoming.sender, await services.intake.cancel(
                key, update_id=update_id))
        elif name == "vergeetmij":
            await self._forget(person, rest)
        elif name == "geenvragen":
            await self.say(incoming.sender,
                           await services.staff.decline_questions(person, None))
        elif name == "mijnsignalen":
            await self.say(incoming.sender, await services.staff.my_signals(person))
        elif name == "vraagje":
            await self._vraagje(incoming.sender)
        elif name == messages.NEWS_WORD:
            await self._news(person, [name, *rest.lower().split()])
        elif name == "taal":
            await self._language(incoming.sender, rest)
        elif name in ("open", "mijn", "signaal") and (command := staff_commands.parse(
                f"details {rest}" if name == "signaal" else name)) is not None and (
                reply := await services.staff.command(person, command,
                                                      update_id=update_id)) is not None:
            await self.show_reply(person, reply)
        elif name in ("help", "privacy"):
            await self._explain(incoming, messages.PRIVACY if name == "privacy" else
                                messages.help_text(messages.SIGNAL_COMMANDS,
                                                   messages.SIGNAL_HOW))
        else:
            await self._explain(incoming, messages.unknown_command(messages.SIGNAL_COMMANDS))

    async def _language(self, sender: str, rest: str) -> None:
        """``/taal`` lists the languages; ``/taal en`` (or its number) chooses one."""
        codes = languages()
        code = codes[int(rest) - 1] if rest.isdigit() and 0 < int(rest) <= len(codes) else rest
        if code.lower() not in codes:
            await self.say(sender, "\n".join((
                messages.LANGUAGE_PICK, messages.SIGNAL_LANGUAGE_HOW,
                *(f"{number}. {code} – {name(code)}"
                  for number, code in enumerate(codes, start=1)))))
            return
        chosen = await self._services.languages.choose(channel=SIGNAL, external_id=sender,
                                                       code=code.lower())
        activate(chosen)
        await self.say(sender, messages.LANGUAGE_CHOSEN)

    async def _redeem(self, person: Person, text: str) -> None:
        """``/start inv_<token> <name>``: join a gemeente's team on Signal."""
        token, _, name = text.removeprefix(INVITE_PREFIX).partition(" ")
        staff = await self._services.admin.redeem(token, person, name.strip())
        if staff is None:
            await self.say(person.external_id, messages.INVITE_INVALID)
            return
        await self.say(person.external_id, messages.INVITE_WELCOME.format(
            role=html.escape(staff.role), gemeente=html.escape(staff.gemeente_code)))

    async def _forget(self, person: Person, rest: str) -> None:
        """``/vergeetmij`` explains and asks; ``/vergeetmij ja`` erases."""
        if rest.lower() != messages.SIGNAL_FORGET_WORD:
            await self.say(person.external_id,
                           f"{messages.FORGET_CONFIRM}\n\n{messages.SIGNAL_FORGET_HOW}")
            return
        count = await self._services.privacy.forget_signaler(SIGNAL, person.external_id)
        self._services.dispatcher.kick()
        await self.say(person.external_id, messages.FORGOTTEN.format(count=count))

    async def _vraagje(self, chat: str) -> None:
        """A conversation-starter card (typed ``vraagje`` again gives another)."""
        text = vraagjes.card_text(vraagjes.new_seed(), 0)
        await self.say(chat, f"{text}\n\n{messages.VRAAGJE_SIGNAL_ANOTHER}")

    async def _news(self, person: Person, words: list[str]) -> None:
        """``nieuws``, ``nieuws aan [gemeente]``, ``nieuws uit`` and ``stop nieuws``."""
        news, chat = self._services.news, person.external_id
        if " ".join(words) == messages.NEWS_STOP_WORD or words[1:2] == [messages.NEWS_WORD_OFF]:
            await self.say(chat, await news.unsubscribe(person))
            return
        subscribed, offered = await news.choices(person)
        named = " ".join(words[2:])
        if words[1:2] == [messages.NEWS_WORD_ON]:
            picked = await news.by_postcode(named) if named else offered
            if picked is None:
                picked = [g for g in await news.on_board()
                          if named in (g.name.lower(), g.code.lower())]
            if len(picked) == 1:
                await self.say(chat, await news.subscribe(person, picked[0].code))
                return
            offered = picked or offered
        if subscribed and len(words) == 1:
            await self.say(chat, messages.NEWS_SIGNAL_CURRENT.format(
                gemeenten=html.escape(", ".join(g.name for g in subscribed)),
                how=messages.NEWS_SIGNAL_HOW_TO_LEAVE))
        elif len(offered) == 1:
            await self.say(chat, messages.NEWS_OFFER.format(gemeente=html.escape(
                offered[0].name)) + " " + messages.NEWS_SIGNAL_OFFER_HOW)
        elif offered:
            await self.say(chat, messages.NEWS_SIGNAL_PICK.format(example=html.escape(
                f"{messages.NEWS_WORD} {messages.NEWS_WORD_ON} {offered[0].name.lower()}")))
        else:
            await self.say(chat, messages.NEWS_NONE)

    async def _explain(self, incoming: Incoming, text: str) -> None:
        """A text, then the question the person is at (if any)."""
        assert incoming.sender is not None
        current = await self._services.intake.current(_key(incoming))
        if current is not None and current.prompt is not None:
            text += f"\n\n{messages.CONTINUE_HINT}\n\n{numbered.render(current.prompt)}"
        await self.say(incoming.sender, text)

    # -- answers

    async def _answer(self, incoming: Incoming, given: Input) -> None:
        assert incoming.sender is not None
        result = await self._services.intake.handle(_key(incoming), given,
                                                    update_id=incoming.update_id)
        await self._show(incoming.sender, result)

    async def _show(self, chat: str, result: Result) -> None:
        """A step's result as one message: the echo, the notice, the next prompt."""
        if result.status is Status.DUPLICATE and result.prompt is None and not result.notice:
            return  # delivered again with no conversation to show
        parts = []
        if result.ack and result.status is Status.NEXT:
            parts.append(f"<i>✔ {result.ack}</i>")
        if result.notice:
            parts.append(result.notice)
        if result.prompt is not None:
            parts.append(numbered.render(result.prompt))
        if result.status is Status.SUBMIT and result.news_offer:  # after filing
            parts.append(f"{result.news_offer} {messages.NEWS_SIGNAL_OFFER_HOW}")
        await self.say(chat, "\n\n".join(parts))
        if result.after:
            await self.say(chat, result.after)

    async def show_reply(self, person: Person, reply: Reply) -> None:
        """A staff ``Reply``: its toast and its text as messages; a queued one delivered now."""
        if reply.duplicate:
            return
        if reply.toast:
            await self.say(person.external_id, reply.toast)
        if reply.outbox_id is not None:
            await self._services.dispatcher.deliver_now(reply.outbox_id)
        if reply.text:
            text = reply.text
            if reply.ask_reply:
                text += "\n\n" + messages.SIGNAL_STAFF_TYPE
            await self.say(person.external_id, text, reply.buttons)

    async def say(self, chat: str, text: str, buttons: Buttons = ()) -> None:
        """Send a reply now, trying again for a while when it fails for now.

        Signal-cli restarting, a network hiccup: the person's next message waits behind it.
        One that still does not arrive comes again at their next message.
        """
        outgoing = Outgoing(chat, text, buttons)
        for pause in (*REPLY_RETRIES, None):
            try:
                await self._sender.send(outgoing, bulk=False)
                return
            except DeliveryError as error:
                wait = error.retry_after or pause
                if error.failure is not Failure.RETRY or pause is None or wait > pause * 2:
                    log.warning("a reply on Signal was not delivered: %s", error)
                    return
                await asyncio.sleep(wait)


def _key(incoming: Incoming) -> ConversationKey:
    assert incoming.sender is not None
    return ConversationKey(SIGNAL, incoming.sender, CAPABILITIES)

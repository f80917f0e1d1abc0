"""News from a gemeente's Signaalpunt, to the people who opted in (and to nobody else).

A person opts in per gemeente: after filing (the gemeente their report went to) or with
``/nieuws``; an opt-in made after arriving through an organisation's link records that
organisation (the kerngroep counts them). Every news message carries its way out: the
"Afmelden" button on Telegram, "stop nieuws" typed on Signal. A regisseur of the gemeente (or
a global admin) composes a text, sees it as subscribers will, and sends it: one outbox row per
subscriber at ``Priority.LOW``, so conversations and staff alerts go first and Telegram's
limits hold (``bot.core.outbox``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.buttons import NewsAction, NewsButton
from bot.core.outbox import OutboxKind, Priority
from bot.core.people import TELEGRAM, Person
from bot.core.routing import route

if TYPE_CHECKING:
    from storage.models import Gemeente
    from storage.uow import UnitOfWork

NEWS_MAX = 1000  # characters a news text may have (a chat message holds 4096)
NEWS_COPIES_KEPT = timedelta(days=30)  # how long a sent news message can be taken back
OFFERED = 20  # gemeenten listed at most when /nieuws has nothing else to go by
_POSTCODE = re.compile(r"\s*(\d{4})\s*([a-zA-Z]{2})?\s*")


class NewsError(ValueError):
    """A news text or gemeente that cannot be used; the message (Dutch) says why."""


@dataclass(frozen=True)
class Preview:
    """A news message as each channel's subscribers will see it, and how many there are."""

    gemeente_code: str
    text: str  # as on Telegram (with the "Afmelden" button)
    signal_text: str  # as on Signal (with the words to stop)
    subscribers: int


def unsubscribe_buttons(gemeente_code: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The one-tap way out under every news message (Telegram)."""
    return ((messages.NEWS_BTN_LEAVE, NewsButton(NewsAction.LEAVE, gemeente_code).pack()),),


def offer_buttons(gemeente_code: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """Ja/Nee under an offer of a gemeente's news (Telegram)."""
    return ((messages.NEWS_BTN_YES, NewsButton(NewsAction.JOIN, gemeente_code).pack()),
            (messages.NEWS_BTN_NO, NewsButton(NewsAction.DECLINE, gemeente_code).pack())),


def news_text(gemeente_name: str, text: str) -> str:
    """A news text as it goes out: headed with its Signaalpunt, the text escaped.

    Raises:
        NewsError: an empty or too long text.
    """
    text = text.strip()
    if not text:
        raise NewsError(messages.NEWS_EMPTY)
    if len(text) > NEWS_MAX:
        raise NewsError(messages.NEWS_TOO_LONG.format(max=NEWS_MAX, length=len(text)))
    return messages.NEWS_MESSAGE.format(gemeente=html.escape(gemeente_name),
                                        text=html.escape(text))


async def offer_in(uow: UnitOfWork, person: Person, gemeente: Gemeente) -> str | None:
    """In a transaction (a report's filing): the news question, unless they get its news."""
    if await uow.news.gets(channel=person.channel, external_id=person.external_id,
                           gemeente_code=gemeente.code):
        return None
    return messages.NEWS_OFFER.format(gemeente=html.escape(gemeente.name))


class NewsService:
    """Opt-ins and news, on the database; ``on_commit`` wakes the outbox."""

    def __init__(self, uow: Callable[[], UnitOfWork], *, on_commit: Callable[[], None]) -> None:
        self._uow = uow
        self._on_commit = on_commit

    async def choices(self, person: Person) -> tuple[list[Gemeente], list[Gemeente]]:
        """For ``/nieuws``: the gemeenten whose news the person gets, and those to offer.

        Offered: the gemeente of their latest report if they get none yet, else (nothing to
        go by) the gemeenten on board, at most ``OFFERED``.
        """
        async with self._uow() as uow:
            active = await uow.news.active(channel=person.channel,
                                           external_id=person.external_id)
            gemeenten = {g.code: g for g in await uow.gemeenten.list_all()}
            subscribed = [gemeenten[row.gemeente_code] for row in active]
            if subscribed:
                return subscribed, []
            latest = await self._latest_report(uow, person, None)
            if latest is not None and latest[0] in gemeenten:
                return [], [gemeenten[latest[0]]]
            return [], [g for g in gemeenten.values() if g.active][:OFFERED]

    async def by_postcode(self, typed: str) -> list[Gemeente] | None:
        """The gemeenten on board a typed postcode (or PC4) lies in; None: no postcode."""
        match = _POSTCODE.fullmatch(typed)
        if match is None:
            return None
        async with self._uow() as uow:
            found = await route(uow, pc4=int(match[1]), letters=match[2], house_number=None,
                                default_advice="")
            codes = ([found.gemeente_code] if found.on_board
                     else [candidate.code for candidate in found.candidates])
            gemeenten = [await uow.gemeenten.get(code=code) for code in codes if code]
            return [g for g in gemeenten if g is not None and g.active]

    async def on_board(self) -> list[Gemeente]:
        """The gemeenten taking part (whose news one can ask for by name), by name."""
        async with self._uow() as uow:
            return [g for g in await uow.gemeenten.list_all() if g.active]

    async def subscribe(self, person: Person, gemeente_code: str) -> str:
        """Opt in to a gemeente's news (its organisation: the person's latest report's there)."""
        async with self._uow() as uow:
            gemeente = await uow.gemeenten.get(code=gemeente_code)
            if gemeente is None:
                return messages.NEWS_UNKNOWN
            report = await self._latest_report(uow, person, gemeente_code)
            await uow.news.subscribe(channel=person.channel, external_id=person.external_id,
                                     gemeente_code=gemeente_code,
                                     organisation_id=report[1] if report else None)
            await uow.commit()
        how = messages.NEWS_HOW_TO_LEAVE if person.channel == TELEGRAM else (
            messages.NEWS_SIGNAL_HOW_TO_LEAVE)
        return messages.NEWS_SUBSCRIBED.format(gemeente=html.escape(gemeente.name), how=how)

    async def unsubscribe(self, person: Person, gemeente_code: str | None = None) -> str:
        """Opt out (of one gemeente's news, or all); nothing of the person stays with it."""
        async with self._uow() as uow:
            ended = await uow.news.end(channel=person.channel, external_id=person.external_id,
                                       gemeente_code=gemeente_code)
            await uow.commit()
        return messages.NEWS_UNSUBSCRIBED if ended else messages.NEWS_NOT_SUBSCRIBED

    async def preview(self, gemeente_code: str, text: str) -> Preview:
        """What subscribers would get, and how many there are; nothing is sent.

        Raises:
            NewsError: an unknown gemeente, an empty or too long text.
        """
        async with self._uow() as uow:
            gemeente = await uow.gemeenten.get(code=gemeente_code)
            if gemeente is None:
                raise NewsError(messages.NEWS_UNKNOWN)
            shown = news_text(gemeente.name, text)
            count = await uow.news.count_active(gemeente_code=gemeente_code)
        return Preview(gemeente_code, shown,
                       f"{shown}\n\n{messages.NEWS_SIGNAL_HOW_TO_LEAVE}", count)

    async def send(self, gemeente_code: str, text: str) -> int:
        """Queue the news for everyone who opted in to the gemeente's news now; how many.

        Raises:
            NewsError: as ``preview``.
        """
        preview = await self.preview(gemeente_code, text)
        async with self._uow() as uow:
            recipients = await uow.news.recipients(gemeente_code=gemeente_code)
            for channel, chat in recipients:
                telegram = channel == TELEGRAM
                await uow.outbox.add(
                    kind=OutboxKind.NEWS, channel=channel, recipient=chat,
                    text=preview.text if telegram else preview.signal_text,
                    buttons=unsubscribe_buttons(gemeente_code) if telegram else None,
                    priority=Priority.LOW)
            await uow.commit()
        self._on_commit()
        return len(recipients)

    @staticmethod
    async def _latest_report(uow: UnitOfWork, person: Person, gemeente_code: str | None
                             ) -> tuple[str, int | None] | None:
        """(gemeente, organisation) of the person's latest report (in ``gemeente_code``)."""
        signaler = await uow.signalers.get(channel=person.channel,
                                           external_id=person.external_id)
        if signaler is None:
            return None
        for signal in await uow.signals.list_by_signaler(signaler_id=signaler.id, limit=None):
            if gemeente_code in (None, signal.gemeente_code):
                return signal.gemeente_code, signal.organisation_id
        return None

"""The outbox: messages to send, and the record of those sent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, bindparam, delete, exists, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.people import TELEGRAM, Address
from storage.crypto import Keyring, Sealed
from storage.models import Outbox, Signal, Staff, sealing_context, utcnow
from storage.repositories.common import may_see_sql
from storage.repositories.outbox_leases import ChatLeases, first_lease_end, leased_elsewhere

# Built once: these run for every copy sent.
_RECIPIENT_MAY_SEE = select(Signal.id).where(
    Signal.id == bindparam("signal_id"), Signal.erased_at.is_(None),
    may_see_sql(Signal.gemeente_code, bindparam("chat_id", type_=BigInteger)))
# A chat on another channel is a staff member's own: active staff of the signal's gemeente.
_ADDRESS_MAY_SEE = select(Signal.id).where(
    Signal.id == bindparam("signal_id"), Signal.erased_at.is_(None),
    exists().where(Staff.gemeente_code == Signal.gemeente_code,
                   Staff.channel == bindparam("channel"),
                   Staff.external_id == bindparam("address"), Staff.active.is_(True)))


def _stored(buttons: Sequence[Sequence[Sequence[str]]] | None) -> list[list[list[str]]] | None:
    """Buttons as the outbox stores them (JSON lists), or None."""
    return [[list(button) for button in row] for row in buttons or ()] or None


_LIVE_ALERT = text("kind = 'alert' AND failed_at IS NULL")


class OutboxRepository(ChatLeases):
    """Messages waiting to be sent, and the record of the copies that were (``message_id``).

    A row's text is kept only until it is sent or given up: then it is erased here, and the
    row remains as the record of the copy in its chat.
    """

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self._keyring = keyring
        self._insert = (postgresql_insert if session.bind.dialect.name == "postgresql"
                        else sqlite_insert)

    async def add(
        self,
        *,
        kind: str,
        text: str,
        chat_id: int | None = None,
        address: str | None = None,
        recipient: str | None = None,
        signal_id: int | None = None,
        buttons: Sequence[Sequence[Sequence[str]]] | None = None,
        edit_of: int | None = None,
        channel: str = "telegram",
        due: datetime | None = None,
        priority: int = 0,
    ) -> Outbox:
        """Queue a message to a staff chat or a signaler (``recipient``).

        A staff chat on Telegram is ``chat_id``, on another channel ``address``. A signaler's
        chat is stored encrypted. The message is sent after the transaction commits, or at
        ``due``.
        """
        row = self._keyed(Outbox(
            channel=channel, chat_id=chat_id, address=address, recipient=recipient, kind=kind,
            text=text, signal_id=signal_id, buttons=_stored(buttons), edit_of=edit_of,
            next_attempt_at=due or utcnow(), priority=priority))
        self.session.add(row)
        await self.session.flush()
        return row

    async def add_to_chats(self, chat_ids: Iterable[int], *, kind: str, text: str,
                           signal_id: int,
                           buttons: Sequence[Sequence[Sequence[str]]] | None = None,
                           addresses: Iterable[Address] = ()) -> None:
        """Queue the same message to Telegram chats and to chats on other channels, at once."""
        targets = [{"channel": TELEGRAM, "chat_id": chat_id} for chat_id in chat_ids]
        targets += [address.outbox_columns() for address in addresses]
        stored = _stored(buttons)
        self.session.add_all(self._keyed(Outbox(**target, kind=kind, text=text,
                                                signal_id=signal_id, buttons=stored))
                             for target in targets)
        await self.session.flush()

    async def add_alert(self, *, chat_id: int, text: str, signal_id: int,
                        buttons: Sequence[Sequence[Sequence[str]]]) -> bool:
        """Queue an alert unless the chat has a live one of this signal; whether it did."""
        insert_ = self._insert
        where = sealing_context(Outbox, "text", {"chat_id": chat_id, "signal_id": signal_id,
                                                 "kind": "alert", "edit_of": None})
        result = await self.session.execute(
            insert_(Outbox).values(
                channel="telegram", chat_id=chat_id, kind="alert", text=Sealed(text, where),
                chat_key=self._chat_key(("telegram", chat_id)),
                signal_id=signal_id, buttons=_stored(buttons), created_at=utcnow(),
                next_attempt_at=utcnow(), attempts=0)
            .on_conflict_do_nothing(index_elements=["signal_id", "chat_id"],
                                    index_where=_LIVE_ALERT))
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def get(self, *, outbox_id: int) -> Outbox | None:
        """One outbox row."""
        return await self.session.get(Outbox, outbox_id, populate_existing=True)

    def _pending(self, channels: Sequence[str] | None) -> Any:
        query = select(Outbox).where(Outbox.sent_at.is_(None), Outbox.failed_at.is_(None))
        return query.where(Outbox.channel.in_(channels)) if channels is not None else query

    async def list_due(
        self, *, now: datetime, channels: Sequence[str] | None = None, limit: int = 1000,
        priority: int | None = None, lock: bool = False, worker: str | None = None,
    ) -> list[Outbox]:
        """Unsent messages whose time has come (of one ``priority``, or all), oldest first.

        ``lock``: locked until the transaction ends (PostgreSQL's ``FOR UPDATE``, waiting for
        another transaction that holds one; SQLite ignores it). ``worker``: without the rows
        of chats another worker leases now.
        """
        query = self._pending(channels).where(Outbox.next_attempt_at <= now)
        if worker is not None:
            query = query.where(~leased_elsewhere(worker, now))
        if priority is not None:
            query = query.where(Outbox.priority == priority)
        query = query.order_by(Outbox.id).limit(limit)
        if lock:
            query = query.with_for_update()
        return list(await self.session.scalars(query))

    async def take_now(self, *, outbox_id: int, channels: Sequence[str], now: datetime,
                       until: datetime) -> Outbox | None:
        """Take an unsent row of these channels to send now, if no dispatcher may have it.

        That is while it is not due yet; it becomes due for dispatchers only at ``until``.
        """
        return await self.session.scalar(
            update(Outbox).where(Outbox.id == outbox_id, Outbox.sent_at.is_(None),
                                 Outbox.failed_at.is_(None), Outbox.next_attempt_at > now,
                                 Outbox.channel.in_(channels))
            .values(next_attempt_at=until).returning(Outbox)
            .execution_options(synchronize_session=False, populate_existing=True))

    async def next_due_at(self, *, channels: Sequence[str] | None = None,
                          worker: str | None = None, now: datetime | None = None
                          ) -> datetime | None:
        """When the earliest unsent message is due.

        For ``worker``, as of ``now``: the rows of a chat another worker leases count only
        from that lease's end (when it is not renewed, the chat is this worker's to take).
        """
        pending = self._pending(channels)
        if worker is None or now is None:
            return await self.session.scalar(
                pending.with_only_columns(func.min(Outbox.next_attempt_at)))
        free = (pending.where(~leased_elsewhere(worker, now))
                .with_only_columns(func.min(Outbox.next_attempt_at)).scalar_subquery())
        leased = first_lease_end(pending, worker, now)
        times = (await self.session.execute(select(free, leased))).one()
        return min((time for time in times if time is not None), default=None)

    async def list_for_signal(self, *, signal_id: int, kinds: Iterable[str]) -> list[Outbox]:
        """A signal's messages of some kinds, oldest first."""
        rows = await self.session.scalars(
            select(Outbox).where(Outbox.signal_id == signal_id, Outbox.kind.in_(list(kinds)))
            .order_by(Outbox.id))
        return list(rows)

    async def live_alerts(self, *, signal_id: int) -> list[Outbox]:
        """A signal's alerts that are (or will be) in a chat and not erased."""
        rows = await self.session.scalars(select(Outbox).where(
            Outbox.signal_id == signal_id, Outbox.kind == "alert", Outbox.failed_at.is_(None),
            Outbox.erased_at.is_(None)).order_by(Outbox.id))
        return list(rows)

    async def list_copies(self, *, kinds: Iterable[str], signal_id: int | None = None,
                          chat_id: int | None = None, channel: str | None = None,
                          address: str | None = None,
                          gemeente_code: str | None = None) -> list[Outbox]:
        """Copies still to erase (sent or on their way): of a signal, in a chat, of a gemeente.

        The chat is a Telegram ``chat_id``, or another ``channel``'s ``address``.
        """
        query = select(Outbox).where(Outbox.kind.in_(list(kinds)), Outbox.erased_at.is_(None),
                                     or_(Outbox.message_id.is_not(None),
                                         Outbox.sent_at.is_(None) & Outbox.failed_at.is_(None)))
        if signal_id is not None:
            query = query.where(Outbox.signal_id == signal_id)
        if chat_id is not None:
            query = query.where(Outbox.chat_id == chat_id)
        if address is not None:
            query = query.where(Outbox.channel == channel, Outbox.address == address)
        if gemeente_code is not None:
            query = query.join(Signal, Signal.id == Outbox.signal_id).where(
                Signal.gemeente_code == gemeente_code)
        return list(await self.session.scalars(query.order_by(Outbox.id)))

    async def rewrite(self, row: Outbox, *, text: str,
                      buttons: Sequence[Sequence[Sequence[str]]]) -> None:
        """Change what an unsent message will say."""
        row.text, row.buttons = text, _stored(buttons)
        await self.session.flush()

    async def erase(self, row: Outbox, *, stub: str, now: datetime) -> None:
        """Forget a copy's text: blank (or delete) it in its chat; an unsent one never goes."""
        if row.message_id is not None:
            await self.add(kind="erase", text=stub, chat_id=row.chat_id, address=row.address,
                           recipient=row.recipient, signal_id=row.signal_id, edit_of=row.id,
                           channel=row.channel)
        elif row.failed_at is None:
            row.failed_at, row.last_error = now, "erased before it was sent"
        row.text, row.buttons, row.erased_at = "", None, now
        await self.session.flush()

    async def drop_unsent(self, *, kinds: Iterable[str], signal_id: int, now: datetime) -> None:
        """Forget a signal's messages of these kinds that were not sent: they never go."""
        await self.session.execute(
            update(Outbox).where(Outbox.signal_id == signal_id, Outbox.kind.in_(list(kinds)),
                                 Outbox.sent_at.is_(None), Outbox.failed_at.is_(None))
            .values(text="", buttons=None, failed_at=now, erased_at=now,
                    last_error="erased before it was sent")
            .execution_options(synchronize_session=False))

    async def delete(self, row: Outbox) -> None:
        """Forget a message that was never delivered: there is nothing to erase in a chat."""
        await self.session.delete(row)

    async def delete_for_signal(self, *, signal_id: int, kinds: Iterable[str]) -> None:
        """Delete a signal's messages of some kinds (a signaler's, when they are forgotten)."""
        await self.session.execute(delete(Outbox).where(
            Outbox.signal_id == signal_id, Outbox.kind.in_(list(kinds))))

    async def failed_erasures(self) -> list[tuple[Outbox, str | None, str | None]]:
        """Copies the channel would neither blank nor delete: with reference and gemeente."""
        rows = await self.session.execute(
            select(Outbox, Signal.reference, Signal.gemeente_code)
            .outerjoin(Signal, Signal.id == Outbox.signal_id)
            .where(Outbox.kind == "erase", Outbox.failed_at.is_not(None)).order_by(Outbox.id))
        return [(row, reference, gemeente) for row, reference, gemeente in rows]

    async def recipient_may_see(self, row: Outbox) -> bool:
        """Whether a message with personal data may go to its chat now.

        The signal is not erased, and the chat is a team group of its gemeente or the private
        chat of active staff there (``GemeenteRepository.may_see``); on another channel, the
        chat of active staff there.
        """
        if row.address is not None:
            found = await self.session.scalar(_ADDRESS_MAY_SEE, {
                "signal_id": row.signal_id, "channel": row.channel, "address": row.address})
        else:
            found = await self.session.scalar(
                _RECIPIENT_MAY_SEE, {"signal_id": row.signal_id, "chat_id": row.chat_id or 0})
        return found is not None

    async def mark_sent(self, *, outbox_id: int, message_id: int | None,
                        keep_recipient: bool) -> bool:
        """Record that the channel accepted the message, and forget its text.

        A signaler's chat is forgotten too, unless ``keep_recipient``. Returns False when the
        copy was erased meanwhile: it must then be erased in its chat too.
        """
        values: dict[str, Any] = {"sent_at": utcnow(), "message_id": message_id, "text": "",
                                  "attempts": Outbox.attempts + 1}
        if not keep_recipient:
            values["recipient"] = None
        erased = await self.session.scalar(
            update(Outbox).where(Outbox.id == outbox_id).values(**values)
            .returning(Outbox.erased_at))
        return erased is None

    async def moved(self, *, outbox_id: int, message_id: int) -> None:
        """The copy of a message lives under another id now: its channel replaced it."""
        await self.session.execute(
            update(Outbox).where(Outbox.id == outbox_id).values(message_id=message_id))

    async def forget_recipient(self, *, outbox_id: int) -> None:
        """Forget the signaler a message went to (its copy is erased)."""
        await self.session.execute(
            update(Outbox).where(Outbox.id == outbox_id).values(recipient=None))

    async def mark_failed(
        self, *, outbox_id: int, error: str, permanent: bool = False,
        retry_at: datetime | None = None,
    ) -> None:
        """Record a failed attempt: permanently (its text is forgotten), or when to retry."""
        values: dict[str, Any] = {"last_error": error[:200], "attempts": Outbox.attempts + 1}
        if permanent:
            values.update(failed_at=utcnow(), text="")
        elif retry_at is not None:
            values["next_attempt_at"] = retry_at
        await self.session.execute(update(Outbox).where(Outbox.id == outbox_id).values(**values))

    async def move_chat(self, *, old: int, new: int) -> None:
        """A group became a supergroup: its unsent messages go to the new chat id.

        Row by row: each text is bound to its chat, so it is written again for the new one.
        """
        for row in await self.session.scalars(select(Outbox).where(
                Outbox.chat_id == old, Outbox.sent_at.is_(None), Outbox.failed_at.is_(None))):
            row.chat_id = new
            self._keyed(row)
        await self.session.flush()

"""Repositories: queries and writes per aggregate. They flush, never commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, String, Text, delete, extract, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from storage.crypto import Keyring
from storage.models import (
    AlertChat,
    Draft,
    Gemeente,
    NotOnBoard,
    Outbox,
    Pc4Route,
    ProcessedUpdate,
    RelayedQuestion,
    Signal,
    SignalEvent,
    Signaler,
    Staff,
    utcnow,
)


class ConcurrentUpdate(Exception):
    """Another writer changed the draft first; reload and try again."""


class DraftRepository:
    """Conversation drafts, one per person per channel, found by a keyed hash of the id."""

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring

    async def get(self, *, channel: str, external_id: str) -> Draft | None:
        """The person's draft, if any (expired or not)."""
        return await self.session.scalar(select(Draft).where(
            Draft.channel == channel,
            Draft.external_hash.in_(self.keyring.lookup_hashes(external_id))))

    async def save(
        self,
        *,
        channel: str,
        external_id: str,
        state: dict[str, Any],
        ttl: timedelta,
        expected: Draft | None,
    ) -> None:
        """Insert or update the draft, but only if nobody changed it since ``expected``.

        Raises:
            ConcurrentUpdate: when another writer got there first.
        """
        now = utcnow()
        if expected is None:
            try:
                async with self.session.begin_nested():
                    self.session.add(Draft(
                        channel=channel, external_hash=self.keyring.lookup_hash(external_id),
                        state=state, created_at=now, updated_at=now, expires_at=now + ttl))
            except IntegrityError:
                raise ConcurrentUpdate from None
            return
        result = await self.session.execute(
            update(Draft)
            .where(Draft.id == expected.id, Draft.version == expected.version)
            .values(state=state, version=Draft.version + 1, updated_at=now, expires_at=now + ttl)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise ConcurrentUpdate

    async def delete(self, draft: Draft) -> None:
        """Remove a draft (it held answers that must not outlive the conversation)."""
        await self.session.execute(delete(Draft).where(Draft.id == draft.id))

    async def purge_expired(self, *, now: datetime) -> int:
        """Delete every expired draft; returns how many."""
        result = await self.session.execute(delete(Draft).where(Draft.expires_at <= now))
        return int(result.rowcount)  # type: ignore[attr-defined]


class GemeenteRepository:
    """Gemeenten, their alert chats and the PC4 routing table."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, code: str) -> Gemeente | None:
        """One gemeente by CBS code."""
        return await self.session.get(Gemeente, code)

    async def get_by_pc4(self, *, pc4: int) -> Gemeente | None:
        """The gemeente a PC4 area routes to, if any."""
        return await self.session.scalar(
            select(Gemeente).join(Pc4Route).where(Pc4Route.pc4 == pc4)
        )

    async def list_alert_chats(self, *, code: str) -> list[int]:
        """Chat ids that receive this gemeente's alerts (not those that blocked the bot)."""
        rows = await self.session.scalars(
            select(AlertChat.chat_id)
            .where(AlertChat.gemeente_code == code, AlertChat.blocked_at.is_(None))
            .order_by(AlertChat.id)
        )
        return list(rows)

    async def set_chat_blocked(self, *, chat_id: int, blocked: bool) -> None:
        """Record that a chat blocked (or again accepts) the bot, for every gemeente."""
        value = utcnow() if blocked else None
        await self.session.execute(
            update(AlertChat).where(AlertChat.chat_id == chat_id).values(blocked_at=value))
        await self.session.execute(
            update(Staff).where(Staff.telegram_id == chat_id).values(blocked_at=value))

    async def list_fallback_chats(self, *, code: str) -> list[int]:
        """Who else hears of a gemeente's signals: alert chats, regisseurs, backup contacts."""
        gemeente = await self.get(code=code)
        regisseurs = await self.session.scalars(
            select(Staff.telegram_id).where(
                Staff.gemeente_code == code, Staff.role == "regisseur", Staff.active.is_(True),
                Staff.blocked_at.is_(None)).order_by(Staff.id))
        chats = [*await self.list_alert_chats(code=code), *regisseurs,
                 *(gemeente.backup_chat_ids if gemeente else [])]
        return list(dict.fromkeys(chats))

    async def upsert(
        self,
        *,
        code: str,
        name: str,
        active: bool,
        fallback_advice: str | None,
        alert_chat_ids: Sequence[int],
        pc4_ranges: Sequence[tuple[int, int]],
        escalation_hours: float = 24.0,
        retention_days: float = 30.0,
        silent_days: float = 5.0,
        backup_chat_ids: Sequence[int] = (),
    ) -> None:
        """Create or replace a gemeente with its alert chats and PC4 areas."""
        gemeente = await self.get(code=code)
        if gemeente is None:
            gemeente = Gemeente(code=code)
            self.session.add(gemeente)
        gemeente.name, gemeente.active, gemeente.fallback_advice = name, active, fallback_advice
        gemeente.escalation_hours, gemeente.silent_days = escalation_hours, silent_days
        gemeente.retention_days = retention_days
        gemeente.backup_chat_ids = list(backup_chat_ids)
        await self.session.flush()
        await self.session.execute(delete(AlertChat).where(
            AlertChat.gemeente_code == code, AlertChat.chat_id.not_in(alert_chat_ids)))
        await self.session.execute(delete(Pc4Route).where(Pc4Route.gemeente_code == code))
        pc4s = sorted({pc4 for low, high in pc4_ranges for pc4 in range(low, high + 1)})
        if pc4s:  # an area configured for another gemeente before moves here
            await self.session.execute(delete(Pc4Route).where(Pc4Route.pc4.in_(pc4s)))
        known = set(await self.session.scalars(
            select(AlertChat.chat_id).where(AlertChat.gemeente_code == code)))
        self.session.add_all(AlertChat(gemeente_code=code, chat_id=c)
                             for c in alert_chat_ids if c not in known)
        self.session.add_all(Pc4Route(pc4=pc4, gemeente_code=code) for pc4 in pc4s)
        await self.session.flush()


class SignalerRepository:
    """People who report, found by a keyed hash of their channel id."""

    def __init__(self, session: AsyncSession, keyring: Keyring) -> None:
        self.session = session
        self.keyring = keyring

    async def get(self, *, channel: str, external_id: str) -> Signaler | None:
        """A signaler by channel identity."""
        return await self.session.scalar(select(Signaler).where(
            Signaler.channel == channel,
            Signaler.external_hash.in_(self.keyring.lookup_hashes(external_id))))

    async def get_by_id(self, *, signaler_id: int) -> Signaler | None:
        """A signaler by id."""
        return await self.session.get(Signaler, signaler_id)

    async def delete(self, signaler: Signaler) -> None:
        """Forget a signaler (their signals stay, unlinked)."""
        await self.session.delete(signaler)
        await self.session.flush()

    async def get_or_add(self, *, channel: str, external_id: str) -> Signaler:
        """A signaler by channel identity, created on first use."""
        signaler = await self.get(channel=channel, external_id=external_id)
        if signaler is None:
            signaler = Signaler(channel=channel, external_id=external_id,
                                external_hash=self.keyring.lookup_hash(external_id))
            self.session.add(signaler)
            await self.session.flush()
        return signaler


class SignalRepository:
    """Filed signals."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, signal: Signal) -> Signal:
        """Store a signal and give it its reference ``SP-<year>-<number>``."""
        self.session.add(signal)
        await self.session.flush()
        signal.reference = f"SP-{signal.created_at.year}-{signal.id:06d}"
        await self.session.flush()
        return signal

    async def get(self, *, signal_id: int) -> Signal | None:
        """One signal by id."""
        return await self.session.get(Signal, signal_id, populate_existing=True)

    async def get_by_reference(self, *, reference: str) -> Signal | None:
        """One signal by its reference (SP-2026-000123)."""
        return await self.session.scalar(select(Signal).where(Signal.reference == reference))

    async def change_state(self, *, signal_id: int, expected: str, **values: Any) -> bool:
        """Update a signal only if it is still in state ``expected``: the one winner of a race."""
        result = await self.session.execute(
            update(Signal).where(Signal.id == signal_id, Signal.status == expected).values(**values)
            .execution_options(synchronize_session=False))
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def list_open(self, *, gemeente_code: str) -> list[Signal]:
        """A gemeente's signals that are not closed, oldest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.gemeente_code == gemeente_code, Signal.status != "closed")
            .order_by(Signal.created_at, Signal.id))
        return list(rows)

    async def list_owned(self, *, staff_id: int) -> list[Signal]:
        """Open signals owned by one staff member, oldest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.owner_id == staff_id, Signal.status != "closed")
            .order_by(Signal.created_at, Signal.id))
        return list(rows)

    async def list_by_signaler(self, *, signaler_id: int,
                               limit: int | None = 10) -> list[Signal]:
        """A signaler's own signals, newest first."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.signaler_id == signaler_id)
            .order_by(Signal.id.desc()).limit(limit))
        return list(rows)

    async def list_closed_unerased(self) -> list[Signal]:
        """Closed signals whose personal fields are still there."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.status == "closed", Signal.erased_at.is_(None))
            .order_by(Signal.closed_at))
        return list(rows)

    async def list_due(self, *, now: datetime) -> list[Signal]:
        """Open signals whose escalation or reminder is due."""
        rows = await self.session.scalars(
            select(Signal).where(Signal.due_at <= now, Signal.status != "closed")
            .order_by(Signal.due_at))
        return list(rows)

    async def count(self) -> int:
        """How many signals are stored."""
        return int(await self.session.scalar(select(func.count(Signal.id))) or 0)

    async def count_not_on_board(self) -> int:
        """How many signals were for gemeenten that do not take part."""
        return int(await self.session.scalar(select(func.count(NotOnBoard.id))) or 0)

    async def add_not_on_board(self, *, gemeente_code: str | None) -> None:
        """Count a signal that could not be routed (nothing about the person is kept)."""
        self.session.add(NotOnBoard(gemeente_code=gemeente_code))
        await self.session.flush()


class StaffRepository:
    """Regisseurs and team members."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, *, staff_id: int) -> Staff | None:
        """One staff member by id."""
        return await self.session.get(Staff, staff_id)

    async def get_active(self, *, telegram_id: int, gemeente_code: str) -> Staff | None:
        """The active staff record of this Telegram user in this gemeente, if any."""
        return await self.session.scalar(select(Staff).where(
            Staff.telegram_id == telegram_id, Staff.gemeente_code == gemeente_code,
            Staff.active.is_(True)))

    async def list_memberships(self, *, telegram_id: int) -> list[Staff]:
        """Every active staff record of this Telegram user (one per gemeente)."""
        rows = await self.session.scalars(select(Staff).where(
            Staff.telegram_id == telegram_id, Staff.active.is_(True)).order_by(Staff.id))
        return list(rows)

    async def list_team(self, *, gemeente_code: str) -> list[Staff]:
        """A gemeente's active staff, regisseurs first."""
        rows = await self.session.scalars(select(Staff).where(
            Staff.gemeente_code == gemeente_code, Staff.active.is_(True))
            .order_by(Staff.role.desc(), Staff.name))
        return list(rows)

    async def sync(self, *, gemeente_code: str, members: Sequence[tuple[int, str, str]]) -> None:
        """Make ``(telegram_id, name, role)`` the gemeente's active staff; others lose access."""
        existing = {s.telegram_id: s for s in await self.session.scalars(
            select(Staff).where(Staff.gemeente_code == gemeente_code))}
        for telegram_id, name, role in members:
            member = existing.pop(telegram_id, None)
            if member is None:
                self.session.add(Staff(gemeente_code=gemeente_code, telegram_id=telegram_id,
                                       name=name, role=role, active=True))
            else:
                member.name, member.role, member.active = name, role, True
        for gone in existing.values():
            gone.active, gone.pending = False, None
        await self.session.flush()


class EventRepository:
    """Signal histories."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *, signal_id: int, action: str, actor_id: int | None = None,
                  detail: dict[str, Any] | None = None, at: datetime | None = None) -> SignalEvent:
        """Append one entry to a signal's history."""
        event = SignalEvent(signal_id=signal_id, action=action, actor_id=actor_id,
                            detail=detail or {}, at=at or utcnow())
        self.session.add(event)
        await self.session.flush()
        return event

    async def erase_text(self, *, signal_id: int, actions: frozenset[str]) -> None:
        """Erase what people typed (notes, questions, answers) from a signal's history."""
        rows = await self.session.scalars(select(SignalEvent).where(
            SignalEvent.signal_id == signal_id, SignalEvent.action.in_(actions)))
        for event in rows:
            event.detail = {"erased": True}
        await self.session.flush()

    async def list_for(self, *, signal_id: int) -> list[tuple[SignalEvent, str | None]]:
        """A signal's history, oldest first, with the actor's name."""
        rows = await self.session.execute(
            select(SignalEvent, Staff.name).outerjoin(Staff, Staff.id == SignalEvent.actor_id)
            .where(SignalEvent.signal_id == signal_id).order_by(SignalEvent.id))
        return [(event, name) for event, name in rows]


class QuestionRepository:
    """Questions relayed from staff to signalers."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, question: RelayedQuestion) -> RelayedQuestion:
        """Store a new question."""
        self.session.add(question)
        await self.session.flush()
        return question

    async def get(self, *, question_id: int) -> RelayedQuestion | None:
        """One question by id."""
        return await self.session.get(RelayedQuestion, question_id)

    async def get_open_for_signaler(self, *, signaler_id: int,
                                    outbox_message_id: int | None = None) -> RelayedQuestion | None:
        """The signaler's open question: the one replied to, else the newest."""
        query = (select(RelayedQuestion).join(Signal, Signal.id == RelayedQuestion.signal_id)
                 .where(Signal.signaler_id == signaler_id, RelayedQuestion.closed_at.is_(None)))
        if outbox_message_id is not None:
            query = query.join(Outbox, Outbox.id == RelayedQuestion.outbox_id).where(
                Outbox.message_id == outbox_message_id)
        return await self.session.scalar(query.order_by(RelayedQuestion.id.desc()).limit(1))

    async def list_open_for_signaler(self, *, signaler_id: int) -> list[RelayedQuestion]:
        """All of a signaler's open questions."""
        rows = await self.session.scalars(
            select(RelayedQuestion).join(Signal, Signal.id == RelayedQuestion.signal_id)
            .where(Signal.signaler_id == signaler_id, RelayedQuestion.closed_at.is_(None)))
        return list(rows)

    async def list_expired(self, *, now: datetime) -> list[RelayedQuestion]:
        """Open questions past their expiry."""
        rows = await self.session.scalars(select(RelayedQuestion).where(
            RelayedQuestion.closed_at.is_(None), RelayedQuestion.expires_at <= now))
        return list(rows)

    async def erase_for_signal(self, *, signal_id: int) -> None:
        """Erase the text of a signal's relayed questions."""
        await self.session.execute(update(RelayedQuestion).where(
            RelayedQuestion.signal_id == signal_id).values(text=""))

    async def close(self, *, question_id: int, result: str, now: datetime) -> bool:
        """Close an open question; False when it was closed already."""
        outcome = await self.session.execute(
            update(RelayedQuestion)
            .where(RelayedQuestion.id == question_id, RelayedQuestion.closed_at.is_(None))
            .values(closed_at=now, result=result))
        return int(outcome.rowcount) == 1  # type: ignore[attr-defined]


class ProcessedUpdateRepository:
    """Channel updates already handled: the guard against redelivery after a crash."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(self, *, channel: str, update_id: int) -> bool:
        """Record an update in this transaction; False when it was handled before."""
        try:
            async with self.session.begin_nested():
                self.session.add(ProcessedUpdate(channel=channel, update_id=update_id))
        except IntegrityError:
            return False
        return True

    async def purge(self, *, before: datetime) -> int:
        """Forget updates handled before ``before`` (Telegram keeps them at most a day)."""
        result = await self.session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.at < before))
        return int(result.rowcount)  # type: ignore[attr-defined]


class OutboxRepository:
    """Messages waiting to be sent."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self,
        *,
        chat_id: int,
        kind: str,
        text: str,
        signal_id: int | None = None,
        buttons: Sequence[Sequence[Sequence[str]]] | None = None,
        edit_of: int | None = None,
        channel: str = "telegram",
    ) -> Outbox:
        """Queue a message; it is sent after the transaction commits."""
        row = Outbox(channel=channel, chat_id=chat_id, kind=kind, text=text, signal_id=signal_id,
                     buttons=[[list(button) for button in row] for row in buttons or ()] or None,
                     edit_of=edit_of)
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, *, outbox_id: int) -> Outbox | None:
        """One outbox row."""
        return await self.session.get(Outbox, outbox_id)

    def _pending(self, channels: Sequence[str] | None) -> Any:
        query = select(Outbox).where(Outbox.sent_at.is_(None), Outbox.failed_at.is_(None))
        return query.where(Outbox.channel.in_(channels)) if channels is not None else query

    async def list_due(
        self, *, now: datetime, channels: Sequence[str] | None = None, limit: int = 1000
    ) -> list[Outbox]:
        """Unsent messages whose time has come, oldest first."""
        rows = await self.session.scalars(
            self._pending(channels).where(Outbox.next_attempt_at <= now)
            .order_by(Outbox.id).limit(limit)
        )
        return list(rows)

    async def next_due_at(self, *, channels: Sequence[str] | None = None) -> datetime | None:
        """When the earliest unsent message is due."""
        query = self._pending(channels).with_only_columns(func.min(Outbox.next_attempt_at))
        return await self.session.scalar(query)

    async def list_for_signal(self, *, signal_id: int, kind: str) -> list[Outbox]:
        """A signal's messages of one kind (e.g. its alerts), oldest first."""
        rows = await self.session.scalars(
            select(Outbox).where(Outbox.signal_id == signal_id, Outbox.kind == kind)
            .order_by(Outbox.id)
        )
        return list(rows)

    async def erase_for_signal(self, *, signal_id: int) -> list[Outbox]:
        """Erase a signal's messages; returns its delivered alerts (still to be blanked)."""
        rows = list(await self.session.scalars(
            select(Outbox).where(Outbox.signal_id == signal_id).order_by(Outbox.id)))
        alerts = []
        for row in rows:
            if row.kind == "alert" and row.message_id is not None:
                row.text = ""
                alerts.append(row)
            else:
                await self.session.delete(row)
        await self.session.flush()
        return alerts

    async def mark_sent(self, *, outbox_id: int, message_id: int | None,
                        erase: bool = False) -> None:
        """Record that the channel accepted the message; ``erase`` forgets text and chat."""
        values: dict[str, Any] = {"sent_at": utcnow(), "message_id": message_id,
                                  "attempts": Outbox.attempts + 1}
        if erase:
            values.update(text="", chat_id=0)
        await self.session.execute(update(Outbox).where(Outbox.id == outbox_id).values(**values))

    async def mark_failed(
        self, *, outbox_id: int, error: str, permanent: bool = False,
        retry_at: datetime | None = None,
    ) -> None:
        """Record a failed attempt: permanently, or with the time to try again."""
        values: dict[str, Any] = {"last_error": error[:200], "attempts": Outbox.attempts + 1}
        if permanent:
            values["failed_at"] = utcnow()
        elif retry_at is not None:
            values["next_attempt_at"] = retry_at
        await self.session.execute(update(Outbox).where(Outbox.id == outbox_id).values(**values))


class MonitoringRepository:
    """Anonymous figures for monitoring: grouped counts, durations and coarse records.

    Reads only anonymous columns (gemeente, role, signs, pc4, status, outcome, the
    timestamps) and ``not_on_board``; never ``answers``, so it works after the retention purge
    and without the encryption key. ``gemeente_code=None`` means every gemeente (the national
    view). Periods are half-open: ``start <= created_at < end``.
    """

    GROUPS = {"gemeente": Signal.gemeente_code, "role": Signal.role, "pc4": Signal.pc4,
              "status": Signal.status, "outcome": Signal.outcome}

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    @property
    def _postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    @staticmethod
    def _where(gemeente_code: str | None, start: datetime, end: datetime) -> list[Any]:
        conditions = [Signal.created_at >= start, Signal.created_at < end]
        if gemeente_code is not None:
            conditions.append(Signal.gemeente_code == gemeente_code)
        return conditions

    async def count_by(self, group: str, *, gemeente_code: str | None, start: datetime,
                       end: datetime) -> dict[Any, int]:
        """Signals created in the period per value of one column (a key of ``GROUPS``)."""
        column = self.GROUPS[group]
        rows = await self.session.execute(
            select(column, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(column))
        return {key: int(count) for key, count in rows}

    async def count_signs(self, *, gemeente_code: str | None, start: datetime,
                          end: datetime) -> dict[str, int]:
        """How many signals of the period mention each sign (grouped by the JSON list)."""
        text = Signal.signs.cast(Text)
        rows = await self.session.execute(
            select(text, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(text))
        counts: dict[str, int] = {}
        for signs, count in rows:
            for sign in set(json.loads(signs) if signs else ()):
                counts[sign] = counts.get(sign, 0) + int(count)
        return counts

    async def count_by_hour(self, *, gemeente_code: str | None, start: datetime,
                            end: datetime) -> dict[datetime, int]:
        """Signals created in the period per UTC hour (to be binned in local weeks)."""
        if self._postgres:
            hour = func.to_char(func.timezone("UTC", Signal.created_at), "YYYY-MM-DD HH24")
        else:  # stored as "YYYY-MM-DD HH:MM:SS.ffffff" in UTC
            hour = func.substr(Signal.created_at, 1, 13, type_=String)
        rows = await self.session.execute(
            select(hour, func.count()).where(*self._where(gemeente_code, start, end))
            .group_by(hour))
        return {datetime.strptime(key, "%Y-%m-%d %H").replace(tzinfo=UTC): int(count)
                for key, count in rows}

    def _seconds(self, start: Any, end: Any) -> Any:
        if self._postgres:
            return extract("epoch", end - start).cast(Float)
        return (func.julianday(end) - func.julianday(start)) * 86400.0

    async def durations(self, *, gemeente_code: str | None, start: datetime,
                        end: datetime) -> tuple[list[float], list[float]]:
        """Seconds from filing to claim, and to first contact, of the period's signals."""
        rows = await self.session.execute(
            select(self._seconds(Signal.created_at, Signal.claimed_at),
                   self._seconds(Signal.created_at, Signal.first_contact_at))
            .where(*self._where(gemeente_code, start, end), Signal.claimed_at.is_not(None)))
        claim, contact = [], []
        for to_claim, to_contact in rows:
            claim.append(float(to_claim))
            if to_contact is not None:
                contact.append(float(to_contact))
        return claim, contact

    async def backlog(self, *, gemeente_code: str | None, at: datetime) -> list[datetime]:
        """When each signal that was open at ``at`` was filed (open: not closed by then)."""
        query = select(Signal.created_at).where(
            Signal.created_at < at, or_(Signal.status != "closed", Signal.closed_at >= at))
        if gemeente_code is not None:
            query = query.where(Signal.gemeente_code == gemeente_code)
        return list(await self.session.scalars(query))

    async def count_not_on_board(self, *, gemeente_code: str | None, start: datetime,
                                 end: datetime) -> dict[str | None, int]:
        """Signals for gemeenten that do not take part, per gemeente code (None: unknown)."""
        query = (select(NotOnBoard.gemeente_code, func.count())
                 .where(NotOnBoard.created_at >= start, NotOnBoard.created_at < end)
                 .group_by(NotOnBoard.gemeente_code))
        if gemeente_code is not None:
            query = query.where(NotOnBoard.gemeente_code == gemeente_code)
        return {code: int(count) for code, count in await self.session.execute(query)}

    async def gemeente_names(self) -> dict[str, str]:
        """Every known gemeente's name by CBS code."""
        rows = await self.session.execute(select(Gemeente.code, Gemeente.name))
        return {code: name for code, name in rows}

    async def records(self, *, gemeente_code: str | None, start: datetime,
                      end: datetime) -> list[Any]:
        """The period's signals as anonymous rows (no id, no reference, no answers)."""
        rows = await self.session.execute(
            select(Signal.gemeente_code, Signal.role, Signal.signs, Signal.pc4, Signal.status,
                   Signal.outcome, Signal.created_at, Signal.claimed_at,
                   Signal.first_contact_at, Signal.closed_at)
            .where(*self._where(gemeente_code, start, end)).order_by(Signal.created_at))
        return list(rows)

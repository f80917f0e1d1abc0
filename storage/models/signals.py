"""Signalers, their drafts and signals, the signal's history and questions, the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.core.clock import utcnow
from bot.core.workflow import EventAction, State
from storage.encrypted import EncryptedJSON, EncryptedText
from storage.models.base import Base, StoredEnum


class Signaler(Base):
    """A person who reports: found by a keyed hash of their channel id, which is encrypted."""

    __tablename__ = "signalers"
    __table_args__ = (UniqueConstraint("channel", "external_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_hash: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str] = mapped_column("external_enc", EncryptedText)
    role: Mapped[str | None] = mapped_column(String(32))
    declines_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language they chose (/taal) or wrote in: what they are told later is in it.
    language: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DraftRow(Base):
    """A conversation in progress (encrypted); ``version`` guards against concurrent writers."""

    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("channel", "external_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    # The last updates that took effect on this draft: a redelivered copy changes nothing.
    recent_updates: Mapped[list[int]] = mapped_column(JSON, default=list, server_default="[]")


class Signal(Base):
    """A filed report: a signal, a self-report or a volunteer sign-up (``kind``).

    ``answers`` holds the questionnaire answers, personal fields included; ``role``, ``signs``,
    ``pc4`` and ``choices`` (answers to counted choice questions, by question id) are anonymous
    copies for monitoring that outlive the personal fields.
    """

    __tablename__ = "signals"
    __table_args__ = (  # monitoring: a gemeente's signals of a period
        Index("ix_signals_gemeente_created", "gemeente_code", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(20), unique=True)
    gemeente_code: Mapped[str] = mapped_column(ForeignKey("gemeenten.code"), index=True)
    signaler_id: Mapped[int | None] = mapped_column(
        ForeignKey("signalers.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[State] = mapped_column(StoredEnum(State, 16), default=State.NEW)
    questionnaire: Mapped[str] = mapped_column(String(32))
    # The report's kind (its questionnaire's): signaal, zelfmelding or vrijwilliger.
    kind: Mapped[str] = mapped_column(String(16), default="signaal", server_default="signaal")
    role: Mapped[str] = mapped_column(String(32))  # of a report but a signal: its kind
    signs: Mapped[list[str]] = mapped_column(JSON)
    pc4: Mapped[int] = mapped_column(Integer)
    choices: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Bound to the signal's id, so written once the row has one (SignalRepository.add).
    answers: Mapped[dict[str, Any] | None] = mapped_column(EncryptedJSON)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    first_contact_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    due_at: Mapped[datetime | None] = mapped_column(index=True)  # next escalation or reminder
    erased_at: Mapped[datetime | None]  # personal fields erased (retention or /vergeetmij)
    # SHA-256 of the random token of a web signaler's status link (never the token itself).
    status_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class SignalEvent(Base):
    """One entry of a signal's history: who did what, when."""

    __tablename__ = "signal_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    action: Mapped[EventAction] = mapped_column(StoredEnum(EventAction, 16))
    detail: Mapped[dict[str, Any]] = mapped_column(EncryptedJSON, default=dict)


class RelayedQuestion(Base):
    """A staff question relayed to the signaler through the bot (who stays anonymous)."""

    __tablename__ = "relayed_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    signal_id: Mapped[int] = mapped_column(
        ForeignKey("signals.id", ondelete="CASCADE"), index=True
    )
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(EncryptedText)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    outbox_id: Mapped[int | None] = mapped_column(Integer)
    closed_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(16))  # answered / expired / declined


class ProcessedUpdate(Base):
    """A channel update whose effect was committed; a redelivered copy changes nothing."""

    __tablename__ = "processed_updates"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class NotOnBoard(Base):
    """An anonymous count of a signal for a gemeente that does not take part."""

    __tablename__ = "not_on_board"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    gemeente_code: Mapped[str | None] = mapped_column(String(6))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


_LIVE_ALERT = "kind = 'alert' AND failed_at IS NULL"


class Outbox(Base):
    """A message to send, written in the same transaction as its cause.

    Once sent it is the record of a copy in a chat (``message_id``), so the copy can be
    blanked or deleted later. A Telegram staff chat or group is ``chat_id``, a staff chat on
    another ``channel`` is ``address``; a signaler's chat is only ever stored encrypted, as
    ``recipient``.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "sent_at", "failed_at", "next_attempt_at"),
        Index("ix_outbox_signal_id", "signal_id"),
        # One live alert per signal and chat, whatever re-routing or a crash does.
        Index("uq_outbox_live_alert", "signal_id", "chat_id", unique=True,
              sqlite_where=text(_LIVE_ALERT), postgresql_where=text(_LIVE_ALERT)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    address: Mapped[str | None] = mapped_column(String(64))  # a staff chat not on Telegram
    recipient: Mapped[str | None] = mapped_column(EncryptedText)  # a signaler's chat id
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(EncryptedText)
    buttons: Mapped[list[list[list[str]]] | None] = mapped_column(JSON)  # rows of (label, data)
    edit_of: Mapped[int | None] = mapped_column(Integer)  # outbox id of the message to edit
    signal_id: Mapped[int | None] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    failed_at: Mapped[datetime | None]  # permanently undeliverable
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime | None]
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(200))
    erased_at: Mapped[datetime | None]  # the copy's text is gone here; its erasure is queued
    # Lower goes first: news (``bot.core.outbox.Priority.LOW``) waits for the conversation.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    # Its chat's key in ``outbox_leases`` (a keyed hash): a worker passes over the rows of a
    # chat another worker leases without reading them. None on rows queued before 0013.
    chat_key: Mapped[str | None] = mapped_column(String(32))

    @property
    def target(self) -> int | str:
        """The chat to deliver to (on Telegram, a number)."""
        if self.chat_id is not None:
            return self.chat_id
        if self.address is not None:
            return self.address
        return int(self.recipient or 0) if self.channel == "telegram" else self.recipient or ""


class OutboxLease(Base):
    """A chat whose outbox rows one worker delivers, until ``expires_at`` (``bot.core.outbox``).

    ``chat`` is a keyed hash of the channel and chat, so no chat is readable here.
    """

    __tablename__ = "outbox_leases"

    chat: Mapped[str] = mapped_column(String(32), primary_key=True)
    worker: Mapped[str] = mapped_column(String(255))  # its worker_id
    expires_at: Mapped[datetime]

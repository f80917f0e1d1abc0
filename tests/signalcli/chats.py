"""What a person's phone shows of their 1:1 chat with the bot, by Signal's client rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.signalcli.protocol import DAY_MS, JSON, utf16_slice


@dataclass(slots=True)
class Version:
    """One text of a message: the original or an edit."""

    timestamp: int
    text: str
    styles: list[JSON]


@dataclass(slots=True)
class SentMessage:
    """A message the bot sent to one person, as their phone shows it."""

    timestamp: int  # the original send's; edits keep it as the message's identity
    versions: list[Version]
    expires_in: int  # the chat's disappearing timer (seconds) when it was sent; 0: never
    quote: int | None = None
    attachments: list[str] = field(default_factory=list)
    deleted: bool = False

    @property
    def text(self) -> str:
        return self.versions[-1].text

    @property
    def styles(self) -> list[JSON]:
        return self.versions[-1].styles

    @property
    def edits(self) -> list[Version]:
        """The edits, oldest first (the phone shows them as the message's history)."""
        return self.versions[1:]

    def styled(self) -> list[tuple[str, str]]:
        """(STYLE, styled part of the current text) pairs, UTF-16 offsets applied."""
        return [(style["style"], utf16_slice(self.text, style["start"], style["length"]))
                for style in self.styles]

    def expired(self, now_ms: int) -> bool:
        """Gone by the disappearing timer (counted from sending; phones count from reading)."""
        return self.expires_in > 0 and now_ms >= self.timestamp + self.expires_in * 1000


@dataclass(slots=True)
class Ignored:
    """An edit or remote delete the person's phone dropped, and why."""

    kind: str  # "edit" or "delete"
    target: int
    timestamp: int
    reason: str  # "older than 24 hours", "deleted", "unknown message"


@dataclass(eq=False)
class Chat:
    """One person's chat with the bot: the bot's messages and what else the bot sent."""

    phone: Any  # tests.signalcli.phones.Phone
    expires_in: int = 0
    messages: dict[int, SentMessage] = field(default_factory=dict)
    ignored: list[Ignored] = field(default_factory=list)
    reactions: list[JSON] = field(default_factory=list)  # the bot's sendReaction params
    receipts: list[tuple[str, list[int]]] = field(default_factory=list)  # (type, timestamps)
    typing: list[str] = field(default_factory=list)  # "STARTED" / "STOPPED"
    timer_updates: list[int] = field(default_factory=list)  # seconds, per updateContact
    _revisions: dict[int, int] = field(default_factory=dict)  # edit timestamp -> original

    def add(self, timestamp: int, text: str, styles: list[JSON], quote: int | None,
            attachments: list[str]) -> None:
        self.messages[timestamp] = SentMessage(timestamp, [Version(timestamp, text, styles)],
                                               self.expires_in, quote, attachments)

    def edit(self, target: int, timestamp: int, text: str, styles: list[JSON]) -> None:
        """Applies an edit unless the phone ignores it (unknown, deleted, over 24 h old)."""
        message = self._target("edit", target, timestamp)
        if message is not None:
            message.versions.append(Version(timestamp, text, styles))
            self._revisions[timestamp] = message.timestamp

    def delete(self, target: int, timestamp: int) -> None:
        """Applies a remote delete unless the phone ignores it."""
        message = self._target("delete", target, timestamp)
        if message is not None:
            message.deleted = True

    def find(self, timestamp: int) -> SentMessage | None:
        """The message with this original (or edit) timestamp."""
        return self.messages.get(self._revisions.get(timestamp, timestamp))

    def visible_texts(self, now_ms: int) -> list[str]:
        """Every text the phone shows: all versions of messages not deleted nor expired."""
        return [version.text for message in self.messages.values()
                if not message.deleted and not message.expired(now_ms)
                for version in message.versions]

    def _target(self, kind: str, target: int, timestamp: int) -> SentMessage | None:
        message = self.find(target)
        reason = ("unknown message" if message is None else "deleted" if message.deleted
                  else "older than 24 hours" if timestamp - message.timestamp > DAY_MS else None)
        if reason is not None:
            self.ignored.append(Ignored(kind, target, timestamp, reason))
            return None
        return message

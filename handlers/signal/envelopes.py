"""What an envelope from signal-cli is: a typed message, an edit, a reaction, a receipt...

Only the sender's ACI (``sourceUuid``) identifies a person; the phone number and profile name
signal-cli adds (``source``, ``sourceNumber``, ``sourceName``) are never read.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What came in, as far as Signaalbot cares."""

    TEXT = "text"  # a typed message (maybe quoting one of the bot's)
    EDIT = "edit"  # an earlier message, edited
    DELETE = "delete"  # an earlier message, deleted for everyone
    REACTION = "reaction"  # an emoji on a message
    ATTACHMENT = "attachment"  # a photo, file, voice note... (with or without text)
    STICKER = "sticker"
    CONTACT = "contact"  # a shared contact card
    GROUP = "group"  # anything sent in a group the bot is in
    CALL = "call"  # a call offer
    QUIET = "quiet"  # receipts, typing, sync messages, stories, timer updates: no answer
    UNKNOWN = "unknown"  # no sender, a decryption failure, a kind this code does not know
    FLOOD = "flood"  # not from signal-cli: the first message over the flood guard's limit


@dataclass(frozen=True, slots=True)
class Incoming:
    """One envelope: its kind, who sent it (an ACI), when, and its text and quote."""

    kind: Kind
    sender: str | None
    timestamp: int
    text: str = ""
    quote: int | None = None  # the timestamp of the quoted message

    @property
    def update_id(self) -> int:
        """The envelope as one number for the record of handled updates.

        (sender, timestamp): the sender's timestamp in milliseconds, with 20 bits of a hash
        of the sender below it, so one person's messages keep their order.
        """
        digest = hashlib.blake2b((self.sender or "").encode(), digest_size=4).digest()
        return (self.timestamp << 20) | (int.from_bytes(digest, "big") & 0xFFFFF)


_QUIET = ("receiptMessage", "typingMessage", "syncMessage", "storyMessage")


def classify(event: dict[str, Any]) -> Incoming:
    """An event of the stream (``{"envelope": ..., "account": ...}``) as an ``Incoming``."""
    envelope = event.get("envelope")
    if not isinstance(envelope, dict) or "exception" in event:
        return Incoming(Kind.UNKNOWN, None, 0)
    sender = envelope.get("sourceUuid")
    timestamp = envelope.get("timestamp")
    if not isinstance(sender, str) or not sender or not isinstance(timestamp, int):
        return Incoming(Kind.UNKNOWN, None, 0)
    data = envelope.get("dataMessage")
    if isinstance(data, dict):
        return _data(sender, timestamp, data)
    edit = envelope.get("editMessage")
    if isinstance(edit, dict):
        return Incoming(Kind.EDIT, sender, timestamp)
    if envelope.get("callMessage"):
        offer = isinstance(envelope["callMessage"], dict) and "offerMessage" in (
            envelope["callMessage"])
        return Incoming(Kind.CALL if offer else Kind.QUIET, sender, timestamp)
    if any(key in envelope for key in _QUIET):
        return Incoming(Kind.QUIET, sender, timestamp)
    return Incoming(Kind.UNKNOWN, sender, timestamp)


def _data(sender: str, timestamp: int, data: dict[str, Any]) -> Incoming:
    if data.get("groupInfo") or data.get("groupV2"):
        return Incoming(Kind.GROUP, sender, timestamp)
    if data.get("remoteDelete"):
        return Incoming(Kind.DELETE, sender, timestamp)
    if data.get("reaction"):
        return Incoming(Kind.REACTION, sender, timestamp)
    if data.get("sticker"):
        return Incoming(Kind.STICKER, sender, timestamp)
    if data.get("attachments"):
        return Incoming(Kind.ATTACHMENT, sender, timestamp)
    if data.get("contacts"):
        return Incoming(Kind.CONTACT, sender, timestamp)
    text = data.get("message")
    if isinstance(text, str) and text.strip():
        quote = data.get("quote")
        quoted = quote.get("id") if isinstance(quote, dict) else None
        return Incoming(Kind.TEXT, sender, timestamp, text,
                        quoted if isinstance(quoted, int) else None)
    return Incoming(Kind.QUIET, sender, timestamp)  # a timer change, a profile key...

"""Simulated people's phones: what they send to the bot, as signal-cli's envelopes."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tests.signalcli.protocol import JSON

if TYPE_CHECKING:
    from tests.signalcli.server import SignalCliStandIn


@dataclass(eq=False)
class Phone:
    """One person's phone (device 1) with the bot's number in its contacts.

    Every method pushes one envelope at once and returns its timestamp (ms, strictly
    increasing). `share_number=False` is Signal's default privacy (no sourceNumber, `source`
    is the ACI); `uuid_known=False` sends envelopes without a sourceUuid.
    """

    cli: SignalCliStandIn
    name: str
    aci: str
    number: str
    share_number: bool = True
    uuid_known: bool = True
    registered: bool = True

    @property
    def address(self) -> JSON:
        """The person as signal-cli's JsonRecipientAddress."""
        return {"uuid": self.aci, "number": self.number if self.share_number else None,
                "username": None}

    def says(self, text: str, *, quote: int | None = None,
             text_styles: list[JSON] | None = None) -> int:
        """A text; `quote` is the timestamp of a bot message this replies to."""
        extra: JSON = {} if quote is None else {"quote": self._quote(quote)}
        if text_styles:
            extra["textStyles"] = text_styles
        return self._data(text, **extra)

    def edits(self, target: int, text: str) -> int:
        """Edits this person's own message `target` (an editMessage envelope)."""
        timestamp = self.cli._timestamp()
        data = self._data_message(timestamp, text)
        return self._push(timestamp, editMessage={"targetSentTimestamp": target,
                                                  "dataMessage": data})

    def deletes(self, target: int) -> int:
        """Deletes this person's own message `target` for everyone."""
        return self._data(None, remoteDelete={"timestamp": target})

    def reacts(self, target: int, emoji: str, *, remove: bool = False,
               author: Phone | None = None) -> int:
        """Reacts to message `target` of the bot (or of `author`)."""
        number, aci = ((author.number, author.aci) if author
                       else (self.cli.account, self.cli.account_aci))
        return self._data(None, reaction={
            "emoji": emoji, "targetAuthor": number, "targetAuthorNumber": number,
            "targetAuthorUuid": aci, "targetSentTimestamp": target, "isRemove": remove})

    def sends_attachment(self, content_type: str = "image/jpeg", *, filename: str | None = None,
                         size: int = 48_213, caption: str | None = None,
                         text: str | None = None) -> int:
        """A file (with an optional text); signal-cli has stored it under the given id."""
        image = content_type.startswith("image/")
        attachment = {
            "contentType": content_type, "filename": filename,
            "id": secrets.token_urlsafe(15) + "." + content_type.rsplit("/", 1)[-1],
            "size": size, "width": 1024 if image else None, "height": 768 if image else None,
            "caption": caption, "uploadTimestamp": self.cli._now_ms(),
        }
        return self._data(text, attachments=[attachment])

    def sends_sticker(self, pack_id: str = "b2f1e6a1c5d94b1e8f3a6c2d7e9b0a41",
                      sticker_id: int = 3) -> int:
        """A sticker (no text)."""
        return self._data(None, sticker={"packId": pack_id, "stickerId": sticker_id})

    def shares_contact(self, name: str = "Jan de Vries", number: str = "+31687654321") -> int:
        """A contact card (dataMessage.contacts, json/JsonSharedContact.java), no text."""
        given, _, family = name.partition(" ")
        contact = {"name": {"nickname": None, "given": given, "family": family or None,
                            "prefix": None, "suffix": None, "middle": None},
                   "phone": [{"value": number, "type": "MOBILE", "label": None}],
                   "organization": None}
        return self._data(None, contacts=[contact])

    def posts_story(self, text: str = "Mooie dag!") -> int:
        """A text story shared with the bot's account (json/JsonStoryMessage.java)."""
        return self._push(self.cli._timestamp(), storyMessage={
            "allowsReplies": True, "textAttachment": {"text": text, "style": "DEFAULT",
                                                      "backgroundColor": "#ff000000"}})

    def in_group(self, group_id: str | None = None, name: str = "Buurtgroep") -> InGroup:
        """This person writing in a Signal group the bot's account is a member of."""
        group_id = group_id or base64.b64encode(secrets.token_bytes(32)).decode()
        return InGroup(self, {"groupId": group_id, "groupName": name, "revision": 2,
                              "type": "DELIVER"})

    def receipt(self, timestamps: list[int], kind: str = "READ") -> int:
        """A DELIVERY, READ or VIEWED receipt for bot messages."""
        timestamp = self.cli._timestamp()
        return self._push(timestamp, receiptMessage={
            "when": timestamp, "isDelivery": kind == "DELIVERY", "isRead": kind == "READ",
            "isViewed": kind == "VIEWED", "timestamps": list(timestamps)})

    def typing(self, *, stop: bool = False) -> int:
        """The typing indicator (STARTED, or STOPPED)."""
        timestamp = self.cli._timestamp()
        return self._push(timestamp, typingMessage={
            "action": "STOPPED" if stop else "STARTED", "timestamp": timestamp})

    def calls(self, video: bool = False) -> int:
        """A call offer (the bot cannot answer it)."""
        offer = {"id": secrets.randbits(63), "type": "VIDEO_CALL" if video else "AUDIO_CALL",
                 "opaque": base64.b64encode(secrets.token_bytes(24)).decode()}
        return self._push(self.cli._timestamp(), callMessage={"offerMessage": offer})

    def sync_sent(self, text: str) -> int:
        """A sync transcript: the bot account's own phone sent `text` to this person."""
        timestamp = self.cli._timestamp()
        sent = {"destination": self.number if self.share_number else self.aci,
                "destinationNumber": self.number if self.share_number else None,
                "destinationUuid": self.aci, **self._data_message(timestamp, text)}
        number = self.cli.account
        source = {"source": number, "sourceNumber": number, "sourceUuid": self.cli.account_aci,
                  "sourceName": None, "sourceDevice": 1}
        return self.cli._push_envelope(timestamp, source, {"syncMessage": {"sentMessage": sent}})

    def _data(self, text: str | None, group: JSON | None = None, **extra: Any) -> int:
        timestamp = self.cli._timestamp()
        data = self._data_message(timestamp, text, group, **extra)
        return self._push(timestamp, dataMessage=data)

    def _data_message(self, timestamp: int, text: str | None, group: JSON | None = None,
                      **extra: Any) -> JSON:
        expires = 0 if group else self.cli.chat(self).expires_in
        data = {"timestamp": timestamp, "message": text, "expiresInSeconds": expires,
                "isExpirationUpdate": False, "viewOnce": False, **extra}
        if group:
            data["groupInfo"] = group
        return data

    def _quote(self, target: int) -> JSON:
        message = self.cli.chat(self).find(target)
        number = self.cli.account
        return {"id": target, "author": number, "authorNumber": number,
                "authorUuid": self.cli.account_aci,
                "text": message.text if message else None, "attachments": []}

    def _push(self, timestamp: int, **content: JSON) -> int:
        number = self.number if self.share_number else None
        aci = self.aci if self.uuid_known else None
        source = {"source": number or aci, "sourceNumber": number, "sourceUuid": aci,
                  "sourceName": self.name, "sourceDevice": 1}
        return self.cli._push_envelope(timestamp, source, content)


@dataclass(eq=False)
class InGroup:
    """A person's messages in one group (dataMessage.groupInfo set)."""

    phone: Phone
    group: JSON

    @property
    def group_id(self) -> str:
        return str(self.group["groupId"])

    def says(self, text: str) -> int:
        """A text in the group."""
        return self.phone._data(text, self.group)

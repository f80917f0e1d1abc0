"""The JSON-RPC methods, with signal-cli's parameter names, results and errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.signalcli.chats import Chat
from tests.signalcli.faults import Faults
from tests.signalcli.protocol import (
    CAPTCHA_REJECTED_ERROR,
    IO_ANSWERS,
    JSON,
    RATELIMIT_ERROR,
    UNTRUSTED_KEY_ERROR,
    USER_ERROR,
    RpcError,
    check_number,
    integer,
    is_uuid,
    parse_text_styles,
    required,
    values,
)

if TYPE_CHECKING:
    from tests.signalcli.phones import Phone


class Methods(Faults):
    """send, remoteDelete, sendReceipt, sendTyping, sendReaction, updateContact,
    submitRateLimitChallenge and version."""

    def _method_table(self) -> dict[str, Callable[[JSON], Any]]:
        return {"send": self._send, "remoteDelete": self._remote_delete,
                "sendReceipt": self._send_receipt, "sendTyping": self._send_typing,
                "sendReaction": self._send_reaction, "updateContact": self._update_contact,
                "submitRateLimitChallenge": self._submit_challenge,
                "version": lambda _: {"version": self.version}}

    def _send(self, params: JSON) -> JSON:
        identifiers = self._recipients(params)
        text = params.get("message") or ""
        attachments = values(params, "attachment") or []
        styles = parse_text_styles(values(params, "textStyle") or [])
        quote = integer(params, "quoteTimestamp")
        if quote is not None and params.get("quoteAuthor") is None:
            raise RpcError(USER_ERROR, "Quote author parameter is missing")
        if not text and not attachments and params.get("sticker") is None and quote is None:
            raise RpcError(USER_ERROR, "Sending empty message is not allowed, either a message, "
                                       "attachment or sticker must be given.")
        edit = integer(params, "editTimestamp")
        self._io("send")

        def apply(chat: Chat, timestamp: int) -> None:
            if edit is None:
                chat.add(timestamp, text, styles, quote, [str(item) for item in attachments])
            else:
                chat.edit(edit, timestamp, text, styles)

        return self._deliver("send", identifiers, apply)

    def _remote_delete(self, params: JSON) -> JSON:
        identifiers = self._recipients(params)
        target = required(params, "targetTimestamp")
        self._io("remoteDelete")
        return self._deliver("remoteDelete", identifiers,
                             lambda chat, timestamp: chat.delete(target, timestamp))

    def _send_reaction(self, params: JSON) -> JSON:
        identifiers = self._recipients(params)
        author = str(params.get("targetAuthor") or "") or (
            identifiers[0] if len(identifiers) == 1 else "")
        if not is_uuid(author):
            check_number(author)
        target = required(params, "targetTimestamp")
        known = self._resolve(author)
        if author != self.account and not is_uuid(author) and not (known and known.registered):
            raise RpcError(USER_ERROR, f"The user {author} is not registered.")
        self._io("sendReaction")
        reaction = {"emoji": params.get("emoji"), "targetAuthor": author,
                    "targetTimestamp": target, "remove": bool(params.get("remove"))}
        return self._deliver("sendReaction", identifiers,
                             lambda chat, timestamp: chat.reactions.append(reaction))

    def _send_receipt(self, params: JSON) -> JSON:
        recipient = str(params.get("recipient"))
        if not is_uuid(recipient):
            check_number(recipient)
        timestamps = values(params, "targetTimestamp") or []
        kind = params.get("type") or "read"
        if kind not in ("read", "viewed"):
            raise RpcError(USER_ERROR, f"Unknown receipt type: {kind}")
        return self._deliver("sendReceipt", [recipient], lambda chat, _: chat.receipts.append(
            (kind.upper(), list(timestamps))))

    def _send_typing(self, params: JSON) -> JSON:
        groups = values(params, "groupId")
        if groups:
            raise RpcError(USER_ERROR, f"Failed to send to group: Group not found: {groups[0]}")
        identifiers = self._recipients(params)
        action = "STOPPED" if params.get("stop") else "STARTED"
        self._io("sendTyping")
        return self._deliver("sendTyping", identifiers,
                             lambda chat, _: chat.typing.append(action))

    def _update_contact(self, params: JSON) -> JSON:
        recipient = str(params.get("recipient"))
        if not is_uuid(recipient):
            check_number(recipient)
        self._io("updateContact")
        expiration = integer(params, "expiration")
        phone = self._resolve(recipient)
        if phone is None or not phone.registered:
            if not is_uuid(recipient):
                raise RpcError(USER_ERROR, f"The user {recipient} is not registered.")
            return {}
        if expiration is not None:
            chat = self.chat(phone)
            chat.expires_in = expiration
            chat.timer_updates.append(expiration)
        return {}

    def _submit_challenge(self, params: JSON) -> JSON:
        self._io("submitRateLimitChallenge")
        challenge = params.get("challenge")
        captcha = str(params.get("captcha") or "").replace("signalcaptcha://", "")
        if not captcha or not isinstance(challenge, str) or not self._lift_proof(challenge):
            raise RpcError(CAPTCHA_REJECTED_ERROR, "Captcha rejected, it may be outdated, "
                           "already used or solved from a different IP address.")
        return {}

    def _recipients(self, params: JSON) -> list[str]:
        """The recipients (a set in signal-cli); groups are not modelled: never found."""
        groups = values(params, "groupId")
        if groups:
            raise RpcError(USER_ERROR, f"Group not found: {groups[0]}")
        identifiers = [str(identifier) for identifier in values(params, "recipient") or []]
        if not identifiers:
            raise RpcError(USER_ERROR, "No recipients given")
        for identifier in identifiers:
            if not is_uuid(identifier):
                check_number(identifier)
        return list(dict.fromkeys(identifiers))

    def _resolve(self, identifier: str) -> Phone | None:
        if is_uuid(identifier):
            return self._by_aci.get(identifier.lower())
        return self._by_number.get(identifier)

    def _io(self, method: str) -> None:
        message = self._take_io_fault(method)
        if message is not None:
            code, text = IO_ANSWERS[method]
            raise RpcError(code, text.format(message))

    def _deliver(self, method: str, identifiers: list[str],
                 apply: Callable[[Chat, int], None]) -> JSON:
        """Sends to each recipient; a recipient's phone applies what arrives. Raises the
        error of SendMessageResultUtils.outputResult when no send succeeded."""
        timestamp = self._timestamp()
        results = []
        for identifier in identifiers:
            phone = self._resolve(identifier)
            if phone is None or not phone.registered:
                address = (phone.address if phone and is_uuid(identifier) else
                           {"uuid": identifier if is_uuid(identifier) else None,
                            "number": None if is_uuid(identifier) else identifier,
                            "username": None})
                results.append({"recipientAddress": address, "type": "UNREGISTERED_FAILURE"})
                continue
            fault = self._take_fault(method, phone.aci)
            if fault is not None:
                results.append(fault.result(phone.address))
                continue
            apply(self.chat(phone), timestamp)
            results.append({"recipientAddress": phone.address, "type": "SUCCESS"})
        response = {"timestamp": timestamp, "results": results}
        types = {result["type"] for result in results}
        if results and "SUCCESS" not in types:
            code, message = ((UNTRUSTED_KEY_ERROR, " due to untrusted identities")
                             if types == {"IDENTITY_FAILURE"} else
                             (RATELIMIT_ERROR, " due to rate limiting")
                             if types == {"RATE_LIMIT_FAILURE"} else (USER_ERROR, ""))
            raise RpcError(code, "Failed to send message" + message, {"response": response})
        return response

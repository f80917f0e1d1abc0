"""The Signal adapter's pure parts: envelope kinds, update ids, text styles."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from handlers.signal.envelopes import Incoming, Kind, classify
from handlers.signal.markup import to_signal

ACI = "4f0c2a8e-2b1d-4c55-9a7e-3d2f1b6c8a90"
OTHER = "9a1b2c3d-0000-4c55-9a7e-3d2f1b6c8a90"


def event(**envelope: Any) -> dict[str, Any]:
    """A stream event as signal-cli writes it (number and name present, never read)."""
    return {"envelope": {"source": "+31612345678", "sourceNumber": "+31612345678",
                         "sourceUuid": ACI, "sourceName": "Anna", "sourceDevice": 1,
                         "timestamp": 1_760_000_000_000, **envelope},
            "account": "+31600000000"}


def data(**fields: Any) -> dict[str, Any]:
    return event(dataMessage={"timestamp": 1_760_000_000_000, "expiresInSeconds": 0,
                              "viewOnce": False, **fields})


def test_each_kind_of_envelope() -> None:
    cases = {
        Kind.TEXT: data(message="hallo"),
        Kind.EDIT: event(editMessage={"targetSentTimestamp": 1, "dataMessage": {"message": "x"}}),
        Kind.DELETE: data(remoteDelete={"timestamp": 1}),
        Kind.REACTION: data(reaction={"emoji": "👍", "targetAuthorUuid": OTHER,
                                      "targetSentTimestamp": 1, "isRemove": False}),
        Kind.ATTACHMENT: data(message="kijk", attachments=[{"contentType": "image/jpeg"}]),
        Kind.STICKER: data(sticker={"packId": "x", "stickerId": 1}),
        Kind.CONTACT: data(contacts=[{"name": {"given": "X"}}]),
        Kind.GROUP: data(message="hoi allen", groupInfo={"groupId": "abc=", "type": "DELIVER"}),
        Kind.CALL: event(callMessage={"offerMessage": {"id": 1}}),
        Kind.QUIET: event(receiptMessage={"when": 1, "isDelivery": True, "timestamps": [1]}),
    }
    for kind, envelope in cases.items():
        assert classify(envelope).kind is kind, kind
    for quiet in (event(typingMessage={"action": "STARTED"}), event(syncMessage={}),
                  event(storyMessage={}), data(expiresInSeconds=3600),
                  event(callMessage={"hangupMessage": {"id": 1}})):
        assert classify(quiet).kind is Kind.QUIET


def test_text_keeps_the_quote_and_never_the_number() -> None:
    incoming = classify(data(message=" ja ", quote={"id": 1_759_000_000_000, "author": "+31600",
                                                     "text": "Vraag"}))
    assert incoming == Incoming(Kind.TEXT, ACI, 1_760_000_000_000, " ja ", 1_759_000_000_000)
    assert "+316" not in repr(incoming) and "Anna" not in repr(incoming)


def test_what_cannot_be_answered_is_unknown() -> None:
    no_sender = data(message="x")
    del no_sender["envelope"]["sourceUuid"]
    failed = {**data(message="x"), "exception": {"message": "decryption failed"}}
    for envelope in (no_sender, failed, {"account": "+31"}, event(somethingNew={})):
        assert classify(envelope).kind is Kind.UNKNOWN


@given(st.integers(1_500_000_000_000, 4_000_000_000_000), st.integers(1, 10_000))
def test_update_ids_keep_a_persons_order_and_tell_people_apart(timestamp: int, later: int
                                                               ) -> None:
    first, second = (Incoming(Kind.TEXT, ACI, t) for t in (timestamp, timestamp + later))
    assert first.update_id < second.update_id < 2 ** 63
    assert Incoming(Kind.TEXT, OTHER, timestamp).update_id != first.update_id


def test_html_becomes_signal_styles_counted_in_utf16() -> None:
    assert to_signal("<b>Nieuw</b> 😀 <i>x &amp; y</i>") == (
        "Nieuw 😀 x & y", ["0:5:BOLD", "9:5:ITALIC"])
    assert to_signal("a &lt;b&gt;") == ("a <b>", [])
    assert to_signal('zie <a href="https://x.nl/p">hier</a>') == ("zie hier (https://x.nl/p)", [])
    assert to_signal("<code>SP-2026-000001</code>") == ("SP-2026-000001", ["0:14:MONOSPACE"])

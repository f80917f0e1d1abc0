"""Faults: failed sends per recipient, proof-required (captcha) states, unregistered people,
IO errors; and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tests.signalcli.protocol import FAILURE_TYPES, IO_ANSWERS, JSON
from tests.signalcli.state import StandInState

if TYPE_CHECKING:
    from tests.signalcli.phones import Phone


@dataclass(slots=True)
class SendFault:
    """A planned failure of sends to one person (or anyone)."""

    method: str  # "send", "remoteDelete", ... or "*"
    aci: str | None  # None: every recipient
    type: str
    retry_after: int | None  # seconds
    token: str | None  # proof required: fails until submitRateLimitChallenge with it
    remaining: int

    def result(self, address: JSON) -> JSON:
        """The JsonSendMessageResult of a send this fault fails."""
        result = {"recipientAddress": address, "type": self.type}
        if self.token is not None:
            result["token"] = self.token
        if self.retry_after is not None:
            result["retryAfterSeconds"] = self.retry_after
        return result


class Faults(StandInState):
    """Makes signal-cli (and Signal's server behind it) fail on demand."""

    def fail_sends(self, recipient: Phone | None = None, type: str = "NETWORK_FAILURE", *,
                   retry_after: int | None = None, proof_token: str | None = None,
                   times: int = 1, method: str = "send") -> None:
        """Makes the next `times` calls of `method` ("*": any sending method) fail for
        `recipient` (None: everyone) with a result of this `type`.

        With `proof_token` (type RATE_LIMIT_FAILURE, Signal's proof-required) the sends fail
        until submitRateLimitChallenge is called with that token; `times` is then ignored.
        """
        if type not in FAILURE_TYPES:
            raise ValueError(f"type must be one of {FAILURE_TYPES}")
        if proof_token is not None and type != "RATE_LIMIT_FAILURE":
            raise ValueError("a proof token comes with RATE_LIMIT_FAILURE")
        aci = recipient.aci if recipient is not None else None
        self._faults.append(SendFault(method, aci, type, retry_after, proof_token, times))

    def fail_io(self, method: str = "send", message: str = "Connection reset",
                times: int = 1) -> None:
        """Makes the next `times` calls of `method` fail with an IOException (each method
        answers it with its own code: see the package docstring)."""
        if method not in IO_ANSWERS:
            raise ValueError(f"method must be one of {sorted(IO_ANSWERS)}")
        self._io_faults.setdefault(method, []).extend([message] * times)

    def unregister(self, phone: Phone) -> None:
        """The person deleted their Signal account: sends to them fail UNREGISTERED_FAILURE."""
        phone.registered = False

    def advance_clock(self, hours: float) -> None:
        """Moves Signal's clock forward: the bot's messages become `hours` older."""
        self._clock_offset_ms += int(hours * 3600 * 1000)

    @property
    def proof_required(self) -> list[str]:
        """Tokens of proof-required states not yet lifted."""
        return [fault.token for fault in self._faults if fault.token is not None]

    def _take_fault(self, method: str, aci: str) -> SendFault | None:
        for fault in self._faults:
            if fault.method in (method, "*") and fault.aci in (None, aci):
                if fault.token is None:
                    fault.remaining -= 1
                    if not fault.remaining:
                        self._faults.remove(fault)
                return fault
        return None

    def _take_io_fault(self, method: str) -> str | None:
        coming = self._io_faults.get(method)
        return coming.pop(0) if coming else None

    def _lift_proof(self, token: str) -> bool:
        lifted = [fault for fault in self._faults if fault.token == token]
        for fault in lifted:
            self._faults.remove(fault)
        return bool(lifted)

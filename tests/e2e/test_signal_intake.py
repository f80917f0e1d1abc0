"""A signal over Signal, end to end: typed numbers and words, the alert, the reference."""

from __future__ import annotations

from typing import Any

from bot.core.people import SIGNAL
from storage.models import Signaler
from tests.helpers.signal import SignalPerson, SignalRunner, file_signal
from tests.helpers.stored import decrypted_dump, rows


async def test_a_whole_signal_typed_on_signal(signalcli: Any, signal_runner: SignalRunner
                                              ) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await anna.say("/start")
    assert "1." in anna.last and "Typ het nummer" in anna.last
    reference = await file_signal(anna)
    async with signal_runner.services.uow() as uow:
        signal = await uow.signals.get_by_reference(reference=reference)
        assert signal is not None and signal.gemeente_code == "GM0715"
        assert signal.signs == ["gordijnen", "post"]
    stored = await rows(signal_runner, Signaler)
    assert [(s.channel, s.external_id) for s in stored] == [(SIGNAL, anna.phone.aci)]
    assert anna.phone.number not in str([vars(s) for s in stored])


async def test_a_signal_persons_number_is_never_stored(signalcli: Any,
                                                      signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna", number="+31687654321"))
    await file_signal(anna)
    await anna.say("/mijnsignalen")
    dump = await decrypted_dump(signal_runner)
    assert anna.phone.aci in dump  # she is known by her ACI (encrypted, for feedback)
    assert "87654321" not in dump and "Anna" not in dump

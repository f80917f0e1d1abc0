"""Languages on Signal: ``/taal`` lists them, ``/taal en`` chooses, the walk is then English."""

from __future__ import annotations

from typing import Any

from storage.models import Signal, Signaler
from tests.helpers.signal import FILED, SignalPerson, SignalRunner
from tests.helpers.stored import rows

# The signal walk as someone reading English types it (as ``WHOLE_SIGNAL`` in Dutch).
ENGLISH_SIGNAL = ("/start", "no", "hairdresser", "4531 ab", "12a", "1 2", "more than half",
                  "every week", "2", "Hij zit <altijd> binnen & de tuin verwildert",
                  "i don't know", "yes", "Fatima de Vries", "0612345678", "send")


async def test_taal_en_then_the_whole_signal_typed_in_english(
        signalcli: Any, signal_runner: SignalRunner) -> None:
    anna = SignalPerson(signal_runner, signalcli.person("Anna"))
    await anna.say("/taal")
    assert "1. nl – Nederlands" in anna.last and "2. en – English" in anna.last
    await anna.say("/taal en")
    assert anna.last == "All right: from now on I will write in English."
    await anna.say(*ENGLISH_SIGNAL)
    thanks, suggestions = anna.texts()[-2:]
    assert "Thank you" in thanks and "picked up" in thanks and "short news" in thanks
    assert "A question to start a conversation" in suggestions
    [signal] = await rows(signal_runner, Signal)
    assert signal.answers == FILED
    [signaler] = await rows(signal_runner, Signaler)
    assert signaler.language == "en"
    await anna.say("/taal 1")
    assert anna.last == "Goed: vanaf nu schrijf ik in het Nederlands."

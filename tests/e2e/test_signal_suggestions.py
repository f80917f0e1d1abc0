"""Suggestions on Signal: a self-reporter gets activities that fit, near them, as a message of
their own after the thanks; a team member on Signal types ``suggestie`` to send one."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.sociale_kaart import Activity
from bot.settings import Settings
from tests.conftest import HEERLEN, HILLEGOM, TERNEUZEN
from tests.helpers.reports import SELF_REPORT_LINES, doors_settings
from tests.helpers.signal import SignalPerson, SignalRunner, reference
from tests.signalcli.phones import Phone


@pytest.fixture
def lotte(signalcli: Any) -> Phone:
    """Terneuzen's team member on Signal."""
    return signalcli.person("Lotte")  # type: ignore[no-any-return]


@pytest.fixture
def settings(db_url: str, lotte: Phone) -> Settings:
    terneuzen = {**TERNEUZEN, "staff": [
        *TERNEUZEN["staff"],
        {"channel": "signal", "id": lotte.aci, "name": "Lotte", "role": "team"}]}
    return doors_settings(db_url, gemeenten=[terneuzen, HEERLEN, HILLEGOM])


async def test_a_self_reporter_on_signal_gets_suggestions_after_the_thanks(
        signalcli: Any, signal_runner: SignalRunner) -> None:
    await signal_runner.services.kaart.save("GM0715", [
        Activity("Samen koken", "Samen eten in de buurt", 4531, tags=frozenset({"samen"})),
        Activity("Computerhulp", "Hulp met de telefoon", 4531, tags=frozenset({"digitaal"}))])
    mila = SignalPerson(signal_runner, signalcli.person("Mila"))
    await mila.say(*SELF_REPORT_LINES)  # "een praatje" and "samen iets doen"
    *_, thanks, after = mila.texts()
    assert reference(thanks) and "Misschien iets voor u" not in thanks
    assert "Misschien iets voor u" in after and "Samen koken" in after
    assert "Computerhulp" not in after


async def test_a_team_member_on_signal_types_a_suggestion_to_a_self_reporter(
        signalcli: Any, signal_runner: SignalRunner, lotte: Phone) -> None:
    await signal_runner.services.kaart.save("GM0715", [
        Activity("Samen koken", "Samen eten in de buurt", 4531, contact="0115-777777",
                 tags=frozenset({"samen"}))])
    mila = SignalPerson(signal_runner, signalcli.person("Mila"))
    await mila.say(*SELF_REPORT_LINES)
    ref = reference(mila.texts()[-2])
    staff = SignalPerson(signal_runner, lotte)
    assert any(f"suggestie {ref}" in text for text in staff.texts())  # on the alert
    await staff.say(f"suggestie {ref}")
    [line] = [line for line in staff.last.splitlines()
              if line.startswith(f"suggestie {ref} ") and "Samen koken" in line]
    await staff.say(line)
    await signal_runner.settled()
    assert any("Suggestie bij" in text for text in staff.texts())
    assert any("Suggestie gestuurd: Samen koken" in text for text in staff.texts())  # the alert
    assert "Een idee van het Signaalpunt" in mila.last and "0115-777777" in mila.last

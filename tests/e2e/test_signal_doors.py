"""The doors on Signal: a self-report and a volunteer sign-up typed as numbers and words.

Staff on Signal get the alerts of their kind (a team member the self-report, the volunteer
coordinator the sign-up) and type their commands; ``/vergeetmij ja`` erases the writer's report.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.workflow import State
from bot.settings import Settings
from storage.models import Signal
from tests.conftest import HEERLEN, HILLEGOM, TERNEUZEN
from tests.helpers.reports import (
    SELF_NAME,
    SELF_REPORT_LINES,
    VOLUNTEER_LINES,
    VOLUNTEER_NAME,
    doors_settings,
)
from tests.helpers.signal import SignalPerson, SignalRunner, reference
from tests.helpers.stored import decrypted_dump, rows
from tests.signalcli.phones import Phone


@pytest.fixture
def lotte(signalcli: Any) -> Phone:
    """Terneuzen's team member on Signal."""
    return signalcli.person("Lotte")  # type: ignore[no-any-return]


@pytest.fixture
def kees(signalcli: Any) -> Phone:
    """Terneuzen's volunteer coordinator on Signal."""
    return signalcli.person("Kees")  # type: ignore[no-any-return]


@pytest.fixture
def settings(db_url: str, lotte: Phone, kees: Phone) -> Settings:
    terneuzen = {**TERNEUZEN, "staff": [
        *TERNEUZEN["staff"],
        {"channel": "signal", "id": lotte.aci, "name": "Lotte", "role": "team"},
        {"channel": "signal", "id": kees.aci, "name": "Kees", "role": "coordinator"}]}
    return doors_settings(db_url, gemeenten=[terneuzen, HEERLEN, HILLEGOM])


def alerts(runner: SignalRunner, phone: Phone, title: str) -> list[str]:
    """The alerts with this title a staff member's phone shows."""
    return [text for text in SignalPerson(runner, phone).texts() if title in text]


async def test_a_self_report_typed_on_signal_reaches_the_team_and_is_forgotten(
        signalcli: Any, signal_runner: SignalRunner, lotte: Phone, kees: Phone) -> None:
    mila = SignalPerson(signal_runner, signalcli.person("Mila"))
    await mila.say("/start")
    assert "1." in mila.last and "Ik voel me zelf eenzaam" in mila.last
    await mila.say(*SELF_REPORT_LINES[1:])
    ref = reference(mila.last)
    [report] = await rows(signal_runner, Signal)
    assert (report.kind, report.reference, report.gemeente_code) == ("zelfmelding", ref, "GM0715")
    assert report.answers["zm_hoe"] == "chat" and report.answers["zm_naam"] == SELF_NAME
    assert report.choices == {"zm_wens": ["praatje", "samen"]}

    [alert] = alerts(signal_runner, lotte, "Nieuwe zelfmelding")
    assert ref in alert and SELF_NAME in alert and "Via deze chat" in alert
    assert alerts(signal_runner, kees, ref) == []  # not the coordinator's
    staff = SignalPerson(signal_runner, lotte)
    await staff.say(f"oppakken {ref}")
    async with signal_runner.services.uow() as uow:
        claimed = await uow.signals.get_by_reference(reference=ref)
        assert claimed is not None and claimed.status is State.CLAIMED

    await mila.say("/vergeetmij")
    assert "helemaal" in mila.last  # asks first, and says what goes
    await mila.say("/vergeetmij ja")
    assert not any(SELF_NAME in text for text in staff.texts())
    dump = await decrypted_dump(signal_runner)
    assert SELF_NAME not in dump and mila.phone.aci not in dump


async def test_a_volunteer_typed_on_signal_reaches_the_coordinator(
        signalcli: Any, signal_runner: SignalRunner, lotte: Phone, kees: Phone) -> None:
    joop = SignalPerson(signal_runner, signalcli.person("Joop"))
    await joop.say(*VOLUNTEER_LINES)
    ref = reference(joop.last)
    [signup] = await rows(signal_runner, Signal)
    assert (signup.kind, signup.gemeente_code) == ("vrijwilliger", "GM0715")
    assert signup.choices == {"vw_wat": ["maatje", "muziek"], "vw_vaak": "af_en_toe"}

    [alert] = alerts(signal_runner, kees, "Nieuwe vrijwilliger")
    assert ref in alert and VOLUNTEER_NAME in alert and "Maatje zijn" in alert
    assert alerts(signal_runner, lotte, ref) == []  # not the team's
    coordinator = SignalPerson(signal_runner, kees)
    await coordinator.say(f"oppakken {ref}", f"afronden {ref} gekoppeld",
                          f"afronden {ref} gekoppeld ja")
    async with signal_runner.services.uow() as uow:
        closed = await uow.signals.get_by_reference(reference=ref)
        assert closed is not None and closed.status is State.CLOSED
        assert closed.outcome == "gekoppeld"
    team = SignalPerson(signal_runner, lotte)
    await team.say(f"oppakken {ref}")
    assert "niet gevonden" in team.last or "Geen toegang" in team.last

"""Reports that are not signals: a self-report and a volunteer sign-up, on Telegram and Signal.

The settings offer every door (``ALL_FLOWS``); Terneuzen has a volunteer coordinator.
"""

from __future__ import annotations

from typing import Any

from bot.settings import Settings
from tests.conftest import ALL_FLOWS, HEERLEN, HILLEGOM, TERNEUZEN, make_settings
from tests.harness import Person

COORDINATOR = 7004  # Sanne: Terneuzen's volunteer coordinator here
DOOR_SIGNAL, DOOR_SELF, DOOR_HELP = ("Ik maak me zorgen om iemand", "Ik voel me zelf eenzaam",
                                     "Ik wil iets doen voor een ander")
SELF_NAME, SELF_PHONE = "Truus-Qv8", "+31611122233"  # distinctive: searched for after erasure
VOLUNTEER_NAME = "Joop-Wx5"


def doors_settings(db_url: str, **overrides: Any) -> Settings:
    """Every door offered; Sanne (7004) is Terneuzen's volunteer coordinator."""
    staff = [{**member, "role": "coordinator"} if member["telegram_id"] == COORDINATOR
             else member for member in TERNEUZEN["staff"]]
    values: dict[str, Any] = {"intake": ALL_FLOWS,
                              "gemeenten": [{**TERNEUZEN, "staff": staff}, HEERLEN, HILLEGOM]}
    return make_settings(db_url, **{**values, **overrides})


async def file_self_report(person: Person, *, postcode: str = "4531 ab") -> None:
    """A whole self-report on Telegram: a praatje, by phone in the afternoon."""
    await person.command("start")
    await person.tap(DOOR_SELF, "Nee", "Een praatje", "Klaar")
    await person.say(postcode)
    await person.tap("Bel mij op", "'s Middags")
    await person.say(SELF_NAME)
    await person.say(SELF_PHONE)
    await person.tap("Ja, dat is goed", "Versturen")


async def sign_up_volunteer(person: Person, *, postcode: str = "4531 ab") -> None:
    """A whole volunteer sign-up on Telegram: boodschappen and music, every week."""
    await person.command("start")
    await person.tap(DOOR_HELP, "Boodschappen doen", "Samen zingen", "Klaar", "Elke week")
    await person.say(postcode)
    await person.say(VOLUNTEER_NAME)
    await person.say("0611223344")
    await person.tap("Ja, dat is goed", "Versturen")


# Typed on Signal, one line per message: the door's number, then the answers. Any first
# message opens the door, as /start does.
SELF_REPORT_LINES = ("/start", "2", "nee", "1 2", "4531 ab", "via deze chat", "maakt niet uit",
                     SELF_NAME, "ja", "verstuur")
VOLUNTEER_LINES = ("Hallo", "3", "1 5", "af en toe", "4531 ab", VOLUNTEER_NAME, "0611223344",
                   "ja", "verstuur")

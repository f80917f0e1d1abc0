"""A signal full of distinctive personal data, to search the chats and tables for."""

from __future__ import annotations

from typing import Any

from tests.harness import BotRunner, Person
from tests.helpers.staff import GROUP, REGISSEUR

SIGNALER = 987654321


async def file_distinctive_signal(api: Any, runner: BotRunner) -> Person:
    person = Person(runner, SIGNALER, "Henkie")
    await person.command("start")
    await person.tap("Nee", "Kapper")
    await person.say("4532xy")
    await person.say("77b")
    await person.tap("Post stapelt", "Klaar", "Minder dan een maand", "Elke week", "Nog niets",
                     "Klaar")
    await person.say("Zeldzaam-Woord-Qx7")
    await person.tap("Nee", "Ja, dat mag")
    await person.say("Henkie Pietersma")
    await person.say("+31 6 98765432")
    await person.tap("Versturen")
    await api.wait_for(lambda: bool(api.messages(REGISSEUR)) and bool(api.messages(GROUP)))
    return person

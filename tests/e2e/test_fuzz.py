"""Property-based fuzz: random update sequences through the stand-in against the real bot.

Random texts, commands, taps, stale, forged and other people's buttons, media and edited
messages, from two signalers at once, in every state of the conversation. Afterwards:
no ERROR was logged (conftest), bad input never changed a draft, every stored signal is
complete and in the gemeente its postcode routes to, and no signaler ever saw staff data.

Each test plays its own sequences (the World is only shared to save start-ups), so each
passes or fails on its own, alone or in any order.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage.models import Signal
from tests.conftest import TEST_KEY, make_settings
from tests.harness import BotRunner, Person, eventually, straight_on
from tests.standin import BotApiStandIn

ROUTES = {range(4531, 4540): "GM0715", range(6411, 6420): "GM0917"}
TEXTS = ["4531 AB", "4531", "6412aa", "2181 AB", "9999", "12", "12a", "0", "hallo", "Nee",
         "Klaar", "Overslaan", "Annuleren", "<b>vet</b> & <i>", "0612345678", "x" * 1500,
         "/start", "/cancel", "/help", "/privacy", "/foo", "/open", "/mijnsignalen", ""]
FORGED = ["garbage", "|||", "w|claim|1|", "w|hist|1|", "w|closeok|1|anders", "w|assignto|1|1",
          "m|decline|1", "tok|c|danger|nee", "x" * 64]
BAD = {"media", "edit", "forged", "foreign"}

action = st.one_of(
    st.tuples(st.just("text"), st.sampled_from(TEXTS) | st.text(max_size=40)),
    st.tuples(st.just("tap"), st.integers(0, 30)),
    st.tuples(st.just("tap"), st.integers(0, 30)),  # taps weigh double: they move forward
    st.tuples(st.just("old"), st.integers(0, 200)),
    st.tuples(st.just("foreign"), st.integers(0, 30)),
    st.tuples(st.just("forged"), st.sampled_from(FORGED)),
    st.tuples(st.just("media"), st.sampled_from(["photo", "sticker", "voice", "location"])),
    st.tuples(st.just("edit"), st.just("")),
    st.tuples(st.just("contact"), st.sampled_from(["+31612345678", "12"])),
)
PREFERRED = ("Verder waar ik was", "✅ Versturen", "Nee", "Klaar", "Ja, dat mag", "Kapper")
TYPED = {"postcode": "", "huisnummer": "12a", "naam": "Jan", "meer vertellen": "Stil",
         "telefoonnummer": "0612345678"}
good = st.tuples(st.just("good"), st.sampled_from(["4531 AB", "6412aa"]))
scenario = st.lists(st.tuples(st.integers(0, 1), st.one_of(action, good, good, good)),
                    min_size=1, max_size=60)
# A walk to "Versturen" for both signalers, with bad input in between: every state of the
# conversation sees bad input (random examples are short and seldom get that far).
NOISY_WALK = [step for n in range(44) for step in (
    (n % 2, ("good", "4531 AB" if n % 2 else "6412aa")),
    (n % 2, [("media", "sticker"), ("forged", "w|claim|1|"), ("edit", ""), ("text", "12"),
             ("foreign", n), ("text", "hallo")][n % 6]))]
WALK = NOISY_WALK + [(n % 2, ("good", "4531 AB")) for n in range(40)]
REFERENCE = re.compile(r"SP-\d{4}-\d{6}")


class World:
    """One bot, stand-in and database for all examples, on an event loop of its own."""

    def __init__(self, database: Path) -> None:
        self.loop = asyncio.new_event_loop()
        self.users = itertools.count(20_000, 2)
        self.settings = make_settings(f"sqlite+aiosqlite:///{database}", security={
            "encryption_key": TEST_KEY, "flood_updates": 100_000})

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    async def start(self) -> None:
        self.api = BotApiStandIn()
        await self.api.start()
        for chat in (7001, 7003, 7004, 7009, 7101):
            self.api.user(chat)
        self.api.group(-1007002)
        self.runner = BotRunner(self.api, self.settings)
        await self.runner.start()

    async def stop(self) -> None:
        await self.runner.stop()
        await self.api.stop()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    world = World(tmp_path_factory.mktemp("fuzz") / "fuzz.db")
    world.run(world.start())
    yield world
    world.run(world.stop())
    world.loop.close()


async def stored_signals(runner: BotRunner) -> list[Signal]:
    async with runner.services.uow() as uow:
        return list(await uow.session.scalars(select(Signal)))


async def outbox_drained(runner: BotRunner) -> bool:
    """Nothing queued is still to be sent (alerts go out after the update was handled)."""
    async with runner.services.uow() as uow:
        return await uow.outbox.next_due_at() is None


def assert_complete_and_routed(signal: Signal) -> None:
    expected = next((code for area, code in ROUTES.items() if signal.pc4 in area), None)
    assert signal.gemeente_code == expected, (signal.reference, signal.pc4)
    assert signal.signs and signal.role and signal.answers["postcode"].startswith(
        str(signal.pc4)), signal.reference
    assert signal.answers["house_number"], signal.reference


async def answers_of(runner: BotRunner, user: int) -> dict[str, Any] | None:
    async with runner.services.uow() as uow:
        row = await uow.drafts.get(channel="telegram", external_id=str(user))
        return dict(row.state["answers"]) if row and "answers" in row.state else None


def buttons(api: BotApiStandIn, chat: int) -> list[tuple[dict[str, Any], str]]:
    """Every (message, data) of inline buttons in a chat, newest message first."""
    found = []
    for message in reversed(api.messages(chat)):
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            found += [(message, button["callback_data"]) for button in row]
    return found


def good_step(api: BotApiStandIn, user: int, postcode: str) -> dict[str, Any] | None:
    """What a signaler who goes straight on would do next."""
    kind, value = straight_on(api, user, {**TYPED, "postcode": postcode}, PREFERRED)
    if kind == "press":
        return api.press(user, *value)
    return api.send_command(user, "start") if value == "/start" else api.send_text(user, value)


async def play(world: World, steps: list[tuple[int, tuple[str, Any]]]) -> list[int]:
    """Play the steps as two new signalers; check the invariants; return the two users."""
    api, runner = world.api, world.runner
    users = [next(world.users), next(world.users)]
    for user in users:
        Person(runner, user)
    for who, (kind, value) in steps:
        user, other = users[who], users[1 - who]
        before = await answers_of(runner, user)
        other_before = await answers_of(runner, other)
        update = None
        if kind == "text":
            update = (api.send_command(user, value[1:]) if value.startswith("/") and len(value) > 1
                      else api.send_text(user, value or " "))
        elif kind in ("tap", "old", "foreign"):
            source = buttons(api, other if kind == "foreign" else user)
            if kind == "tap":
                source = [b for b in source if b[0] is source[0][0]] if source else []
            if source:
                message, data = source[value % len(source)]
                update = api.press(user, message, data, check=False)
        elif kind == "forged" and api.messages(user):
            update = api.press(user, api.messages(user)[-1], value, check=False)
        elif kind == "media":
            update = {"photo": api.send_photo, "sticker": api.send_sticker,
                      "voice": api.send_voice}.get(value, lambda u: api.send_location(u, 51.3, 3.8)
                                                   )(user)
        elif kind == "edit":
            mine = [u for u in api.updates
                    if u.get("message", {}).get("from", {}).get("id") == user]
            if mine:
                update = api.edit_text(user, mine[-1]["message"]["message_id"], "anders")
        elif kind == "contact":
            update = api.send_contact(user, value)
        elif kind == "good":
            update = good_step(api, user, value)
        if update is None:
            continue
        await runner.processed(update)
        if kind in BAD:  # nothing entered is lost or changed (a welcome may start a draft)
            assert await answers_of(runner, user) in (before, {} if before is None else before)
        assert await answers_of(runner, other) == other_before, (kind, value)
    # Whatever the bot queued (alerts to staff) has been sent before signalers' chats are read.
    await eventually(lambda: outbox_drained(runner))
    for signal in await stored_signals(runner):
        assert_complete_and_routed(signal)
    for user in users:
        for message in api.messages(user):  # no staff data reached a signaler
            text = message.get("text", "")
            assert "🔔" not in text and "Geschiedenis" not in text and "Status:" not in text
        for answer in api.callback_answers:
            if str(answer.get("text", "")).startswith("U heeft SP-"):
                raise AssertionError("a signaler claimed a signal")
    return users


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=scenario)
def test_random_updates_never_break_a_conversation(world: World,
                                                   steps: list[tuple[int, Any]]) -> None:
    world.run(play(world, steps))


def test_bad_input_in_every_state_still_files_complete_routed_signals(world: World) -> None:
    users = world.run(play(world, WALK))
    thanked = {user: {reference for message in world.api.messages(user)
                      for reference in REFERENCE.findall(message.get("text", ""))}
               for user in users}
    assert all(thanked.values()), (
        f"the fuzz filed no signal for a signaler: it does not reach every state: {thanked}")
    stored = {signal.reference: signal for signal in world.run(stored_signals(world.runner))}
    references = set().union(*thanked.values())
    assert references <= stored.keys(), f"thanked for unstored signals {references - stored.keys()}"
    filed = [stored[reference] for reference in references]
    for signal in filed:
        assert_complete_and_routed(signal)
    assert {signal.gemeente_code for signal in filed} == set(ROUTES.values())

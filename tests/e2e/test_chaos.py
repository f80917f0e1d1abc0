"""Chaos: many signalers file at once while the bot process is killed (SIGKILL) again and again.

The bot runs as ``signaalbot run`` (the main job) in a process of its own, against the Bot API
stand-in; the test kills it at random moments and starts it again. Signalers act as people
do: each reads their chat, does the obvious next thing, and when the bot stays silent does it
again. Afterwards every signaler has exactly one reference, every signal is filed once, and
each of its gemeente's staff chats shows exactly one alert of it.
"""

from __future__ import annotations

import asyncio
import random
import signal
from pathlib import Path
from typing import Any

from tests.harness import straight_on
from tests.helpers.chaos import REFERENCE, BotProcess, outbox_settled, persist, stored_signals
from tests.standin import BotApiStandIn

GEMEENTEN = 8
PER_GEMEENTE = 5  # signalers filing for each gemeente at the same time
KILLS = 8
SILENCE = 2.0  # seconds a signaler waits for the bot before doing the same again
DEADLINE = 150.0
PREFERRED = ("Verder waar ik was", "✅ Versturen", "Nee", "Kapper", "Minder dan een maand",
             "Elke week", "Weet ik niet", "Nee, ik blijf anoniem")


def regisseur(n: int) -> int:
    return 71_000 + n


def team_group(n: int) -> int:
    return -1_007_100 - n


def write_config(tmp_path: Path, api: BotApiStandIn, db_url: str) -> Path:
    gemeenten = "".join(f"""
[[gemeenten]]
code = "GM{9000 + n}"
name = "Gemeente {n}"
pc4 = ["{5000 + n}"]
alert_chat_ids = [{regisseur(n)}, {team_group(n)}]
staff = [{{ telegram_id = {regisseur(n)}, name = "Regisseur {n}", role = "regisseur" }}]
""" for n in range(GEMEENTEN))
    path = tmp_path / "chaos.toml"
    path.write_text(f"""
[telegram]
token = "{api.token}"
base_url = "{api.base_url}"
[database]
url = "{db_url}"
[security]
flood_updates = 1000
[intake]
flows = ["signaal"]  # signals only: no door before the signal
{gemeenten}""", encoding="utf-8")
    return path


def trace(api: BotApiStandIn, user: int) -> str:
    """What a person and the bot did in their chat, in order (for a failure message)."""
    pushed = [(u["update_id"], u.get("callback_query", {}).get("data")
               or u.get("message", {}).get("text")) for u in api.updates
              if user in (u.get("callback_query", {}).get("from", {}).get("id"),
                          u.get("message", {}).get("from", {}).get("id"))]
    calls = [(round(c.at, 2), c.method, c.params.get("message_id"), c.ok,
              str(c.params.get("text", ""))[:40]) for c in api.calls
             if c.params.get("chat_id") == user]
    return f"updates {pushed}\ncalls {calls}"


def chat_state(api: BotApiStandIn, user: int) -> tuple[Any, ...]:
    """What a person sees in their chat (messages and their buttons, edits included)."""
    return tuple((m["message_id"], m.get("text"), str(m.get("reply_markup")))
                 for m in api.messages(user))


def reference_in(api: BotApiStandIn, user: int) -> list[str]:
    """The references the bot gave this person."""
    return [match.group(1) for m in api.messages(user)
            if (match := REFERENCE.search(m.get("text", "")))]


def next_step(api: BotApiStandIn, user: int, postcode: str) -> tuple[str, Any]:
    """What a person who goes straight on does next: a press or a text."""
    return straight_on(api, user, {"postcode": postcode, "huisnummer": "12",
                                   "meer vertellen": "Hij zit veel alleen"}, PREFERRED)


def act(api: BotApiStandIn, user: int, step: tuple[str, Any]) -> None:
    kind, value = step
    if kind == "press":
        message, data = value
        api.press(user, message["message_id"], data, check=False)
    elif value.startswith("/"):
        api.send_command(user, value[1:])
    else:
        api.send_text(user, value)


async def signaler(api: BotApiStandIn, user: int, postcode: str,
                   repeats: list[int]) -> str | None:
    """File one signal, repeating the last action whenever the bot stays silent."""
    return await persist(
        reference=lambda: next(iter(reference_in(api, user)), None),
        seen=lambda: chat_state(api, user),
        act=lambda: act(api, user, next_step(api, user, postcode)),
        wait_for=api.wait_for, silence=SILENCE, deadline=DEADLINE, repeats=repeats, who=user)


async def test_signalers_file_through_repeated_kills(api: BotApiStandIn, db_url: str,
                                                     tmp_path: Path) -> None:
    for n in range(GEMEENTEN):
        api.user(regisseur(n), first_name=f"Regisseur {n}")
        api.group(team_group(n), title=f"Team {n}")
    config = write_config(tmp_path, api, db_url)
    bot, rng = BotProcess(config, tmp_path / "bot.log"), random.Random(14)
    users = {80_000 + n: (n % GEMEENTEN) for n in range(GEMEENTEN * PER_GEMEENTE)}
    await bot.start()
    repeats: list[int] = []
    filing = [asyncio.create_task(signaler(api, user, f"{5000 + n} AB", repeats))
              for user, n in users.items()]
    try:
        for _ in range(KILLS):
            await api.wait_for(lambda: api.polling, timeout=30)  # up, and taking updates
            await asyncio.sleep(rng.uniform(0.2, 1.5))
            await bot.stop(signal.SIGKILL)
            await bot.start()
        references = await asyncio.gather(*filing)
        stranded = [user for user, reference in zip(users, references, strict=True)
                    if reference is None]
        assert not stranded, "\n".join(
            [f"stranded: {stranded}; bot exit code {bot.process and bot.process.returncode}"]
            + [f"{user}: {chat_state(api, user)[-2:]}" for user in stranded]
            + [trace(api, user) for user in stranded[:1]])
        await outbox_settled(config)
        await api.wait_idle(quiet=0.5, timeout=30)
    finally:
        for task in filing:
            task.cancel()
        await bot.stop(signal.SIGTERM)
    assert repeats  # the kills were felt: people had to do things again
    for user in users:  # exactly one reference each
        assert len(set(reference_in(api, user))) == 1, user
    given = dict(zip(users, references, strict=True))
    assert len(set(given.values())) == len(users)
    filed = await stored_signals(config)
    assert filed == {reference: f"GM{9000 + users[user]}" for user, reference in given.items()}
    for user, reference in given.items():  # one alert in each staff chat of its gemeente
        n = users[user]
        for chat in (regisseur(n), team_group(n)):
            shown = [m for m in api.messages(chat) if f"Nieuw signaal {reference}" in m["text"]]
            assert len(shown) == 1, (reference, chat, len(shown))

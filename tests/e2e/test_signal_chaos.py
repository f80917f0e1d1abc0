"""Chaos over Signal: many signalers file at once while the bot process is killed again and again.

The bot runs as ``signaalbot run`` with only ``[signal]`` set, in a process of its own, against
the signal-cli stand-in served here; the test kills it (SIGKILL) at random moments and starts
it again, and after some kills the stand-in delivers recently written events again (as
signal-cli does with what it had not acknowledged). Signalers act as people do: each reads the
bot's newest message in their chat, types the obvious next thing, and when the bot stays
silent types it again (an event read but not handled when the bot died is lost). Staff are on
Signal too. Afterwards every signaler's chat shows exactly one reference, every signal is
filed once, and each staff chat of its gemeente shows exactly one alert of it, the one on
record. The one exception is README's crash window: a copy signal-cli sent just before a kill,
which the bot had not recorded yet, goes again after the restart; the test checks that an
extra copy is exactly that.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import signal
import time
from pathlib import Path

from bot.core import messages
from tests.helpers.chaos import (
    REFERENCE,
    BotProcess,
    alert_records,
    outbox_settled,
    persist,
    stored_signals,
)
from tests.helpers.signal import ACCOUNT
from tests.signalcli import SignalCliStandIn
from tests.signalcli.phones import Phone

GEMEENTEN = 5
PER_GEMEENTE = 4  # signalers filing for each gemeente at the same time
KILLS = 8
REDELIVER = (1, 2, 5, 7)  # after these kills the stand-in delivers recent events again
START_WITHIN = 15.0  # seconds: signalers start one by one
THINK = (0.2, 1.2)  # seconds a signaler takes to read and type an answer
SILENCE = 2.0  # seconds a signaler waits for the bot before typing the same again
DEADLINE = 80.0
CRASH_WINDOW_MS = 1000  # a copy sent this shortly before a kill may not be on record
PREFERRED = ("Verder waar ik was", "Nee", "Kapper / salon", "Minder dan een maand",
             "Elke week", "Weet ik niet", "Nee, ik blijf anoniem")
TYPED = {"postcode": None, "huisnummer": "12", "meer vertellen": "Hij zit veel alleen"}
OPTION = re.compile(r"^(\d+)\. (?:✅ )?(.+)$", re.M)  # a numbered choice
WORD = re.compile(r"'([^']+)'")  # a word to type instead of a choice


def write_config(tmp_path: Path, cli: SignalCliStandIn, db_url: str,
                 staff: list[tuple[Phone, Phone]]) -> Path:
    """Signal only; each gemeente's regisseur and team member on Signal (their ACIs)."""
    gemeenten = "".join(f"""
[[gemeenten]]
code = "GM{9000 + n}"
name = "Gemeente {n}"
pc4 = ["{5000 + n}"]
staff = [
  {{ channel = "signal", id = "{regisseur.aci}", name = "Regisseur {n}", role = "regisseur" }},
  {{ channel = "signal", id = "{team.aci}", name = "Team {n}", role = "team" }},
]
""" for n, (regisseur, team) in enumerate(staff))
    path = tmp_path / "signal-chaos.toml"
    path.write_text(f"""
[signal]
account = "{ACCOUNT}"
rpc_url = "{cli.rpc_url}"
events_url = "{cli.events_url}"
[database]
url = "{db_url}"
[security]
flood_updates = 1000
[intake]
flows = ["signaal"]  # signals only: no door before the signal
{gemeenten}""", encoding="utf-8")
    return path


def shown(cli: SignalCliStandIn, phone: Phone) -> list[str]:
    """The bot's messages this person's phone shows (not deleted), oldest first."""
    return [m.text for m in cli.messages(phone) if not m.deleted]


def reference_in(cli: SignalCliStandIn, phone: Phone) -> list[str]:
    """The references the bot gave this person."""
    return [match.group(1) for text in shown(cli, phone) if (match := REFERENCE.search(text))]


def next_line(cli: SignalCliStandIn, phone: Phone, postcode: str) -> str:
    """What a person who goes straight on types next, from the bot's newest message."""
    texts = shown(cli, phone)
    if not texts:
        return "/start"
    last = texts[-1]
    if messages.SUMMARY_COMMANDS in last:
        return messages.WORD_SEND
    options = OPTION.findall(last)
    if options and messages.TYPE_NUMBERS in last:
        return options[0][0]
    labels = {label: number for number, label in options} | {
        word: word for word in WORD.findall(last) if word in PREFERRED}  # 'Verder waar ik was'
    picked = next((labels[p] for p in PREFERRED if p in labels), None)
    if picked or options:
        return picked or options[0][0]
    return next((answer or postcode for cue, answer in TYPED.items() if cue in last), "/start")


def trace(cli: SignalCliStandIn, phone: Phone) -> str:
    """What a person typed and what the bot wrote them, in order (for a failure message)."""
    typed = [(e["envelope"]["timestamp"], e["envelope"]["dataMessage"]["message"])
             for e in cli.events if e["envelope"].get("sourceUuid") == phone.aci
             and "dataMessage" in e["envelope"]]
    written = [(m.timestamp, m.deleted, m.text[:50]) for m in cli.messages(phone)]
    return f"typed {typed}\nwritten {written}"


async def signaler(cli: SignalCliStandIn, phone: Phone, postcode: str, repeats: list[str],
                   rng: random.Random) -> str | None:
    """File one signal, starting some time from now, taking a moment to read and type
    each answer, and typing the same again whenever the bot stays silent."""
    await asyncio.sleep(rng.uniform(0, START_WITHIN))
    return await persist(
        reference=lambda: next(iter(reference_in(cli, phone)), None),
        seen=lambda: tuple(shown(cli, phone)),
        act=lambda: phone.says(next_line(cli, phone, postcode)),
        wait_for=cli.wait_for, silence=SILENCE, deadline=DEADLINE, repeats=repeats,
        who=phone.name, think=lambda: rng.uniform(*THINK))


async def restart_bot(bot: BotProcess, cli: SignalCliStandIn, redeliver: float,
                      killed: list[int]) -> None:
    """Kill the bot; with `redeliver`, signal-cli restarts and sends recent events again."""
    killed.append(int(time.time() * 1000))
    await bot.stop(signal.SIGKILL)
    await cli.wait_for(lambda: cli.connected == 0, timeout=5)  # its stream is seen to drop
    if redeliver:
        await cli.restart(down_for=0.1, redeliver=redeliver)
    await bot.start()


async def quiet(cli: SignalCliStandIn, seconds: float = 1.0) -> None:
    """Wait until the bot has made no call for `seconds` (it is done with what it read)."""
    async with asyncio.timeout(30):
        while True:
            calls = len(cli.calls)
            await asyncio.sleep(seconds)
            if len(cli.calls) == calls and not cli.pending:
                return


async def test_signalers_on_signal_file_through_repeated_kills(db_url: str,
                                                               tmp_path: Path) -> None:
    async with SignalCliStandIn(account=ACCOUNT) as cli:
        staff = [(cli.person(f"Regisseur {n}"), cli.person(f"Team {n}"))
                 for n in range(GEMEENTEN)]
        config = write_config(tmp_path, cli, db_url, staff)
        bot, rng = BotProcess(config, tmp_path / "bot.log"), random.Random(17)
        people = {cli.person(f"Melder {i}"): i % GEMEENTEN
                  for i in range(GEMEENTEN * PER_GEMEENTE)}
        await bot.start()
        repeats: list[str] = []
        killed: list[int] = []  # when (ms)
        mid_filing = 0  # kills while someone was still filing
        filing = [asyncio.create_task(signaler(cli, phone, f"{5000 + n} AB", repeats,
                                             random.Random(i)))
                  for i, (phone, n) in enumerate(people.items())]
        try:
            for kill in range(KILLS):
                await cli.wait_connected(timeout=30)  # up, and reading the stream
                await asyncio.sleep(rng.uniform(0.3, 2.0))
                if kill % 2:  # just after someone typed: the bot has it, maybe not handled
                    typed = len(cli.events)
                    with contextlib.suppress(AssertionError):  # (or all are done)
                        await cli.wait_for(lambda n=typed: len(cli.events) > n, timeout=5)
                    await asyncio.sleep(rng.uniform(0, 0.02))
                mid_filing += not all(task.done() for task in filing)
                await restart_bot(bot, cli, rng.uniform(0.5, 3.0) if kill in REDELIVER else 0,
                                  killed)
            references = await asyncio.gather(*filing)
            stranded = [phone for phone, reference in zip(people, references, strict=True)
                        if reference is None]
            assert not stranded, "\n".join(
                [f"stranded: {[p.name for p in stranded]}; bot exit code "
                 f"{bot.process and bot.process.returncode}"]
                + [f"{p.name}: {shown(cli, p)[-1:]}" for p in stranded]
                + [trace(cli, p) for p in stranded[:1]])
            await outbox_settled(config, channel="signal")
            await quiet(cli)
        finally:
            for task in filing:
                task.cancel()
            await bot.stop(signal.SIGTERM)
    # The kills fell mid-conversation (whether someone then had to type a thing again depends
    # on whether the bot had an unanswered message in hand: often, not always).
    assert len(killed) == KILLS and mid_filing >= KILLS // 2, (killed, mid_filing, repeats)
    for phone in people:  # exactly one reference each
        assert len(set(reference_in(cli, phone))) == 1, trace(cli, phone)
    given = {phone: reference for phone, reference in zip(people, references, strict=True)}
    assert len(set(given.values())) == len(people)
    filed = await stored_signals(config)
    assert filed == {reference: f"GM{9000 + people[phone]}" for phone, reference in given.items()}
    recorded = await alert_records(config)
    records = {(reference, chat): copy for reference, chat, copy in recorded}
    assert len(records) == len(recorded)
    assert set(records) == {(reference, member.aci) for phone, reference in given.items()
                            for member in staff[people[phone]]}  # one each, none elsewhere
    by_aci = {member.aci: member for members in staff for member in members}
    for (reference, chat), copy in records.items():  # and each staff chat shows that one
        shows = [m.timestamp for m in cli.messages(by_aci[str(chat)])
                 if not m.deleted and f"Nieuw signaal {reference}" in m.text]
        assert copy in shows, (reference, chat, copy, shows)
        assert all(unrecorded(sent, killed) for sent in shows if sent != copy), (
            reference, chat, copy, shows, killed)


def unrecorded(sent: int, killed: list[int]) -> bool:
    """A copy signal-cli sent just before a kill, before the bot recorded it.

    Signal has no idempotent send: such a copy goes again after the restart (README,
    "What Telegram cannot promise"). Any other extra copy is a doubled alert.
    """
    return any(0 <= kill - sent <= CRASH_WINDOW_MS for kill in killed)

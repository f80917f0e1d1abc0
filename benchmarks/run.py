"""How fast and how far one Signaalbot process goes, against the python-telegram-bot floor.

Run from the repository root::

    python benchmarks/run.py [--quick] [--database sqlite|postgresql|both] [--drafts N]

Everything runs on this machine: the Telegram Bot API stand-in (``tests/standin/``) and the
simulated people run in this process, each bot in a process of its own
(``benchmarks/botproc.py``), so the bot's CPU time and memory are its own. A simulated person
pushes an update into the stand-in and waits for the bot's reply before the next step, like a
person (closed loop). Latency is from the push until the reply call reaches the stand-in.
Signaalbot runs with Telegram's overall cap of ~30 messages/s lifted (it enforces that cap
itself; the stand-in and the echo floor have none), so the figures are the process's own.

1. Echo bots (``echo_section``): a bare stock PTB echo bot, sequential, is **the floor**; the
   same bot on other transports and with concurrent updates, and a raw aiohttp loop without
   PTB, show what the framework and the transport cost.
2. Signaalbot (``signaalbot_section``), per database: N signalers each filing a full signal
   exactly like ``tests.harness.file_signal`` (saturation: no pause between steps), the same at
   a person's pace, and the memory cost of 10k open drafts. Phases are functions in
   ``PHASES``; add one there to measure something more in the same bot process.
3. The alert burst (``burst.py``).
4. Signal (``signal_intake.py``), per database: a bot serving Signal alone against the
   signal-cli stand-in, the same people walking a whole signal typed on Signal, at saturation
   and at a person's pace, printed beside Signaalbot on Telegram. It runs after the rest, so it
   cannot touch the figures against the floor.
5. The web chat (``web_intake.py``), per database: a bot serving the web chat alone, the same
   people walking a whole signal through its forms in browsers of their own (requests/s, p99),
   printed beside Signaalbot on Telegram; after the rest too.
6. Several workers (``workers.py``, with ``--workers``): the single process, then 1, 2 and 4
   ``signaalbot run`` workers in webhook mode on one PostgreSQL database; last.

Prints tables and writes ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import importlib.util
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PTB_TIMEDELTA", "true")

import burst  # noqa: E402  (beside this script)
import signal_intake  # noqa: E402  (beside this script)
import telegram  # noqa: E402
import web_intake  # noqa: E402  (beside this script)
import workers  # noqa: E402  (beside this script)
from measure import (  # noqa: E402  (beside this script)
    ALERT_CHATS,
    SIGNALS_ONLY,
    WARM_UP_SIGNALS,
    BenchStandIn,
    BotProcess,
    Database,
    Measurement,
    SimulatedPerson,
    new_people,
    pool,
    print_echo_row,
    print_signaalbot_row,
    running_bot,
    settled_rss_kb,
)

from storage.crypto import generate_key  # noqa: E402
from tests.harness import file_signal  # noqa: E402

RESULTS = Path(__file__).with_name("results") / "latest.json"
# The demo gemeente of the tests (tests/conftest.py's TERNEUZEN); a person's alert chat gets
# alerts only as staff.
TERNEUZEN = {"code": "GM0715", "name": "Terneuzen", "pc4": ["4531-4539"],
             "alert_chat_ids": list(ALERT_CHATS),
             "staff": [{"telegram_id": ALERT_CHATS[0], "name": "Carine", "role": "regisseur"}]}
SIGNAALBOT_CONCURRENCY = 64
UNCAPPED_PER_SECOND = 1_000_000


@dataclass(frozen=True)
class Load:
    """How much each section does."""

    echo_users: int  # concurrent echo users
    echo_messages: int  # per echo user
    signalers: int  # concurrent signalers in the saturation run
    signals: int  # per signaler and round in the saturation run (each by a new person)
    rounds: int  # saturation rounds, each right after a round of the floor
    paced_signalers: int  # concurrent signalers in the paced run
    pace: tuple[float, float]  # think time before each step in the paced run, seconds
    drafts: int  # drafts opened for the memory figure
    variants: bool  # every echo variant and the non-default Signaalbot variants


# The full paced run offers about 50 updates/s (people who take 1-3 s per step); the quick one
# about 90, in less time.
FULL = Load(echo_users=100, echo_messages=20, signalers=100, signals=1, rounds=4,
            paced_signalers=100, pace=(1.0, 3.0), drafts=10_000, variants=True)
QUICK = Load(echo_users=50, echo_messages=10, signalers=50, signals=1, rounds=2,
             paced_signalers=20, pace=(0.1, 0.3), drafts=150, variants=False)

# Echo bot variants: (name, backend, concurrent updates, Signaalbot's ordered processor, uvloop).
ECHO_VARIANTS = [
    ("stock httpx, sequential (floor)", "httpx", 1, False, False),
    ("stock httpx, sequential, uvloop", "httpx", 1, False, True),
    ("stock httpx, concurrent 64", "httpx", 64, False, False),
    ("httpx + httpx-aiohttp transport, sequential", "httpx-aiohttp", 1, False, False),
    ("httpx + httpx-aiohttp transport, concurrent 64", "httpx-aiohttp", 64, False, False),
    ("AiohttpRequest, sequential", "aiohttp", 1, False, False),
    ("AiohttpRequest, concurrent 64", "aiohttp", 64, False, False),
    ("AiohttpRequest, concurrent 64, chat-ordered", "aiohttp", 64, True, False),
    ("AiohttpRequest, concurrent 64, chat-ordered, uvloop", "aiohttp", 64, True, True),
]
FLOOR = ECHO_VARIANTS[0]
SIGNAALBOT_TRANSPORT = ECHO_VARIANTS[-1][0]  # the transport and processing Signaalbot uses


# --- section 1: echo bots -------------------------------------------------------------------


def echo_spec(variant: tuple[str, str, int, bool, bool]) -> dict[str, Any]:
    """The bot process spec of an echo variant."""
    _name, backend, concurrent, ordered, uvloop = variant
    return {"kind": "raw" if backend == "raw" else "echo", "backend": backend,
            "concurrent": concurrent, "ordered": ordered, "uvloop": uvloop}


async def echo_warm_up(api: BenchStandIn, load: Load) -> None:
    """Each of ``load.echo_users`` new people says hello once (connections, caches)."""
    await pool((person.say("Hallo") for person in new_people(api, load.echo_users, [])),
               load.echo_users)


async def echo_round(api: BenchStandIn, bot: BotProcess, load: Load) -> Measurement:
    """``load.echo_users`` new people at once, each sending ``load.echo_messages`` in turn."""
    result = Measurement()
    people = list(new_people(api, load.echo_users, result.latencies))

    async def talk(person: SimulatedPerson) -> None:
        for number in range(load.echo_messages):
            await person.say(f"Bericht {number}")

    return await bot.measure(asyncio.gather(*(talk(person) for person in people)), result)


async def echo_run(variant: tuple[str, str, int, bool, bool], load: Load, log_dir: Path
                   ) -> dict[str, Any]:
    """One echo bot, warmed up, then one round."""
    name, backend, concurrent, _ordered, uvloop = variant
    async with running_bot(echo_spec(variant), log_dir) as (api, bot, errors):
        await echo_warm_up(api, load)
        result = await echo_round(api, bot, load)
        summary = {"variant": name, "backend": backend, "concurrent_updates": concurrent,
                   "uvloop": uvloop, **result.summary(),
                   "peak_rss_mb": round(bot.memory_kb()["VmHWM"] / 1024, 1)}
    summary["errors"] = errors
    return summary


async def echo_section(load: Load, log_dir: Path) -> dict[str, dict[str, Any]]:
    """Signaalbot's transport; with ``load.variants`` every variant and raw.

    (The floor runs beside Signaalbot too: ``signaalbot_section``.)
    """
    variants = [v for v in ECHO_VARIANTS if load.variants or v[0] == SIGNAALBOT_TRANSPORT]
    if load.variants:
        variants.append(("raw aiohttp loop, no PTB, sequential", "raw", 1, False, False))
    results = {}
    for variant in variants:
        if variant[1] == "httpx-aiohttp" and importlib.util.find_spec("httpx_aiohttp") is None:
            print(f"  {variant[0]:<48} skipped: pip install httpx-aiohttp to measure it")
            continue
        results[variant[0]] = await echo_run(variant, load, log_dir)
        print_echo_row(results[variant[0]])
    return results


# --- section 2: Signaalbot --------------------------------------------------------------------


@dataclass
class Context:
    """What the Signaalbot phases share: the stand-in, the bot process, the load, the database."""

    api: BenchStandIn
    bot: BotProcess
    load: Load
    database: Database
    floor: Callable[[], Awaitable[Measurement]]  # one round of the floor, in its own process


async def saturation(ctx: Context) -> dict[str, Any]:
    """``load.signalers`` at once, each filing ``load.signals`` signals without pausing.

    In ``load.rounds`` rounds, each right after a round of the floor: this machine's speed
    drifts by a fifth or more within minutes, so the ratio compares runs seconds apart.
    """
    await pool((file_signal(person) for person in new_people(ctx.api, WARM_UP_SIGNALS, [])),
               WARM_UP_SIGNALS)
    result, floor, ratios = Measurement(), Measurement(), []

    async def signaler(run: Measurement) -> None:
        for person in new_people(ctx.api, ctx.load.signals, run.latencies):
            await file_signal(person)
            run.reports += 1

    for _ in range(ctx.load.rounds):
        floor_run, run = await ctx.floor(), Measurement()
        await ctx.bot.measure(
            asyncio.gather(*(signaler(run) for _ in range(ctx.load.signalers))), run)
        ratios.append(round(run.updates_per_s / floor_run.updates_per_s, 2))
        result.add(run)
        floor.add(floor_run)
    return {**result.summary(), "floor_updates_per_s": round(floor.updates_per_s, 1),
            "ratio": round(result.updates_per_s / floor.updates_per_s, 2),
            "round_ratios": ratios}


async def paced(ctx: Context) -> dict[str, Any]:
    """``load.paced_signalers`` at once, pausing before each step like a person."""
    result = Measurement()
    people = list(new_people(ctx.api, ctx.load.paced_signalers, result.latencies, ctx.load.pace))
    await ctx.bot.measure(asyncio.gather(*(file_signal(person) for person in people)), result)
    result.reports = len(people)
    return {"signalers": len(people), "think_s": list(ctx.load.pace), **result.summary()}


async def open_drafts(ctx: Context) -> dict[str, Any]:
    """Open ``load.drafts`` conversations that stop at the third step; the bot's RSS growth."""
    before = await settled_rss_kb(ctx.bot)
    ignored: list[float] = []

    async def start(person: SimulatedPerson) -> None:
        await person.command("start")
        await person.tap("Nee")
        await person.tap("Kapper")

    started = time.monotonic()
    await pool((start(person) for person in new_people(ctx.api, ctx.load.drafts, ignored)),
               ctx.load.signalers)
    seconds = time.monotonic() - started
    after = await settled_rss_kb(ctx.bot)
    stored = await ctx.database.count_drafts()
    return {"drafts": ctx.load.drafts, "drafts_in_database": stored,
            "seconds": round(seconds, 1), "rss_before_mb": round(before / 1024, 1),
            "rss_after_mb": round(after / 1024, 1),
            "bytes_per_draft": round((after - before) * 1024 / ctx.load.drafts)}


Phase = Callable[[Context], Awaitable[dict[str, Any]]]
# Phases run in this order against one bot process; each result is stored under its name.
PHASES: list[tuple[str, Phase]] = [
    ("saturation", saturation),
    ("paced", paced),
    ("drafts", open_drafts),
]


def signaalbot_settings(database_url: str, backend: str, concurrent: int) -> dict[str, Any]:
    """A real Signaalbot settings dict (the stand-in's token and URL are added per run).

    Telegram's overall cap of about 30 messages a second, which Signaalbot enforces itself
    (``telegram.messages_per_second``), is lifted: the stand-in has no cap and neither has the
    echo floor, so the figures are those of the process.
    """
    return {"telegram": {"http_backend": backend, "concurrent_updates": concurrent,
                         "messages_per_second": UNCAPPED_PER_SECOND},
            "database": {"url": database_url}, "security": {"encryption_key": generate_key()},
            "gemeenten": [TERNEUZEN], "intake": SIGNALS_ONLY}


async def signaalbot_run(kind: str, load: Load, log_dir: Path,
                         floor: Callable[[], Awaitable[Measurement]], *,
                         backend: str = "aiohttp", concurrent: int = SIGNAALBOT_CONCURRENCY,
                         phases: list[tuple[str, Phase]] = PHASES) -> dict[str, Any]:
    """One Signaalbot process on a fresh database of ``kind``, through the given phases."""
    async with Database(kind, log_dir) as database:
        spec = {"kind": "signaalbot",
                "settings": signaalbot_settings(database.url, backend, concurrent)}
        summary: dict[str, Any] = {"database": kind, "backend": backend,
                                   "concurrent_updates": concurrent}
        async with running_bot(spec, log_dir) as (api, bot, errors):
            ctx = Context(api, bot, load, database, floor)
            for name, phase in phases:
                summary[name] = await phase(ctx)
            summary["peak_rss_mb"] = round(bot.memory_kb()["VmHWM"] / 1024, 1)
        summary["errors"] = errors
    return summary


async def signaalbot_section(databases: list[str], load: Load, log_dir: Path
                             ) -> dict[str, dict[str, Any]]:
    """Signaalbot on each database; with ``load.variants`` also other transports/concurrency.

    The floor's echo bot runs beside it, in its own process, for the interleaved rounds.
    """
    results = {}
    async with running_bot(echo_spec(FLOOR), log_dir) as (floor_api, floor_bot, _):
        await echo_warm_up(floor_api, load)

        async def floor() -> Measurement:
            return await echo_round(floor_api, floor_bot, load)

        for kind in databases:
            results[kind] = await signaalbot_run(kind, load, log_dir, floor)
            print_signaalbot_row(f"{kind}, aiohttp, chat-ordered 64", results[kind])
        if load.variants:
            only_saturation = PHASES[:1]
            for label, backend, concurrent in (("httpx, chat-ordered 64", "httpx", 64),
                                               ("aiohttp, sequential", "aiohttp", 1)):
                kind = databases[0]
                result = await signaalbot_run(kind, load, log_dir, floor, backend=backend,
                                              concurrent=concurrent, phases=only_saturation)
                results[f"{kind}, {label}"] = result
                print_signaalbot_row(f"{kind}, {label}", result)
    return results


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = next((line.split(":", 1)[1].strip() for line in
                Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")),
               platform.processor())
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "python_telegram_bot": telegram.__version__, "system": platform.platform(),
            "load_average_at_start": round(os.getloadavg()[0], 2)}


def headline(intake: dict[str, dict[str, Any]], databases: list[str]) -> dict[str, Any]:
    """The required top-level keys: from the database with the lowest ratio to the floor."""
    database = min(databases, key=lambda kind: intake[kind]["saturation"]["ratio"])
    chosen = intake[database]
    return {
        "floor_updates_per_s": chosen["saturation"]["floor_updates_per_s"],
        "intake_updates_per_s": chosen["saturation"]["updates_per_s"],
        "ratio": chosen["saturation"]["ratio"],
        "p50_ms": chosen["saturation"]["p50_ms"],
        "p99_ms": chosen["saturation"]["p99_ms"],
        "paced_p50_ms": chosen["paced"]["p50_ms"],
        "paced_p99_ms": chosen["paced"]["p99_ms"],
        "reports_per_s": chosen["saturation"]["reports_per_s"],
        "peak_rss_mb": chosen["peak_rss_mb"],
        "bytes_per_draft": chosen["drafts"]["bytes_per_draft"],
        "database": database,
    }


async def main(quick: bool, database: str, drafts: int | None, output: Path,
               several: bool = False) -> dict[str, Any]:
    """Run every section (``several``: with the several-workers one) and write the results."""
    load = QUICK if quick else FULL
    if drafts is not None:
        load = dataclasses.replace(load, drafts=drafts)
    databases = ["sqlite", "postgresql"] if database == "both" else [database]
    if "postgresql" in databases and (problem := await Database.postgresql_problem()):
        print(f"skipping PostgreSQL: {problem}")
        databases.remove("postgresql")
    if not databases:
        raise SystemExit("no database to benchmark")
    random.seed(8)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sb_bench_") as tmp:
        log_dir = Path(tmp)
        print(f"Echo bots: {load.echo_users} users x {load.echo_messages} messages, closed loop"
              " (CPU: bot CPU ms per update, bot and driver CPU use)")
        print(f"  {'variant':<48} {'upd/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU ms':>6} "
              f"{'bot':>6} {'drv':>6}")
        echo = await echo_section(load, log_dir)
        print(f"\nSignaalbot: {load.rounds} rounds of {load.signalers} signalers x {load.signals} "
              f"full signals, each after a round of the floor (floor, ratio); then "
              f"{load.paced_signalers} paced {load.pace[0]}-{load.pace[1]} s per step; then "
              f"{load.drafts} open drafts")
        print(f"  {'database, transport, processing':<36} {'upd/s':>7} {'floor':>5} {'ratio':>5} "
              f"{'rep/s':>6} "
              f"{'p50/p99 ms':>13} {'paced p50/p99':>13} {'CPU ms':>6} {'bot':>5} "
              f"{'RSS MB':>6} {'B/draft':>8}")
        intake = await signaalbot_section(databases, load, log_dir)
        alerts, chats, pace = (120, 40, (0.5, 1.5)) if quick else (500, 100, (0.5, 1.5))
        print(f"\nAlert burst: {alerts} alerts to {chats} chats at Telegram's cap, while 20 "
              f"signalers file a signal (reading {pace[0]}-{pace[1]} s per step)")
        async with Database(databases[0], log_dir) as burst_database:
            burst_figures = await burst.run(alerts, chats, 20, burst_database.url, pace)
        for key, value in burst_figures.items():
            print(f"  {key:28} {value}")
        signal = await signal_intake.signal_section(databases, load, log_dir, intake)
        web = await web_intake.web_section(databases, load, log_dir, intake)
        pooled = await workers.workers_section(
            load.signalers, load.signals * load.rounds, log_dir,
            signaalbot_settings("", "aiohttp", SIGNAALBOT_CONCURRENCY)) if several else None
    top = headline(intake, databases)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "machine": machine(),
        **top,
        **burst_figures,
        **signal_intake.headline(signal, top["database"]),
        **web_intake.headline(web, top["database"]),
        "load": dataclasses.asdict(load),
        "echo": echo,
        "intake": intake,
        "signal": signal,
        "web": web,
        **({"workers": pooled} if pooled else {}),
        "run_seconds": round(time.monotonic() - started, 1),
    }
    print(f"\nfloor {results['floor_updates_per_s']:.0f} upd/s, intake "
          f"{results['intake_updates_per_s']:.0f} upd/s ({results['database']}): ratio "
          f"{results['ratio']:.2f}; p50/p99 {results['p50_ms']}/{results['p99_ms']} ms "
          f"(paced {results['paced_p50_ms']}/{results['paced_p99_ms']} ms); peak RSS "
          f"{results['peak_rss_mb']} MB; {results['bytes_per_draft']} bytes/draft; "
          f"{results['run_seconds']} s; Signal {results['signal_updates_per_s']:.0f} upd/s "
          f"(paced p50/p99 {results['signal_paced_p50_ms']}/{results['signal_paced_p99_ms']} ms); "
          f"web {results['web_requests_per_s']:.0f} req/s (paced p50/p99 "
          f"{results['web_paced_p50_ms']}/{results['web_paced_p99_ms']} ms)")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {output}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller load, under a minute")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--drafts", type=int, help=f"open drafts to measure (default "
                        f"{FULL.drafts}, quick {QUICK.drafts})")
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--workers", action="store_true",
                        help="also 1, 2 and 4 webhook workers on PostgreSQL (workers.py)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.quick, arguments.database, arguments.drafts, arguments.output,
                     arguments.workers))

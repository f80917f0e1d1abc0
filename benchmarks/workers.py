"""Several workers (``run.py --workers``): Signaalbot as 1, 2 and 4 webhook workers on one
PostgreSQL database, against the single process.

The single process is the production default: one ``signaalbot`` process long-polling
(``botproc.py``, as in the Telegram section). The workers are ``signaalbot run`` processes in
webhook mode (``tests.helpers.workers``); the stand-in posts every update as Telegram does (up
to 40 at once), to one worker after the other, as a load balancer in front of them would (one
that costs next to nothing and runs elsewhere: not the test suite's, in Python on these cores).
Each runs the same load: a warm-up, then ``rounds`` rounds of ``signalers`` new people filing
whole signals without pauses, exactly like ``tests.harness.file_signal``. Figures: updates/s
against the single process, latency, CPU per update summed over the workers, the CPU the
benchmark's own process used (stand-in and simulated people: it shares the cores), and how
often per update a bot process gave up or lost its core (context switches, from /proc). Every
worker is a process of its own, so on this machine's cores they share what the single process
had alone; the ``per_core_updates_per_s`` figure (1000 / CPU ms per update) is what each
further core adds while PostgreSQL keeps up.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

from measure import (
    ALERT_CHATS,
    WARM_UP_SIGNALS,
    BenchStandIn,
    Database,
    Measurement,
    context_switches,
    cpu_seconds,
    new_people,
    pool,
    running_bot,
)

from tests.harness import file_signal
from tests.helpers.workers import Workers, worker_config

COUNTS = (1, 2, 4)


def config(api: BenchStandIn, db_url: str, url: str) -> str:
    """The workers' config: as the single process's (``run.signaalbot_settings``), by webhook."""
    return worker_config(api, db_url, url, alert_chat_ids=ALERT_CHATS,
                         telegram="messages_per_second = 1000000\nconcurrent_updates = 64")


async def saturate(api: BenchStandIn, pids: list[int], signalers: int, signals: int
                   ) -> dict[str, Any]:
    """A warm-up, then ``signalers`` people at once each filing ``signals`` signals."""
    await pool((file_signal(person) for person in new_people(api, WARM_UP_SIGNALS, [])),
               WARM_UP_SIGNALS)
    run = Measurement()

    async def signaler() -> None:
        for person in new_people(api, signals, run.latencies):
            await file_signal(person)
            run.reports += 1

    cpu, driver, started = cpu_seconds(*pids), time.process_time(), time.monotonic()
    switches = context_switches(*pids)
    await asyncio.gather(*(signaler() for _ in range(signalers)))
    run.seconds, run.bot_cpu_s = time.monotonic() - started, cpu_seconds(*pids) - cpu
    run.driver_cpu_s = time.process_time() - driver
    figures = run.summary()
    figures["switches_per_update"] = round(
        (context_switches(*pids) - switches) / figures["updates"], 2)
    return figures


async def single(log_dir: Path, signalers: int, signals: int, settings: dict[str, Any]
                 ) -> dict[str, Any]:
    """The single process, long polling."""
    async with running_bot({"kind": "signaalbot", "settings": settings}, log_dir) as (
            api, bot, errors):
        figures = await saturate(api, [bot.pid], signalers, signals)
    return {**figures, "errors": errors}


async def pooled(count: int, database: Database, log_dir: Path, signalers: int,
                 signals: int) -> dict[str, Any]:
    """``count`` webhook workers behind the load balancer."""
    async with BenchStandIn() as api:
        api.user(ALERT_CHATS[0], first_name="Regisseur")
        api.group(ALERT_CHATS[1], title="Team Terneuzen")
        directory = log_dir / f"workers-{count}"
        directory.mkdir()
        workers = Workers(api, directory, database.url, count, config=config)
        await workers.start()
        api.backends = [f"http://127.0.0.1:{port}/telegram" for port in workers.ports]
        try:
            figures = await saturate(api, [p.pid for p in workers.processes], signalers,
                                     signals)
        finally:
            codes = await workers.stop()
    errors = [line for number in range(count) for line in workers.output(number).splitlines()
              if line.startswith(("ERROR", "CRITICAL", "Traceback"))]
    return {**figures, "exit_codes": codes, "errors": errors}


async def workers_section(signalers: int, signals: int, log_dir: Path,
                          settings: dict[str, Any]) -> dict[str, Any]:
    """The single process, then 1, 2 and 4 workers, each on a fresh PostgreSQL database."""
    print(f"\nSeveral workers (PostgreSQL; {os.cpu_count()} cores): {signalers} signalers x "
          f"{signals} full signals at once, no pauses; webhook workers posted to in turn")
    print(f"  {'processes':<28} {'upd/s':>7} {'vs 1':>5} {'p50/p99 ms':>13} {'CPU ms':>6} "
          f"{'CPU %':>6} {'drv %':>6} {'per core':>8} {'switches':>8}")
    results: dict[str, Any] = {"cores": os.cpu_count()}
    rows = [("single process, polling", None), *((f"{n} worker(s), webhook", n) for n in COUNTS)]
    for label, count in rows:
        async with Database("postgresql", log_dir) as database:
            if count is None:
                figures = await single(log_dir, signalers, signals,
                                       {**settings, "database": {"url": database.url}})
            else:
                figures = await pooled(count, database, log_dir, signalers, signals)
        figures["per_core_updates_per_s"] = round(1000 / figures["bot_cpu_ms_per_update"])
        base = results.get("single", figures)["updates_per_s"]
        figures["vs_single"] = round(figures["updates_per_s"] / base, 2)
        results["single" if count is None else str(count)] = figures
        print(f"  {label:<28} {figures['updates_per_s']:>7.0f} {figures['vs_single']:>5.2f} "
              f"{figures['p50_ms']:>6.1f}/{figures['p99_ms']:<6.1f} "
              f"{figures['bot_cpu_ms_per_update']:>6.2f} {figures['bot_cpu_pct']:>5}% "
              f"{figures['driver_cpu_pct']:>5}% {figures['per_core_updates_per_s']:>8}"
              f" {figures['switches_per_update']:>8}"
              f"{'  ERRORS' if figures['errors'] else ''}", flush=True)
    return results

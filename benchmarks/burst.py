"""Alert fan-out under Telegram's cap, with signalers talking at the same time.

A burst of alerts (one per signal, spread over many gemeenten' alert chats) is queued in the
outbox at once; the dispatcher drains it within Telegram's limits (30/s overall, 1/s per chat)
while 20 signalers file a signal through the bot. Measured: time until every alert was
delivered, lost or reordered alerts, the highest send rates seen by the stand-in, and the
signalers' reply latency (p50/p99). Run: ``python benchmarks/burst.py [--quick]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from measure import SIGNALS_ONLY  # noqa: E402  (beside this script)

from bot.settings import Settings  # noqa: E402
from storage.crypto import generate_key  # noqa: E402
from tests.harness import BotRunner, Person  # noqa: E402
from tests.standin import BotApiStandIn  # noqa: E402


def settings(database_url: str, chats: list[int]) -> Settings:
    """One gemeente per alert chat, so the burst spreads like a national campaign."""
    gemeenten = [{"code": f"GM{9000 + n:04d}", "name": f"Gemeente {n}",
                  "pc4": [str(1000 + n)], "alert_chat_ids": [chat],
                  "staff": [{"telegram_id": chat, "name": f"Regisseur {n}", "role": "regisseur"}]}
                 for n, chat in enumerate(chats)]
    gemeenten[0]["pc4"] = ["4531-4539"]
    return Settings(database={"url": database_url}, gemeenten=gemeenten,
                    security={"encryption_key": generate_key(), "flood_updates": 10_000},
                    intake=SIGNALS_ONLY)


async def signaler(person: Person, latencies: list[float], think: random.Random,
                   pace: tuple[float, float]) -> None:
    """A signaler filing a whole signal, reading ``pace`` seconds before each tap.

    Each step is timed from the push to the bot's reply.
    """
    steps: list[tuple[str, Any]] = [
        ("command", "start"), ("tap", "Nee"), ("tap", "Kapper"), ("say", "4531 AB"),
        ("say", "12"), ("tap", "Post stapelt"), ("tap", "Klaar"),
        ("tap", "Langer dan een half jaar"), ("tap", "Elke week"), ("tap", "Nog niets"),
        ("tap", "Klaar"), ("tap", "Overslaan"), ("tap", "Weet ik niet"), ("tap", "anoniem"),
        ("tap", "Versturen"),
    ]
    for kind, value in steps:
        await asyncio.sleep(think.uniform(*pace))
        started = time.perf_counter()
        await getattr(person, kind)(value)
        latencies.append(time.perf_counter() - started)


async def run(alerts: int, chats: int, signalers: int, database_url: str,
              pace: tuple[float, float] = (0.5, 1.5)) -> dict[str, Any]:
    """One burst; returns the figures."""
    chat_ids = list(range(50_001, 50_001 + chats))
    async with BotApiStandIn() as api:
        for chat in chat_ids:
            api.user(chat)
        runner = BotRunner(api, settings(database_url, chat_ids))
        await runner.start()
        try:
            async with runner.services.uow() as uow:
                for n in range(alerts):
                    await uow.outbox.add(chat_id=chat_ids[n % chats], kind="alert",
                                         text=f"🔔 <b>Nieuw signaal</b> #{n:05d}")
                await uow.commit()
            started = time.perf_counter()
            runner.services.dispatcher.kick()
            latencies: list[float] = []
            people = [Person(runner, 60_001 + n) for n in range(signalers)]
            think = random.Random(7)
            await asyncio.gather(*(signaler(person, latencies, think, pace) for person in people))

            def delivered() -> int:
                return sum(1 for chat in chat_ids for m in api.messages(chat)
                           if "#" in m.get("text", ""))

            await api.wait_for(lambda: delivered() >= alerts, timeout=alerts / 10 + 60)
            seconds = time.perf_counter() - started
            await asyncio.sleep(1.0)  # anything more would be a duplicate
            received = {chat: [int(m["text"].rsplit("#", 1)[1]) for m in api.messages(chat)
                               if "#" in m.get("text", "")] for chat in chat_ids}
        finally:
            await runner.stop()
    total = sum(len(numbers) for numbers in received.values())
    ordered = all(numbers == sorted(numbers) for numbers in received.values())
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "burst_alerts": alerts,
        "burst_chats": chats,
        "burst_seconds": round(seconds, 2),
        "burst_alerts_per_s": round(alerts / seconds, 1),
        "burst_lost": alerts - len({n for numbers in received.values() for n in numbers}),
        "burst_duplicates": total - alerts,
        "burst_in_order": ordered,
        "burst_max_rate_per_s": api.max_rate(window=1.0),
        "burst_max_chat_rate_per_s": max(api.max_rate(chat_id=c, window=1.0) for c in chat_ids),
        "burst_signalers": signalers,
        "burst_reply_p50_ms": round(statistics.median(latencies) * 1000, 1),
        "burst_reply_p99_ms": round(quantiles[98] * 1000, 1),
    }


def main() -> None:
    """Command line: ``--quick`` for a smaller burst."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--database", default="")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    alerts, chats, pace = (120, 40, (0.5, 1.5)) if args.quick else (500, 100, (0.5, 1.5))
    with tempfile.TemporaryDirectory() as directory:
        url = args.database or f"sqlite+aiosqlite:///{directory}/burst.db"
        figures = asyncio.run(run(alerts, chats, 20, url, pace))
    for key, value in figures.items():
        print(f"{key:28} {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()

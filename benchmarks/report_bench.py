"""How fast the monitoring report is on 100k anonymous records (SQLite and PostgreSQL).

Run from the repository root::

    python benchmarks/report_bench.py [--rows 100000] [--database sqlite|postgresql|both]
                                      [--out DIR]

Seeds a fresh, migrated database with realistic anonymous records (bulk insert through
SQLAlchemy core): twelve gemeenten of very different sizes, two years of signals, roles,
signs, PC4 areas, claim and first-contact delays (log-normal), outcomes and a backlog, plus
signals for gemeenten that are not on board. Then times, per database:

- the figures alone, national (every record in scope);
- the whole national report (figures, ten PNG charts, CSV, HTML) into ``--out``;
- a six-week report for the largest gemeente;
- ``/stats`` (figures plus the overview chart) for that gemeente.

Not a timed test: it prints the timings and some figures. PostgreSQL comes from
``SIGNAALBOT_TEST_PG`` (default ``postgresql://postgres@127.0.0.1:5432/test``); a throw-away
database is created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402
from sqlalchemy.ext.asyncio import AsyncEngine  # noqa: E402

from bot import charts  # noqa: E402
from bot.core.monitoring import compute, hours_text  # noqa: E402
from bot.core.periods import Period
from bot.reporting.report import telegram_text, write_report  # noqa: E402
from storage.crypto import Keyring, generate_key  # noqa: E402
from storage.db import create_engine, session_factory, upgrade  # noqa: E402
from storage.models import Gemeente, NotOnBoard, Signal  # noqa: E402
from storage.repositories import MonitoringRepository  # noqa: E402

PG_DSN = os.environ.get("SIGNAALBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime.now(UTC)
SPAN = timedelta(days=730)
# (code, name, share of the signals, first PC4 of its areas, number of areas)
GEMEENTEN = [
    ("GM0363", "Amsterdam", 0.30, 1011, 80), ("GM0599", "Rotterdam", 0.22, 3011, 70),
    ("GM0344", "Utrecht", 0.12, 3511, 40), ("GM0917", "Heerlen", 0.08, 6411, 9),
    ("GM0715", "Terneuzen", 0.07, 4531, 9), ("GM1916", "Leidschendam-Voorburg", 0.06, 2261, 8),
    ("GM0534", "Hillegom", 0.04, 2181, 2), ("GM0553", "Lisse", 0.03, 2161, 2),
    ("GM1525", "Teylingen", 0.03, 2171, 4), ("GM0687", "Middelburg", 0.025, 4331, 6),
    ("GM0654", "Borsele", 0.01, 4451, 5), ("GM0664", "Goes", 0.005, 4461, 5),
]
NOT_ON_BOARD = [("GM0268", "Nijmegen"), ("GM0202", "Arnhem"), (None, None)]
ROLES = {"kapper": 25, "bezorger": 20, "financieel": 8, "winkel": 15, "horeca": 5, "sport": 4,
         "zorg": 12, "buurt": 8, "anders": 3}
SIGNS = {"post": 20, "gordijnen": 18, "onverzorgd": 10, "praatje": 14, "zelfzorg": 9,
         "eenzaam": 12, "bezoek": 15, "verlies": 8, "anders": 3}
OUTCOMES = {"ondersteuning": 40, "doorverwezen": 25, "geen_zorgen": 12, "wil_niet": 10,
            "onbereikbaar": 8, "anders": 5}


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


def make_rows(count: int, seed: int = 7) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Anonymous signal rows and not-on-board rows with realistic distributions."""
    rng = random.Random(seed)
    shares = [share for _, _, share, _, _ in GEMEENTEN]
    rows = []
    for _ in range(count):
        code, _, _, first_pc4, areas = rng.choices(GEMEENTEN, shares)[0]
        created = NOW - SPAN * rng.random() ** 1.25  # a little more lately: the approach grows
        claimed = first_contact = closed = None
        if rng.random() < 0.998:  # the rest is never claimed: the backlog to worry about
            claimed = created + timedelta(hours=rng.lognormvariate(math.log(6), 1.0))
            if rng.random() < 0.85:
                first_contact = claimed + timedelta(hours=rng.lognormvariate(math.log(40), 0.9))
            if rng.random() < 0.99:
                closed = (first_contact or claimed) + timedelta(days=rng.expovariate(1 / 12))
        claimed, first_contact, closed = (
            moment if moment is not None and moment <= NOW else None
            for moment in (claimed, first_contact, closed))
        if claimed is None:
            first_contact = closed = None
        status = ("closed" if closed else "in_progress" if first_contact
                  else "claimed" if claimed else "new")
        signs = sorted({_pick(rng, SIGNS) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))})
        rows.append({
            "gemeente_code": code, "status": status, "questionnaire": "signaal-v1",
            "role": _pick(rng, ROLES), "signs": signs,
            "pc4": first_pc4 + min(areas - 1, int(rng.expovariate(3 / areas))),
            "answers": None, "outcome": _pick(rng, OUTCOMES) if closed else None,
            "created_at": created, "claimed_at": claimed, "first_contact_at": first_contact,
            "closed_at": closed,
            "last_activity_at": created, "escalation_level": 0,
        })
    others = [{"gemeente_code": rng.choice(NOT_ON_BOARD)[0],
               "created_at": NOW - SPAN * rng.random()} for _ in range(count // 50)]
    return rows, others


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    """A fresh database URL (SQLite file or throw-away PostgreSQL database)."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite+aiosqlite:///{directory}/bench.db"
        return
    import asyncpg

    name = f"sb_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(PG_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    try:
        yield f"{PG_DSN.rsplit('/', 1)[0].replace('postgresql://', 'postgresql+asyncpg://')}/{name}"
    finally:
        admin = await asyncpg.connect(PG_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def seed(engine: AsyncEngine, rows: list[dict[str, Any]],
               others: list[dict[str, Any]]) -> None:
    """Bulk insert through SQLAlchemy core, 5000 rows per statement batch."""
    await upgrade(engine)
    async with engine.begin() as connection:
        await connection.execute(insert(Gemeente), [
            {"code": code, "name": name, "active": True, "escalation_hours": 24.0,
             "retention_days": 30.0, "silent_days": 5.0, "backup_chat_ids": [],
             "updated_at": NOW} for code, name, *_ in GEMEENTEN])
        for start in range(0, len(rows), 5000):
            await connection.execute(insert(Signal), rows[start:start + 5000])
        await connection.execute(insert(NotOnBoard), others)


async def timed(label: str, work: Any) -> Any:
    started = time.perf_counter()
    result = await work
    print(f"  {label:<44} {time.perf_counter() - started:6.2f} s", flush=True)
    return result


async def bench(kind: str, count: int, out: Path) -> None:
    print(f"\n== {kind}: {count} anonymous records ==", flush=True)
    rows, others = make_rows(count)
    async with database(kind) as url:
        engine = create_engine(url, keyring=Keyring(generate_key()))
        try:
            await timed("seed (migrate + bulk insert)", seed(engine, rows, others))
            sessions = session_factory(engine)
            everything = Period.last_weeks(105)
            async with sessions() as session:
                repository = MonitoringRepository(session)
                figures = await timed("figures, national, 2 years (SQL + Python)", compute(
                    repository, gemeente_code=None, period=everything))

            async def national_report() -> list[Path]:
                async with sessions() as session:
                    result = await compute(MonitoringRepository(session), gemeente_code=None,
                                           period=everything)
                return await asyncio.to_thread(write_report, result, out / kind / "national")

            written = await timed("whole report, national (10 PNG, CSV, HTML)", national_report())

            async def gemeente_report() -> list[Path]:
                async with sessions() as session:
                    result = await compute(MonitoringRepository(session), gemeente_code="GM0363",
                                           period=Period.last_weeks(6))
                return await asyncio.to_thread(write_report, result, out / kind / "GM0363")

            await timed("whole report, one gemeente, 6 weeks", gemeente_report())

            async def stats() -> bytes:
                async with sessions() as session:
                    mine = await compute(MonitoringRepository(session), gemeente_code="GM0363",
                                         period=Period.last_weeks(6))
                return await asyncio.to_thread(charts.overview, mine)

            await timed("/stats: figures + overview chart", stats())
        finally:
            await engine.dispose()
    size = sum(path.stat().st_size for path in written) / 1e6
    print(f"  national report: {len(written)} files, {size:.1f} MB, in {out / kind / 'national'}")
    print(f"  signals {figures.total}, open {figures.backlog.count}, "
          f"not on board {figures.not_on_board_total}")
    print(f"  time to claim: median {hours_text(figures.time_to_claim.median_hours or 0)}, "
          f"p90 {hours_text(figures.time_to_claim.p90_hours or 0)} "
          f"(n={figures.time_to_claim.count})")
    print(f"  time to first contact: median "
          f"{hours_text(figures.time_to_first_contact.median_hours or 0)}, p90 "
          f"{hours_text(figures.time_to_first_contact.p90_hours or 0)} "
          f"(n={figures.time_to_first_contact.count})")
    print("  " + telegram_text(figures).replace("\n", "\n  "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "report_bench")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for kind in kinds:
        asyncio.run(bench(kind, args.rows, args.out))


if __name__ == "__main__":
    main()

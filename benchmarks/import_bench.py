"""How fast (and in how much memory) ``signaalbot postcodes import`` reads CBS's table.

Run from the repository root::

    python benchmarks/import_bench.py [--rows 9000000] [--database sqlite|postgresql|both]

Writes a synthetic file in CBS's exact format (``pc6hnr20240801_gwb.csv``: one row per
address, ``PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024``, sorted by postcode like CBS's)
to ``/tmp`` (kept and reused for the same size): about 19 addresses per PC6, 340 gemeenten,
1 in 100 PC6s split between two gemeenten, PC4 areas on gemeente borders. Then imports it
into a fresh, migrated database, each in its own process (so the peak RSS is the import's
own), and prints rows/s, seconds and peak RSS, then the time of a second import that
replaces the first. ``--zip`` imports a ZIP like CBS's release instead of the bare CSV.
PostgreSQL comes from ``SIGNAALBOT_TEST_PG`` (default
``postgresql://postgres@127.0.0.1:5432/test``); a throw-away ``sb_bench_*`` database is
created and dropped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PG_DSN = os.environ.get("SIGNAALBOT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
HEADER = "PC6;Huisnummer;Buurt2024;Wijk2024;Gemeente2024\r\n"


def generate(rows: int, path: Path) -> float:
    """Write ``rows`` addresses in CBS's format; returns the seconds it took."""
    started = time.monotonic()
    per_pc6, written, pc6_index = 19, 0, 0
    with path.open("w", encoding="latin-1", newline="") as out:
        out.write(HEADER)
        buffer: list[str] = []
        while written < rows:
            pc4, suffix = 1000 + pc6_index // 120, pc6_index % 120  # 120 PC6s per PC4
            letters = chr(65 + suffix // 26) + chr(65 + suffix % 26)
            gemeente = 1 + (pc4 - 1000) // 12  # 12 PC4s per gemeente: ~330 gemeenten
            if suffix >= 100 and (pc4 - 1000) % 12 == 11:  # a PC4 on the border with the next
                gemeente += 1
            split = pc6_index % 100 == 42
            for number in range(1, min(per_pc6, rows - written) + 1):
                g = gemeente + 1 if split and number > per_pc6 // 2 else gemeente
                buffer.append(f"{pc4}{letters};{number};{g:04d}0{suffix % 10}0{number % 5};"
                              f"{g:04d}0{suffix % 10};{g}\r\n")
            written += min(per_pc6, rows - written)
            pc6_index += 1
            if len(buffer) >= 200_000:
                out.write("".join(buffer))
                buffer.clear()
        out.write("".join(buffer))
    return time.monotonic() - started


def zipped(csv_file: Path) -> Path:
    """The CSV in a ZIP named like CBS's release (made once, then reused)."""
    path = csv_file.with_name(f"2024-cbs-pc6huisnr20240801_buurt-{csv_file.stem}.zip")
    if not path.exists():
        started = time.monotonic()
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(csv_file, "pc6hnr20240801_gwb.csv")
            archive.writestr("gem_2024.csv", "Gemeente2024;Gemeentenaam2024\n" + "".join(
                f"{n};Gemeente {n}\n" for n in range(1, 1000)))
        print(f"wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in "
              f"{time.monotonic() - started:.1f} s")
    return path


def child(url: str, file: Path) -> None:
    """Import ``file`` into the database at ``url`` and print the figures as JSON."""
    from bot.core.postcodes import import_cbs
    from storage.crypto import Keyring, generate_key
    from storage.db import create_engine, session_factory, upgrade
    from storage.uow import UnitOfWork

    async def main() -> dict[str, object]:
        engine = create_engine(url)
        await upgrade(engine)
        keys = Keyring(generate_key())  # an import reads and writes nothing encrypted

        def new_uow() -> UnitOfWork:
            return UnitOfWork(session_factory(engine), keys)

        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.monotonic()
        report = await import_cbs(new_uow, file)
        seconds = time.monotonic() - started
        started = time.monotonic()  # again: the new dataset replaces the first one
        await import_cbs(new_uow, file)
        again = time.monotonic() - started
        await engine.dispose()
        return {"seconds": seconds, "again": again, "rows": report.addresses, "pc6": report.pc6,
                "split": report.split_pc6, "house_numbers": report.house_numbers,
                "pc4": report.pc4, "gemeenten": report.gemeenten, "passes": report.passes,
                "rss_before_mb": before / 1024,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}

    print(json.dumps(asyncio.run(main())))


def run_child(url: str, file: Path) -> dict[str, float]:
    output = subprocess.run([sys.executable, __file__, "--child", url, str(file)],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(PG_DSN)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def bench(database: str, file: Path) -> dict[str, float]:
    if database == "sqlite":
        with tempfile.TemporaryDirectory(dir="/tmp") as directory:
            return run_child(f"sqlite+aiosqlite:///{directory}/bench.db", file)
    name = f"sb_bench_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        base = PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
        return run_child(f"{base}/{name}", file)
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=9_000_000)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"],
                        default="sqlite")
    parser.add_argument("--zip", action="store_true",
                        help="Import a ZIP like CBS's release instead of the bare CSV.")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    file = Path(f"/tmp/signaalbot-bench-pc6hnr20240801_gwb-{args.rows}.csv")
    if file.exists():
        print(f"reusing {file} ({file.stat().st_size / 1e6:.0f} MB)")
    else:
        seconds = generate(args.rows, file)
        print(f"wrote {file} ({file.stat().st_size / 1e6:.0f} MB) in {seconds:.1f} s")
    if args.zip:
        file = zipped(file)
    databases = ["sqlite", "postgresql"] if args.database == "both" else [args.database]
    for database in databases:
        figures = bench(database, file)
        print(f"{database:>10}: {figures['rows']:,} rows in {figures['seconds']:.1f} s = "
              f"{figures['rows'] / figures['seconds']:,.0f} rows/s, {figures['passes']} pass, "
              f"peak RSS {figures['peak_rss_mb']:.0f} MB (at start "
              f"{figures['rss_before_mb']:.0f} MB); {figures['pc6']:,} PC6 "
              f"({figures['split']:,} split, {figures['house_numbers']:,} house numbers), "
              f"{figures['pc4']:,} PC4, {figures['gemeenten']} gemeenten; re-import "
              f"(replacing it) {figures['again']:.1f} s")


if __name__ == "__main__":
    main()

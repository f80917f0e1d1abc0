"""The report page and the QR poster as a fictitious gemeente gets them, seen in headless Chromium.

Used by ``tests/e2e/test_screenshots.py``; ``python -m tests.screenshots docs`` remakes the
images in ``docs/`` (report-a4.png, qr-poster.png and example-chart.png, the ``/stats`` chart).
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.core.monitoring import Figures, compute
from bot.core.periods import Period
from bot.reporting import charts, poster
from bot.reporting.report import write_report
from bot.services import open_services
from storage.repositories import MonitoringRepository
from tests.conftest import make_settings
from tests.helpers.browser import chromium
from tests.helpers.monitoring_data import KNIP, NOW, POSTNL, Q3, RABO, at, row, seed
from tests.helpers.senders import NoSender

A4 = (794, 1123)  # an A4 page in CSS pixels (96 per inch)
POSTER = (560, 794)  # the A5 poster (148 x 210 mm) in CSS pixels
LINK = "https://t.me/signaalpunt_bot?start=org_Xq7-dP2a"


def screenshot(page: Path, out: Path, size: tuple[int, int]) -> None:
    """A screenshot of a local file in headless Chromium, ``size`` CSS pixels, no scrollbars."""
    browser = chromium()
    if browser is None:
        raise RuntimeError("Chromium not found: apt-get install chromium")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                        "--hide-scrollbars", f"--user-data-dir={profile}",
                        f"--screenshot={out}", f"--window-size={size[0]},{size[1]}",
                        page.resolve().as_uri()],
                       check=True, capture_output=True, timeout=60,
                       env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": "disabled:"})


def signals() -> list[dict[str, Any]]:
    """Terneuzen's fictitious signals: 150 in the third quarter of 2025, 30 older ones open."""
    rng = random.Random(15)
    roles = ["kapper"] * 5 + ["bezorger"] * 4 + ["financieel", "winkel", "winkel", "buurt",
                                                 "zorg", "sport", "horeca", "anders"]
    signs = ["post", "gordijnen", "onverzorgd", "praatje", "zelfzorg", "eenzaam", "bezoek",
             "verlies", "anders"]
    outcomes = ["ondersteuning"] * 4 + ["doorverwezen"] * 2 + ["geen_zorgen", "wil_niet",
                                                               "onbereikbaar"]
    rows = []
    for _ in range(150):
        created = Q3.start + timedelta(seconds=rng.uniform(0, (Q3.end - Q3.start).total_seconds()))
        role = rng.choice(roles)
        org = {"kapper": KNIP, "bezorger": POSTNL, "financieel": RABO}.get(role)
        claim = rng.lognormvariate(3, 1) if rng.random() < 0.92 else None
        contact = claim + rng.lognormvariate(3.7, 0.8) if claim and rng.random() < 0.85 else None
        closed = (created + timedelta(hours=contact or 0, days=rng.uniform(2, 40))
                  if contact and rng.random() < 0.75 else None)
        rows.append(row("GM0715", created, role=role, signs=tuple(rng.sample(signs, rng.randint(
            1, 3))), pc4=rng.choice([4531, 4531, 4532, 4533, 4534, 4535, 4536, 4537, 4538]),
            claim_h=claim, contact_h=contact, closed=closed,
            outcome=rng.choice(outcomes) if closed else None,
            org=org if rng.random() < 0.7 else None))
    rows += [row("GM0715", at("2023-10-14 09:00") + timedelta(days=21 * i), claim_h=5)
             for i in range(30)]
    return rows


@dataclass(frozen=True)
class Shots:
    """The files a fictitious gemeente gets, and their screenshots."""

    report: Path  # samenvatting.html
    report_shot: Path
    poster: list[Path]  # PNG, PDF, SVG
    poster_shot: Path
    recent: Figures  # the last six weeks, mid-September 2025 (for /stats)


async def make(out: Path) -> Shots:
    """Seed the fictitious gemeente, write its report and poster, and screenshot both."""
    services = await open_services(
        make_settings(f"sqlite+aiosqlite:///{out / 'demo.db'}"), {"telegram": NoSender()})
    try:
        await seed(services.db, signals())
        async with services.sessions() as session:
            repository = MonitoringRepository(session)
            figures = await compute(repository, gemeente_code="GM0715", period=Q3, now=NOW)
            recent = await compute(repository, gemeente_code="GM0715", now=NOW,
                                   period=Period.last_weeks(6, now=datetime.fromisoformat(
                                       "2025-09-17T14:00+02:00")))
    finally:
        await services.close()
    write_report(figures, out / "report")
    posters = poster.write_poster(out / "poster.png", link=LINK, name="PostNL depot Terneuzen",
                                  gemeente="Terneuzen")
    shots = Shots(out / "report" / "samenvatting.html", out / "report-a4.png", posters,
                  out / "qr-poster.png", recent)
    screenshot(shots.report, shots.report_shot, A4)
    screenshot(posters[2], shots.poster_shot, POSTER)
    return shots


def main(docs: Path) -> None:
    """Remake the screenshots and the example ``/stats`` chart in ``docs``."""
    with tempfile.TemporaryDirectory() as work:
        shots = asyncio.run(make(Path(work)))
        for shot in (shots.report_shot, shots.poster_shot):
            shutil.copyfile(shot, docs / shot.name)
        (docs / "example-chart.png").write_bytes(charts.overview(shots.recent))


if __name__ == "__main__":
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    main(Path(sys.argv[1]))

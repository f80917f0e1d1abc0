"""The report page and the QR poster in headless Chromium, at print size.

Skipped only where Chromium is missing and ``SIGNAALBOT_REQUIRE_CHROMIUM`` is unset (CI sets it).
"""

from __future__ import annotations

from pathlib import Path

from tests import screenshots
from tests.helpers.browser import requires_chromium

pytestmark = requires_chromium


def pixels(path: Path) -> tuple[tuple[int, int], list[int]]:
    from PIL import Image

    image = Image.open(path).convert("L")
    return image.size, list(image.tobytes())


def dark(values: list[int]) -> int:
    return sum(value < 128 for value in values)


def columns(size: tuple[int, int], values: list[int], start: int, stop: int) -> list[int]:
    width = size[0]
    return [value for index, value in enumerate(values) if start <= index % width < stop]


async def test_the_report_and_the_poster_as_chromium_shows_them(tmp_path: Path) -> None:
    shots = await screenshots.make(tmp_path)
    size, values = pixels(shots.report_shot)
    assert size == screenshots.A4
    margin = round(15 / 25.4 * 96) - 2  # 15 mm each side, as printed
    assert dark(columns(size, values, 0, margin)) == 0
    assert dark(columns(size, values, size[0] - margin, size[0])) == 0
    assert dark(values) > 10_000  # title, tables and charts
    html = shots.report.read_text(encoding="utf-8")
    assert "Monitoring Signaalpunt tegen Eenzaamheid: Terneuzen" in html
    assert "waarvan 30 van vóór de periode" in html

    size, values = pixels(shots.poster_shot)
    assert size == screenshots.POSTER
    assert dark(columns(size, values, 0, 20)) == 0 and dark(values) > 50_000  # code and name
    assert ">PostNL depot<" in shots.poster[2].read_text(encoding="utf-8")  # wrapped

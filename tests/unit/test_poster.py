"""The printable QR poster of a signaler organisation (``signaalbot org add --qr``)."""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import segno

from bot.reporting import poster
from tests.conftest import TEST_KEY
from tests.helpers.cli import run_cli

LINK = "https://t.me/signaalbot_test_bot?start=org_Ab3-x_9Z"
SVG = "{http://www.w3.org/2000/svg}"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def svg_lines(path: Path) -> list[str]:
    """The text lines of an SVG, as a browser or a PDF converter reads them."""
    return [element.text or "" for element in ET.parse(path).iter(f"{SVG}text")]


def qr_modules(png: Path, size: int) -> list[list[bool]]:
    """The QR code's modules, read back from the poster's pixels (dark or light)."""
    from PIL import Image

    image = Image.open(png).convert("L")
    left, top, width = poster.QR_BOX  # pixels
    step = width / size
    return [[image.getpixel((int(left + (x + .5) * step), int(top + (y + .5) * step))) < 128
             for x in range(size)] for y in range(size)]


def test_the_poster_names_the_organisation_and_prints_on_a5_and_a6(tmp_path: Path) -> None:
    name = 'Kapsalon <Knip> & "Zo" $x^2$ 100% met een lange naam die over regels loopt'
    written = poster.write_poster(tmp_path / "knip.png", link=LINK, name=name,
                                  gemeente="Terneuzen")
    assert [path.name for path in written] == ["knip.png", "knip.pdf", "knip.svg"]
    assert png_size(written[0].read_bytes()) == poster.PNG_SIZE == (1748, 2480)  # A5, 300 dpi
    pdf = written[1].read_bytes()
    assert pdf.startswith(b"%PDF") and re.search(rb"/MediaBox \[ ?0 0 419\.5\d* 595\.2\d* ?\]",
                                                  pdf)  # A5 in points
    lines = svg_lines(written[2])  # the name as text, escaped, no formula ($...$) or markup
    assert " ".join(lines[:4]).startswith(name) and len(lines) >= 5
    assert "Scan mij om een zorg door te geven" in lines
    assert "Signaalpunt tegen Eenzaamheid Terneuzen" in lines
    assert "of open t.me/signaalbot_test_bot?start=org_Ab3-x_9Z" in lines  # without a camera
    code = segno.make(LINK, error="m")
    expected = [[bool(cell) for cell in row] for row in code.matrix]
    assert qr_modules(written[0], len(expected)) == expected  # the code itself, module for module


@pytest.mark.parametrize("name", ["Wijkteam", "Gemeentelijkegezondheidsdienstzeeuwsvlaanderen"
                                  "afdelingjeugdengezin " * 3 + "\nRegel\ttwee"])
def test_every_text_of_the_poster_fits_on_the_page(name: str) -> None:
    figure = poster.draw(link=LINK, name=name, gemeente=None)
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    page = figure.bbox
    texts = [text for text in figure.texts if text.get_text()]
    assert texts and "Signaalpunt tegen Eenzaamheid" in [text.get_text() for text in texts]
    for text in texts:
        box = text.get_window_extent(renderer)
        assert page.x0 < box.x0 and box.x1 < page.x1 and page.y0 < box.y0 and box.y1 < page.y1, (
            text.get_text())
        assert "\t" not in text.get_text()
    assert min(text.get_fontsize() for text in texts) >= 9


def test_org_add_writes_the_poster(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"""
[database]
url = "sqlite+aiosqlite:///{tmp_path / 'org.db'}"
[security]
encryption_key = "{TEST_KEY}"
[telegram]
bot_username = "signaalbot_test_bot"
[[gemeenten]]
code = "GM0715"
name = "Terneuzen"
pc4 = ["4531-4539"]
alert_chat_ids = [-1007002]
""", encoding="utf-8")
    assert run_cli("config", "apply", "--config", str(config)).returncode == 0
    done = run_cli("org", "add", "Jumbo Terneuzen", "--role", "winkel", "-g", "GM0715",
                   "--qr", str(tmp_path / "jumbo.png"), "--config", str(config))
    assert done.returncode == 0, done.stderr
    for suffix in ("png", "pdf", "svg"):
        assert str(tmp_path / f"jumbo.{suffix}") in done.stdout
    assert "A5" in done.stdout and "QR code opens Telegram: https://t.me/" in done.stdout
    with config.open("a", encoding="utf-8") as more:
        more.write('[web]\npublic_url = "https://meld.example.nl"\n')
    again = run_cli("org", "qr", done.stdout.split("\t")[0], "--qr", str(tmp_path / "web.png"),
                    "--config", str(config))
    assert again.returncode == 0, again.stderr
    assert f"QR code opens the web chat: https://meld.example.nl/s/{done.stdout.split()[0]}" in (
        again.stdout)
    assert png_size((tmp_path / "jumbo.png").read_bytes()) == (1748, 2480)
    lines = svg_lines(tmp_path / "jumbo.svg")
    assert "Jumbo Terneuzen" in lines and "Signaalpunt tegen Eenzaamheid Terneuzen" in lines

"""The printable poster of a signaler organisation: its name, "Scan mij …" and the QR code.

A5 portrait (it prints on A6 at 71 %): PNG at 300 dpi, PDF and SVG (text as text). The name
is plain text whatever it holds (no markup, no formula), wrapped and made smaller to fit; the
code is drawn as vector squares with a quiet zone of at least four modules.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core import messages
from bot.reporting.charts import COLOR, line_chars

if TYPE_CHECKING:
    from matplotlib.figure import Figure

WIDTH, HEIGHT = 148 / 25.4, 210 / 25.4  # inches: A5
DPI = 300
PNG_SIZE = (round(WIDTH * DPI), round(HEIGHT * DPI))
TEXT_WIDTH = WIDTH - 1.0  # inches: half an inch of margin each side
QR_SIZE, QR_TOP = 3.6, 2.8  # inches: the code (without its quiet zone) and its top
QR_BOX = (round((WIDTH - QR_SIZE) / 2 * DPI), round(QR_TOP * DPI), round(QR_SIZE * DPI))
NAME_TOP, NAME_HEIGHT = 0.5, 1.45  # inches: the room for the organisation's name
NAME_SIZES = (28, 24, 20, 17, 14, 12, 10)  # points: the largest that fits is used
INK = "#1a1a1a"
RC = {"svg.fonttype": "none", "pdf.fonttype": 42, "font.family": "sans-serif",
      "font.sans-serif": ["DejaVu Sans", "Verdana", "Arial", "Helvetica"],
      "text.parse_math": False}  # a name is plain text: "$x$" is no formula


def _name(figure: Figure, name: str) -> None:
    """The name, bold, at the largest size that fits its room (cut short only if huge)."""
    words = " ".join(name.split())
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    for size in NAME_SIZES:
        lines = textwrap.wrap(words, line_chars(TEXT_WIDTH, size * 1.1)) or [""]
        fitting = int(NAME_HEIGHT / (size * 1.3 / 72))
        if size == NAME_SIZES[-1] and len(lines) > fitting:
            lines = [*lines[:fitting - 1], lines[fitting - 1].rstrip(" .") + "…"]
        text = figure.text(0.5, 1 - (NAME_TOP + NAME_HEIGHT / 2) / HEIGHT, "\n".join(lines),
                           fontsize=size, ha="center", va="center", color=INK,
                           weight="bold", linespacing=1.15)
        box = text.get_window_extent(renderer)
        if size == NAME_SIZES[-1] or (box.width <= TEXT_WIDTH * DPI
                                      and box.height <= NAME_HEIGHT * DPI):
            return
        text.remove()


def _code(figure: Figure, link: str) -> None:
    """The QR code as one vector path of dark squares, in ``QR_BOX``."""
    import segno
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as Shape

    matrix = segno.make(link, error="m").matrix
    size = len(matrix)
    corners = [[(x, y), (x + 1, y), (x + 1, y + 1), (x, y + 1), (x, y)]
               for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark]
    square = [Shape.MOVETO, Shape.LINETO, Shape.LINETO, Shape.LINETO, Shape.CLOSEPOLY]
    ax = figure.add_axes(((WIDTH - QR_SIZE) / 2 / WIDTH, 1 - (QR_TOP + QR_SIZE) / HEIGHT,
                          QR_SIZE / WIDTH, QR_SIZE / HEIGHT))
    ax.add_patch(PathPatch(Shape([point for points in corners for point in points],
                                 square * len(corners)),
                           facecolor="black", linewidth=0, antialiased=False))
    ax.set(xlim=(0, size), ylim=(size, 0))
    ax.set_axis_off()


def draw(*, link: str, name: str, gemeente: str | None) -> Figure:
    """The poster as a figure, not yet drawn."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    def text(top: float, words: str, size: float, **style: object) -> None:
        figure.text(0.5, 1 - top / HEIGHT, words, fontsize=size, ha="center", va="center",
                    **style)

    with rc_context(RC):
        figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
        FigureCanvasAgg(figure)
        _name(figure, name)
        text(2.25, messages.POSTER_SCAN, 17, color=COLOR, weight="bold")
        _code(figure, link)
        shown = messages.POSTER_LINK.format(link=link.removeprefix("https://"))
        text(6.95, shown, max(9.0, min(10.0, TEXT_WIDTH * 72 / (0.56 * len(shown)))), color=INK)
        margin = 0.5 / WIDTH
        figure.add_artist(Line2D((margin, 1 - margin), (1 - 7.25 / HEIGHT,) * 2, color=COLOR,
                                 linewidth=1))
        signaalpunt = f"{messages.POSTER_SIGNAALPUNT} {gemeente or ''}".strip()
        text(7.6, "\n".join(textwrap.wrap(signaalpunt, line_chars(TEXT_WIDTH, 14))), 14,
             color=COLOR)
    return figure


def write_poster(path: Path, *, link: str, name: str, gemeente: str | None) -> list[Path]:
    """Write the poster as PNG (at ``path``, suffix .png), PDF and SVG; returns the three."""
    from matplotlib import rc_context

    figure = draw(link=link, name=name, gemeente=gemeente)
    written = [path.with_suffix(suffix) for suffix in (".png", ".pdf", ".svg")]
    with rc_context(RC):
        for target in written:
            figure.savefig(target, dpi=DPI)
    return written

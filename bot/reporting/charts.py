"""Charts of monitoring figures: PNG bytes drawn on matplotlib's Agg canvas (no display).

Only ``matplotlib.figure.Figure`` with an explicit Agg canvas is used (never ``pyplot``), so
no GUI backend is touched. A report chart is drawn at the size it is printed (two to a row on
A4: ``PRINT_WIDTH_MM`` wide, as tall as its rows need), so its text, ``FONT`` points or more,
keeps that size on paper. A suppressed count (1 to 4) is drawn as a hatched bar up to 5
labelled "< 5": its exact value shows neither in the label nor in the bar's length. A week or
month that falls only partly in the period is drawn pale, its label marked "*" and explained.
Durations take one unit per chart.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from bot.core import messages
from bot.core.monitoring import (
    SMALL,
    Bin,
    Cell,
    Durations,
    Figures,
    duration_unit,
    is_suppressed,
    shown,
)
from bot.core.periods import local_date

if TYPE_CHECKING:  # matplotlib itself is imported when the first chart is drawn (it is slow)
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.figure import Figure

DPI = 300  # report charts are printed
PRINT_WIDTH_MM = 88  # two charts to a row on A4 with 15 mm margins
WIDTH = 1040  # pixels: 88 mm at 300 dpi
HEIGHT = 780  # pixels, at least (66 mm); charts with many rows are taller
OVERVIEW_SIZE = (1280, 960)  # the /stats image (Telegram shows photos up to 1280 px)
OVERVIEW_DPI = 130  # four panels of about 4.9 by 3.7 inches
FONT = 9.0  # points: the smallest text of any chart
STYLE = {"font.size": FONT, "axes.titlesize": 10.5, "axes.labelsize": FONT,
         "xtick.labelsize": FONT, "ytick.labelsize": FONT, "figure.titlesize": 11,
         "figure.labelsize": FONT,
         "text.parse_math": False}  # names are plain text: "$x$" is no formula
COLOR = "#1f5f8b"
LIGHT = "#9cc0da"
NOTE_COLOR = "#444444"
LABEL_CHARS = 28  # a label left of its bar wraps after this many characters
ABOVE_CHARS = 44  # a label above its bar (narrow charts) wraps after this many
SHORT_LABEL = 12  # characters: on a narrow chart, longer labels go above their bars
LINE, BAR, GAP = 0.155, 0.13, 0.09  # inches: a line of a label, a bar, between rows
PLOT = 1.7  # inches: the height of a chart's plot when its rows do not set it
VERTICAL_BARS = 8  # a series with more weeks or months is drawn as rows
MAX_BARS = 15  # longer breakdowns (PC4 areas, gemeenten, organisations): the rest as one bar
_LOCK = threading.Lock()  # matplotlib is not thread-safe; charts are drawn in worker threads

Drawer = Callable[["Axes", Figures], "float | None"]  # returns the height bars need
BREAKDOWNS = {  # a chart of horizontal bars: the figure it shows, and its "the rest" label
    "gemeente": ("by_gemeente", messages.CHART_OTHER_GEMEENTEN),
    "role": ("by_role", messages.CHART_OTHER),
    "organisation": ("by_organisation", messages.CHART_OTHER_ORGANISATIONS),
    "sign": ("by_sign", messages.CHART_OTHER),
    "pc4": ("by_pc4", messages.CHART_OTHER),
    "status": ("by_status", messages.CHART_OTHER),
    "outcome": ("by_outcome", messages.CHART_OTHER),
    "not_on_board": ("not_on_board", messages.CHART_OTHER_GEMEENTEN),
}


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def line_chars(inches: float, points: float = FONT) -> int:
    """How many characters of text fit on a line ``inches`` wide."""
    return int(inches * 72 / (points * 0.56))


def _top(cells: Sequence[Cell], other_label: str = messages.CHART_OTHER) -> list[Cell]:
    """The first ``MAX_BARS - 1`` cells and the rest as one "overig" cell (if more)."""
    if len(cells) <= MAX_BARS:
        return list(cells)
    rest = cells[MAX_BARS - 1:]
    other = Cell("overig", other_label.format(count=len(rest)),
                 sum(cell.count for cell in rest))
    return [*cells[:MAX_BARS - 1], other]


def _rows(kind: str, figures: Figures) -> list[Cell]:
    attribute, other_label = BREAKDOWNS[kind]
    return _top(getattr(figures, attribute), other_label)


def _plain(ax: Axes) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _label(cell: Cell) -> str:
    return cell.label + ("*" if isinstance(cell, Bin) and cell.partial else "")


def _stack(labels: Sequence[str], *, above: bool) -> tuple[list[float], float]:
    """Each bar's centre and the height of them all, in inches from the top.

    With ``above``, each label (wrapped) takes its own lines above its bar.
    """
    centres, y = [], 0.0
    for label in labels:
        if above:
            y += len(textwrap.wrap(label, ABOVE_CHARS)) * LINE + 0.02
        centres.append(y + BAR / 2)
        y += BAR + GAP
    return centres, y


def _horizontal(ax: Axes, labels: Sequence[str], heights: Sequence[float],
                **style: object) -> tuple[BarContainer, float]:
    """Horizontal bars, their labels left of them or, when long on a narrow chart, above.

    Returns the bars and the height they need, in inches.
    """
    above = ax.figure.get_figwidth() < 5 and max(map(len, labels)) > SHORT_LABEL
    centres, total = _stack(labels, above=above)
    drawn = ax.barh(centres, heights, height=BAR, **style)
    if above:
        for label, centre in zip(labels, centres, strict=True):
            ax.text(0.01, centre - BAR / 2 - 0.02, _wrap(label, ABOVE_CHARS), va="bottom",
                    transform=ax.get_yaxis_transform())
        ax.set_yticks([])
    else:
        ax.set_yticks(centres, [_wrap(label, LABEL_CHARS) for label in labels])
    ax.set_ylim(total, 0)
    return drawn, total


def bars(ax: Axes, cells: Sequence[Cell], *, horizontal: bool = True) -> float | None:
    """Bars with their (suppressed) counts as labels; hatched light bars for "< 5".

    A partial week or month (a ``Bin``) is pale with a dashed edge, its label marked "*".
    Returns the height horizontal bars need, in inches.
    """
    from matplotlib.ticker import MaxNLocator

    if not any(cell.count for cell in cells):
        ax.text(0.5, 0.5, messages.CHART_EMPTY, ha="center", va="center",
                transform=ax.transAxes, color=NOTE_COLOR)
        ax.set_xticks([])
        ax.set_yticks([])
        return None
    heights = [SMALL if is_suppressed(c.count) else c.count for c in cells]
    style = {"color": [LIGHT if is_suppressed(c.count) else COLOR for c in cells],
             "hatch": ["///" if is_suppressed(c.count) else "" for c in cells],
             "edgecolor": "white"}
    labels = [_label(cell) for cell in cells]
    needed = None
    if horizontal:
        drawn, needed = _horizontal(ax, labels, heights, **style)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(heights) * 1.2)
    else:
        drawn = ax.bar(range(len(cells)), heights, **style)
        ax.set_xticks(range(len(cells)), labels, rotation=45 if len(cells) > 6 else 0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        ax.set_ylim(0, max(heights) * 1.15)
    for bar, cell in zip(drawn, cells, strict=True):
        if isinstance(cell, Bin) and cell.partial:
            bar.set(alpha=0.45, edgecolor=COLOR, linestyle="--")
    ax.bar_label(drawn, labels=[c.shown for c in cells], padding=2)
    _plain(ax)
    return needed


def per_period(ax: Axes, figures: Figures) -> float | None:
    """Signals per week (or month), as rows when there are many; partial ones explained."""
    needed = bars(ax, figures.series, horizontal=len(figures.series) > VERTICAL_BARS)
    if figures.partial:
        bins = ", ".join(cell.described for cell in figures.partial)
        width = ax.get_position().width * ax.figure.get_figwidth()
        ax.set_xlabel(_wrap(messages.CHART_PARTIAL.format(bins=bins), line_chars(width)),
                      color=NOTE_COLOR)
    return needed


def durations(ax: Axes, figures: Figures) -> float | None:
    """Median and p90 of the time to claim and to first contact, in one unit."""
    rows = [(messages.CHART_CLAIM, figures.time_to_claim),
            (messages.CHART_CONTACT, figures.time_to_first_contact)]
    enough: list[Durations] = [d for _, d in rows if d.count >= SMALL]
    longest = max((d.p90_hours or 0.0 for d in enough), default=0.0)
    unit = duration_unit(longest)
    positions = range(len(rows))
    for offset, (attr, color, name) in enumerate(
            (("median_hours", COLOR, messages.CHART_MEDIAN),
             ("p90_hours", LIGHT, messages.CHART_P90))):
        values = [getattr(d, attr) if d.count >= SMALL else None for _, d in rows]
        drawn = ax.barh([p + offset * 0.4 - 0.2 for p in positions],
                        [(value or 0.0) / unit.hours for value in values], height=0.38,
                        color=color)
        ax.bar_label(drawn, padding=2, labels=[
            f"{name} {unit.text(value)}" if value is not None
            else (messages.CHART_TOO_FEW if offset == 0 else "") for value in values])
    ax.set_yticks(list(positions), [name for name, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel(unit.axis)
    ax.set_xlim(0, max(longest / unit.hours, 1.0) * 1.9)
    _plain(ax)
    return None


def _breakdown(kind: str) -> Drawer:
    def draw(ax: Axes, figures: Figures) -> float | None:
        return bars(ax, _rows(kind, figures))
    return draw


DRAWERS: dict[str, Drawer] = {
    "series": per_period,
    **{kind: _breakdown(kind) for kind in ("gemeente", "role", "organisation", "sign", "pc4",
                                           "status", "outcome")},
    "durations": durations,
    "backlog": lambda ax, figures: bars(ax, figures.backlog.buckets, horizontal=False),
    "not_on_board": _breakdown("not_on_board"),
}
FILES = {"series": "signalen-per-periode.png", "gemeente": "gemeenten.png",
         "role": "melders.png", "organisation": "organisaties.png", "sign": "kenmerken.png",
         "pc4": "postcodegebieden.png", "status": "stand.png", "outcome": "uitkomsten.png",
         "durations": "doorlooptijden.png", "backlog": "open-signalen.png",
         "not_on_board": "niet-aangesloten.png"}


def title(kind: str, figures: Figures) -> str:
    """The Dutch title of one chart."""
    return messages.MONITORING_TITLES[kind].format(unit=messages.SERIES_UNITS[figures.series_unit],
                                                   date=local_date(figures.as_of))


@contextmanager
def _style() -> Iterator[None]:
    from matplotlib import rc_context

    with rc_context(STYLE):
        yield


def _new(size: tuple[int, int], dpi: int, heading: str, figures: Figures) -> Figure:
    """A figure of ``size`` pixels with a heading (what, where, when) and the footnote."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    chars = line_chars(size[0] / dpi - 0.2, STYLE["figure.titlesize"])
    figure.suptitle(f"{_wrap(heading, chars)}\n"
                    f"{_wrap(f'{figures.scope}, {figures.period.label}', chars)}")
    figure.supxlabel(_wrap(messages.CHART_FOOTNOTE, line_chars(size[0] / dpi - 0.2)),
                     color=NOTE_COLOR)
    return figure


def _fit(chart_figure: Figure, ax: Axes, plot: float) -> None:
    """Make the figure as tall as its plot (``plot`` inches) and everything around it need."""
    chart_figure.get_layout_engine().execute(chart_figure)  # type: ignore[union-attr]
    height = chart_figure.get_figheight() + plot - ax.get_position().height * (
        chart_figure.get_figheight())
    chart_figure.set_figheight(max(HEIGHT, round(height * DPI)) / DPI)


def figure(kind: str, figures: Figures) -> Figure:
    """One chart (a key of ``DRAWERS``) as a figure ``WIDTH`` pixels wide, not yet drawn."""
    with _style():
        chart_figure = _new((WIDTH, HEIGHT), DPI, title(kind, figures), figures)
        ax = chart_figure.subplots()
        _fit(chart_figure, ax, DRAWERS[kind](ax, figures) or PLOT)
    return chart_figure


def overview_figure(figures: Figures) -> Figure:
    """Four panels for /stats (per week, melders, kenmerken, doorlooptijden), not yet drawn."""
    with _style():
        panels = _new(OVERVIEW_SIZE, OVERVIEW_DPI,
                      messages.CHART_TOTAL.format(total=shown(figures.total)), figures)
        for ax, kind in zip(panels.subplots(2, 2).flat, ("series", "role", "sign", "durations"),
                            strict=True):
            ax.set_title(title(kind, figures).split(" (")[0], loc="left")
            DRAWERS[kind](ax, figures)
    return panels


def _png(drawn: Figure) -> bytes:
    buffer = io.BytesIO()
    with _style():
        drawn.savefig(buffer, format="png", dpi=drawn.dpi)
    return buffer.getvalue()


def chart(kind: str, figures: Figures) -> bytes:
    """One chart as PNG bytes, ``WIDTH`` pixels wide (``DPI``: as printed)."""
    with _LOCK:
        return _png(figure(kind, figures))


def report_kinds(figures: Figures) -> list[str]:
    """The charts of a report.

    Per gemeente only in the national view; for one gemeente, signals for gemeenten not on
    board only when there are any.
    """
    skip = set() if figures.national else {"gemeente"}
    if not figures.national and not figures.not_on_board_total:
        skip.add("not_on_board")
    return [kind for kind in DRAWERS if kind not in skip]


def overview(figures: Figures) -> bytes:
    """The /stats image: ``OVERVIEW_SIZE`` pixels, four panels."""
    with _LOCK:
        return _png(overview_figure(figures))

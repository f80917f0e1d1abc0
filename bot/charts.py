"""Charts of monitoring figures: PNG bytes drawn on matplotlib's Agg canvas (no display).

Only ``matplotlib.figure.Figure`` with an explicit Agg canvas is used (never ``pyplot``), so
no GUI backend is touched. Every drawing function returns PNG bytes of exactly the asked pixel
size. A suppressed count (1 to 4) is drawn as a hatched bar up to 5 labelled "< 5": its exact
value shows neither in the label nor in the bar's length.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from bot import messages
from bot.monitoring import SMALL, Cell, Durations, Figures, hours_text, is_suppressed, shown

if TYPE_CHECKING:  # matplotlib itself is imported when the first chart is drawn (it is slow)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SIZE = (1200, 675)  # report charts, pixels
OVERVIEW_SIZE = (1280, 960)  # the /stats image (Telegram shows photos up to 1280 px)
DPI = 100
COLOR = "#1f5f8b"
LIGHT = "#9cc0da"
MAX_BARS = 15  # longer breakdowns (PC4 areas, gemeenten, organisations): the rest as one bar
_LOCK = threading.Lock()  # matplotlib is not thread-safe; charts are drawn in worker threads

Drawer = Callable[["Axes", Figures], None]


def _wrap(label: str, width: int = 30) -> str:
    return "\n".join(textwrap.wrap(label, width)) or label


def _top(cells: Sequence[Cell], limit: int = MAX_BARS,
         other_label: str = messages.CHART_OTHER) -> list[Cell]:
    """The first ``limit - 1`` cells and the rest as one "overig" cell (if more)."""
    if len(cells) <= limit:
        return list(cells)
    rest = cells[limit - 1:]
    other = Cell("overig", other_label.format(count=len(rest)),
                 sum(cell.count for cell in rest))
    return [*cells[:limit - 1], other]


def bars(ax: Axes, cells: Sequence[Cell], *, horizontal: bool = True,
         other_label: str = messages.CHART_OTHER) -> None:
    """Bars with their (suppressed) counts as labels; hatched light bars for "< 5"."""
    from matplotlib.ticker import MaxNLocator

    cells = _top(cells, other_label=other_label)
    if not any(cell.count for cell in cells):
        ax.text(0.5, 0.5, messages.CHART_EMPTY, ha="center", va="center",
                transform=ax.transAxes, color="grey")
        ax.set_xticks([])
        ax.set_yticks([])
        return
    heights = [SMALL if is_suppressed(c.count) else c.count for c in cells]
    colors = [LIGHT if is_suppressed(c.count) else COLOR for c in cells]
    hatches = ["///" if is_suppressed(c.count) else "" for c in cells]
    positions = range(len(cells))
    if horizontal:
        drawn = ax.barh(positions, heights, color=colors, hatch=hatches, edgecolor="white")
        ax.set_yticks(list(positions), [_wrap(c.label) for c in cells], fontsize=9)
        ax.invert_yaxis()
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlim(0, max(heights) * 1.15)
    else:
        drawn = ax.bar(positions, heights, color=colors, hatch=hatches, edgecolor="white")
        crowded = len(cells) > 8
        ax.set_xticks(list(positions), [c.label for c in cells], fontsize=8,
                      rotation=45 if crowded else 0, ha="right" if crowded else "center")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylim(0, max(heights) * 1.15)
    ax.bar_label(drawn, labels=[c.shown for c in cells], padding=3, fontsize=9)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def durations(ax: Axes, figures: Figures) -> None:
    """Median and p90 of the time to claim and to first contact."""
    rows = [(messages.CHART_CLAIM, figures.time_to_claim),
            (messages.CHART_CONTACT, figures.time_to_first_contact)]
    enough: list[Durations] = [d for _, d in rows if d.count >= SMALL]
    longest = max((d.p90_hours or 0.0 for d in enough), default=0.0)
    per_unit, unit = (24.0, messages.CHART_DAYS) if longest >= 72 else (1.0, messages.CHART_HOURS)
    positions = range(len(rows))
    for offset, (attr, color, name) in enumerate(
            (("median_hours", COLOR, messages.CHART_MEDIAN),
             ("p90_hours", LIGHT, messages.CHART_P90))):
        values = [getattr(d, attr) if d.count >= SMALL else None for _, d in rows]
        drawn = ax.barh([p + offset * 0.4 - 0.2 for p in positions],
                        [(value or 0.0) / per_unit for value in values], height=0.38, color=color)
        ax.bar_label(drawn, padding=3, fontsize=9, labels=[
            f"{name} {hours_text(value)}" if value is not None
            else (messages.CHART_TOO_FEW if offset == 0 else "") for value in values])
    ax.set_yticks(list(positions), [name for name, _ in rows])
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_xlim(0, max(longest / per_unit, 1.0) * 1.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _breakdown(attribute: str, *, horizontal: bool = True,
               other_label: str = messages.CHART_OTHER) -> Drawer:
    def draw(ax: Axes, figures: Figures) -> None:
        bars(ax, getattr(figures, attribute), horizontal=horizontal, other_label=other_label)
    return draw


DRAWERS: dict[str, Drawer] = {
    "series": _breakdown("series", horizontal=False),
    "gemeente": _breakdown("by_gemeente", other_label=messages.CHART_OTHER_GEMEENTEN),
    "role": _breakdown("by_role"),
    "organisation": _breakdown("by_organisation",
                               other_label=messages.CHART_OTHER_ORGANISATIONS),
    "sign": _breakdown("by_sign"),
    "pc4": _breakdown("by_pc4"),
    "status": _breakdown("by_status"),
    "outcome": _breakdown("by_outcome"),
    "durations": durations,
    "backlog": lambda ax, figures: bars(ax, figures.backlog.buckets, horizontal=False),
    "not_on_board": _breakdown("not_on_board", other_label=messages.CHART_OTHER_GEMEENTEN),
}
FILES = {"series": "signalen-per-periode.png", "gemeente": "gemeenten.png",
         "role": "melders.png", "organisation": "organisaties.png", "sign": "kenmerken.png",
         "pc4": "postcodegebieden.png", "status": "stand.png", "outcome": "uitkomsten.png",
         "durations": "doorlooptijden.png", "backlog": "open-signalen.png",
         "not_on_board": "niet-aangesloten.png"}


def title(kind: str, figures: Figures) -> str:
    """The Dutch title of one chart."""
    return messages.MONITORING_TITLES[kind].format(unit=figures.series_unit)


def _render(size: tuple[int, int], draw: Callable[[Figure], None]) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    with _LOCK:
        figure = Figure(figsize=(size[0] / DPI, size[1] / DPI), dpi=DPI,
                        layout=ConstrainedLayoutEngine(rect=(0, 0.03, 1, 0.97)))
        FigureCanvasAgg(figure)
        draw(figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()


def _heading(figure: Figure, figures: Figures, heading: str) -> None:
    figure.suptitle(f"{heading}\n{figures.scope}, {figures.period.label}", fontsize=13)
    figure.text(0.99, 0.005, messages.CHART_FOOTNOTE, ha="right", va="bottom", fontsize=7,
                color="grey")


def chart(kind: str, figures: Figures, size: tuple[int, int] = SIZE) -> bytes:
    """One chart (a key of ``DRAWERS``) as PNG bytes of exactly ``size`` pixels."""
    def draw(figure: Figure) -> None:
        _heading(figure, figures, title(kind, figures))
        DRAWERS[kind](figure.subplots(), figures)
    return _render(size, draw)


def report_kinds(figures: Figures) -> list[str]:
    """The charts of a report.

    Per gemeente only in the national view; for one gemeente, signals for gemeenten not on
    board only when there are any.
    """
    skip = set() if figures.national else {"gemeente"}
    if not figures.national and not figures.not_on_board_total:
        skip.add("not_on_board")
    return [kind for kind in DRAWERS if kind not in skip]


def overview(figures: Figures, size: tuple[int, int] = OVERVIEW_SIZE) -> bytes:
    """Four panels for /stats: per week, melders, kenmerken, doorlooptijden."""
    kinds = ("series", "role", "sign", "durations")

    def draw(figure: Figure) -> None:
        _heading(figure, figures, messages.CHART_TOTAL.format(total=shown(figures.total)))
        for ax, kind in zip(figure.subplots(2, 2).flat, kinds, strict=True):
            ax.set_title(title(kind, figures).split(" (")[0], fontsize=11, loc="left")
            DRAWERS[kind](ax, figures)
    return _render(size, draw)

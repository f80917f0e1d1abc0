"""The monitoring report: PNG charts, CSV files and a one-page HTML summary for the kerngroep.

``write_report`` writes the figures that ``bot.core.monitoring.compute`` gives:

- one PNG per chart (``bot.reporting.charts.FILES``);
- ``cijfers.csv``: every figure as shown (counts of 1 to 4 as "< 5");
- ``samenvatting.html``: self-contained (charts embedded as base64 PNG), to print or mail.

There is no file with a row per signal: counting its rows would give every combination of
the columns it shows (a week, a PC4 area and a kind of signaler together) exactly, 1 to 4
included, and could single a person out. Every file shows only figures that obey the
small-count rule. A CSV cell that a spreadsheet would run as a formula (one starting with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return, e.g. an organisation's name) gets a
leading ``'``; numbers are left as they are.

``telegram_text`` is the short text that ``/stats`` sends with its chart.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.core import messages
from bot.core.monitoring import SMALL, Cell, Durations, Figures, days_text, duration_unit, shown
from bot.core.periods import local_date
from bot.reporting import charts

SECTIONS = (("gemeente", "by_gemeente"), ("rol", "by_role"),
            ("organisatie", "by_organisation"), ("kenmerk", "by_sign"),
            ("pc4", "by_pc4"), ("stand", "by_status"), ("uitkomst", "by_outcome"),
            ("niet_aangesloten", "not_on_board"))
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP, "CSV injection"
NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")


def durations_text(durations: Durations) -> str:
    """Median and p90 in words, in one unit, or why they are not shown."""
    if durations.count == 0 or durations.median_hours is None or durations.p90_hours is None:
        return messages.DURATION_NONE
    if durations.count < SMALL:
        return messages.DURATION_TOO_FEW
    unit = duration_unit(durations.p90_hours)
    return messages.DURATION_SUMMARY.format(median=unit.text(durations.median_hours),
                                            p90=unit.text(durations.p90_hours),
                                            count=durations.count)


def backlog_text(figures: Figures) -> str:
    """The open backlog: how many, how many from before the period, and (if enough) their age."""
    backlog = figures.backlog
    text = messages.BACKLOG_COUNT.format(count=shown(backlog.count), before=shown(backlog.before))
    if backlog.count < SMALL or backlog.median_age_days is None or not backlog.oldest_age_days:
        return text
    return text + messages.STATS_BACKLOG_AGES.format(median=days_text(backlog.median_age_days),
                                                     oldest=days_text(backlog.oldest_age_days))


def partial_note(figures: Figures) -> str:
    """Which weeks or months fall only partly in the period (marked * in the charts), or ""."""
    if not figures.partial:
        return ""
    return messages.CHART_PARTIAL.format(bins=", ".join(c.described for c in figures.partial))


def _top(cells: Iterable[Cell], limit: int = 3) -> str:
    items = [html.escape(f"{cell.label} ({cell.shown})") for cell in cells if cell.count]
    items = items[:limit]
    return ", ".join(items) or messages.STATS_NONE


def telegram_text(figures: Figures) -> str:
    """The short Dutch text of ``/stats`` (Telegram HTML)."""
    lines = [
        messages.STATS_TITLE.format(scope=html.escape(figures.scope),
                                    period=html.escape(figures.period.label)),
        "",
        messages.STATS_TOTAL.format(total=html.escape(shown(figures.total))),
        *(messages.STATS_OTHER_KINDS.format(label=html.escape(kind.label),
                                            count=html.escape(kind.shown))
          for kind, _ in (*figures.other_kinds, *figures.news)),
        *([messages.STATS_GEMEENTEN.format(items=_top(figures.by_gemeente))]
          if figures.national else []),
        messages.STATS_ROLES.format(items=_top(figures.by_role)),
        messages.STATS_ORGANISATIONS.format(items=_top(figures.by_organisation)),
        messages.STATS_SIGNS.format(items=_top(figures.by_sign)),
        messages.STATS_CLAIM.format(durations=durations_text(figures.time_to_claim)),
        messages.STATS_CONTACT.format(durations=durations_text(figures.time_to_first_contact)),
        messages.STATS_OUTCOMES.format(items=_top(figures.by_outcome, limit=6)),
        messages.STATS_BACKLOG.format(date=local_date(figures.as_of),
                                      backlog=html.escape(backlog_text(figures))),
    ]
    if figures.national or figures.not_on_board_total:
        lines.append(messages.STATS_NOT_ON_BOARD.format(
            count=html.escape(shown(figures.not_on_board_total))))
    notes = [f"<i>{html.escape(note)}</i>" for note in [partial_note(figures)] if note]
    return "\n".join([*lines, "", *notes, messages.STATS_FOOTNOTE])


def csv_cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
    ``'``; numbers (also as text, such as "-1.5") stay as they are.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV text (RFC 4180: CRLF, so a cell with a line break of either kind is quoted)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(value) for value in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def figures_rows(figures: Figures) -> list[tuple[str, str, str, str]]:
    """Every figure as shown: (section, key, label, value); counts of 1 to 4 are "< 5"."""
    date = local_date(figures.as_of)
    rows: list[tuple[str, str, str, str]] = [
        ("totaal", "signalen", messages.REPORT_TOTAL, shown(figures.total)),
        ("totaal", "open", messages.REPORT_BACKLOG.format(date=date),
         shown(figures.backlog.count)),
        ("totaal", "open_van_voor_periode", messages.REPORT_BACKLOG_BEFORE.format(date=date),
         shown(figures.backlog.before)),
    ]
    for key, durations in (("oppakken", figures.time_to_claim),
                           ("eerste_contact", figures.time_to_first_contact)):
        enough = durations.count >= SMALL
        rows.append(("doorlooptijd", f"{key}_aantal", key, shown(durations.count)))
        for name, value in (("mediaan_uren", durations.median_hours),
                            ("p90_uren", durations.p90_hours)):
            rows.append(("doorlooptijd", f"{key}_{name}", key,
                         f"{value:.1f}" if enough and value is not None else ""))
    rows += [(f"per_{figures.series_unit}", c.key, c.described, c.shown)
             for c in figures.series]
    for section, attribute in SECTIONS:
        rows += [(section, c.key, c.label, c.shown) for c in getattr(figures, attribute)]
    rows += [("open_leeftijd", c.key, c.label, c.shown) for c in figures.backlog.buckets]
    rows += [(f"vraag_{question.id}", c.key, f"{question.summary or question.id}: {c.label}",
              c.shown) for question, breakdown in figures.by_question for c in breakdown]
    for kind, per_gemeente in (*figures.other_kinds, *figures.news):
        rows.append(("totaal", kind.key, kind.label, kind.shown))
        rows += [(kind.key, c.key, c.label, c.shown) for c in per_gemeente]
    return rows


def summary_html(figures: Figures, images: dict[str, bytes]) -> str:
    """A self-contained HTML summary (charts embedded as base64 PNG) that prints on A4.

    The charts print two to a row, each as wide as it is drawn, so that their text keeps its
    size in points.
    """
    def esc(text: str) -> str:
        return html.escape(text, quote=True)

    facts = [  # (name, value as HTML)
        (messages.REPORT_TOTAL, esc(shown(figures.total))),
        *((kind.label, esc(kind.shown)) for kind, _ in (*figures.other_kinds, *figures.news)),
        (messages.REPORT_CLAIM, esc(durations_text(figures.time_to_claim))),
        (messages.REPORT_CONTACT, esc(durations_text(figures.time_to_first_contact))),
        (messages.REPORT_BACKLOG.format(date=local_date(figures.as_of)),
         esc(backlog_text(figures))),
        (messages.REPORT_ROLES, _top(figures.by_role)),
        (messages.REPORT_SIGNS, _top(figures.by_sign)),
        (messages.REPORT_NOT_ON_BOARD, esc(shown(figures.not_on_board_total))),
    ]
    table = "\n".join(f"<tr><th>{esc(name)}</th><td>{value}</td></tr>" for name, value in facts)
    organisations = "\n".join(f"<tr><td>{esc(cell.label)}</td><td>{esc(cell.shown)}</td></tr>"
                              for cell in figures.by_organisation)
    figures_html = "\n".join(
        f'<figure><img alt="{esc(charts.title(kind, figures))}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"></figure>' for kind, png in images.items())
    title = messages.REPORT_TITLE.format(scope=figures.scope)
    notes = "\n".join(f'<p class="notes">{esc(note)}</p>' for note in (
        partial_note(figures), messages.REPORT_FOOTNOTES,
        messages.REPORT_MADE.format(date=local_date(datetime.now(UTC)))) if note)
    return f"""<!DOCTYPE html>
<html lang="{messages.LANGUAGE}"><head><meta charset="utf-8"><title>{esc(title)}</title>
<style>
@page {{ size: A4; margin: 15mm; }}
body {{ font: 10.5pt/1.4 system-ui, sans-serif; color: #222; box-sizing: border-box;
        max-width: 210mm; margin: 0 auto; padding: 15mm; }}
h1 {{ font-size: 17pt; margin: 0; }}
h2 {{ font-size: 12.5pt; margin: 1.2em 0 .3em; break-after: avoid; }}
.period {{ font-size: 11pt; color: #333; margin: .2em 0 0; }}
table {{ border-collapse: collapse; }}
th, td {{ text-align: left; vertical-align: top; padding: .25em 1em .25em 0;
          border-bottom: 1px solid #ccc; }}
.charts {{ display: grid; grid-template-columns: repeat(2, {charts.PRINT_WIDTH_MM}mm);
           gap: 6mm 4mm; margin-top: 6mm; }}
figure {{ margin: 0; break-inside: avoid; }}
img {{ display: block; width: 100%; height: auto; }}
.notes {{ font-size: 10pt; color: #333; margin: .6em 0 0; }}
@media print {{ body {{ max-width: none; padding: 0; }} }}
</style></head><body>
<h1>{esc(title)}</h1>
<p class="period">{esc(figures.period.label)}</p>
<h2>{esc(messages.REPORT_KEY_FIGURES)}</h2>
<table>
{table}
</table>
<h2>{esc(messages.REPORT_ORGANISATIONS)}</h2>
<table class="organisations">
<tr><th>{esc(messages.REPORT_ORGANISATION)}</th><th>{esc(messages.REPORT_COUNT)}</th></tr>
{organisations}
</table>
<div class="charts">
{figures_html}
</div>
{notes}
</body></html>
"""


def write_report(figures: Figures, out: Path) -> list[Path]:
    """Write charts, ``cijfers.csv`` and ``samenvatting.html`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    images = {kind: charts.chart(kind, figures) for kind in charts.report_kinds(figures)}
    written = []
    for kind, png in images.items():
        path = out / charts.FILES[kind]
        path.write_bytes(png)
        written.append(path)
    files = {
        "cijfers.csv": _csv(("onderdeel", "sleutel", "omschrijving", "waarde"),
                            figures_rows(figures)),
        "samenvatting.html": summary_html(figures, images),
    }
    for name, text in files.items():
        path = out / name
        path.write_text(text, encoding="utf-8", newline="")  # CRLF in the CSV as written
        written.append(path)
    return written

"""The periods figures cover (calendar weeks, quarters, years) and dates, in Dutch time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core import messages

LOCAL = ZoneInfo("Europe/Amsterdam")  # weeks, months and dates as people in the gemeente see them


def local_date(moment: datetime) -> str:
    """A moment as a Dutch date (dd-mm-jjjj) in Dutch time."""
    return moment.astimezone(LOCAL).strftime("%d-%m-%Y")


def local_midnight(day: date) -> datetime:
    """The start of a day in Dutch time, in UTC."""
    return datetime.combine(day, time(), LOCAL).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """A half-open period ``start <= t < end`` (UTC) with a Dutch label."""

    start: datetime
    end: datetime
    label: str

    @classmethod
    def last_weeks(cls, weeks: int, *, now: datetime | None = None) -> Period:
        """The last ``weeks`` calendar weeks up to ``now``, the current one included.

        The kerngroep meets every six weeks. The period starts on a Monday (Dutch time), so
        only the current week can be partial.
        """
        if weeks < 1:
            raise ValueError("weeks must be at least 1")
        end = now or datetime.now(UTC)
        last_day = (end - timedelta(microseconds=1)).astimezone(LOCAL).date()
        first_day = last_day - timedelta(days=last_day.weekday(), weeks=weeks - 1)
        return cls(local_midnight(first_day), end,
                   messages.PERIOD_LAST_WEEKS.format(
                       weeks=weeks, first_week=first_day.isocalendar().week,
                       last_week=last_day.isocalendar().week, first=f"{first_day:%d-%m-%Y}",
                       last=f"{last_day:%d-%m-%Y}"))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        """A calendar quarter in Dutch time."""
        if not 1 <= quarter <= 4:
            raise ValueError("quarter must be 1 to 4")
        first = date(year, 3 * quarter - 2, 1)
        after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return cls(local_midnight(first), local_midnight(after),
                   messages.PERIOD_QUARTER.format(quarter=quarter, year=year))

    @classmethod
    def year(cls, year: int) -> Period:
        """A calendar year in Dutch time."""
        return cls(local_midnight(date(year, 1, 1)), local_midnight(date(year + 1, 1, 1)),
                   messages.PERIOD_YEAR.format(year=year))

    @classmethod
    def parse_quarter(cls, text: str) -> Period:
        """A quarter written as ``2026-Q1``, ``2026Q1`` or ``2026-K1``."""
        cleaned = text.strip().upper().replace(" ", "").replace("-", "").replace("K", "Q")
        year, _, quarter = cleaned.partition("Q")
        if not (year.isdigit() and len(year) == 4 and quarter in ("1", "2", "3", "4")):
            raise ValueError(f"not a quarter: {text!r} (write it like 2026-Q1)")
        return cls.quarter(int(year), int(quarter))

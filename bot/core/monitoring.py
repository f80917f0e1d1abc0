"""Monitoring and evaluation (pijler 5): figures for the regisseur and the kerngroep.

Pure computation from anonymous data. ``compute`` asks a ``Source`` (in production the
``MonitoringRepository``) for grouped counts, durations and backlog dates, and turns them into
``Figures``. The national view is the same computation with ``gemeente_code=None``.

``Figures`` keep exact counts; whatever is shown goes through ``shown``: a count of 1 to 4
becomes "< 5" so that nobody can be singled out (totals too).

Signals' figures count signals only; self-reports and volunteer sign-ups are counted on their
own, per gemeente (``Figures.other_kinds``), with the same rule; so are news opt-ins
(``Figures.news``: subscribers at the period's end, new ones, new ones via an organisation).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from bot.core import messages
from bot.core.periods import LOCAL, Period, local_midnight
from bot.core.questionnaire import Marker, Question, ReportKind
from bot.core.questionnaires import signal
from bot.core.workflow import OUTCOMES, STATE_LABELS

SMALL = 5  # counts from 1 to SMALL - 1 are never shown exactly
SUPPRESSED = "< 5"
WEEKLY_UP_TO = timedelta(weeks=16)  # longer periods are shown per month
BACKLOG_BUCKETS = tuple(zip(  # (up to this age in days, key, label)
    (7.0, 14.0, 28.0, math.inf), ("0-7", "7-14", "14-28", "28+"), messages.BACKLOG_AGES,
    strict=True))
ROLE_LABELS = {option.value: option.label for option in signal().marked(Marker.ROLE).options}
SIGN_LABELS = {option.value: option.label for option in signal().marked(Marker.SIGNS).options}
STATUS_LABELS = {state.value: label for state, label in STATE_LABELS.items()}
DIRECT = ""  # the organisation key of signals filed without an organisation's link
# The reports counted beside signals, with their label (in this order).
OTHER_KINDS = {ReportKind.ZELFMELDING.value: messages.KIND_LABELS["zelfmelding"],
               ReportKind.VRIJWILLIGER.value: messages.KIND_LABELS["vrijwilliger"]}
# News opt-in measures (``Source.count_news``) and their key in cijfers.csv.
NEWS_KEYS = {"active": "nieuws_abonnees", "new": "nieuws_nieuw",
             "organisation": "nieuws_via_organisatie"}


def is_suppressed(count: int) -> bool:
    """Whether a count is too small to show exactly (1 to 4)."""
    return 0 < count < SMALL


def shown(count: int) -> str:
    """A count as it may be shown: 1 to 4 becomes "< 5"."""
    return SUPPRESSED if is_suppressed(count) else str(count)


@dataclass(frozen=True)
class Cell:
    """One count in a breakdown: a key (code), its Dutch label and the exact count."""

    key: str
    label: str
    count: int

    @property
    def shown(self) -> str:
        """The count as it may be shown ("< 5" for 1 to 4)."""
        return shown(self.count)


@dataclass(frozen=True)
class Bin(Cell):
    """A week or month of a series, and how many of its days fall in the period."""

    days: int
    of_days: int

    @property
    def partial(self) -> bool:
        """Whether only part of the week or month falls in the period (its bar looks low)."""
        return self.days < self.of_days

    @property
    def described(self) -> str:
        """The label, with the days in the period when partial ("wk 27 (6 van 7 dagen)")."""
        if not self.partial:
            return self.label
        return messages.PARTIAL.format(label=self.label, days=self.days, of_days=self.of_days)


def quantile(values: Sequence[float], fraction: float) -> float | None:
    """A quantile of sorted values, linear between the closest ranks (numpy's default).

    The median is ``quantile(values, 0.5)``; p90 is ``quantile(values, 0.9)``.
    """
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass(frozen=True)
class Durations:
    """How long something took, over ``count`` signals, in hours."""

    count: int
    median_hours: float | None
    p90_hours: float | None

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Durations:
        """Median and p90 of durations given in seconds."""
        hours = sorted(value / 3600 for value in seconds)
        return cls(len(hours), quantile(hours, 0.5), quantile(hours, 0.9))


@dataclass(frozen=True)
class Backlog:
    """Signals open at a moment, and how old they were then.

    Every open signal counts, also those filed before the period (``before`` of them).
    """

    count: int
    median_age_days: float | None
    oldest_age_days: float | None
    buckets: tuple[Cell, ...]
    before: int

    @classmethod
    def of(cls, created: Sequence[datetime], *, at: datetime, since: datetime) -> Backlog:
        """The backlog of signals filed at ``created``, measured at ``at``; a period ``since``."""
        ages = sorted((at - moment).total_seconds() / 86400 for moment in created)
        counts = dict.fromkeys((key for _, key, _ in BACKLOG_BUCKETS), 0)
        for age in ages:
            counts[next(key for limit, key, _ in BACKLOG_BUCKETS if age < limit)] += 1
        buckets = tuple(Cell(key, label, counts[key]) for _, key, label in BACKLOG_BUCKETS)
        return cls(len(ages), quantile(ages, 0.5), ages[-1] if ages else None, buckets,
                   sum(moment < since for moment in created))


@dataclass(frozen=True)
class Figures:
    """Everything the kerngroep sees for one scope (a gemeente, or all) and period."""

    gemeente_code: str | None  # None: all gemeenten (the national view)
    scope: str  # the gemeente's name, or "alle gemeenten"
    period: Period
    as_of: datetime  # the backlog is measured here: the period's end, or now if earlier
    total: int
    series: tuple[Bin, ...]  # signals per week (or per month for long periods)
    series_unit: str  # "week" or "maand"
    by_gemeente: tuple[Cell, ...]  # national view only
    by_role: tuple[Cell, ...]
    by_organisation: tuple[Cell, ...]  # key: the organisation's code; DIRECT: none
    by_sign: tuple[Cell, ...]
    by_pc4: tuple[Cell, ...]
    by_status: tuple[Cell, ...]
    by_outcome: tuple[Cell, ...]
    time_to_claim: Durations
    time_to_first_contact: Durations
    backlog: Backlog
    not_on_board: tuple[Cell, ...]
    by_question: tuple[tuple[Question, tuple[Cell, ...]], ...] = ()  # counted choice questions
    # Per other kind of report (key: the kind), its count in the scope and per gemeente.
    other_kinds: tuple[tuple[Cell, tuple[Cell, ...]], ...] = ()
    # Per news measure (key: ``NEWS_KEYS``), its count in the scope and per gemeente.
    news: tuple[tuple[Cell, tuple[Cell, ...]], ...] = ()

    @property
    def national(self) -> bool:
        """Whether these are the figures of all gemeenten together."""
        return self.gemeente_code is None

    @property
    def not_on_board_total(self) -> int:
        """Signals for gemeenten that do not take part, in the period."""
        return sum(cell.count for cell in self.not_on_board)

    @property
    def partial(self) -> tuple[Bin, ...]:
        """The weeks or months of the series that fall only partly in the period."""
        return tuple(cell for cell in self.series if cell.partial)


def cells(counts: Mapping[Any, int], labels: Mapping[str, str] | None = None, *,
          by_count: bool = True) -> tuple[Cell, ...]:
    """A breakdown: every labelled key (zero included) and every counted key.

    With ``by_count`` the largest come first; suppressed counts rank equal (their order
    would hint at their size), ties keep the labels' order, then the keys' order.
    """
    labels = labels or {}
    keys = [*labels, *sorted((str(k) for k in counts if str(k) not in labels), key=_natural)]
    exact = {str(key): count for key, count in counts.items()}
    result = [Cell(key, labels.get(key, key), exact.get(key, 0)) for key in keys]
    if by_count:
        result.sort(key=lambda cell: -(1 if is_suppressed(cell.count) else cell.count))
    return tuple(result)


def _natural(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 30, key)


def series(hours: Mapping[datetime, int], period: Period) -> tuple[tuple[Bin, ...], str]:
    """Counts per UTC hour binned into local ISO weeks, or months for long periods.

    Each bin knows how many of its days fall in the period: a quarter's first and last weeks
    and the current week are partial, and their bars look low.
    """
    weekly = period.end - period.start <= WEEKLY_UP_TO

    def key(day: date) -> tuple[str, str, int]:
        if weekly:
            year, week, _ = day.isocalendar()
            return f"{year}-W{week:02d}", messages.WEEK.format(week=week), 7
        days = ((day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)).day
        label = messages.MONTH.format(month=messages.MONTHS[day.month - 1], year=day.year)
        return f"{day.year}-{day.month:02d}", label, days

    bins: dict[str, list[Any]] = {}  # key: [label, count, days in the period, days]
    day = period.start.astimezone(LOCAL).date()
    while local_midnight(day) < period.end:
        bin_key, label, of_days = key(day)
        bins.setdefault(bin_key, [label, 0, 0, of_days])[2] += 1
        day += timedelta(days=1)
    for hour, count in hours.items():
        bin_key, label, of_days = key(hour.astimezone(LOCAL).date())
        bins.setdefault(bin_key, [label, 0, 0, of_days])[1] += count
    return (tuple(Bin(k, *values) for k, values in sorted(bins.items())),
            "week" if weekly else "maand")


class Source(Protocol):
    """Where the anonymous data comes from (``storage.repositories.MonitoringRepository``)."""

    async def count_by(self, group: str, *, gemeente_code: str | None, start: datetime,
                       end: datetime) -> dict[Any, int]:
        """Signals filed in the period per value of one column."""

    async def count_signs(self, *, gemeente_code: str | None, start: datetime,
                          end: datetime) -> dict[str, int]:
        """Signals filed in the period that mention each sign."""

    async def count_choices(self, *, gemeente_code: str | None, start: datetime,
                            end: datetime) -> dict[tuple[str, str], int]:
        """Signals filed in the period per (question, value) of the counted questions."""

    async def count_by_hour(self, *, gemeente_code: str | None, start: datetime,
                            end: datetime) -> dict[datetime, int]:
        """Signals filed in the period per UTC hour."""

    async def durations(self, *, gemeente_code: str | None, start: datetime,
                        end: datetime) -> tuple[list[float], list[float]]:
        """Seconds to claim and to first contact of the period's signals."""

    async def backlog(self, *, gemeente_code: str | None, at: datetime) -> list[datetime]:
        """When each signal open at ``at`` was filed."""

    async def count_not_on_board(self, *, gemeente_code: str | None, start: datetime,
                                 end: datetime) -> dict[str | None, int]:
        """Signals for gemeenten not on board, per gemeente code."""

    async def count_kinds(self, *, gemeente_code: str | None, start: datetime,
                          end: datetime) -> dict[tuple[str, str], int]:
        """Reports of other kinds than signals filed in the period, per (kind, gemeente)."""

    async def count_news(self, *, gemeente_code: str | None, start: datetime,
                         end: datetime) -> dict[tuple[str, str], int]:
        """News opt-ins per (measure, gemeente): active at the end, new, new via an organisation."""

    async def gemeente_names(self) -> dict[str, str]:
        """Every known gemeente's name by code."""

    async def organisations(self) -> dict[int, tuple[str, str, str | None]]:
        """Every signaler organisation: id -> (code, name, gemeente code or None)."""


def organisation_cells(counts: Mapping[int | None, int],
                       organisations: Mapping[int, tuple[str, str, str | None]], *,
                       gemeente_code: str | None) -> tuple[Cell, ...]:
    """Signals per organisation (by name), and those filed directly (``DIRECT``).

    Listed, zero included: the gemeente's own organisations (every one nationally), any other
    organisation with signals, and the direct signals. Organisations sharing a name get their
    code added to it.
    """
    ids = {id_ for id_, (_, _, code) in organisations.items()
           if gemeente_code is None or code == gemeente_code}
    ids |= {id_ for id_ in counts if id_ is not None}
    known = {id_: organisations.get(
                 id_, (f"#{id_}", messages.UNKNOWN_ORGANISATION.format(id=id_), None))[:2]
             for id_ in ids}
    clashes = Counter(name for _, name in known.values())
    labels = {key: name if clashes[name] == 1 else f"{name} ({key})"
              for key, name in sorted(known.values(), key=lambda kn: (kn[1].casefold(), kn[0]))}
    keyed = {known[id_][0] if id_ is not None else DIRECT: n for id_, n in counts.items()}
    return cells(keyed, {**labels, DIRECT: messages.NO_ORGANISATION})


async def compute(source: Source, *, gemeente_code: str | None, period: Period,
                  now: datetime | None = None, counted: Sequence[Question] = ()) -> Figures:
    """The figures of one gemeente (or, with ``gemeente_code=None``, all) for a period.

    Signals count in the period they were filed in; their durations, status and outcome are
    as they are now. The backlog is every signal not closed at the period's end (or now).
    ``counted``: the choice questions whose answers are broken down (a gemeente's own).
    """
    as_of = min(period.end, now or datetime.now(UTC))
    window: dict[str, Any] = {"gemeente_code": gemeente_code, "start": period.start,
                              "end": period.end}
    names = await source.gemeente_names()
    organisations = await source.organisations()
    by_status = await source.count_by("status", **window)
    outcomes = {k: n for k, n in (await source.count_by("outcome", **window)).items() if k}
    to_claim, to_contact = await source.durations(**window)
    not_on_board = await source.count_not_on_board(**window)
    hourly, unit = series(await source.count_by_hour(**window), period)
    choices = await source.count_choices(**window) if counted else {}
    kinds = await source.count_kinds(**window)
    news = await source.count_news(**window)
    scope_names = ({code: name for code, name in sorted(names.items())}
                   if gemeente_code is None
                   else {gemeente_code: names.get(gemeente_code, gemeente_code)})
    return Figures(
        gemeente_code=gemeente_code,
        scope=names.get(gemeente_code, gemeente_code) if gemeente_code else messages.ALL_GEMEENTEN,
        period=period,
        as_of=as_of,
        total=sum(by_status.values()),
        series=hourly,
        series_unit=unit,
        by_gemeente=(cells(await source.count_by("gemeente", **window),
                           {code: name for code, name in sorted(names.items())})
                     if gemeente_code is None else ()),
        by_role=cells(await source.count_by("role", **window), ROLE_LABELS),
        by_organisation=organisation_cells(await source.count_by("organisation", **window),
                                           organisations, gemeente_code=gemeente_code),
        by_sign=cells(await source.count_signs(**window), SIGN_LABELS),
        by_pc4=cells(await source.count_by("pc4", **window)),
        by_status=cells(by_status, STATUS_LABELS, by_count=False),
        by_outcome=cells(outcomes, OUTCOMES, by_count=False),
        time_to_claim=Durations.of(to_claim),
        time_to_first_contact=Durations.of(to_contact),
        backlog=Backlog.of(await source.backlog(gemeente_code=gemeente_code, at=as_of),
                           at=as_of, since=period.start),
        not_on_board=cells({code or "": n for code, n in not_on_board.items()},
                           {code: names.get(code) or code or messages.UNKNOWN_GEMEENTE
                            for code in sorted(c or "" for c in not_on_board)}),
        by_question=tuple(
            (question, cells({value: n for (qid, value), n in choices.items()
                              if qid == question.id},
                             {option.value: option.label for option in question.options},
                             by_count=False))
            for question in counted),
        other_kinds=tuple(
            (Cell(kind, label, sum(n for (k, _), n in kinds.items() if k == kind)),
             cells({code: n for (k, code), n in kinds.items() if k == kind}, scope_names,
                   by_count=False))
            for kind, label in OTHER_KINDS.items()),
        news=tuple(
            (Cell(key, messages.NEWS_LABELS[measure],
                  sum(n for (m, _), n in news.items() if m == measure)),
             cells({code: n for (m, code), n in news.items() if m == measure}, scope_names,
                   by_count=False))
            for measure, key in NEWS_KEYS.items()),
    )


def number(value: float) -> str:
    """A number the Dutch way: one decimal at most, decimal comma (3,5)."""
    return f"{value:.1f}".replace(".", ",").removesuffix(",0")


@dataclass(frozen=True)
class Unit:
    """A unit for durations: how many hours one is, its words after a number, and an axis."""

    hours: float
    word: str
    axis: str
    one: str  # after "1"

    def text(self, hours: float) -> str:
        """A duration in this unit ("35 uur", "1,8 dagen", "1 dag"; minutes are whole)."""
        value = hours / self.hours
        amount = str(round(value)) if self.hours < 1 else number(value)
        return f"{amount} {self.one if amount == '1' else self.word}"


MINUTES = Unit(1 / 60, *messages.DURATION_MINUTES)
HOURS = Unit(1, *messages.DURATION_HOURS)
DAYS = Unit(24, *messages.DURATION_DAYS)


def duration_unit(longest_hours: float) -> Unit:
    """One unit for durations up to ``longest_hours``: minutes, hours up to 3 days, then days."""
    return MINUTES if longest_hours < 1 else HOURS if longest_hours < 72 else DAYS


def hours_text(hours: float) -> str:
    """A single duration in words, in its own unit."""
    return duration_unit(hours).text(hours)


def days_text(days: float) -> str:
    """An age in whole days ("717 dagen", "1 dag", "minder dan 1 dag")."""
    whole = math.floor(days)
    if whole < 1:
        return messages.AGE_UNDER_A_DAY
    return messages.AGE_ONE_DAY if whole == 1 else messages.AGE_IN_DAYS.format(days=whole)

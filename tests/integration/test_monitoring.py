"""Monitoring: figures from a seeded data set, small-count suppression, charts, the report
command, and ``/stats`` through Telegram, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import re
import struct
import subprocess
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert

from bot.core.monitoring import Cell, Durations, Figures, cells, compute, quantile, series, shown
from bot.core.periods import Period, local_date
from bot.reporting import charts
from bot.reporting.report import figures_rows, summary_html, telegram_text, write_report
from bot.services import Services, open_services
from bot.settings import Settings
from storage.models import NewsSubscription, Organisation, Signal, utcnow
from storage.repositories import MonitoringRepository
from tests.conftest import make_settings
from tests.harness import BotRunner, Person
from tests.helpers.cli import run_cli
from tests.helpers.monitoring_data import END, KNIP, NOW, OTHER_KINDS, Q3, SEED, at, row, seed
from tests.helpers.senders import NoSender


async def seeded(settings: Settings) -> AsyncIterator[Services]:
    opened = await open_services(settings, {"telegram": NoSender()})
    await seed(opened.db, SEED)
    yield opened
    await opened.close()


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    """A migrated database (SQLite and PostgreSQL) with the gemeenten and seeded records."""
    async for opened in seeded(settings):
        yield opened


@pytest.fixture
async def sqlite_services(tmp_path: Path) -> AsyncIterator[Services]:
    """The same on SQLite only: for what does not depend on the database (files, CLI)."""
    async for opened in seeded(make_settings(f"sqlite+aiosqlite:///{tmp_path / 'seeded.db'}")):
        yield opened


@pytest.fixture
def settings(db_url: str) -> Settings:
    """The test settings with two global admins: Backup (7009) and Bram (7101), who is also
    regisseur of Heerlen."""
    return make_settings(db_url, admins=[7009, 7101])


async def figures_of(services: Services, code: str | None, period: Period = Q3) -> Figures:
    async with services.sessions() as session:
        return await compute(MonitoringRepository(session), gemeente_code=code, period=period,
                             now=NOW)


def counts(breakdown: tuple[Cell, ...]) -> dict[str, int]:
    return {cell.key: cell.count for cell in breakdown if cell.count}


async def test_figures_of_a_gemeente_match_hand_computed_values(services: Services) -> None:
    figures = await figures_of(services, "GM0715")
    assert (figures.scope, figures.total, figures.as_of) == ("Terneuzen", 12, END)
    assert counts(figures.by_role) == {"kapper": 8, "bezorger": 3, "financieel": 1}
    assert [c.key for c in figures.by_role[:3]] == ["kapper", "bezorger", "financieel"]
    assert counts(figures.by_sign) == {"post": 11, "gordijnen": 8, "verlies": 1}
    assert counts(figures.by_pc4) == {"4531": 6, "4532": 5, "4533": 1}
    # per organisation (keyed by code): the gemeente's own are listed without signals too;
    # suppressed counts rank equal, in the order of the names, direct last
    assert [(c.key, c.label, c.count) for c in figures.by_organisation] == [
        ("knip", "Kapsalon Knip", 6), ("postnl-tnz", "PostNL depot Terneuzen", 3),
        ("rabo", "Rabobank", 1), ("", "Geen organisatie (direct)", 2),
        ("wijk-tnz", "Wijkteam", 0)]
    assert counts(figures.by_status) == {"new": 1, "claimed": 5, "closed": 6}
    assert counts(figures.by_outcome) == {"ondersteuning": 3, "doorverwezen": 2,
                                          "geen_zorgen": 1}
    # to claim (hours): 1..10 and 20 -> median 6, p90 at rank 9 of 0..10 -> 10
    assert (figures.time_to_claim.count, figures.time_to_claim.median_hours,
            figures.time_to_claim.p90_hours) == (11, pytest.approx(6), pytest.approx(10))
    # to first contact (hours): 10..60 -> median (30 + 40) / 2, p90 at rank 4.5 -> 55
    contact = figures.time_to_first_contact
    assert (contact.count, contact.median_hours, contact.p90_hours) == (
        6, pytest.approx(35), pytest.approx(55))
    # open at the end: six of the quarter (one closed only later), one from June;
    # ages 15.5, 22.5, ..., 57.5 and 121.5 days
    backlog = figures.backlog
    assert backlog.count == 8
    assert backlog.median_age_days == pytest.approx(40.0)
    assert backlog.oldest_age_days == pytest.approx(121.5)
    assert [c.count for c in backlog.buckets] == [0, 0, 2, 6]
    # one signal a week in ISO weeks 27 to 38 (Dutch time), none in 39 and 40
    assert figures.series_unit == "week"
    assert [c.key for c in figures.series] == [f"2025-W{w}" for w in range(27, 41)]
    assert [c.count for c in figures.series] == [1] * 12 + [0, 0]
    assert figures.not_on_board_total == 0 and not figures.by_gemeente


async def test_the_national_view_is_the_same_computation_over_every_gemeente(
        services: Services) -> None:
    figures = await figures_of(services, None)
    assert (figures.national, figures.scope, figures.total) == (True, "alle gemeenten", 13)
    assert counts(figures.by_gemeente) == {"GM0715": 12, "GM0917": 1}
    assert {c.key: c.label for c in figures.by_gemeente}["GM0917"] == "Heerlen"
    assert counts(figures.by_role) == {"kapper": 8, "bezorger": 3, "financieel": 1, "zorg": 1}
    assert counts(figures.by_organisation) == {"knip": 6, "postnl-tnz": 3, "rabo": 2, "": 2}
    assert {c.key: c.label for c in figures.by_organisation if not c.count} == {
        "wijk-hrl": "Wijkteam (wijk-hrl)", "wijk-tnz": "Wijkteam (wijk-tnz)"}  # same name
    assert figures.backlog.count == 9  # Heerlen's new signal too
    assert counts(figures.not_on_board) == {"GM0534": 2, "": 1}
    assert {c.key: c.label for c in figures.not_on_board} == {
        "GM0534": "Hillegom", "": "onbekende gemeente"}


async def test_counts_of_one_to_four_are_shown_as_less_than_five(services: Services) -> None:
    figures = await figures_of(services, "GM0715")
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == ["0", "< 5", "< 5", "5", "12"]
    text = telegram_text(figures)
    assert "Kapper / salon (8), Pakket- of postbezorger (&lt; 5), Financieel adviseur / bank " \
           "(&lt; 5)" in text
    assert "Via organisatie: Kapsalon Knip (6), PostNL depot Terneuzen (&lt; 5), Rabobank " \
           "(&lt; 5)" in text
    assert "mediaan 6 uur, p90 10 uur (van 11 signalen)" in text
    table = {(section, key): value for section, key, _, value in figures_rows(figures)}
    assert table[("rol", "kapper")] == "8" and table[("rol", "bezorger")] == "< 5"
    assert table[("pc4", "4533")] == "< 5" and table[("stand", "new")] == "< 5"
    assert [table[("organisatie", key)] for key in ("knip", "postnl-tnz", "rabo", "", "wijk-tnz")
            ] == ["6", "< 5", "< 5", "< 5", "0"]
    assert table[("per_week", "2025-W30")] == "< 5" and table[("per_week", "2025-W39")] == "0"
    assert table[("doorlooptijd", "oppakken_mediaan_uren")] == "6.0"
    assert not [value for value in table.values() if value in {"1", "2", "3", "4"}]
    # a total below 5 is suppressed too, and so are durations of fewer than 5 signals
    heerlen = await figures_of(services, "GM0917")
    assert "Signalen: <b>&lt; 5</b>" in telegram_text(heerlen)
    assert "Opgepakt: nog geen" in telegram_text(heerlen)
    national = telegram_text(await figures_of(services, None))
    assert "Voor niet-aangesloten gemeenten: &lt; 5" in national
    assert "Meeste signalen in: Terneuzen (12), Heerlen (&lt; 5)" in national


async def test_self_reports_and_volunteers_count_per_gemeente_and_never_as_signals(
        services: Services) -> None:
    before = {code: await figures_of(services, code) for code in ("GM0715", None)}
    async with services.db.begin() as connection:
        await connection.execute(insert(Signal), OTHER_KINDS)
    for code, earlier in before.items():  # the signals' figures are what they were
        figures = await figures_of(services, code)
        assert replace(figures, other_kinds=()) == replace(earlier, other_kinds=())

    terneuzen = await figures_of(services, "GM0715")
    assert [(kind.key, kind.count, [(c.key, c.count) for c in per_gemeente])
            for kind, per_gemeente in terneuzen.other_kinds] == [
        ("zelfmelding", 6, [("GM0715", 6)]), ("vrijwilliger", 3, [("GM0715", 3)])]
    national = await figures_of(services, None)
    self_reports, volunteers = national.other_kinds
    assert self_reports[0].count == 8 and volunteers[0].count == 3
    assert counts(self_reports[1]) == {"GM0715": 6, "GM0917": 2}
    table = {(section, key): value for section, key, _, value in figures_rows(national)}
    assert table[("totaal", "zelfmelding")] == "8" and table[("totaal", "vrijwilliger")] == "< 5"
    assert table[("zelfmelding", "GM0715")] == "6" and table[("zelfmelding", "GM0917")] == "< 5"
    assert table[("vrijwilliger", "GM0534")] == "0"
    text = telegram_text(terneuzen)
    assert "Zelfmeldingen (voelt zich zelf eenzaam): <b>6</b>" in text
    assert "Aanmeldingen als vrijwilliger: <b>&lt; 5</b>" in text
    assert "Signalen: <b>12</b>" in text
    assert "Aanmeldingen als vrijwilliger" in summary_html(terneuzen, {})


async def test_news_opt_ins_count_per_gemeente_with_small_counts_suppressed(
        services: Services) -> None:
    def opt_in(code: str, created: str, *, ended: str | None = None,
               organisation: int | None = None) -> dict[str, Any]:
        return {"channel": "telegram", "gemeente_code": code, "created_at": at(created),
                "ended_at": at(ended) if ended else None, "organisation_id": organisation}

    async with services.db.begin() as connection:
        await connection.execute(insert(NewsSubscription), [
            *[opt_in("GM0715", "2025-08-01 10:00", organisation=4 if n < 3 else None)
              for n in range(6)],
            *[opt_in("GM0715", "2025-05-01 10:00") for _ in range(2)],  # before the quarter
            opt_in("GM0715", "2025-07-10 10:00", ended="2025-08-10 10:00"),  # gone by its end
            opt_in("GM0715", "2025-07-10 10:00", ended="2025-11-01 10:00"),  # gone after
            opt_in("GM0715", "2025-10-15 10:00"),  # after the quarter
            *[opt_in("GM0917", "2025-08-01 10:00") for _ in range(2)]])
    terneuzen = await figures_of(services, "GM0715")
    assert [(measure.key, measure.count, counts(per_gemeente))
            for measure, per_gemeente in terneuzen.news] == [
        ("nieuws_abonnees", 9, {"GM0715": 9}), ("nieuws_nieuw", 8, {"GM0715": 8}),
        ("nieuws_via_organisatie", 3, {"GM0715": 3})]
    text = telegram_text(terneuzen)
    assert "Nieuws: abonnees (eind periode): <b>9</b>" in text
    assert "Nieuws: aanmeldingen via een organisatie: <b>&lt; 5</b>" in text
    assert "Nieuws: nieuwe aanmeldingen" in summary_html(terneuzen, {})
    national = await figures_of(services, None)
    table = {(section, key): value for section, key, _, value in figures_rows(national)}
    assert table[("totaal", "nieuws_abonnees")] == "11"
    assert table[("nieuws_abonnees", "GM0715")] == "9"
    assert table[("nieuws_abonnees", "GM0917")] == "< 5"
    assert table[("nieuws_via_organisatie", "GM0715")] == "< 5"


def test_suppressed_counts_rank_equal_so_their_order_says_nothing() -> None:
    ordered = cells({"b": 4, "a": 1, "c": 9, "d": 0}, {"a": "A", "b": "B", "c": "C", "d": "D"})
    assert [c.key for c in ordered] == ["c", "a", "b", "d"]


def test_quantiles_interpolate_linearly_between_ranks() -> None:
    assert quantile([], 0.5) is None
    assert quantile([7.0], 0.9) == 7.0
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert quantile([float(v) for v in range(1, 11)], 0.9) == pytest.approx(9.1)


def test_periods_follow_dutch_time_and_long_periods_count_per_month() -> None:
    assert (Q3.start, Q3.end) == (at("2025-06-30 22:00"), at("2025-09-30 22:00"))
    assert Period.parse_quarter("2025-q3") == Q3 and Period.parse_quarter("2025K3") == Q3
    winter = Period.quarter(2025, 4)
    assert (winter.start, winter.end) == (at("2025-09-30 22:00"), at("2025-12-31 23:00"))
    with pytest.raises(ValueError):
        Period.parse_quarter("2025-Q5")
    year = Period.year(2025)
    monthly, unit = series({at("2025-01-31 23:30"): 2, at("2025-12-31 22:00"): 6}, year)
    assert unit == "maand" and len(monthly) == 12
    assert (monthly[0].count, monthly[1].count, monthly[11].count) == (0, 2, 6)


WEDNESDAY = at("2025-12-10 13:00")  # ISO week 50


def test_the_last_six_weeks_are_six_calendar_weeks_and_a_partial_one_is_marked() -> None:
    recent = Period.last_weeks(6, now=WEDNESDAY)
    assert recent.start == at("2025-11-02 23:00")  # Monday 3 November, midnight in Dutch time
    assert recent.label == "laatste 6 weken: wk 45 t/m 50 (03-11-2025 t/m 10-12-2025)"
    weekly, unit = series({WEDNESDAY: 3}, recent)
    assert unit == "week" and [c.label for c in weekly] == [f"wk {w}" for w in range(45, 51)]
    assert [(c.days, c.of_days, c.partial) for c in weekly] == [(7, 7, False)] * 5 + [
        (3, 7, True)]
    assert weekly[-1].described == "wk 50 (3 van 7 dagen)" and weekly[0].described == "wk 45"
    # a week's first moment belongs to that week: the six weeks are then whole ones
    monday = Period.last_weeks(6, now=at("2025-12-14 23:00"))
    assert not [c for c in series({}, monday)[0] if c.partial]
    assert len(series({}, monday)[0]) == 6
    # a quarter starts on a Tuesday and ends on a Tuesday; long periods go per month
    assert [(c.key, c.days) for c in series({}, Q3)[0] if c.partial] == [
        ("2025-W27", 6), ("2025-W40", 2)]
    monthly, unit = series({}, Period.last_weeks(20, now=WEDNESDAY))
    assert unit == "maand" and [c.described for c in monthly if c.partial] == [
        "jul 2025 (4 van 31 dagen)", "dec 2025 (10 van 31 dagen)"]


async def test_partial_weeks_are_marked_in_the_chart_the_csv_and_stats(
        sqlite_services: Services) -> None:
    figures = await figures_of(sqlite_services, "GM0715")
    note = "* deels in de periode: wk 27 (6 van 7 dagen), wk 40 (2 van 7 dagen)"
    texts = chart_texts(charts.figure("series", figures))
    assert "wk 27*" in texts and "wk 40*" in texts and "wk 28" in texts
    assert note in [text.replace("\n", " ") for text in texts]
    assert note in [text.replace("\n", " ") for text in
                    chart_texts(charts.overview_figure(figures))]
    labels = {key: label for section, key, label, _ in figures_rows(figures)
              if section == "per_week"}
    assert (labels["2025-W27"], labels["2025-W28"]) == ("wk 27 (6 van 7 dagen)", "wk 28")
    assert note in telegram_text(figures)


async def test_durations_have_one_unit_per_chart_and_ages_are_whole_days(
        sqlite_services: Services) -> None:
    figures = await figures_of(sqlite_services, "GM0715")
    # to first contact: median 35 h, p90 55 h: hours both, not "p90 2,3 dagen"
    text = telegram_text(figures)
    assert "Eerste contact: mediaan 35 uur, p90 55 uur (van 6 signalen)" in text
    assert "mediaan 40 dagen oud, oudste 121 dagen)" in text  # 121.5 days
    slow = replace(figures, time_to_first_contact=Durations(6, 43.7, 17208.0))  # 717 days
    texts = chart_texts(charts.figure("durations", slow))
    assert "dagen" in texts
    amounts = [t for t in texts if t.startswith(("mediaan ", "p90 "))]
    assert amounts == ["mediaan 0,2 dagen", "mediaan 1,8 dagen", "p90 0,4 dagen",
                       "p90 717 dagen"]
    assert "Eerste contact: mediaan 1,8 dagen, p90 717 dagen" in telegram_text(slow)
    quick = replace(figures, time_to_claim=Durations(8, 0.2, 0.5),
                    time_to_first_contact=Durations(0, None, None))
    assert "Opgepakt: mediaan 12 min, p90 30 min" in telegram_text(quick)
    assert "minuten" in chart_texts(charts.figure("durations", quick))


async def test_the_open_backlog_says_it_includes_signals_from_before_the_period(
        sqlite_services: Services) -> None:
    figures = await figures_of(sqlite_services, "GM0715")
    assert (figures.backlog.count, figures.backlog.before) == (8, 1)  # one from June
    assert ("Open op 01-10-2025: 8, waarvan &lt; 5 van vóór de periode (mediaan 40 dagen oud, "
            "oudste 121 dagen)") in telegram_text(figures)
    assert "ook van vóór de periode" in charts.title("backlog", figures)
    assert "uit de periode" in charts.title("status", figures)
    table = {(section, key): value for section, key, _, value in figures_rows(figures)}
    assert (table[("totaal", "open")], table[("totaal", "open_van_voor_periode")]) == ("8", "< 5")
    html = summary_html(figures, {})
    assert "8, waarvan &lt; 5 van vóór de periode" in html


async def test_names_in_charts_are_plain_text_never_a_formula(
        sqlite_services: Services) -> None:
    figures = await figures_of(sqlite_services, "GM0715")
    odd = replace(figures, scope="Sint-$Oedenrode$", by_organisation=(
        Cell("knip", r"Kapsalon $\knip$ & $x^2$", 6), Cell("rabo", "$5 of $10", 5)))
    for kind in ("organisation", "series"):
        assert png_size(charts.chart(kind, odd))[0] == charts.WIDTH  # "\\knip" is no symbol
    texts = chart_texts(charts.figure("organisation", odd))
    assert r"Kapsalon $\knip$ & $x^2$" in texts and "$5 of $10" in texts
    assert not [text for text in charts.figure("organisation", odd).findobj(
        lambda artist: hasattr(artist, "get_parse_math") and artist.get_parse_math())]


def chart_texts(figure: Any) -> list[str]:
    """Every visible text of a chart (titles, ticks, bar labels, notes)."""
    from matplotlib.text import Text

    return [text.get_text() for text in figure.findobj(Text)
            if text.get_visible() and text.get_text()]


def chart_font_sizes(figure: Any) -> set[float]:
    from matplotlib.text import Text

    return {text.get_fontsize() for text in figure.findobj(Text)
            if text.get_visible() and text.get_text()}


async def test_the_summary_prints_on_a4_with_readable_charts_and_notes(
        sqlite_services: Services) -> None:
    figures = await figures_of(sqlite_services, None)
    html = summary_html(figures, {"series": b"png"})
    css = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert re.search(r"@page\s*\{[^}]*size:\s*A4[^}]*margin:\s*1[0-9]mm", css)
    notes = re.search(r"\.notes\s*\{([^}]*)\}", css)
    assert notes and "font-size: 10pt" in notes[1] and "color: #333" in notes[1]
    # charts print in columns as wide as the figures are drawn: their points are real points
    assert f"repeat(2, {charts.PRINT_WIDTH_MM}mm)" in css
    for kind in charts.report_kinds(figures):
        figure = charts.figure(kind, figures)
        assert figure.get_figwidth() * 25.4 == pytest.approx(charts.PRINT_WIDTH_MM, abs=.5)
        assert min(chart_font_sizes(figure)) >= 9, kind
    overview = charts.overview_figure(figures)  # /stats: four panels
    assert min(chart_font_sizes(overview)) >= 9
    assert "Aantallen van 1 tot 4" in html and "Kerncijfers" in html
    # made today, not on the day the quarter ended
    assert f"Gemaakt op {local_date(datetime.now(UTC))} met Signaalbot" in html


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_report_writes_charts_csv_and_a_self_contained_summary(
        sqlite_services: Services, tmp_path: Path) -> None:
    async with sqlite_services.sessions() as session:
        figures = await compute(MonitoringRepository(session), gemeente_code=None,
                                period=Q3, now=NOW)
    written = write_report(figures, tmp_path)
    pngs = [path for path in written if path.suffix == ".png"]
    assert {path.name for path in pngs} == set(charts.FILES.values())
    for path in pngs:
        width, height = png_size(path.read_bytes())
        assert path.stat().st_size > 5000 and width == charts.WIDTH and height >= charts.HEIGHT
    html = (tmp_path / "samenvatting.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,iVBORw0KGgo') == len(pngs)
    assert "alle gemeenten" in html and "3e kwartaal 2025" in html
    assert "<td>Kapsalon Knip</td><td>6</td>" in html
    assert "<td>Rabobank</td><td>&lt; 5</td>" in html and "<td>Wijkteam (wijk-hrl)</td>" in html
    assert "volgt zodra" not in html
    assert png_size(charts.overview(figures)) == charts.OVERVIEW_SIZE


async def test_no_exported_file_lets_anyone_count_a_group_of_one_to_four(
        services: Services, tmp_path: Path) -> None:
    """Terneuzen's one "financieel" signal (week 38, PC4 4533, via Rabobank), and its two
    kapper signals in PC4 4532 (kapper and 4532 have 5 or more each), cannot be counted in
    any file of the report: every file shows figures (1 to 4 as "< 5"), none a row per signal."""
    async with services.sessions() as session:
        figures = await compute(MonitoringRepository(session), gemeente_code="GM0715",
                                period=Q3, now=NOW)
    out = tmp_path / "report"
    written = write_report(figures, out)
    assert sorted(path.name for path in out.iterdir()) == sorted(p.name for p in written)
    countable: dict[str, tuple[int, int]] = {}
    for path in written:
        if path.suffix == ".png":
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".html":
            assert not re.search(r"<td>[1-4]</td>|\([1-4]\)", text)
            continue
        header, *lines = csv.reader(io.StringIO(text))
        if header[-1] != "waarde":  # not a table of figures: one row per signal
            countable[path.name] = (sum("financieel" in line for line in lines),
                                    sum({"kapper", "4532"} <= set(line) for line in lines))
            continue
        for section, key, _, value in lines:
            if section != "doorlooptijd" or key.endswith("_aantal"):  # a count
                assert value in ("0", "< 5") or int(value) >= 5, (path.name, key, value)
    assert countable == {}


async def test_csv_cells_that_a_spreadsheet_would_run_as_a_formula_are_neutralised(
        sqlite_services: Services, tmp_path: Path) -> None:
    names = ["=HYPERLINK(\"http://x.example\",\"klik\")", "@SUM(1)", "+31 6 12345678",
             "-2+3", "\tTab", "\rRegel"]
    async with sqlite_services.db.begin() as connection:
        await connection.execute(insert(Organisation), [
            {"id": 10 + i, "code": f"evil-{i}", "name": name, "role": "anders",
             "gemeente_code": "GM0715"} for i, name in enumerate(names)])
    async with sqlite_services.sessions() as session:
        figures = await compute(MonitoringRepository(session), gemeente_code=None,
                                period=Q3, now=NOW)
    write_report(figures, tmp_path)
    with (tmp_path / "cijfers.csv").open(encoding="utf-8", newline="") as file:
        header, *lines = csv.reader(file)
    labels = {key: label for section, key, label, _ in lines if section == "organisatie"}
    assert [labels[f"evil-{i}"] for i in range(len(names))] == [f"'{name}" for name in names]
    assert not [cell for line in [header, *lines] for cell in line
                if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    table = {(section, key): value for section, key, _, value in lines}  # numbers stay numbers
    assert table[("totaal", "signalen")] == "13" and table[("rol", "zorg")] == "< 5"
    assert table[("doorlooptijd", "oppakken_mediaan_uren")] == "6.0"
    assert figures_rows(figures)[0] == ("totaal", "signalen", "Signalen in de periode", "13")


def report(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    url = f"sqlite+aiosqlite:///{database}"
    return run_cli("report", *args, env={"SIGNAALBOT_DATABASE__URL": url})


async def test_report_command_on_a_seeded_sqlite_file(sqlite_services: Services,
                                                      tmp_path: Path) -> None:
    database = Path(sqlite_services.settings.database.url.split("///", 1)[1])
    out = tmp_path / "report"
    done = report("--gemeente", "gm0715", "--quarter", "2025-Q3", "--out", str(out),
                   database=database)
    assert done.returncode == 0, done.stderr
    assert "Terneuzen, 3e kwartaal 2025: 12 signalen" in done.stdout
    # not per gemeente (national only), nor for gemeenten not on board (none for Terneuzen)
    assert len(list(out.glob("*.png"))) == len(charts.FILES) - 2
    assert {path.name for path in out.iterdir() if path.suffix != ".png"} == {
        "cijfers.csv", "samenvatting.html"}  # no file with a row per signal
    assert "< 5" in (out / "cijfers.csv").read_text(encoding="utf-8")
    refused = report("--gemeente", "GM9999", "--out", str(out), database=database)
    assert refused.returncode == 2 and "unknown gemeente GM9999" in refused.stderr
    both = report("--national", "--gemeente", "GM0715", database=database)
    assert both.returncode == 2 and "either --gemeente" in both.stderr


async def test_stats_in_telegram_for_regisseurs_and_global_admins(api: Any,
                                                                  runner: BotRunner) -> None:
    now = utcnow()
    await seed(runner.services.db, [
        row("GM0715", now - timedelta(days=day), claim_h=2 + day, contact_h=30 + day,
            org=KNIP if day < 6 else None) for day in range(1, 7)]
        + [row("GM0715", now - timedelta(days=60)),
           *[row("GM0917", now - timedelta(days=day), role="zorg", pc4=6411, claim_h=1,
                 contact_h=2) for day in (2, 3)]], not_on_board=[])
    carine, ahmed = Person(runner, 7001, "Carine"), Person(runner, 7003, "Ahmed")
    admin, bram = Person(runner, 7009, "Backup"), Person(runner, 7101, "Bram")

    await carine.command("stats")  # regisseur of Terneuzen: her own gemeente only
    text, photo = api.messages(carine.id)[-2:]
    assert "Signalen Terneuzen" in text["text"] and "laatste 6 weken" in text["text"]
    assert "Signalen: 6" in text["text"] and "Kapper / salon (6)" in text["text"]
    assert "Via organisatie: Kapsalon Knip (5), Geen organisatie (direct) (< 5)" in \
        text["text"]
    assert "Open op" in text["text"] and ": 7, waarvan < 5 van vóór de periode (" in text["text"]
    assert "Meeste signalen in" not in text["text"]
    assert photo["photo"] and "Signalen Terneuzen" in photo["caption"]
    [upload] = [call.params["photo"] for call in api.calls_of("sendPhoto")]
    assert upload.size > 20_000 and upload.mime_type == "image/png"

    await carine.command("stats", "12")
    assert "Signalen: 7" in api.messages(carine.id)[-2]["text"]
    await carine.command("stats", "veel")
    assert "Gebruik: /stats" in carine.last

    await ahmed.command("stats")
    assert ahmed.last == "Geen toegang."
    assert len(api.calls_of("sendPhoto")) == 2

    await admin.command("stats")  # a global admin: every gemeente together
    text, photo = api.messages(admin.id)[-2:]
    assert "Signalen alle gemeenten" in text["text"] and "Signalen: 8" in text["text"]
    assert "Meeste signalen in: Terneuzen (6), Heerlen (< 5)" in text["text"]
    assert "Kapper / salon (6), Zorg / welzijn (< 5)" in text["text"]
    assert "Open op" in text["text"] and ": 9, waarvan < 5 van vóór de periode (" in text["text"]
    assert "Signalen alle gemeenten" in photo["caption"]

    await bram.command("stats")  # global admin and regisseur: national, then Heerlen
    texts = [message["text"] for message in api.messages(bram.id)[-4:] if "text" in message]
    assert len(texts) == 2 and "Signalen: 8" in texts[0]
    assert "Signalen Heerlen" in texts[1] and "Signalen: < 5" in texts[1]
    assert len(api.calls_of("sendPhoto")) == 5

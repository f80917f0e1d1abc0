"""What the regisseur and the kerngroep read: /stats, the report, its charts, the QR poster.

Also the words the figures are built from (periods, months, ages, units).
"""

from __future__ import annotations

__all__ = [
    "STATS_USAGE", "STATS_TITLE", "STATS_TOTAL", "STATS_ROLES", "STATS_SIGNS", "STATS_CLAIM",
    "STATS_CONTACT", "STATS_OUTCOMES", "STATS_BACKLOG", "BACKLOG_COUNT", "STATS_BACKLOG_AGES",
    "STATS_NOT_ON_BOARD", "STATS_NONE", "STATS_FOOTNOTE", "STATS_CAPTION", "DURATION_SUMMARY",
    "DURATION_TOO_FEW", "DURATION_NONE", "MONITORING_TITLES", "CHART_FOOTNOTE", "CHART_PARTIAL",
    "CHART_EMPTY", "CHART_TOTAL", "CHART_OTHER", "CHART_CLAIM", "CHART_CONTACT", "CHART_MEDIAN",
    "CHART_P90", "CHART_TOO_FEW", "REPORT_TITLE", "REPORT_MADE", "REPORT_KEY_FIGURES",
    "KIND_LABELS", "STATS_OTHER_KINDS", "REPORT_TOTAL", "REPORT_CLAIM", "REPORT_CONTACT",
    "REPORT_BACKLOG", "REPORT_BACKLOG_BEFORE",
    "REPORT_NOT_ON_BOARD", "REPORT_ROLES", "REPORT_SIGNS", "REPORT_WRITTEN", "STATS_ORGANISATIONS",
    "STATS_GEMEENTEN", "CHART_OTHER_ORGANISATIONS", "CHART_OTHER_GEMEENTEN",
    "REPORT_ORGANISATIONS", "REPORT_ORGANISATION", "REPORT_COUNT", "REPORT_FOOTNOTES",
    "POSTER_SCAN", "POSTER_SIGNAALPUNT", "POSTER_LINK", "ALL_GEMEENTEN", "UNKNOWN_GEMEENTE",
    "NO_ORGANISATION", "UNKNOWN_ORGANISATION", "PERIOD_LAST_WEEKS", "PERIOD_QUARTER",
    "PERIOD_YEAR", "SERIES_UNITS", "MONTHS", "WEEK", "MONTH", "PARTIAL", "BACKLOG_AGES",
    "AGE_UNDER_A_DAY", "AGE_ONE_DAY", "AGE_IN_DAYS", "DURATION_MINUTES", "DURATION_HOURS",
    "DURATION_DAYS",
]

# -- monitoring: /stats and `signaalbot report` (a count of 1 to 4 is always shown as "< 5")
STATS_USAGE = "Gebruik: /stats voor de laatste 6 weken, of /stats 12 voor 12 weken (1 tot 104)."
STATS_TITLE = "📊 <b>Signalen {scope}</b>\n{period}"
STATS_TOTAL = "Signalen: <b>{total}</b>"
STATS_OTHER_KINDS = "{label}: <b>{count}</b>"
STATS_ROLES = "Meeste signalen van: {items}"
STATS_SIGNS = "Meest gezien: {items}"
STATS_CLAIM = "Opgepakt: {durations}"
STATS_CONTACT = "Eerste contact: {durations}"
STATS_OUTCOMES = "Afgerond: {items}"
STATS_BACKLOG = "Open op {date}: {backlog}"
BACKLOG_COUNT = "{count}, waarvan {before} van vóór de periode"
STATS_BACKLOG_AGES = " (mediaan {median} oud, oudste {oldest})"
STATS_NOT_ON_BOARD = "Voor niet-aangesloten gemeenten: {count}"
STATS_NONE = "geen"
STATS_FOOTNOTE = "<i>Aantallen van 1 tot 4 staan er als “&lt; 5”, zodat niemand herkenbaar is.</i>"
STATS_CAPTION = "Signalen {scope}, {period}"
DURATION_SUMMARY = "mediaan {median}, p90 {p90} (van {count} signalen)"
DURATION_TOO_FEW = "te weinig signalen om te tonen"
DURATION_NONE = "nog geen"
MONITORING_TITLES = {
    "series": "Signalen per {unit}",
    "gemeente": "Signalen per gemeente",
    "role": "Wie signaleren? (soort melder)",
    "sign": "Wat viel op? (een signaal kan meer kenmerken hebben)",
    "pc4": "Signalen per postcodegebied (PC4)",
    "status": "Stand nu van de signalen uit de periode",
    "outcome": "Uitkomst van afgeronde signalen",
    "durations": "Hoe snel? Tijd vanaf het signaal (p90: 9 van de 10 gingen sneller)",
    "backlog": "Open op {date} naar leeftijd (ook van vóór de periode)",
    "not_on_board": "Signalen voor niet-aangesloten gemeenten",
    "organisation": "Signalen per organisatie (of direct, zonder organisatie)",
}
CHART_FOOTNOTE = "Aantallen van 1 tot 4 staan als “< 5” (gearceerde balk tot 5)."
CHART_PARTIAL = "* deels in de periode: {bins}"
CHART_EMPTY = "Geen signalen in deze periode"
CHART_TOTAL = "Signalen: {total}"
CHART_OTHER = "overig ({count} gebieden)"
CHART_CLAIM = "Opgepakt"
CHART_CONTACT = "Eerste contact"
CHART_MEDIAN = "mediaan"
CHART_P90 = "p90"
CHART_TOO_FEW = "te weinig signalen"
REPORT_TITLE = "Monitoring Signaalpunt tegen Eenzaamheid: {scope}"
REPORT_MADE = "Gemaakt op {date} met Signaalbot. Alleen anonieme gegevens."
REPORT_KEY_FIGURES = "Kerncijfers"
REPORT_TOTAL = "Signalen in de periode"
KIND_LABELS = {  # reports counted beside the signals, by kind
    "zelfmelding": "Zelfmeldingen (voelt zich zelf eenzaam)",
    "vrijwilliger": "Aanmeldingen als vrijwilliger",
}
REPORT_CLAIM = "Tijd tot oppakken"
REPORT_CONTACT = "Tijd tot eerste contact"
REPORT_BACKLOG = "Open signalen op {date} (ook van vóór de periode)"
REPORT_BACKLOG_BEFORE = "Open signalen op {date} die van vóór de periode zijn"
REPORT_NOT_ON_BOARD = "Signalen voor niet-aangesloten gemeenten"
REPORT_ROLES = "Wie signaleren?"
REPORT_SIGNS = "Wat viel op?"
REPORT_WRITTEN = "{scope}, {period}: {total} signalen"  # ``signaalbot report``, after the files

# -- monitoring per organisation and the national /stats (bot.reporting)
STATS_ORGANISATIONS = "Via organisatie: {items}"
STATS_GEMEENTEN = "Meeste signalen in: {items}"
CHART_OTHER_ORGANISATIONS = "overig ({count} organisaties)"
CHART_OTHER_GEMEENTEN = "overig ({count} gemeenten)"
REPORT_ORGANISATIONS = "Signalen per organisatie"
REPORT_ORGANISATION = "Organisatie"
REPORT_COUNT = "Signalen"
REPORT_FOOTNOTES = (
    "Signalen tellen mee in de periode waarin ze binnenkwamen; hun stand, uitkomst en "
    "doorlooptijden zijn zoals ze nu zijn. Open signalen zijn alle signalen die op de "
    "einddatum nog open waren, ook die van vóór de periode. p90: 9 van de 10 signalen gingen "
    "sneller. "
    "Aantallen van 1 tot 4 staan als “< 5”, zodat niemand herkenbaar is."
)

# -- the printable QR poster of a signaler organisation (bot.reporting.poster)
POSTER_SCAN = "Scan mij om een zorg door te geven"
POSTER_SIGNAALPUNT = "Signaalpunt tegen Eenzaamheid"
POSTER_LINK = "of open {link}"

# -- the words figures are built from (``bot.core.monitoring``)
ALL_GEMEENTEN = "alle gemeenten"  # the scope of the national figures
UNKNOWN_GEMEENTE = "onbekende gemeente"
NO_ORGANISATION = "Geen organisatie (direct)"
UNKNOWN_ORGANISATION = "organisatie {id}"
PERIOD_LAST_WEEKS = "laatste {weeks} weken: wk {first_week} t/m {last_week} ({first} t/m {last})"
PERIOD_QUARTER = "{quarter}e kwartaal {year}"
PERIOD_YEAR = "jaar {year}"
SERIES_UNITS = {"week": "week", "maand": "maand"}  # by the series' unit code
MONTHS = ("jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec")
WEEK = "wk {week}"
MONTH = "{month} {year}"
PARTIAL = "{label} ({days} van {of_days} dagen)"
BACKLOG_AGES = ("< 1 week", "1–2 weken", "2–4 weken", "> 4 weken")  # up to 7, 14, 28 days, more
AGE_UNDER_A_DAY = "minder dan 1 dag"
AGE_ONE_DAY = "1 dag"
AGE_IN_DAYS = "{days} dagen"
# (word after a number, axis label, word after "1") per unit of duration
DURATION_MINUTES = ("min", "minuten", "min")
DURATION_HOURS = ("uur", "uren", "uur")
DURATION_DAYS = ("dagen", "dagen", "dag")

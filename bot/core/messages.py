"""Dutch texts the bot shows, in one place so they can be translated.

All texts are HTML-safe (Telegram's HTML subset). Values from users are escaped by the
caller before they are put into a template.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.inputs import Route

# -- buttons
DONE = "Klaar"
SKIP = "Overslaan"
KEEP = "Zo laten"
CANCEL = "Annuleren"
CANCEL_YES = "Ja, stoppen"
CANCEL_NO = "Nee, verder"
SHARE_PHONE = "📱 Deel mijn nummer"
BACK_TO_SUMMARY = "↩️ Terug naar het overzicht"
RESUME = "Verder waar ik was"
RESTART = "Opnieuw beginnen"

# -- conversation
WELCOME = (
    "Welkom bij het <b>Signaalpunt tegen Eenzaamheid</b>.\n"
    "Maakt u zich zorgen om iemand die misschien eenzaam is? Met een paar vragen geeft u "
    "dat door aan het team van de gemeente. Het duurt ongeveer een minuut."
)
WELCOME_BACK = "U was al bezig met een signaal. Wilt u verder waar u was, of opnieuw beginnen?"
SUMMARY_TITLE = "<b>Uw signaal</b>"
EDIT_MENU = "<b>Wat wilt u wijzigen?</b>"
CURRENT_ANSWER = "<i>Nu: {answer}</i>"
NOT_GIVEN = "—"
SKIPPED = "Overgeslagen"
RECEIVED = "Ontvangen"
CONFIRM_CANCEL = "Weet u zeker dat u wilt stoppen? Wat u invulde wordt gewist."
CONFIRM_CANCEL_FIRST = "Kies eerst <b>Ja, stoppen</b> of <b>Nee, verder</b>."
CANCELLED = (
    "Het signaal is geannuleerd; er is niets bewaard over de persoon. "
    "Met /start begint u opnieuw."
)
STOPPED = "Goed. Er is niets doorgegeven. Met /start kunt u later alsnog een signaal geven."
SUBMITTED = (
    "Dank u wel. Uw signaal is ontvangen onder nummer <b>{reference}</b>.\n\n"
    "Het team van het Signaalpunt {gemeente} bekijkt het en neemt zo nodig contact op met de "
    "persoon. U hoort via deze chat wanneer uw signaal is opgepakt. Over de persoon zelf "
    "horen wij u niets te vertellen; dat is om zijn of haar privacy te beschermen."
)
EXPIRED = "Uw vorige, niet verstuurde signaal was verlopen en is verwijderd. We beginnen opnieuw."

# -- problems (each keeps what was already entered)
PICK_A_BUTTON = "Kies een van de knoppen onder de vraag."
TICK_THEN_DONE = "Tik de knoppen aan die passen en kies dan <b>Klaar</b>."
TICK_AT_LEAST_ONE = "Tik minstens één ding aan, en kies dan <b>Klaar</b>."
TYPE_AN_ANSWER = "Typ uw antwoord als tekst."
UNSUPPORTED = (
    "Dat kan ik niet verwerken: ik gebruik alleen tekst en de knoppen. "
    "Foto's, stickers, spraak en locaties worden niet bewaard."
)
EDITED_MESSAGE = (
    "U heeft een bericht aangepast; dat kan ik niet verwerken. "
    "Stuur uw antwoord opnieuw als nieuw bericht."
)
STALE_BUTTON = "Deze knop hoort bij een eerdere vraag. Beantwoord de laatste vraag."
ALREADY_ANSWERED = "Dit antwoord had ik al ontvangen."
NO_CONVERSATION = "Dit gesprek is al afgerond. Met /start geeft u een nieuw signaal."
POSTCODE_INVALID = (
    "Dat is geen geldige postcode. Typ vier cijfers en eventueel twee letters, "
    "bijvoorbeeld <code>4531 AB</code> of <code>4531</code>."
)
HOUSE_NUMBER_INVALID = (
    "Dat is geen geldig huisnummer. Typ een nummer met eventueel een toevoeging, "
    "bijvoorbeeld <code>12</code>, <code>12 A</code> of <code>12-2</code>."
)
PHONE_INVALID = "Dat is geen geldig telefoonnummer."
# After the phone question and PHONE_INVALID: the share button only where the channel has it.
PHONE_HINT = "Typ het nummer, bijvoorbeeld <code>06 12345678</code> of <code>0115 123456</code>."
PHONE_HINT_SHARE = (
    "Tik op <b>Deel mijn nummer</b> of typ het nummer, bijvoorbeeld <code>06 12345678</code>."
)
TOO_LONG = (
    "Uw tekst is {length} tekens lang; het maximum is {limit}. "
    "Maak hem wat korter en stuur hem opnieuw."
)
BUSY = "Een moment geduld: uw vorige antwoord wordt nog verwerkt."
TRY_AGAIN = "Er ging iets mis bij het opslaan. Uw antwoorden zijn bewaard; probeer het zo opnieuw."

NOT_ON_BOARD = (
    "Dank u voor uw oplettendheid. {where} is (nog) niet aangesloten bij dit Signaalpunt, "
    "dus ik kan uw signaal niet doorsturen. Er is niets over de persoon bewaard.\n\n"
    "<b>Wat u kunt doen:</b> {advice}\n\n"
    "Typ een andere postcode als u zich vergist heeft, of kies Annuleren."
)


def not_on_board(route: Route) -> str:
    """The kind message for a postcode whose gemeente does not take part."""
    where = f"De gemeente {html.escape(route.gemeente_name)}" if route.gemeente_name else (
        "Dit gebied"
    )
    return NOT_ON_BOARD.format(where=where, advice=html.escape(route.advice))


# -- commands
HELP = (
    "<b>Zo werkt het</b>\n"
    "Ik stel een paar korte vragen over de persoon om wie u zich zorgen maakt. Meestal kiest u "
    "alleen een knop. Aan het eind ziet u alles nog eens en kiest u <b>Versturen</b>."
)
HELP_DANGER = "<b>Direct gevaar?</b> Bel 112. Gedachten aan zelfdoding: 113 of 0800-0113."
PRIVACY = (
    "<b>Privacy</b>\n"
    "Uw signaal gaat alleen naar het team van het Signaalpunt van de gemeente waar de persoon "
    "woont; niemand anders krijgt het te zien.\n\n"
    "<b>Wat we bewaren.</b> De antwoorden op de vragen, en alleen als u dat wilt uw naam en "
    "telefoonnummer. Persoonsgegevens worden versleuteld opgeslagen. Een signaal dat u niet "
    "verstuurt, wordt na een dag gewist; stopt u met /cancel, dan meteen.\n\n"
    "<b>Hoe lang.</b> Is uw signaal afgehandeld, dan worden de persoonsgegevens na de "
    "bewaartermijn van de gemeente gewist. Wat overblijft is een anonieme telling om het werk "
    "te verbeteren.\n\n"
    "<b>Wat u hoort.</b> U hoort wel <i>dat</i> uw signaal is opgepakt, maar niet wat er met de "
    "persoon is gebeurd.\n\n"
    "<b>Uw gegevens wissen.</b> Met /vergeetmij wissen we uw naam, telefoonnummer en de "
    "koppeling met deze chat bij al uw signalen. De signalen zelf blijven, zodat het team "
    "verder kan; u hoort daarna niets meer over uw signalen.\n\n"
    "Wat u zelf typte, blijft in uw eigen chat staan tot u het daar verwijdert."
)
NOTHING_TO_CANCEL = "Er is geen signaal in behandeling. Met /start geeft u een signaal."
UNKNOWN_COMMAND = "Die opdracht ken ik niet. Dit zijn de opdrachten:"
CONTINUE_HINT = "Hieronder staat de vraag waar u was."
COMMANDS = (
    ("start", "Een signaal geven"),
    ("cancel", "Stoppen met dit signaal"),
    ("help", "Uitleg"),
    ("privacy", "Wat er met uw gegevens gebeurt"),
    ("mijnsignalen", "Hoe het met mijn signalen staat"),
    ("vergeetmij", "Mijn gegevens wissen"),
)


def command_list(commands: tuple[tuple[str, str], ...]) -> str:
    """One line per command: ``/name – what it does``."""
    return "\n".join(f"/{name} – {description}" for name, description in commands)


def help_text(commands: tuple[tuple[str, str], ...], how: str = "") -> str:
    """``/help`` for a channel: how it works (``how``: how to answer there), its commands."""
    return "\n\n".join(part for part in (HELP, how, command_list(commands), HELP_DANGER) if part)


def unknown_command(commands: tuple[tuple[str, str], ...]) -> str:
    """The answer to a command the channel does not know: its commands."""
    return f"{UNKNOWN_COMMAND}\n{command_list(commands)}"


# -- the terminal (``signaalbot chat``)
CONSOLE_COMMANDS = (
    *(command for command in COMMANDS if command[0] != "mijnsignalen"),
    ("quit", "Afsluiten; met /start gaat u later verder waar u was"),
)
CONSOLE_INTRO = "Typ /help voor uitleg en alle opdrachten, /quit om te stoppen."
CONSOLE_HOW = (
    "<b>Knoppen</b>\n"
    "Bij een vraag met genummerde knoppen typt u het nummer of de tekst van een knop. "
    "Vraagt de vraag om iets te typen (postcode, huisnummer, uw naam), dan is alles wat u "
    "typt, ook een getal, uw antwoord; een knop kiest u daar door de tekst ervan te typen, "
    "zoals <b>Overslaan</b> of <b>Annuleren</b>."
)
CONSOLE_BUTTONS = "Typ uw antwoord, of typ een knop: {labels}"
CONSOLE_NEXT = "Typ /start voor een nieuw signaal, /help voor uitleg of /quit om te stoppen."
CONSOLE_ALERT = "=== Melding aan het team ==="
CONSOLE_ALERT_EDIT = "=== Melding aan het team (bijgewerkt) ==="
CONSOLE_ALERT_END = "=== einde melding ==="
GOODBYE = "Tot ziens."

# -- alerts to staff
ALERT_TITLE = "🔔 <b>Nieuw signaal {reference}</b>"
ALERT_RECEIVED = "Ontvangen: {when}"
ALERT_GEMEENTE = "Gemeente: {gemeente}"
ALERT_ANONYMOUS = "<i>Melder wil anoniem blijven; een vraag kan via de bot.</i>"
ALERT_FORGOTTEN = ("<i>Melder heeft gevraagd vergeten te worden: geen contact of vraag meer "
                   "mogelijk.</i>")
ALERT_STATE = "<b>Status:</b> {state}"
ALERT_OWNER = "<b>Bij:</b> {name}"
ALERT_OUTCOME = "<b>Uitkomst:</b> {outcome}"
HISTORY_TITLE = "<b>Geschiedenis</b>"

# -- staff buttons
BTN_CLAIM = "✋ Oppakken"
BTN_ASSIGN = "👤 Toewijzen"
BTN_STATUS = "📝 Status"
BTN_CLOSE = "✅ Afronden"
BTN_ASK = "❓ Vraag aan melder"
BTN_DETAILS = "📄 Details"
BTN_NOTE = "🗒 Notitie toevoegen"
BTN_CONFIRM_CLOSE = "Ja, afronden"
BTN_BACK = "Terug"
BTN_DECLINE_QUESTIONS = "Ik wil geen vragen meer"

# -- staff replies
NO_ACCESS = "Geen toegang."
CLAIMED = "U heeft {reference} opgepakt."
ALREADY_CLAIMED = "{reference} is al opgepakt door {name}."
NOT_NOW = "Dat kan niet meer: {reference} is nu {state}."
PICK_ASSIGNEE = "Aan wie wijst u {reference} toe?"
ASSIGNED = "{reference} is toegewezen aan {name}."
ASSIGNED_TO_YOU = "👤 <b>{name} heeft {reference} aan u toegewezen.</b>"
PICK_STATUS = "Welke status heeft {reference}?"
PICK_REFERRAL = "Naar wie is de persoon doorverwezen?"
STATUS_SAVED = "Status van {reference} vastgelegd: {status}."
PICK_OUTCOME = "Hoe rondt u {reference} af?"
CONFIRM_CLOSE = "{reference} afronden met uitkomst <b>{outcome}</b>?"
CLOSED = "{reference} is afgerond: {outcome}."
ASK_NOTE = "Typ de notitie bij {reference} als antwoord op dit bericht."
NOTE_SAVED = "🗒 Notitie bij {reference} opgeslagen:\n<i>{note}</i>"
ASK_QUESTION = (
    "Typ uw vraag aan de melder van {reference} als antwoord op dit bericht. "
    "De melder blijft anoniem; het antwoord komt bij u en in de geschiedenis."
)
QUESTION_SENT = "❓ Uw vraag is doorgestuurd naar de melder van {reference}:\n<i>{question}</i>"
NO_SIGNALER = "De melder van {reference} is niet via de bot te bereiken."
SIGNALER_DECLINES = "De melder van {reference} wil geen vragen meer ontvangen."
TEXT_TOO_LONG_STAFF = "Die tekst is te lang ({length} tekens; het maximum is {limit})."
OPEN_NONE = "Er zijn geen open signalen."
MINE_NONE = "U heeft geen open signalen."
NOT_FOUND = "Signaal niet gevonden, of u heeft er geen toegang toe."
SIGNAAL_USAGE = "Gebruik: /signaal SP-2026-000123"
ONLY_HERE = (
    "Signalen bekijkt u alleen in uw eigen chat met de bot of in de teamgroep van het "
    "Signaalpunt, niet in deze chat."
)
ERASED_NO_TEXT = (
    "De persoonsgegevens van {reference} zijn volgens de bewaartermijn gewist; er kan geen "
    "notitie of vraag meer bij."
)
LIST_LINE = "{reference} · {age} · {state}{owner}"

# -- to the signaler about their signal (never a detail about the person or the outcome)
FEEDBACK_CLAIMED = (
    "Uw signaal {reference} is opgepakt door het Signaalpunt {gemeente}. "
    "Dank u wel dat u uw zorg heeft gedeeld."
)
FEEDBACK_CLOSED = "Uw signaal {reference} is afgerond. Dank voor uw oplettendheid."
RELAYED_QUESTION = (
    "❓ <b>Vraag van het Signaalpunt over uw signaal {reference}:</b>\n\n{question}\n\n"
    "Typ uw antwoord als bericht. Uw naam en nummer worden niet gedeeld."
)
ANSWER_THANKS = "Dank u wel, uw antwoord is doorgegeven aan het Signaalpunt."
QUESTIONS_DECLINED = "Begrepen: u krijgt geen vragen meer over uw signalen."
ANSWER_TO_STAFF = "💬 <b>Antwoord van de melder op {reference}:</b>\n\n{answer}"
MY_SIGNALS_NONE = "U heeft nog geen signalen gegeven."
MY_SIGNALS_TITLE = "<b>Uw signalen</b>"
MY_SIGNALS_LINE = "{reference} ({date}): {label}"

# -- reminders
REMINDER_UNCLAIMED = "⏰ <b>{reference}</b> is na {hours} uur nog niet opgepakt."
REMINDER_ESCALATED = (
    "🚨 <b>{reference}</b> ({gemeente}) is na {hours} uur nog steeds niet opgepakt. "
    "Wilt u zorgen dat iemand het oppakt?"
)
REMINDER_SILENT = "⏰ Bij <b>{reference}</b> is al {days} dagen geen status vastgelegd."

STAFF_COMMANDS = (
    ("open", "Open signalen van mijn gemeente"),
    ("mijn", "Mijn signalen"),
    ("signaal", "Eén signaal met geschiedenis"),
)

ALERT_UNDELIVERABLE = (
    "🔔 <b>Nieuw signaal {reference}</b> ({gemeente}) kon de bot bij niemand van het team "
    "bezorgen. Wilt u zorgen dat iemand van het team het oppakt?"
)

# -- privacy: what stays of a copy in a chat once its personal data must go
ALERT_ERASED = (
    "🔒 {reference} is afgerond; de persoonsgegevens zijn volgens de bewaartermijn gewist."
)
QUESTION_ERASED = "🔒 De vraag over uw signaal {reference} is volgens de bewaartermijn gewist."
COPY_REVOKED = (
    "🔒 U heeft geen toegang meer tot de signalen van {gemeente}; de gegevens zijn hier "
    "weggehaald."
)
COPY_OUTDATED = (
    "🔒 {reference}: de melder liet zijn gegevens wissen. Kies Details bij het signaal voor "
    "de actuele stand."
)
COPY_WITHDRAWN = "🔒 Dit bericht is ingetrokken."
FORGET_CONFIRM = (
    "Wilt u dat wij uw naam, telefoonnummer en de koppeling met deze chat bij al uw "
    "signalen wissen? De signalen zelf blijven, zodat het team verder kan. U hoort daarna niets "
    "meer over uw signalen."
)
FORGET_YES = "Ja, vergeet mij"
NOTHING_CHANGED = "Goed, er is niets gewijzigd."
FORGOTTEN = "Uw gegevens zijn gewist ({count} signalen). Dank voor uw oplettendheid."
FLOOD = "Even geduld alstublieft: u stuurt veel berichten tegelijk. Probeer het zo opnieuw."

# -- monitoring: /stats and `signaalbot report` (a count of 1 to 4 is always shown as "< 5")
STATS_USAGE = "Gebruik: /stats voor de laatste 6 weken, of /stats 12 voor 12 weken (1 tot 104)."
STATS_TITLE = "📊 <b>Signalen {scope}</b>\n{period}"
STATS_TOTAL = "Signalen: <b>{total}</b>"
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
CHART_HOURS = "uren"
CHART_DAYS = "dagen"
CHART_TOO_FEW = "te weinig signalen"
REPORT_TITLE = "Monitoring Signaalpunt tegen Eenzaamheid: {scope}"
REPORT_MADE = "Gemaakt op {date} met Signaalbot. Alleen anonieme gegevens."
REPORT_KEY_FIGURES = "Kerncijfers"
REPORT_TOTAL = "Signalen in de periode"
REPORT_CLAIM = "Tijd tot oppakken"
REPORT_CONTACT = "Tijd tot eerste contact"
REPORT_BACKLOG = "Open signalen op {date} (ook van vóór de periode)"
REPORT_BACKLOG_BEFORE = "Open signalen op {date} die van vóór de periode zijn"
REPORT_NOT_ON_BOARD = "Signalen voor niet-aangesloten gemeenten"

# -- administration
ADMIN_PICK = "<b>Beheer</b> — kies een gemeente:"
ADMIN_PANEL = (
    "<b>{name}</b> ({code})\nSignaalpunt: {state}\nMedewerkers: {staff}\n\n"
    "Instellingen, teksten en organisaties beheert u met <code>signaalbot</code> op de server."
)
ADMIN_UNERASED = (
    "\n\n⚠️ Telegram liet {count} kopie(ën) van gewiste signalen niet wissen; vraag wie in die "
    "chat zit ze zelf te verwijderen:\n{copies}"
)
ADMIN_UNERASED_LINE = "{reference} in chat {chat}"
ADMIN_ON = "aangesloten"
ADMIN_OFF = "niet aangesloten"
ADMIN_BTN_STAFF = "👥 Medewerkers"
ADMIN_BTN_INVITE_REGISSEUR = "✉️ Regisseur uitnodigen"
ADMIN_BTN_INVITE_TEAM = "✉️ Teamlid uitnodigen"
ADMIN_BTN_ON = "✅ Aansluiten"
ADMIN_BTN_OFF = "⏸ Afmelden"
ADMIN_NO_STAFF = "Nog geen medewerkers."
ADMIN_REMOVED = (
    "De medewerker heeft geen toegang meer; de signalen in de eigen chat met de bot worden "
    "weggehaald."
)
ADMIN_REMOVED_GROUPS = (
    "Let op: haal de medewerker zelf uit de teamgroep(en) in Telegram, want daar ziet hij "
    "nieuwe signalen nog: {groups}."
)
ADMIN_INVITE = (
    "Uitnodiging als <b>{role}</b>. Stuur deze link aan één persoon; hij werkt één keer en "
    "verloopt na 7 dagen:\n{link}"
)
INVITE_INVALID = "Deze uitnodiging is ongeldig, al gebruikt of verlopen. Vraag een nieuwe aan."
INVITE_WELCOME = (
    "Welkom! U bent nu {role} bij het Signaalpunt ({gemeente}). Met /open ziet u de open "
    "signalen."
)

AMBIGUOUS_POSTCODE = (
    "Deze postcode ligt in meer dan één gemeente. Typ de volledige postcode (met de twee "
    "letters), of kies hieronder de gemeente."
)
HOUSE_NUMBER_UNKNOWN = (
    "Dit huisnummer kan ik bij deze postcode niet vinden. Kijk het nummer na en typ het opnieuw."
)

# -- monitoring per organisation and the national /stats (bot.reporting)
MONITORING_TITLES["organisation"] = "Signalen per organisatie (of direct, zonder organisatie)"
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

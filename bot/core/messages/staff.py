"""What staff read: alerts and cards, their buttons, replies, reminders and a signal's history."""

from __future__ import annotations

__all__ = [
    "CONSOLE_STAFF_INTRO", "CONSOLE_STAFF_MESSAGE", "CONSOLE_STAFF_NO_ACTION", "CONSOLE_STAFF_TYPE",
    "ALERT_TITLE", "ALERT_TITLES", "ALERT_RECEIVED", "ALERT_GEMEENTE", "ALERT_ANONYMOUS",
    "ALERT_FORGOTTEN",
    "ALERT_STATE", "ALERT_OWNER", "ALERT_OUTCOME", "HISTORY_TITLE", "BTN_CLAIM", "BTN_ASSIGN",
    "BTN_STATUS", "BTN_CLOSE", "BTN_ASK", "BTN_DETAILS", "BTN_NOTE", "BTN_CONFIRM_CLOSE",
    "BTN_BACK", "NO_ACCESS", "CLAIMED", "ALREADY_CLAIMED", "NOT_NOW",
    "PICK_ASSIGNEE", "ASSIGNED", "ASSIGNED_TO_YOU", "PICK_STATUS", "PICK_REFERRAL", "STATUS_SAVED",
    "PICK_OUTCOME", "CONFIRM_CLOSE", "CLOSED", "ASK_NOTE", "NOTE_SAVED", "ASK_QUESTION",
    "QUESTION_SENT", "NO_SIGNALER", "SIGNALER_DECLINES", "TEXT_TOO_LONG_STAFF", "OPEN_NONE",
    "MINE_NONE", "NOT_FOUND", "SIGNAAL_USAGE", "ONLY_HERE", "ERASED_NO_TEXT", "LIST_LINE",
    "ANSWER_TO_STAFF", "REMINDER_UNCLAIMED", "REMINDER_ESCALATED", "REMINDER_SILENT",
    "STAFF_COMMANDS", "ALERT_UNDELIVERABLE", "ALERT_ERASED", "COPY_REVOKED", "COPY_OUTDATED",
    "COPY_WITHDRAWN", "STATE_LABELS", "STATUS_LABELS", "REFERRAL_LABELS", "OUTCOME_LABELS",
    "VOLUNTEER_OUTCOME_LABELS",
    "SOMEONE_ELSE", "HISTORY_FILED", "HISTORY_CLAIMED", "HISTORY_ASSIGNED", "HISTORY_STATUS",
    "HISTORY_CLOSED", "HISTORY_ERASED", "HISTORY_NOTE", "HISTORY_QUESTION", "HISTORY_ANSWER",
    "HISTORY_NO_ANSWER", "HISTORY_DECLINED", "HISTORY_ESCALATED", "HISTORY_REMINDER",
    "HISTORY_FORGOTTEN", "AGE_DAYS", "AGE_HOURS", "AGE_MINUTES", "COMMAND_WORDS",
    "COMMAND_CONFIRM", "COMMAND_HELP",
    "BTN_SUGGEST", "BTN_LINK", "BTN_CLOSE_LINKED", "PICK_SUGGESTION", "PICK_LINK",
    "KAART_NOTHING_TO_PICK", "SUGGESTION_SENT", "LINK_SENT", "ALERT_SUGGESTED",
    "ALERT_LINKED", "HISTORY_SUGGESTED", "HISTORY_LINKED",
]

# -- alerts to staff
ALERT_TITLE = "🔔 <b>Nieuw signaal {reference}</b>"
ALERT_TITLES = {  # by the report's kind
    "signaal": ALERT_TITLE,
    "zelfmelding": "💬 <b>Nieuwe zelfmelding {reference}</b>: iemand voelt zich zelf eenzaam",
    "vrijwilliger": "🙋 <b>Nieuwe vrijwilliger {reference}</b>: wil iets doen voor een ander",
}
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
ANSWER_TO_STAFF = "💬 <b>Antwoord van de melder op {reference}:</b>\n\n{answer}"

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

# -- privacy: what stays of a copy in a staff chat once its personal data must go
ALERT_ERASED = (
    "🔒 {reference} is afgerond; de persoonsgegevens zijn volgens de bewaartermijn gewist."
)
COPY_REVOKED = (
    "🔒 U heeft geen toegang meer tot de signalen van {gemeente}; de gegevens zijn hier "
    "weggehaald."
)
COPY_OUTDATED = (
    "🔒 {reference}: de melder liet zijn gegevens wissen. Kies Details bij het signaal voor "
    "de actuele stand."
)
COPY_WITHDRAWN = "🔒 Dit bericht is ingetrokken."

# -- a signal's state and the staff's choices, by their stored codes (``bot.core.workflow``)
STATE_LABELS = {
    "new": "Nieuw",
    "claimed": "Opgepakt",
    "in_progress": "In behandeling",
    "closed": "Afgerond",
}
STATUS_LABELS = {
    "contact": "Contact gelegd",
    "huisbezoek": "Op huisbezoek geweest",
    "onbereikbaar": "Niet bereikbaar (nog een poging)",
    "doorverwezen": "Doorverwezen",
}
REFERRAL_LABELS = {
    "wijkteam": "Wijkteam",
    "huisarts": "Huisarts",
    "welzijn": "Welzijn",
    "vrijwilliger": "Vrijwilliger / maatje",
    "anders": "Anders",
}
OUTCOME_LABELS = {
    "ondersteuning": "Contact gelegd en ondersteuning geregeld",
    "doorverwezen": "Doorverwezen",
    "geen_zorgen": "Geen zorgen, geen actie nodig",
    "wil_niet": "Persoon wil geen contact",
    "onbereikbaar": "Niet bereikbaar na pogingen",
    "anders": "Anders",
}
VOLUNTEER_OUTCOME_LABELS = {
    "gekoppeld": "Gekoppeld aan een activiteit",
    "later": "Nog niets passends; later opnieuw",
    "gestopt": "Wil toch niet meedoen",
    "anders": "Anders",
}
SOMEONE_ELSE = "iemand anders"  # who claimed it, when their name is gone

# -- a signal's history (``bot.core.cards``); values from people are escaped by the caller
HISTORY_FILED = "Ontvangen"
HISTORY_CLAIMED = "Opgepakt"
HISTORY_ASSIGNED = "Toegewezen aan {name}"
HISTORY_STATUS = "Status"
HISTORY_CLOSED = "Afgerond: {outcome}"
HISTORY_ERASED = "(tekst gewist na de bewaartermijn)"
HISTORY_NOTE = "Notitie: {text}"
HISTORY_QUESTION = "Vraag aan melder: {text}"
HISTORY_ANSWER = "Antwoord van melder: {text}"
HISTORY_NO_ANSWER = "Vraag aan melder: geen reactie ontvangen"
HISTORY_DECLINED = "Melder wil geen vragen meer"
HISTORY_ESCALATED = "Herinnering verstuurd (niveau {level})"
HISTORY_REMINDER = "Herinnering: geen status vastgelegd"
HISTORY_FORGOTTEN = "Melder liet contactgegevens en koppeling wissen"

# -- how long ago, compactly, in /open and /mijn
AGE_DAYS = "{days} d {hours} u"
AGE_HOURS = "{hours} u"
AGE_MINUTES = "{minutes} min"

# -- typed commands, for channels without buttons (``bot.core.staff_commands``): the verbs by
# what they do, the word that confirms closing, and the overview ``hulp`` shows
COMMAND_WORDS = {
    "claim": "oppakken",
    "assign": "toewijzen",
    "status": "status",
    "referral": "verwijzing",
    "close": "afronden",
    "note": "notitie",
    "ask": "vraag",
    "details": "details",
    "suggest": "suggestie",
    "link": "koppel",
    "open": "open",
    "mine": "mijn",
    "help": "hulp",
}
COMMAND_CONFIRM = "ja"
COMMAND_HELP = (
    "<b>Opdrachten</b> (SP-… is het nummer van het signaal)\n"
    "open · open signalen van uw gemeente\n"
    "mijn · uw signalen\n"
    "details SP-… · het signaal met geschiedenis\n"
    "oppakken SP-…\n"
    "toewijzen SP-… [naam]\n"
    "status SP-… [contact, huisbezoek, onbereikbaar of doorverwezen]\n"
    "verwijzing SP-… [wijkteam, huisarts, welzijn, vrijwilliger of anders]\n"
    "afronden SP-… [uitkomst] [ja]\n"
    "notitie SP-… [tekst]\n"
    "vraag SP-… [vraag aan de melder]\n"
    "suggestie SP-… · een activiteit van de sociale kaart sturen (zelfmelding)\n"
    "koppel SP-… · een vrijwilliger aan een activiteit koppelen\n"
    "hulp · dit overzicht"
)

# -- the terminal for staff (``signaalbot staff-console``)
CONSOLE_STAFF_INTRO = (
    "U werkt als {person}. Meldingen en antwoorden verschijnen hier; kies een actie door het "
    "nummer te typen. /open en /mijn tonen signalen, /signaal SP-… één signaal, /quit stopt.")
CONSOLE_STAFF_MESSAGE = "=== Bericht ==="
CONSOLE_STAFF_NO_ACTION = "Er is geen actie met dat nummer."
CONSOLE_STAFF_TYPE = "Typ uw tekst en druk op Enter."

# -- the sociale kaart on a self-report's or a volunteer's card (bot.core.staff_suggestions)
BTN_SUGGEST = "💡 Stuur een suggestie"
BTN_LINK = "🔗 Koppel aan activiteit"
BTN_CLOSE_LINKED = "✅ Afronden: gekoppeld"
PICK_SUGGESTION = (
    "Welke activiteit wilt u voorstellen bij {reference}? Het bericht gaat via de bot "
    "naar de schrijver.\n\n{activities}"
)
PICK_LINK = (
    "Aan welke activiteit koppelt u vrijwilliger {reference}? De vrijwilliger hoort via de "
    "bot welke activiteit het is en wie het contact is.\n\n{activities}"
)
KAART_NOTHING_TO_PICK = "De sociale kaart van {gemeente} heeft nog geen activiteiten (/kaart)."
SUGGESTION_SENT = "💡 Suggestie bij {reference} verstuurd: {name}."
LINK_SENT = "🔗 {reference} gekoppeld aan {name}; de vrijwilliger krijgt het bericht."
ALERT_SUGGESTED = "💡 Suggestie gestuurd: {name}"
ALERT_LINKED = "🔗 Gekoppeld aan: {name}"
HISTORY_SUGGESTED = "Suggestie gestuurd: {name}"
HISTORY_LINKED = "Gekoppeld aan activiteit: {name}"

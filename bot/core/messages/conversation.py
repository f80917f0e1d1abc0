"""What the signaler reads: the conversation, its buttons and commands, feedback, privacy."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.inputs import Route

__all__ = [
    "DONE", "SKIP", "KEEP", "CANCEL", "CANCEL_YES", "CANCEL_NO", "SHARE_PHONE", "BACK_TO_SUMMARY",
    "RESUME", "RESTART", "WELCOME", "WELCOME_DOORS", "WELCOME_BACK", "SUMMARY_TITLE",
    "SUMMARY_TITLES",
    "EDIT_MENU", "CURRENT_ANSWER",
    "NOT_GIVEN", "SKIPPED", "RECEIVED", "CONFIRM_CANCEL", "CONFIRM_CANCEL_FIRST", "CANCELLED",
    "STOPPED", "SUBMITTED", "SUBMITTED_BY_KIND", "EXPIRED", "PICK_A_BUTTON", "TICK_HINT",
    "TICK_THEN_DONE",
    "TICK_AT_LEAST_ONE", "TYPE_AN_ANSWER", "UNSUPPORTED", "UNSUPPORTED_TYPED", "EDITED_MESSAGE",
    "STALE_BUTTON",
    "ALREADY_ANSWERED",
    "NO_CONVERSATION", "POSTCODE_INVALID", "HOUSE_NUMBER_INVALID", "PHONE_INVALID", "PHONE_HINT",
    "PHONE_HINT_SHARE", "TOO_LONG", "BUSY", "TRY_AGAIN", "NOT_ON_BOARD", "NOT_ON_BOARD_GEMEENTE",
    "NOT_ON_BOARD_AREA", "not_on_board", "HELP",
    "HELP_DANGER", "PRIVACY", "NOTHING_TO_CANCEL", "UNKNOWN_COMMAND", "CONTINUE_HINT", "COMMANDS",
    "command_list", "help_text", "unknown_command", "CONSOLE_COMMANDS", "CONSOLE_INTRO",
    "CONSOLE_HOW", "CONSOLE_NEXT", "CONSOLE_ALERT", "CONSOLE_ALERT_EDIT",
    "CONSOLE_ALERT_END", "GOODBYE", "FEEDBACK_CLAIMED", "FEEDBACK_CLOSED", "FEEDBACK_BY_KIND",
    "RELAYED_QUESTION",
    "ANSWER_THANKS", "QUESTIONS_DECLINED", "MY_SIGNALS_NONE", "MY_SIGNALS_TITLE",
    "MY_SIGNALS_LINE", "QUESTION_ERASED", "FORGET_CONFIRM", "FORGET_YES", "NOTHING_CHANGED",
    "FORGOTTEN", "FLOOD", "AMBIGUOUS_POSTCODE", "HOUSE_NUMBER_UNKNOWN", "SIGNALER_STATE_LABELS",
    "FALLBACK_ADVICE", "DEMO_NO_GEMEENTEN", "DEMO_KEY_MADE", "WORD_SKIP", "WORD_KEEP",
    "WORD_DONE", "WORD_CANCEL", "WORD_SEND", "WORD_EDIT", "SAY_SKIP", "SAY_KEEP", "SAY_DONE",
    "SAY_CANCEL", "OR_TYPE", "OR", "TYPE_A_NUMBER", "TYPE_NUMBERS", "CHOSEN", "EDIT_LINE",
    "SUMMARY_COMMANDS", "NUMBER_RANGE", "NUMBERS_RANGE", "NOT_LISTED", "ONE_NUMBER", "AMBIGUOUS",
    "EDIT_RANGE", "SELECT_AT_LEAST_ONE", "EXCLUSIVE_ALONE", "LANGUAGE_PICK", "LANGUAGE_CHOSEN",
    "BTN_DECLINE_QUESTIONS",
]

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
WELCOME_DOORS = (
    "Welkom bij het <b>Signaalpunt tegen Eenzaamheid</b>. Hier kunt u terecht als u zich "
    "zorgen maakt om iemand, als u zich zelf eenzaam voelt, of als u iets wilt doen voor een "
    "ander."
)
WELCOME_BACK = (
    "U was al bezig met een bericht aan het Signaalpunt. Wilt u verder waar u was, of opnieuw "
    "beginnen?"
)
SUMMARY_TITLE = "<b>Uw signaal</b>"
SUMMARY_TITLES = {"zelfmelding": "<b>Uw bericht</b>", "vrijwilliger": "<b>Uw aanmelding</b>"}
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
# The thanks after a report of another kind than a signal, by the questionnaire's kind.
SUBMITTED_BY_KIND = {
    "zelfmelding": (
        "Dank u wel dat u dit liet weten. Uw bericht is ontvangen onder nummer "
        "<b>{reference}</b>.\n\n"
        "Iemand van het Signaalpunt {gemeente} neemt contact met u op, zoals u aangaf. "
        "Het gaat niet om een afspraak waar u aan vast zit: u bepaalt zelf wat u wilt.\n"
        "Wordt het u te zwaar? Bel dag en nacht gratis <b>0800-0113</b> (113 Zelfmoordpreventie)."
    ),
    "vrijwilliger": (
        "Dank u wel! Uw aanmelding is ontvangen onder nummer <b>{reference}</b>.\n\n"
        "De vrijwilligerscoördinator van {gemeente} neemt contact met u op om te kijken wat "
        "bij u past."
    ),
}
EXPIRED = "Uw vorige, niet verstuurde signaal was verlopen en is verwijderd. We beginnen opnieuw."

# -- problems (each keeps what was already entered)
PICK_A_BUTTON = "Kies een van de knoppen onder de vraag."
TICK_HINT = "Tik aan wat past en kies dan <b>Klaar</b>."
TICK_THEN_DONE = "Tik de knoppen aan die passen en kies dan <b>Klaar</b>."
TICK_AT_LEAST_ONE = "Tik minstens één ding aan, en kies dan <b>Klaar</b>."
TYPE_AN_ANSWER = "Typ uw antwoord als tekst."
UNSUPPORTED = (
    "Dat kan ik niet verwerken: ik gebruik alleen tekst en de knoppen. "
    "Foto's, stickers, spraak en locaties worden niet bewaard."
)
UNSUPPORTED_TYPED = (  # on a channel without buttons
    "Dat kan ik niet verwerken: ik gebruik alleen getypte tekst. "
    "Foto's, bestanden, stickers, spraakberichten en contactkaarten worden niet bewaard."
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


NOT_ON_BOARD_GEMEENTE = "De gemeente {name}"
NOT_ON_BOARD_AREA = "Dit gebied"


def not_on_board(route: Route) -> str:
    """The kind message for a postcode whose gemeente does not take part."""
    from bot.core import messages  # the texts in the active language

    where = (messages.NOT_ON_BOARD_GEMEENTE.format(name=html.escape(route.gemeente_name))
             if route.gemeente_name else messages.NOT_ON_BOARD_AREA)
    return messages.NOT_ON_BOARD.format(where=where, advice=html.escape(route.advice))


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
BTN_DECLINE_QUESTIONS = "Ik wil geen vragen meer"  # under a question relayed from the team
LANGUAGE_PICK = "<b>In welke taal wilt u lezen?</b>"
LANGUAGE_CHOSEN = "Goed: vanaf nu schrijf ik in het Nederlands."  # said in the language chosen
COMMANDS = (
    ("start", "Beginnen: een signaal, of iets voor uzelf of een ander"),
    ("cancel", "Stoppen met wat u nu invult"),
    ("help", "Uitleg"),
    ("privacy", "Wat er met uw gegevens gebeurt"),
    ("mijnsignalen", "Hoe het met mijn signalen staat"),
    ("vraagje", "Een vraag om een gesprek mee te beginnen"),
    ("nieuws", "Af en toe kort nieuws van het Signaalpunt (of: /nieuws uit)"),
    ("taal", "Een andere taal kiezen"),
    ("vergeetmij", "Mijn gegevens wissen"),
)


def command_list(commands: tuple[tuple[str, str], ...]) -> str:
    """One line per command: ``/name – what it does``."""
    return "\n".join(f"/{name} – {description}" for name, description in commands)


def help_text(commands: tuple[tuple[str, str], ...], how: str = "") -> str:
    """``/help`` for a channel: how it works (``how``: how to answer there), its commands."""
    from bot.core import messages  # the texts in the active language

    return "\n\n".join(part for part in (messages.HELP, how, command_list(commands),
                                          messages.HELP_DANGER) if part)


def unknown_command(commands: tuple[tuple[str, str], ...]) -> str:
    """The answer to a command the channel does not know: its commands."""
    from bot.core import messages  # the texts in the active language

    return f"{messages.UNKNOWN_COMMAND}\n{command_list(commands)}"


# -- channels without buttons: numbered choices and words to type (``bot.core.numbered``)
WORD_SKIP = "overslaan"
WORD_KEEP = "zo laten"
WORD_DONE = "klaar"
WORD_CANCEL = "annuleer"
WORD_SEND = "verstuur"
WORD_EDIT = "wijzig"
SAY_SKIP = f"'{WORD_SKIP}' om over te slaan"
SAY_KEEP = f"'{WORD_KEEP}' om het te houden"
SAY_DONE = f"'{WORD_DONE}' als het zo goed is"
SAY_CANCEL = f"'{WORD_CANCEL}' om te stoppen"
OR_TYPE = "Of typ {words}."  # words: SAY_... joined by commas and OR
OR = ", of "
TYPE_A_NUMBER = "Typ het nummer van uw antwoord."
TYPE_NUMBERS = "Typ de nummers van alles wat past, bijv. 1 3 5."
CHOSEN = "Nu gekozen: {chosen}."
EDIT_LINE = f"{WORD_EDIT} {{number}} · {{label}}"
SUMMARY_COMMANDS = (
    f"Typ '{WORD_SEND}' om te versturen, '{WORD_EDIT}' met een nummer om iets te wijzigen, "
    f"of '{WORD_CANCEL}' om te stoppen."
)
NUMBER_RANGE = "Typ een nummer van 1 tot en met {high}."
NUMBERS_RANGE = "Typ nummers van 1 tot en met {high}, bijv. 1 3 5."
NOT_LISTED = "Nummer {number} staat er niet bij."
ONE_NUMBER = "Kies hier één antwoord."
AMBIGUOUS = "Dat past bij meer dan één antwoord ({numbers})."
EDIT_RANGE = f"Typ '{WORD_EDIT}' met een nummer van 1 tot en met {{high}}."
SELECT_AT_LEAST_ONE = "Kies minstens één antwoord."
EXCLUSIVE_ALONE = "<b>{option}</b> kunt u niet samen met iets anders kiezen."

# -- the terminal (``signaalbot chat``)
CONSOLE_COMMANDS = (
    *(command for command in COMMANDS if command[0] not in ("mijnsignalen", "nieuws", "taal")),
    ("quit", "Afsluiten; met /start gaat u later verder waar u was"),
)
CONSOLE_INTRO = "Typ /help voor uitleg en alle opdrachten, /quit om te stoppen."
CONSOLE_HOW = (
    "<b>Antwoorden</b>\n"
    "Bij een vraag met genummerde antwoorden typt u het nummer, of het begin van de tekst. "
    "Vraagt de vraag om iets te typen (postcode, huisnummer, uw naam), dan is alles wat u "
    "typt, ook een getal, uw antwoord; onder de vraag staat welke woorden u daar ook kunt "
    "typen, zoals <b>overslaan</b> of <b>annuleer</b>."
)
CONSOLE_NEXT = "Typ /start voor een nieuw signaal, /help voor uitleg of /quit om te stoppen."
CONSOLE_ALERT = "=== Melding aan het team ==="
CONSOLE_ALERT_EDIT = "=== Melding aan het team (bijgewerkt) ==="
CONSOLE_ALERT_END = "=== einde melding ==="
GOODBYE = "Tot ziens."

# -- to the signaler about their signal (never a detail about the person or the outcome)
FEEDBACK_CLAIMED = (
    "Uw signaal {reference} is opgepakt door het Signaalpunt {gemeente}. "
    "Dank u wel dat u uw zorg heeft gedeeld."
)
FEEDBACK_CLOSED = "Uw signaal {reference} is afgerond. Dank voor uw oplettendheid."
# The same moments for a report about the writer, by its kind.
FEEDBACK_BY_KIND = {
    "zelfmelding": {
        "feedback_claimed": "Iemand van het Signaalpunt {gemeente} heeft uw bericht {reference} "
                            "gelezen en neemt contact met u op, zoals u aangaf.",
        "feedback_closed": "Uw bericht {reference} is afgerond. Wilt u later nog eens iets "
                           "laten weten? Dat kan altijd, met /start.",
    },
    "vrijwilliger": {
        "feedback_claimed": "De vrijwilligerscoördinator van {gemeente} heeft uw aanmelding "
                            "{reference} gezien en neemt contact met u op.",
        "feedback_closed": "Uw aanmelding {reference} is afgerond. Dank u wel dat u iets wilt "
                           "doen voor een ander!",
    },
}
RELAYED_QUESTION = (
    "❓ <b>Vraag van het Signaalpunt over uw signaal {reference}:</b>\n\n{question}\n\n"
    "Typ uw antwoord als bericht. Uw naam en nummer worden niet gedeeld."
)
ANSWER_THANKS = "Dank u wel, uw antwoord is doorgegeven aan het Signaalpunt."
QUESTIONS_DECLINED = "Begrepen: u krijgt geen vragen meer over uw signalen."
MY_SIGNALS_NONE = "U heeft nog geen signalen gegeven."
MY_SIGNALS_TITLE = "<b>Uw signalen</b>"
MY_SIGNALS_LINE = "{reference} ({date}): {label}"

# -- privacy: the signaler's side
QUESTION_ERASED = "🔒 De vraag over uw signaal {reference} is volgens de bewaartermijn gewist."
FORGET_CONFIRM = (
    "Wilt u dat wij uw naam, telefoonnummer en de koppeling met deze chat bij al uw "
    "signalen wissen? De signalen zelf blijven, zodat het team verder kan. U hoort daarna niets "
    "meer over uw signalen. Liet u weten dat u zich zelf eenzaam voelt, of dat u iets wilt doen "
    "voor een ander? Dat bericht wissen we helemaal."
)
FORGET_YES = "Ja, vergeet mij"
NOTHING_CHANGED = "Goed, er is niets gewijzigd."
FORGOTTEN = "Uw gegevens zijn gewist ({count} signalen). Dank voor uw oplettendheid."
FLOOD = "Even geduld alstublieft: u stuurt veel berichten tegelijk. Probeer het zo opnieuw."

AMBIGUOUS_POSTCODE = (
    "Deze postcode ligt in meer dan één gemeente. Typ de volledige postcode (met de twee "
    "letters), of kies hieronder de gemeente."
)
HOUSE_NUMBER_UNKNOWN = (
    "Dit huisnummer kan ik bij deze postcode niet vinden. Kijk het nummer na en typ het opnieuw."
)

# -- how their signal stands (/mijnsignalen), by the stored state; never a detail about the person
SIGNALER_STATE_LABELS = {
    "new": "ontvangen",
    "claimed": "opgepakt",
    "in_progress": "opgepakt",
    "closed": "afgerond",
}

# -- the default advice for a postcode whose gemeente does not take part (``[intake]`` config)
FALLBACK_ADVICE = (
    "Neem contact op met het sociaal wijkteam of de huisarts van uw gemeente, "
    "of bel de gemeente op 14 + netnummer."
)

# -- the terminal demo (``signaalbot chat`` without a configuration)
DEMO_NO_GEMEENTEN = (
    "Demo: er zijn geen gemeenten ingesteld. Postcodes 4531-4539 gaan naar een "
    "voorbeeld-Signaalpunt Terneuzen; meldingen verschijnen hier."
)
DEMO_KEY_MADE = (
    "Demo: een sleutel voor de versleuteling is aangemaakt in {path} "
    "(gebruik in productie SIGNAALBOT_SECURITY__ENCRYPTION_KEY)."
)

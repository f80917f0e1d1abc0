"""Dutch texts the bot shows, in one place so they can be translated.

All texts are HTML-safe (Telegram's HTML subset). Values from users are escaped by the
caller before they are put into a template.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine import Route

# -- buttons
DONE = "Klaar"
SKIP = "Overslaan"
KEEP = "Zo laten"
CANCEL = "Annuleren"
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
PHONE_INVALID = (
    "Dat is geen geldig telefoonnummer. Typ bijvoorbeeld <code>06 12345678</code> of "
    "<code>0115 123456</code>, of tik op <b>Deel mijn nummer</b>."
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
    "Ik stel een paar korte vragen over de persoon om wie u zich zorgen maakt. Meestal tikt u "
    "alleen op knoppen. Aan het eind ziet u alles nog eens en kiest u <b>Versturen</b>.\n\n"
    "/start – een signaal geven\n"
    "/cancel – stoppen; er wordt dan niets bewaard\n"
    "/privacy – wat er met uw gegevens gebeurt\n"
    "/help – deze uitleg\n\n"
    "<b>Direct gevaar?</b> Bel 112. Gedachten aan zelfdoding: 113 of 0800-0113."
)
PRIVACY = (
    "<b>Privacy</b>\n"
    "Uw signaal gaat alleen naar het team van het Signaalpunt van de gemeente waar de persoon "
    "woont. We bewaren zo weinig mogelijk: de antwoorden op de vragen, en alleen als u dat wilt "
    "uw naam en telefoonnummer. Een signaal dat u niet verstuurt, wordt na een dag gewist. "
    "Na de afhandeling worden de persoonlijke gegevens gewist; wat overblijft is een anonieme "
    "telling om het werk te verbeteren.\n"
    "U hoort wel <i>dat</i> uw signaal is opgepakt, maar niet wat er met de persoon is gebeurd."
)
NOTHING_TO_CANCEL = "Er is geen signaal in behandeling. Met /start geeft u een signaal."
UNKNOWN_COMMAND = "Die opdracht ken ik niet. Met /help ziet u wat ik kan."
CONTINUE_HINT = "Hieronder staat de vraag waar u was."
COMMANDS = (
    ("start", "Een signaal geven"),
    ("cancel", "Stoppen met dit signaal"),
    ("help", "Uitleg"),
    ("privacy", "Wat er met uw gegevens gebeurt"),
)

# -- alerts to staff
ALERT_TITLE = "🔔 <b>Nieuw signaal {reference}</b>"
ALERT_RECEIVED = "Ontvangen: {when}"
ALERT_GEMEENTE = "Gemeente: {gemeente}"
ALERT_ANONYMOUS = "<i>Melder wil anoniem blijven; een vraag kan via de bot.</i>"

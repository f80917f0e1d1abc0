"""The Signal channel's own texts: how to answer without buttons, what it cannot take."""

from __future__ import annotations

from .conversation import COMMANDS

__all__ = [
    "SIGNAL_COMMANDS", "SIGNAL_HOW", "SIGNAL_DELETED", "SIGNAL_REACTION", "SIGNAL_GROUP",
    "SIGNAL_CALL", "SIGNAL_FORGET_HOW", "SIGNAL_FORGET_WORD", "SIGNAL_DECLINE_HOW",
    "SIGNAL_STAFF_TYPE", "SIGNAL_LANGUAGE_HOW",
]

SIGNAL_COMMANDS = (
    *COMMANDS,
    ("geenvragen", "Geen vragen meer van het team over mijn signalen"),
)
SIGNAL_HOW = (
    "<b>Antwoorden</b>\n"
    "Bij een vraag met een genummerde lijst typt u het nummer (of het woord). Vraagt de vraag "
    "om iets te typen (postcode, huisnummer, uw naam), dan is alles wat u typt uw antwoord."
)
SIGNAL_DELETED = (
    "U heeft een bericht verwijderd. Wat u eerder stuurde, had ik al ontvangen; "
    "bij het overzicht aan het eind kunt u elk antwoord nog wijzigen."
)
SIGNAL_REACTION = "Een emoji-reactie kan ik niet als antwoord gebruiken. Typ uw antwoord."
SIGNAL_GROUP = (
    "Ik reageer niet in groepen: daar lezen anderen mee. Stuur mij hier een bericht, "
    "dan kunnen we verder."
)
SIGNAL_CALL = "Bellen kan niet met deze chat. Typ een bericht; met /start geeft u een signaal."
SIGNAL_FORGET_WORD = "ja"
SIGNAL_FORGET_HOW = "Typ <b>/vergeetmij ja</b> om dat te doen. Anders verandert er niets."
SIGNAL_DECLINE_HOW = (
    "Beantwoord de vraag door dit bericht te citeren (of typ gewoon uw antwoord). "
    "Wilt u geen vragen meer? Typ /geenvragen"
)
SIGNAL_STAFF_TYPE = "Typ uw tekst als volgend bericht."
SIGNAL_LANGUAGE_HOW = "Typ <b>/taal</b> met de code van een taal, bijvoorbeeld <b>/taal en</b>:"

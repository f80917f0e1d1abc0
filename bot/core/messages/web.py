"""The web chat's own texts: page titles, the form's words, the status page."""

from __future__ import annotations

__all__ = [
    "WEB_TITLE", "WEB_LANG", "WEB_ANSWERS", "WEB_NEXT", "WEB_ERROR_TITLE", "WEB_CHANGE",
    "WEB_CHANGE_WHAT", "WEB_START", "WEB_START_INTRO", "WEB_STATUS_TITLE", "WEB_STATUS",
    "WEB_STATUS_LINK", "WEB_STATUS_UNKNOWN", "WEB_NEXT_STEPS", "WEB_NOT_FOUND",
    "WEB_TOO_LARGE", "WEB_FORM_EXPIRED", "WEB_ANSWER_LABEL", "WEB_PICK_ONE", "WEB_NEW_SIGNAL",
]

WEB_LANG = "nl"
WEB_TITLE = "Signaal doorgeven"
WEB_START_INTRO = (
    "Hier geeft u een signaal door aan de gemeente. U hoeft geen account te maken. "
    "U krijgt één vraag tegelijk."
)
WEB_START = "Beginnen"
WEB_ANSWERS = "Uw antwoorden tot nu toe"
WEB_ANSWER_LABEL = "Uw antwoord"
WEB_NEXT = "Verder"
WEB_ERROR_TITLE = "Er is een probleem"
WEB_PICK_ONE = "Kies een van de antwoorden."
WEB_CHANGE = "Wijzig"
WEB_CHANGE_WHAT = "Wijzig: {part}"
WEB_FORM_EXPIRED = (
    "Dit formulier was niet meer actueel (bijvoorbeeld omdat u in een ander tabblad verder "
    "ging). Hieronder staat de vraag waar u nu bent."
)
WEB_TOO_LARGE = "Dat is te veel tekst in één keer. Maak uw antwoord korter."
WEB_NOT_FOUND = "Deze pagina bestaat niet (meer)."
WEB_STATUS_TITLE = "Status van uw signaal"
WEB_STATUS = {
    "new": "Ontvangen: uw signaal is binnen bij de gemeente.",
    "claimed": "Opgepakt: iemand van de gemeente is ermee bezig.",
    "in_progress": "Opgepakt: iemand van de gemeente is ermee bezig.",
    "closed": "Afgerond: de gemeente heeft uw signaal afgehandeld.",
}
WEB_STATUS_UNKNOWN = "Deze statuslink is niet (meer) bekend."
WEB_STATUS_LINK = (
    "Bewaar deze link als u later wilt zien of uw signaal is opgepakt. "
    "De pagina toont alleen de status, geen antwoorden."
)
WEB_NEXT_STEPS = (
    "Wat gebeurt er nu? Iemand van de gemeente bekijkt uw signaal. Gaf u uw telefoonnummer, "
    "dan kan de gemeente u bellen als er vragen zijn."
)
WEB_NEW_SIGNAL = "Nog een signaal doorgeven"

"""The web chat's own texts: page titles, the form's words, the status page."""

from __future__ import annotations

from .conversation import CANCELLED, NO_CONVERSATION, NOTHING_TO_CANCEL, STOPPED

__all__ = [
    "WEB_TITLE", "WEB_LANGUAGES", "WEB_ANSWERS", "WEB_NEXT", "WEB_ERROR_TITLE", "WEB_CHANGE",
    "WEB_CHANGE_WHAT", "WEB_STATUS_TITLE", "WEB_STATUS",
    "WEB_STATUS_LINK", "WEB_STATUS_UNKNOWN", "WEB_NEXT_STEPS", "WEB_NOT_FOUND",
    "WEB_TOO_LARGE", "WEB_FORM_EXPIRED", "WEB_ANSWER_LABEL", "WEB_PICK_ONE", "WEB_NEW_SIGNAL",
    "WEB_HELP_LINK", "WEB_HELP_TITLE", "WEB_HELP", "WEB_PRIVACY", "WEB_FORGET_TITLE",
    "WEB_FORGET", "WEB_FORGET_NOTHING", "WEB_FORGOTTEN", "WEB_BACK", "WEB_SUBMITTED",
    "WEB_NEXT_STEPS_CONTACT", "WEB_STATUS_LINK_GONE", "WEB_REWORDED",
]

WEB_LANGUAGES = "Taal"  # the name of the footer's language buttons
WEB_TITLE = "Signaalpunt tegen Eenzaamheid"
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
WEB_STATUS_TITLE = "Status van uw bericht"
WEB_STATUS = {
    "new": "Ontvangen: uw bericht is binnen bij de gemeente.",
    "claimed": "Opgepakt: iemand van de gemeente is ermee bezig.",
    "in_progress": "Opgepakt: iemand van de gemeente is ermee bezig.",
    "closed": "Afgerond: de gemeente heeft uw bericht afgehandeld.",
}
WEB_STATUS_UNKNOWN = "Deze statuslink is niet (meer) bekend."
WEB_STATUS_LINK = (
    "Bewaar deze link als u later wilt zien of uw bericht is opgepakt. "
    "De pagina toont alleen de status, geen antwoorden."
)
WEB_SUBMITTED = (
    "Dank u wel. Uw signaal is ontvangen onder nummer <b>{reference}</b>.\n\n"
    "Het team van het Signaalpunt {gemeente} bekijkt het en neemt zo nodig contact op met de "
    "persoon. Over de persoon zelf horen wij u niets te vertellen; dat is om zijn of haar "
    "privacy te beschermen."
)
WEB_NEXT_STEPS = (
    "Wat gebeurt er nu? Iemand van de gemeente bekijkt uw signaal. U gaf geen "
    "contactgegevens, dus de gemeente kan u niet bellen; met de link hieronder ziet u wel of "
    "uw signaal is opgepakt."
)
WEB_NEXT_STEPS_CONTACT = (
    "Wat gebeurt er nu? Iemand van de gemeente bekijkt uw signaal. Heeft het team een vraag, "
    "dan kan het u bellen op het nummer dat u gaf."
)
WEB_STATUS_LINK_GONE = (
    "De statuslink is niet meer te tonen. Bewaarde u hem, dan werkt hij nog."
)
WEB_NEW_SIGNAL = "Terug naar het begin"
WEB_BACK = "Terug naar waar u was"

# -- help and privacy: linked in the same place on every page (WCAG 2.2, consistent help)
WEB_HELP_LINK = "Hulp en privacy"
WEB_HELP_TITLE = "Hulp en privacy"
WEB_HELP = (
    "<b>Zo werkt het</b>\n"
    "U krijgt een paar korte vragen over de persoon om wie u zich zorgen maakt, één per "
    "pagina. Meestal kiest u een antwoord en dan <b>Verder</b>. Aan het eind ziet u alles nog "
    "eens en kiest u <b>Versturen</b>. Stoppen kan altijd met <b>Annuleren</b>."
)
WEB_PRIVACY = (
    "<b>Privacy</b>\n"
    "Uw signaal gaat alleen naar het team van het Signaalpunt van de gemeente waar de persoon "
    "woont; niemand anders krijgt het te zien. U maakt geen account; deze site onthoudt u met "
    "één cookie, zolang u bezig bent, en laadt niets van andere sites.\n\n"
    "<b>Wat we bewaren.</b> De antwoorden op de vragen, en alleen als u dat wilt uw naam en "
    "telefoonnummer. Persoonsgegevens worden versleuteld opgeslagen. Een signaal dat u niet "
    "verstuurt, wordt na een dag gewist; kiest u <b>Annuleren</b>, dan meteen.\n\n"
    "<b>Hoe lang.</b> Is uw signaal afgehandeld, dan worden de persoonsgegevens na de "
    "bewaartermijn van de gemeente gewist. Wat overblijft is een anonieme telling om het werk "
    "te verbeteren.\n\n"
    "<b>Wat u hoort.</b> Met de statuslink ziet u <i>dat</i> uw signaal is opgepakt, maar niet "
    "wat er met de persoon is gebeurd."
)
WEB_FORGET_TITLE = "Uw gegevens wissen"
WEB_FORGET = (
    "Wilt u dat wij uw naam, telefoonnummer en de koppeling met deze browser bij al uw "
    "signalen wissen, en ook uw signaal in wording? De signalen zelf blijven, zodat het team "
    "verder kan. Uw statuslinks werken daarna niet meer."
)
WEB_FORGET_NOTHING = "Deze browser heeft geen signalen of antwoorden bij ons."
WEB_FORGOTTEN = "Uw gegevens zijn gewist ({count} signalen). Dank voor uw oplettendheid."

# The chat's notices that point at /start, as the web says them (it has no commands).
WEB_REWORDED = {
    STOPPED: "Goed. Er is niets doorgegeven. U kunt later alsnog een signaal geven.",
    CANCELLED: "Het signaal is geannuleerd; er is niets bewaard over de persoon.",
    NO_CONVERSATION: "Dit gesprek is al afgerond.",
    NOTHING_TO_CANCEL: "Er is geen signaal in behandeling.",
}

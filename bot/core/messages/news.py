"""News from the Signaalpunt: the offer, opting in and out, composing, the kerngroep's counts."""

from __future__ import annotations

__all__ = [
    "NEWS_OFFER", "NEWS_BTN_YES", "NEWS_BTN_NO", "NEWS_BTN_LEAVE", "NEWS_BTN_PICK",
    "NEWS_SIGNAL_OFFER_HOW", "NEWS_SUBSCRIBED", "NEWS_HOW_TO_LEAVE", "NEWS_SIGNAL_HOW_TO_LEAVE",
    "NEWS_DECLINED", "NEWS_UNSUBSCRIBED", "NEWS_NOT_SUBSCRIBED", "NEWS_UNKNOWN", "NEWS_CURRENT",
    "NEWS_SIGNAL_CURRENT", "NEWS_PICK", "NEWS_NO_POSTCODE", "NEWS_SIGNAL_PICK", "NEWS_NONE",
    "NEWS_WORD",    "NEWS_WORD_ON", "NEWS_WORD_OFF", "NEWS_STOP_WORD", "NEWS_MESSAGE", "NEWS_EMPTY",
    "NEWS_TOO_LONG", "NEWS_COMPOSE_HOW", "NEWS_WHICH", "NEWS_PREVIEW", "NEWS_BTN_SEND",
    "NEWS_BTN_DISCARD", "NEWS_SENT", "NEWS_DISCARDED", "NEWS_EXPIRED", "NEWS_LABELS",
]

# -- to signalers and organisations
NEWS_OFFER = "Wilt u af en toe kort nieuws van het Signaalpunt {gemeente}?"
NEWS_BTN_YES = "Ja, graag"
NEWS_BTN_NO = "Nee, dank u"
NEWS_BTN_LEAVE = "Afmelden"
NEWS_BTN_PICK = "Nieuws van {gemeente}"
NEWS_SIGNAL_OFFER_HOW = "Typ <b>nieuws aan</b> als u dat wilt."
NEWS_SUBSCRIBED = "U krijgt voortaan af en toe nieuws van het Signaalpunt {gemeente}. {how}"
NEWS_HOW_TO_LEAVE = "Afmelden kan met de knop onder elk bericht, of met /nieuws uit."
NEWS_SIGNAL_HOW_TO_LEAVE = "Typ <b>stop nieuws</b> om geen nieuws meer te krijgen."
NEWS_DECLINED = "Goed, u krijgt geen nieuws."
NEWS_UNSUBSCRIBED = "U bent afgemeld: u krijgt geen nieuws meer."
NEWS_NOT_SUBSCRIBED = "U krijgt geen nieuws van ons."
NEWS_UNKNOWN = "Die gemeente ken ik niet."
NEWS_CURRENT = "U krijgt nieuws van het Signaalpunt {gemeenten}."
NEWS_SIGNAL_CURRENT = "U krijgt nieuws van het Signaalpunt {gemeenten}. {how}"
NEWS_PICK = ("Van welk Signaalpunt wilt u af en toe kort nieuws? Staat het er niet bij, typ dan "
             "/nieuws met uw postcode, bijvoorbeeld /nieuws 4531.")
NEWS_NO_POSTCODE = "Voor die postcode is er (nog) geen Signaalpunt dat nieuws stuurt."
NEWS_SIGNAL_PICK = (
    "Van welk Signaalpunt wilt u af en toe kort nieuws? Typ bijvoorbeeld {example}, of "
    "<b>nieuws aan</b> met uw postcode (nieuws aan 4531)."
)
NEWS_NONE = "Er is nog geen Signaalpunt dat nieuws stuurt."
# typed on Signal: "nieuws", "nieuws aan [gemeente]", "nieuws uit", "stop nieuws"
NEWS_WORD = "nieuws"
NEWS_WORD_ON = "aan"
NEWS_WORD_OFF = "uit"
NEWS_STOP_WORD = "stop nieuws"
NEWS_MESSAGE = "📰 <b>Nieuws van het Signaalpunt {gemeente}</b>\n\n{text}"

# -- to the regisseur who composes
NEWS_EMPTY = "Er staat geen tekst in het bericht."
NEWS_TOO_LONG = "Het bericht is te lang: {length} tekens, hooguit {max}."
NEWS_COMPOSE_HOW = (
    "Typ /nieuwsbericht met uw bericht erachter (of op de regels eronder); met meer dan één "
    "gemeente eerst de code: /nieuwsbericht {code} Uw tekst. U ziet het eerst zoals de "
    "abonnees het krijgen, en verstuurt het dan met een knop."
)
NEWS_WHICH = "Voor welke gemeente? Zet de code ervoor, bijvoorbeeld /nieuwsbericht {code} Uw tekst."
NEWS_PREVIEW = "Zo krijgen de abonnees het ({count}):"
NEWS_BTN_SEND = "Versturen aan {count} abonnees"
NEWS_BTN_DISCARD = "Annuleren"
NEWS_SENT = "Verstuurd aan {count} abonnees."
NEWS_DISCARDED = "Niet verstuurd."
NEWS_EXPIRED = "Dit concept is niet meer te versturen. Stel het opnieuw op met /nieuwsbericht."

# -- the kerngroep's report (keys: the measures of bot.core.monitoring.NEWS_KEYS)
NEWS_LABELS = {
    "active": "Nieuws: abonnees (eind periode)",
    "new": "Nieuws: nieuwe aanmeldingen",
    "organisation": "Nieuws: aanmeldingen via een organisatie",
}

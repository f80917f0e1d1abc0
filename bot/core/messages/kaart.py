"""The sociale kaart and the conversation-starter cards: interests, CSV problems, /vraagje."""

from __future__ import annotations

__all__ = [
    "TAG_LABELS", "KAART_SUGGESTION", "KAART_WHERE", "KAART_WHEN", "KAART_CONTACT",
    "KAART_FITS", "KAART_CSV_LINE", "KAART_CSV_CELL", "KAART_CSV_MORE", "KAART_CSV_NOT_UTF8",
    "KAART_CSV_EMPTY", "KAART_CSV_NO_ROWS", "KAART_CSV_TOO_MANY", "KAART_CSV_UNREADABLE",
    "KAART_CSV_COLUMN", "KAART_CSV_COLUMN_TWICE", "KAART_CSV_COLUMN_MISSING",
    "KAART_CSV_EXTRA_CELLS", "KAART_CSV_REQUIRED", "KAART_CSV_TOO_LONG", "KAART_CSV_PC4",
    "KAART_CSV_NO_TAGS", "KAART_CSV_TAG", "KAART_CSV_DID_YOU_MEAN", "KAART_CSV_DUPLICATE",
    "KAART_PICK", "KAART_TITLE", "KAART_PAGE", "KAART_EMPTY", "KAART_LINE", "KAART_WHOLE",
    "KAART_HOW", "KAART_BTN_REMOVE", "KAART_BTN_PREVIOUS", "KAART_BTN_NEXT", "KAART_CONFIRM",
    "KAART_BTN_REMOVE_YES", "KAART_BTN_BACK", "KAART_REMOVED", "KAART_GONE", "KAART_NOT_SAVED",
    "KAART_SAVED", "KAART_WHICH", "KAART_NOT_CSV", "KAART_FILE_TOO_BIG",
    "VRAAGJE", "VRAAGJE_ANOTHER", "VRAAGJE_SIGNAL_ANOTHER", "VRAAGJE_WORD",
    "SUGGEST_MORE_VRAAGJES", "SUGGEST_SIGNALER_ACTIVITIES", "SUGGEST_RESIDENT",
    "SUGGESTION_TO_RESIDENT", "LINKED_TO_VOLUNTEER",
]

# -- interests (the keys are bot.core.sociale_kaart.TAGS, stored and typed in CSV files)
TAG_LABELS = {
    "praatje": "Een praatje maken",
    "samen": "Samen iets doen",
    "praktisch": "Praktische hulp",
    "maatje": "Een vast maatje",
    "koffie": "Koffie of thee drinken",
    "boodschappen": "Boodschappen",
    "vervoer": "Vervoer",
    "muziek": "Muziek en zingen",
    "bewegen": "Bewegen en wandelen",
    "creatief": "Creatief bezig zijn",
    "digitaal": "Hulp met telefoon of computer",
    "eten": "Samen eten",
}

# -- an activity as a resident sees it (name, what, and the lines that are filled in)
KAART_SUGGESTION = "<b>{name}</b>\n{what}"
KAART_WHERE = "📍 {where}"
KAART_WHEN = "🕒 {when}"
KAART_CONTACT = "📞 {contact}"
KAART_FITS = "<i>Past bij: {interests}</i>"

# -- importing a kaart from CSV: "regel N: kolom X: problem"
KAART_CSV_LINE = "regel {line}: {problem}"
KAART_CSV_CELL = "regel {line}: kolom {column}: {problem}"
KAART_CSV_MORE = "en {count} meer"
KAART_CSV_NOT_UTF8 = "het bestand is geen UTF-8; sla het op als \"CSV UTF-8\""
KAART_CSV_EMPTY = "het bestand is leeg; de eerste regel noemt de kolommen: {columns}"
KAART_CSV_NO_ROWS = "na de kopregel staan geen activiteiten"
KAART_CSV_TOO_MANY = "meer dan {max} activiteiten; splits het bestand"
KAART_CSV_UNREADABLE = "niet te lezen als CSV ({error})"
KAART_CSV_COLUMN = "onbekende kolom; de kolommen zijn: {columns}"
KAART_CSV_COLUMN_TWICE = "staat twee keer in de kopregel"
KAART_CSV_COLUMN_MISSING = "ontbreekt in de kopregel"
KAART_CSV_EXTRA_CELLS = "{cells} cellen, maar de kopregel noemt {columns} kolommen"
KAART_CSV_REQUIRED = "is leeg; vul deze in"
KAART_CSV_TOO_LONG = "te lang: {length} tekens, hoogstens {max}"
KAART_CSV_PC4 = (
    "\"{value}\" is geen postcodegebied: vier cijfers van 1000 tot en met 9999, "
    "of leeg voor de hele gemeente"
)
KAART_CSV_NO_TAGS = "geen tags; kies er minstens één uit: {tags}"
KAART_CSV_TAG = "onbekende tag \"{tag}\"{hint}; de tags zijn: {tags}"
KAART_CSV_DID_YOU_MEAN = " (bedoelt u \"{tag}\"?)"
KAART_CSV_DUPLICATE = "\"{name}\" staat al op regel {line}"

# -- /kaart: a regisseur keeps the gemeente's kaart in the chat
KAART_PICK = "<b>Sociale kaart</b> — kies een gemeente:"
KAART_TITLE = "<b>Sociale kaart {name}</b> — {count} activiteit(en)"
KAART_PAGE = "Blad {page} van {pages}"
KAART_EMPTY = "Er staan nog geen activiteiten op de kaart."
KAART_LINE = "{number}. <b>{name}</b> ({area}) · {tags}"
KAART_WHOLE = "hele gemeente"
KAART_HOW = (
    "<b>Toevoegen of bijwerken</b>: stuur een CSV-bestand, of <code>/kaart {code}</code> met "
    "daaronder regels zoals in zo'n bestand; de eerste regel noemt de kolommen. Bijvoorbeeld:\n"
    "<code>/kaart {code}\nnaam;wat;pc4;wanneer;contact;tags\n"
    "Koffie-ochtend;Koffie en een praatje;{pc4};dinsdag 10-12 uur;0252-123456;koffie,praatje"
    "</code>\nEen activiteit met dezelfde naam wordt bijgewerkt. Tags: {tags}."
)
KAART_BTN_REMOVE = "🗑 {name}"
KAART_BTN_PREVIOUS = "◀️ Vorige"
KAART_BTN_NEXT = "Volgende ▶️"
KAART_CONFIRM = "<b>{name}</b> van de kaart halen?"
KAART_BTN_REMOVE_YES = "Ja, van de kaart halen"
KAART_BTN_BACK = "↩️ Terug naar de lijst"
KAART_REMOVED = "{name} is van de kaart gehaald."
KAART_GONE = "Die activiteit staat niet meer op de kaart."
KAART_NOT_SAVED = (
    "<b>Niets opgeslagen</b>: {count} probleem/problemen. Verbeter ze en stuur alles opnieuw.\n\n"
    "{problems}"
)
KAART_SAVED = "✅ Opgeslagen: {added} nieuw, {updated} bijgewerkt."
KAART_WHICH = (
    "U beheert meer dan één gemeente: zet de code achter /kaart, bijvoorbeeld "
    "<code>/kaart {code}</code>; bij een bestand: de code als bijschrift."
)
KAART_NOT_CSV = (
    "Stuur de kaart als CSV-bestand (.csv); in Excel: Opslaan als → CSV UTF-8. "
    "Typ /kaart voor de kolommen."
)
KAART_FILE_TOO_BIG = "Dit bestand is groter dan {max} kB; splits het in delen."

# -- conversation-starter cards (the questions: bot/core/vraagjes.toml)
VRAAGJE = (
    "💬 <b>Een vraag om een gesprek mee te beginnen</b>\n\n{question}\n\n"
    "<i>Stel hem rustig, en luister vooral. Wil iemand er niet over praten, dan is dat goed.</i>"
)
VRAAGJE_ANOTHER = "🔄 Een andere vraag"
VRAAGJE_SIGNAL_ANOTHER = "Typ <b>vraagje</b> voor een andere vraag."
VRAAGJE_WORD = "vraagje"

# -- suggestions after filing (bot.core.suggestions), as a message of their own
SUGGEST_MORE_VRAAGJES = "<i>Meer vragen: /vraagje</i>"
SUGGEST_SIGNALER_ACTIVITIES = (
    "🤝 <b>Iets om te noemen</b>\nKent u iemand die wat meer mensen om zich heen kan "
    "gebruiken? Dit is er in de buurt:"
)
SUGGEST_RESIDENT = (
    "🌱 <b>Misschien iets voor u</b>\nIn de tussentijd: dit is er bij u in de buurt. "
    "Alleen als u er zin in heeft; u hoeft niets te doen."
)

# -- an activity staff picked, to the person who wrote (through the outbox)
SUGGESTION_TO_RESIDENT = (
    "🌱 <b>Een idee van het Signaalpunt {gemeente}</b> (bij uw bericht {reference})\n\n"
    "{activity}\n\n<i>Alleen als u er zin in heeft; u hoeft niets te doen.</i>"
)
LINKED_TO_VOLUNTEER = (
    "🙋 <b>Dank u wel voor uw aanmelding {reference}!</b> De vrijwilligerscoördinator van "
    "{gemeente} koppelt u aan deze activiteit:\n\n{activity}\n\n"
    "Neem gerust contact op met de organisatie. Vragen? Dan helpt de coördinator u verder."
)

"""What administrators read: the /beheer panel, staff management and invitations."""

from __future__ import annotations

__all__ = [
    "ADMIN_PICK", "ADMIN_PANEL", "ADMIN_UNERASED", "ADMIN_UNERASED_LINE", "ADMIN_ON", "ADMIN_OFF",
    "ADMIN_BTN_STAFF", "ADMIN_BTN_INVITE_REGISSEUR", "ADMIN_BTN_INVITE_TEAM", "ADMIN_BTN_ON",
    "ADMIN_BTN_INVITE_COORDINATOR", "STAFF_ROLE_LABELS",
    "ADMIN_BTN_OFF", "ADMIN_NO_STAFF", "ADMIN_REMOVED", "ADMIN_REMOVED_GROUPS", "ADMIN_INVITE",
    "INVITE_INVALID", "INVITE_WELCOME", "SIGNALER_CHAT",
]

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
ADMIN_BTN_INVITE_COORDINATOR = "✉️ Vrijwilligerscoördinator uitnodigen"
STAFF_ROLE_LABELS = {  # by the stored role
    "regisseur": "regisseur", "team": "team", "coordinator": "vrijwilligerscoördinator"}
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
SIGNALER_CHAT = "melder"  # a copy in a signaler's chat, whose id is never shown

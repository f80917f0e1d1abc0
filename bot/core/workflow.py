"""A signal's lifecycle: states, the one transition table, and the staff's choices as data."""

from __future__ import annotations

from enum import StrEnum

from bot.core import messages


class State(StrEnum):
    """Where a signal is in its follow-up."""

    NEW = "new"  # ontvangen: nobody has it yet
    CLAIMED = "claimed"  # opgepakt: someone owns it
    IN_PROGRESS = "in_progress"  # a status has been recorded
    CLOSED = "closed"  # afgerond, with an outcome


class Action(StrEnum):
    """What staff can do to a signal."""

    CLAIM = "claim"
    ASSIGN = "assign"
    STATUS = "status"
    ASK = "ask"
    CLOSE = "close"
    SUGGEST = "suggest"  # send a self-reporter an activity from the sociale kaart
    LINK = "link"  # link a volunteer to an activity on the sociale kaart


class EventAction(StrEnum):
    """What a signal's history records (``SignalEvent.action``), staff actions by their name."""

    FILED = "filed"
    CLAIM = Action.CLAIM.value
    ASSIGN = Action.ASSIGN.value
    STATUS = Action.STATUS.value
    CLOSE = Action.CLOSE.value
    SUGGEST = Action.SUGGEST.value
    LINK = Action.LINK.value
    NOTE = "note"
    QUESTION = "question"  # a question relayed to the signaler
    ANSWER = "answer"  # the signaler's answer to it
    NO_ANSWER = "no_answer"
    DECLINED = "declined"  # the signaler wants no more questions
    ESCALATE = "escalate"
    REMINDER = "reminder"
    FORGOTTEN = "forgotten"  # the signaler used /vergeetmij
    VIEW = "view"  # kept for the audit, not shown


class StaffRole(StrEnum):
    """A staff member's role in their gemeente."""

    REGISSEUR = "regisseur"  # anything, and administers the gemeente
    TEAM = "team"  # claims signals and self-reports, and acts on what they own
    COORDINATOR = "coordinator"  # the volunteer coordinator: claims volunteer sign-ups


# Which roles handle which kind of report (``Signal.kind``). A volunteer sign-up goes to the
# gemeente's volunteer coordinator, and to its regisseurs, who oversee everything and stand in
# when there is no coordinator; the team does not see it. Signals and self-reports go to the
# team and the regisseurs, not to the coordinator.
HANDLED_BY: dict[str, frozenset[StaffRole]] = {
    "signaal": frozenset({StaffRole.REGISSEUR, StaffRole.TEAM}),
    "zelfmelding": frozenset({StaffRole.REGISSEUR, StaffRole.TEAM}),
    "vrijwilliger": frozenset({StaffRole.REGISSEUR, StaffRole.COORDINATOR}),
}


def handles(role: StaffRole, kind: str) -> bool:
    """Whether staff in this role handle reports of this kind."""
    return role in HANDLED_BY.get(kind, HANDLED_BY["signaal"])


class NoAccess(Exception):
    """The person may not do this (not staff here, wrong role, no such signal, no admin)."""


class TransitionNotAllowed(Exception):
    """The action does not fit the signal's state."""


# The one table: (action, from state) -> new state. Anything not listed is refused.
TRANSITIONS: dict[tuple[Action, State], State] = {
    (Action.CLAIM, State.NEW): State.CLAIMED,
    (Action.ASSIGN, State.NEW): State.CLAIMED,
    (Action.ASSIGN, State.CLAIMED): State.CLAIMED,
    (Action.ASSIGN, State.IN_PROGRESS): State.IN_PROGRESS,
    (Action.STATUS, State.CLAIMED): State.IN_PROGRESS,
    (Action.STATUS, State.IN_PROGRESS): State.IN_PROGRESS,
    (Action.ASK, State.NEW): State.NEW,
    (Action.ASK, State.CLAIMED): State.CLAIMED,
    (Action.ASK, State.IN_PROGRESS): State.IN_PROGRESS,
    (Action.SUGGEST, State.NEW): State.NEW,
    (Action.SUGGEST, State.CLAIMED): State.CLAIMED,
    (Action.SUGGEST, State.IN_PROGRESS): State.IN_PROGRESS,
    (Action.LINK, State.NEW): State.NEW,
    (Action.LINK, State.CLAIMED): State.CLAIMED,
    (Action.LINK, State.IN_PROGRESS): State.IN_PROGRESS,
    (Action.CLOSE, State.CLAIMED): State.CLOSED,
    (Action.CLOSE, State.IN_PROGRESS): State.CLOSED,
}

# Who may do what (``StaffRole``): regisseurs anything; team members claim, and act on what
# they own.
REGISSEUR_ONLY = frozenset({Action.ASSIGN})
OWNER_OR_REGISSEUR = frozenset({Action.STATUS, Action.CLOSE})


def transition(state: State, action: Action) -> State:
    """The state after ``action``; raises ``TransitionNotAllowed`` when it does not fit."""
    try:
        return TRANSITIONS[(action, state)]
    except KeyError:
        raise TransitionNotAllowed(f"{action} is not allowed when {state}") from None


# Labels by the stored codes; the texts are in the catalog (a missing one fails at import).
STATE_LABELS = {state: messages.STATE_LABELS[state] for state in State}

STATUSES = {code: messages.STATUS_LABELS[code]
            for code in ("contact", "huisbezoek", "onbereikbaar", "doorverwezen")}
FIRST_CONTACT = frozenset({"contact", "huisbezoek"})  # statuses that count as first contact

REFERRALS = {code: messages.REFERRAL_LABELS[code]
             for code in ("wijkteam", "huisarts", "welzijn", "vrijwilliger", "anders")}

OUTCOMES = {code: messages.OUTCOME_LABELS[code]
            for code in ("ondersteuning", "doorverwezen", "geen_zorgen", "wil_niet",
                         "onbereikbaar", "anders")}
VOLUNTEER_OUTCOMES = {code: messages.VOLUNTEER_OUTCOME_LABELS[code]
                      for code in ("gekoppeld", "later", "gestopt", "anders")}
ALL_OUTCOMES = {**VOLUNTEER_OUTCOMES, **OUTCOMES}  # every stored code, to show it


# The kaart action each kind of report offers (about the person who wrote it).
KAART_ACTIONS = {"zelfmelding": Action.SUGGEST, "vrijwilliger": Action.LINK}


def outcomes(kind: str) -> dict[str, str]:
    """The outcomes a report of this kind can be closed with."""
    return VOLUNTEER_OUTCOMES if kind == "vrijwilliger" else OUTCOMES

"""A seeded monitoring data set: anonymous signals of Terneuzen and Heerlen around 2025 Q3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.monitoring import Period
from storage.models import NotOnBoard, Organisation, Signal

Q3 = Period.quarter(2025, 3)  # 2025-06-30 22:00 UTC up to 2025-09-30 22:00 UTC
START, END = Q3.start, Q3.end
NOW = datetime(2025, 12, 1, tzinfo=UTC)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def row(code: str, created: datetime, role: str = "kapper", signs: tuple[str, ...] = ("post",),
        pc4: int = 4531, claim_h: float | None = None, contact_h: float | None = None,
        closed: datetime | None = None, outcome: str | None = None,
        org: int | None = None, kind: str = "signaal") -> dict[str, Any]:
    """One anonymous report (a signal unless ``kind`` says otherwise); its status follows
    from what happened to it."""
    status = ("closed" if closed else "in_progress" if contact_h is not None
              else "claimed" if claim_h is not None else "new")
    return {"gemeente_code": code, "status": status, "questionnaire": f"{kind}-v1", "kind": kind,
            "role": role, "signs": list(signs), "pc4": pc4, "answers": None, "outcome": outcome,
            "organisation_id": org,
            "created_at": created,
            "claimed_at": created + timedelta(hours=claim_h) if claim_h is not None else None,
            "first_contact_at": (created + timedelta(hours=contact_h)
                                 if contact_h is not None else None),
            "closed_at": closed, "last_activity_at": created, "escalation_level": 0}


# id, code, name, gemeente: the two "Wijkteam"s and Terneuzen's depot have no signals in Q3
ORGANISATIONS = [(1, "postnl-tnz", "PostNL depot Terneuzen", "GM0715"),
                 (2, "knip", "Kapsalon Knip", "GM0715"), (3, "rabo", "Rabobank", None),
                 (4, "wijk-tnz", "Wijkteam", "GM0715"), (5, "wijk-hrl", "Wijkteam", "GM0917")]
KNIP, POSTNL, RABO = 2, 1, 3
KAPPER = {"role": "kapper", "signs": ("post", "gordijnen")}
WEEKS = [at(f"2025-{day} 10:00") for day in (
    "07-07", "07-14", "07-21", "07-28", "08-04", "08-11", "08-18", "08-25", "09-01", "09-08",
    "09-15")]
SEED = [
    # Terneuzen in Q3: 12 signals (the first exactly at the start of the quarter)
    # (organisations: Kapsalon Knip 6, PostNL depot 3, Rabobank 1, direct 2)
    row("GM0715", START, **KAPPER, claim_h=1, contact_h=10, closed=START + timedelta(days=5),
        outcome="ondersteuning", org=KNIP),
    *[row("GM0715", WEEKS[i], **KAPPER, claim_h=i + 2, contact_h=10 * (i + 2),
          closed=WEEKS[i] + timedelta(days=6), outcome=outcome, org=KNIP)
      for i, outcome in enumerate(["ondersteuning", "ondersteuning", "doorverwezen",
                                   "doorverwezen"])],
    row("GM0715", WEEKS[4], **KAPPER, claim_h=6, contact_h=60, closed=at("2025-10-15 09:00"),
        outcome="geen_zorgen", org=KNIP),  # closed after the quarter: open at its end
    row("GM0715", WEEKS[5], **KAPPER, pc4=4532, claim_h=7),
    row("GM0715", WEEKS[6], **KAPPER, pc4=4532, claim_h=8),
    row("GM0715", WEEKS[7], role="bezorger", pc4=4532, claim_h=9, org=POSTNL),
    row("GM0715", WEEKS[8], role="bezorger", pc4=4532, claim_h=10, org=POSTNL),
    row("GM0715", WEEKS[9], role="bezorger", pc4=4532, claim_h=20, org=POSTNL),
    row("GM0715", WEEKS[10], role="financieel", signs=("verlies",), pc4=4533,
        org=RABO),  # never claimed
    # Terneuzen outside Q3
    row("GM0715", at("2025-06-01 10:00"), claim_h=3),  # still open: in the backlog
    row("GM0715", at("2025-06-02 10:00"), claim_h=3, closed=at("2025-06-20 10:00"),
        outcome="anders", org=POSTNL),
    row("GM0715", END, claim_h=1, org=POSTNL),  # the end is not part of the period
    row("GM0715", at("2025-10-02 10:00"), org=KNIP),
    # Heerlen in Q3
    row("GM0917", at("2025-08-01 10:00"), role="zorg", pc4=6411, org=RABO),
]
# Reports of other kinds, all open, filed in Q3 but the last: they count apart from signals.
OTHER_KINDS = [
    *[row("GM0715", WEEKS[i], role="zelfmelding", signs=(), kind="zelfmelding")
      for i in range(6)],
    *[row("GM0917", WEEKS[i], role="zelfmelding", signs=(), pc4=6411, kind="zelfmelding")
      for i in range(2)],
    *[row("GM0715", WEEKS[i], role="vrijwilliger", signs=(), claim_h=1, kind="vrijwilliger")
      for i in range(3)],
    row("GM0715", END, role="vrijwilliger", signs=(), kind="vrijwilliger"),  # after Q3
]
NOT_ON_BOARD = [("GM0534", "2025-07-10 10:00"), ("GM0534", "2025-08-10 10:00"),
                (None, "2025-09-10 10:00"), ("GM0534", "2025-10-10 10:00")]


async def seed(engine: AsyncEngine, rows: list[dict[str, Any]],
               not_on_board: list[tuple[str | None, str]] = NOT_ON_BOARD) -> None:
    async with engine.begin() as connection:
        await connection.execute(insert(Organisation), [
            {"id": id_, "code": code, "name": name, "role": "anders", "gemeente_code": gemeente}
            for id_, code, name, gemeente in ORGANISATIONS])
        await connection.execute(insert(Signal), rows)
        if not_on_board:
            await connection.execute(insert(NotOnBoard), [
                {"gemeente_code": code, "created_at": at(when)} for code, when in not_on_board])

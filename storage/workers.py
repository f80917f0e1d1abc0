"""The workers sharing a PostgreSQL database, counted by heartbeat, and the group turns they take.

Each worker renews its row in ``workers`` every ``BEAT_SECONDS`` (``beat``); a row not renewed
for ``DEAD_AFTER`` seconds is a dead worker's, and rows gone quiet for an hour are deleted.
Every time is the database's clock, so the workers' clocks need not agree. A worker that
joins others waits ``SETTLE_SECONDS`` before it sends bulk (``settled``): by then each of them
has counted it and shrunk its share. ``take_turn`` takes a group's turn for all workers when
it is free, in one statement that also records it.
"""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy import Float, Integer, bindparam, text
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
BEAT_SECONDS = 2.0
DEAD_AFTER = 3 * BEAT_SECONDS
SETTLE_SECONDS = 1.5 * BEAT_SECONDS  # one round of the others' beats, with room to spare

# Renew this worker's row, forget long-dead ones; count the others alive (a statement's
# sub-queries all see the table as it was before it: this worker is the + 1).
_BEAT = text("""
WITH me AS (
    INSERT INTO workers (id, beat_at) VALUES (:worker, now())
    ON CONFLICT (id) DO UPDATE SET beat_at = now() RETURNING id
), gone AS (
    DELETE FROM workers WHERE beat_at < now() - interval '1 hour' RETURNING id
)
SELECT count(*) + 1 FROM workers
WHERE id <> :worker AND beat_at > now() - make_interval(secs => CAST(:dead AS float8))
""")
_LEAVE = text("DELETE FROM workers WHERE id = :worker")
# Take a group's turn if it is free: its last message ``spacing`` seconds ago or more, and
# fewer than ``most`` in the last ``window`` seconds; then 0, and ``sends`` keeps the last
# ``most``. Else the seconds until it is free, as the statement began (a turn just taken by
# another worker can look free: the caller asks again).
_TAKE = text("""
WITH taken AS (
    INSERT INTO group_sends AS g (chat_id, sends) VALUES (:chat, ARRAY[now()])
    ON CONFLICT (chat_id) DO UPDATE
    SET sends = (g.sends || now())[greatest(cardinality(g.sends) + 2 - :most, 1):]
    WHERE g.sends[cardinality(g.sends)] <= now() - make_interval(secs => :spacing)
      AND (cardinality(g.sends) < :most OR g.sends[cardinality(g.sends) + 1 - :most]
           <= now() - make_interval(secs => :window))
    RETURNING chat_id
)
SELECT CASE WHEN EXISTS (SELECT FROM taken) THEN 0.0 ELSE greatest(0.001, (
    SELECT greatest(
        extract(epoch FROM sends[cardinality(sends)] - now())::float8 + :spacing,
        CASE WHEN cardinality(sends) >= :most THEN extract(
            epoch FROM sends[cardinality(sends) + 1 - :most] - now())::float8 + :window END)
    FROM group_sends WHERE chat_id = :chat)) END
""").bindparams(bindparam("most", type_=Integer), bindparam("spacing", type_=Float),
                bindparam("window", type_=Float))


class WorkerRegistry:
    """This worker (``worker_id``) among those on the database; ``live`` counts them all."""

    def __init__(self, db: AsyncEngine, worker_id: str, *, dead_after: float = DEAD_AFTER,
                 settle_seconds: float = SETTLE_SECONDS) -> None:
        self.worker_id = worker_id
        self.live = 1
        self._db = db
        self._dead_after = dead_after
        self._settle = settle_seconds
        self._settled_at: float | None = None
        self._joined = asyncio.Event()

    async def beat(self) -> int:
        """Renew this worker's heartbeat; returns (and keeps in ``live``) the live workers."""
        async with self._db.begin() as connection:
            live = int(await connection.scalar(
                _BEAT, {"worker": self.worker_id, "dead": self._dead_after}) or 1)
        if live != self.live:
            log.info("%d workers share Telegram's limits", live)
        self.live = live
        if not self._joined.is_set():
            loop = asyncio.get_running_loop()
            self._settled_at = loop.time() + (self._settle if live > 1 else 0.0)
            self._joined.set()
        return live

    @property
    def joined(self) -> bool:
        """Whether this worker has beaten once (and has a row to remove)."""
        return self._joined.is_set()

    @property
    def counted(self) -> bool:
        """Whether the other workers count this one by now (it may take its share)."""
        return (self._settled_at is not None
                and asyncio.get_running_loop().time() >= self._settled_at)

    async def settled(self) -> None:
        """Return once the other workers count this one (at once when it is alone)."""
        await self._joined.wait()
        assert self._settled_at is not None
        wait = self._settled_at - asyncio.get_running_loop().time()
        if wait > 0:
            await asyncio.sleep(wait)

    async def take_turn(self, chat_id: int, *, spacing: float, most: int, window: float
                        ) -> float:
        """Take group ``chat_id``'s turn for all workers, if it is free.

        Free: its last message (whoever sent it) went ``spacing`` seconds ago or more, and
        fewer than ``most`` in the last ``window`` seconds. Returns 0 when taken (send now),
        else the seconds after which to ask again.
        """
        async with self._db.begin() as connection:
            wait = await connection.scalar(_TAKE, {"chat": chat_id, "spacing": spacing,
                                                   "most": most, "window": window})
        return float(wait)

    async def leave(self) -> None:
        """Remove this worker's row: the others take over its share at their next beat."""
        async with self._db.begin() as connection:
            await connection.execute(_LEAVE, {"worker": self.worker_id})

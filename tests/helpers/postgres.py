"""PostgreSQL seen from outside the bot: the sessions holding advisory locks, ended."""

from __future__ import annotations


async def end_lock_holders(db_url: str) -> int:
    """End the sessions holding an advisory lock on this database (as an operator's
    ``pg_terminate_backend`` or a dropped connection would); returns how many."""
    import asyncpg

    admin = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        return len(await admin.fetch(
            "SELECT pg_terminate_backend(pid, 5000) FROM pg_locks WHERE locktype = 'advisory'"
            " AND granted AND database = (SELECT oid FROM pg_database"
            " WHERE datname = current_database())"))
    finally:
        await admin.close()

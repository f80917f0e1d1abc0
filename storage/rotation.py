"""Re-encrypting every personal field with the current key (after a key change)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm.attributes import flag_modified

from storage.models import SEALED, DraftRow, Signaler
from storage.uow import UnitOfWork


async def rotate(uow: UnitOfWork) -> int:
    """Rewrite every encrypted value with the current key; returns how many rows changed.

    Rows are loaded (decrypted with whichever key wrote them) and written again (with the
    current key, bound to the same row). Signalers' lookup hashes are recomputed. Unfinished
    drafts are dropped: only their hash is stored, so they cannot be found again under a new
    key (they expire within a day anyway).
    """
    await uow.session.execute(delete(DraftRow))
    changed = 0
    for model, fields in SEALED.items():
        if model is DraftRow:
            continue
        for row in await uow.session.scalars(select(model)):
            if isinstance(row, Signaler):
                row.external_hash = uow.keyring.lookup_hash(row.external_id)
            for attribute in fields:
                if getattr(row, attribute) not in (None, ""):
                    flag_modified(row, attribute)
            changed += 1
        await uow.session.flush()
    return changed

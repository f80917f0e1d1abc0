"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.encrypted
import storage.models
${imports if imports else ""}

revision: str = ${repr(up_revision)}
down_revision: str | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}
# Expand/contract (docs/operations.md, "Upgrades"): old and new workers both run on this
# schema. Add nullable columns, or ones with a server_default; a step that drops, renames or
# tightens sets CONTRACT = True and says in the docstring "Contract step: release X.Y stopped
# using ..." (tests/unit/test_migrations_expand.py).


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}

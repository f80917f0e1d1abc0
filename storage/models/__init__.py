"""SQLAlchemy models, portable between SQLite and PostgreSQL: one module per part of the schema.

Importing this package registers every table on ``Base.metadata`` and the listeners that seal
and open encrypted columns (``sealing``), so no model is ever used without them.
"""

from bot.core.clock import utcnow
from storage.models.base import NAMING, Base, StoredEnum, UTCDateTime
from storage.models.gemeenten import (
    AlertChat,
    BlockedChat,
    Gemeente,
    GemeenteText,
    Invite,
    Organisation,
    Pc4Route,
    Staff,
)
from storage.models.kaart import Activity
from storage.models.news import NewsSubscription
from storage.models.routing import (
    GemeenteMerge,
    HouseNumberRoute,
    Pc4Gemeente,
    Pc6Route,
    RoutingDataset,
)
from storage.models.sealing import SEALED, field_of, sealing_context
from storage.models.signals import (
    DraftRow,
    NotOnBoard,
    Outbox,
    OutboxLease,
    ProcessedUpdate,
    RelayedQuestion,
    Signal,
    Signaler,
    SignalEvent,
)
from storage.models.workers import GroupSends, Worker

__all__ = [
    "utcnow", "UTCDateTime", "StoredEnum", "Base", "NAMING", "Gemeente", "AlertChat", "Staff",
    "BlockedChat", "Pc4Route", "Invite", "Organisation", "GemeenteText", "Signaler",
    "DraftRow", "Signal", "SignalEvent", "RelayedQuestion", "ProcessedUpdate", "NotOnBoard",
    "Outbox", "OutboxLease", "RoutingDataset", "Pc6Route", "HouseNumberRoute", "Pc4Gemeente",
    "GemeenteMerge", "Activity", "NewsSubscription", "Worker", "GroupSends", "field_of",
    "sealing_context", "SEALED",
]

"""Repositories: queries and writes per aggregate, one module each. They flush, never commit."""

from storage.repositories.activities import ActivityRepository
from storage.repositories.blocks import BlockedChatRepository
from storage.repositories.drafts import (
    RECENT_UPDATES,
    ConcurrentUpdate,
    DraftRecord,
    DraftRepository,
)
from storage.repositories.events import EventRepository
from storage.repositories.gemeenten import GemeenteRepository
from storage.repositories.invitations import InvitationRepository
from storage.repositories.merges import MergeRepository
from storage.repositories.monitoring import MonitoringRepository
from storage.repositories.news import NewsRepository
from storage.repositories.organisations import OrganisationRepository
from storage.repositories.outbox import OutboxRepository
from storage.repositories.questions import QuestionRepository
from storage.repositories.routing import ROUTING_TABLES, RoutingRepository
from storage.repositories.signalers import SignalerRepository
from storage.repositories.signals import SignalRepository
from storage.repositories.staff import StaffRepository
from storage.repositories.texts import TextRepository
from storage.repositories.updates import ProcessedUpdateRepository

__all__ = [
    "RECENT_UPDATES",
    "ROUTING_TABLES",
    "ActivityRepository",
    "BlockedChatRepository",
    "ConcurrentUpdate",
    "DraftRecord",
    "DraftRepository",
    "EventRepository",
    "GemeenteRepository",
    "InvitationRepository",
    "MergeRepository",
    "MonitoringRepository",
    "NewsRepository",
    "OrganisationRepository",
    "OutboxRepository",
    "ProcessedUpdateRepository",
    "QuestionRepository",
    "RoutingRepository",
    "SignalRepository",
    "SignalerRepository",
    "StaffRepository",
    "TextRepository",
]

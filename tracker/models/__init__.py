"""Typed SQLAlchemy models, one module per area."""
from .news import NewsItem
from .notify import Heartbeat, Notification, OutboxMessage, ReminderLedger
from .people import ApiToken, PasswordResetToken, User, group_members
from .results import CongressResult, CustomField, CustomValue, DisseminationResult, FirstSessionResult
from .subcells import SubCellExemption
from .units import CalendarDay, Campaign, ReferenceDocument, Unit, WorkingGroup
from .workflow import Blocker, Item, ItemTemplate, JournalEntry, StageReview

__all__ = [
    "ApiToken", "User", "group_members", "CalendarDay", "Campaign", "ReferenceDocument", "Unit",
    "WorkingGroup", "Blocker", "Item", "ItemTemplate", "JournalEntry", "StageReview",
    "CongressResult", "CustomField", "CustomValue", "DisseminationResult", "FirstSessionResult",
    "Heartbeat", "Notification", "OutboxMessage", "ReminderLedger",
    "NewsItem", "PasswordResetToken", "SubCellExemption",
]

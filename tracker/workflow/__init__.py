"""The rules of congress preparation, pure and framework-free: stages, deadlines, gates, status, rounding."""
from .calendar import WorkCalendar
from .deadlines import due_date
from .gates import GATES, GateClosed, SubCellGateClosed, check_gate, check_sub_cell_gate
from .rounding import percent
from .stages import KINDS, STAGES, STATUSES
from .status import ItemFacts, stage_due_on, stage_status

__all__ = ["WorkCalendar", "due_date", "GATES", "GateClosed", "check_gate", "SubCellGateClosed",
           "check_sub_cell_gate", "percent", "KINDS", "STAGES", "STATUSES", "ItemFacts", "stage_due_on", "stage_status"]

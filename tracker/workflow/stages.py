"""The fixed vocabulary: stage keys in order, unit kinds, stage statuses."""

STAGES = ("dissemination", "documents", "personnel", "rehearsal", "congress", "first_session")
KINDS = ("commune_committee", "sector_committee", "grassroots_cell", "sub_cell")
COMMITTEE_KINDS = ("commune_committee", "sector_committee")
SUB_CELL = "sub_cell"  # a cell under a committee: counted apart from the organiser's direct units
STATUSES = ("not_started", "in_progress", "done", "verified", "returned", "overdue")
FINISHED = ("done", "verified")  # a stage that counts as finished: in totals, gates and the report
ROLES = ("admin", "group", "secretary", "viewer")

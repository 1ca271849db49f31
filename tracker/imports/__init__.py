"""Bringing an office's own sheets in: units, working groups and users from .xlsx or .csv (the same
code for `flask import …` and the admin page), bulk changes on the pages, and how imported people get
their first password (the initial-password sheet, the forced change, the first admin's set-up page)."""

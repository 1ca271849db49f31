"""The results and the organiser's report, one feature in one folder.

- query.py: the report read with a fixed number of set-based queries (summary, per kind, per unit, checks);
- text.py: the report in words (headline, flags, labels), in the reader's language and locale;
- export.py: CSV and XLSX, streamed row by row;
- views.py: the report page and its exports, a unit's result forms, the report settings (blueprint `reports`);
- api.py: the results entry and `GET /reports/summary` under /api/v1 (blueprint `api_results`).

Results entry lives here too: the numbers exist for the report, and their form pages already did.
The rules stay in workflow/result_rules.py, the use cases in services/results.py and result_fields.py.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the report's pages and API (after the API itself is initialised)."""
    from ..api import api
    from ..extensions import csrf
    from . import api as report_api
    from . import (
        models,  # noqa: F401  (the feature's own tables join the metadata here)
        views,
    )

    app.register_blueprint(views.bp)
    csrf.exempt(report_api.blp)  # bearer tokens, not cookies
    api.register_blueprint(report_api.blp, url_prefix="/api/v1")

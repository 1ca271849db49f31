"""Charts where people would rather look than read (issue 12), one feature in one folder.

- data.py: the numbers behind each chart, a fixed number of set-based queries whatever the number of units;
- draw.py: the charts drawn with matplotlib (no pyplot): SVG for the pages, PNG for the Word report;
- views.py: the charts served as image/svg+xml from their own URLs (blueprint `charts`), and the
  captions (key numbers) the pages put beside them.
"""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the charts' URLs."""
    from . import views

    app.register_blueprint(views.bp)

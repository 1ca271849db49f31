"""Cells under a committee (sub-cells): the superior, the sub-cell gate, exemptions and the roll-up."""

from flask import Flask


def init_app(app: Flask) -> None:
    """The exemption pages; the core's sub-cell gate gets its cells from here (tracker.hooks), its rule
    stays in workflow.gates."""
    from .. import hooks
    from .service import gate_cells
    from .views import register
    hooks.provide_sub_cells(gate_cells)
    register(app)

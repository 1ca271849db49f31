"""Upgrading from news_0001 keeps today's data and makes it the first campaign's."""
import logging

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from tests.conftest import app_on
from tracker.extensions import db


@pytest.fixture
def _keep_logging():
    """Alembic's env.py applies alembic.ini's logging, which disables the loggers that exist: undo that."""
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    root.setLevel(level)
    root.handlers[:] = handlers
    for logger in logging.Logger.manager.loggerDict.values():
        if isinstance(logger, logging.Logger):
            logger.disabled = False


def test_upgrade_keeps_data_and_scopes_groups(scratch_url, _keep_logging):
    app = app_on(scratch_url)
    with app.app_context():
        upgrade(revision="news_0001")
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO campaigns (id, name, organiser, term, active, created_at, due_soon_days,"
                " overdue_repeat_days, escalation_days, working_days_only, women_min_pct, young_min_pct, youth_age,"
                " surplus_min_pct, surplus_max_pct, rounding, ethnic_group) VALUES (1, 'Đại hội', '', '2025–2030',"
                " :t, CURRENT_TIMESTAMP, '3,1', 3, 7, :f, 15, 10, 35, 10, 30, 'half_up', '')"), {"t": True, "f": False})
            conn.execute(text("INSERT INTO working_groups (id, code, name) VALUES (1, 'G1', 'Tổ 1')"))
            conn.execute(text(
                "INSERT INTO units (id, campaign_id, code, name, kind, party_members, group_id, pilot, notes,"
                " created_at) VALUES (1, 1, 'U1', 'Xã 1', 'commune_committee', 40, 1, :f, '', CURRENT_TIMESTAMP)"),
                {"f": False})
        upgrade()
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT campaign_id, code FROM working_groups")).all() == [(1, "G1")]
            assert conn.execute(text("SELECT campaign_id, code, group_id FROM units")).all() == [(1, "U1", 1)]
            assert conn.execute(text("SELECT copied_from_id FROM campaigns")).scalar() is None
            # codes are now unique per campaign: the same code in a second campaign is accepted
            conn.execute(text(
                "INSERT INTO campaigns (id, name, organiser, term, active, created_at, due_soon_days,"
                " overdue_repeat_days, escalation_days, working_days_only, women_min_pct, young_min_pct, youth_age,"
                " surplus_min_pct, surplus_max_pct, rounding, ethnic_group) VALUES (2, 'Mới', '', '', :t,"
                " CURRENT_TIMESTAMP, '3,1', 3, 7, :f, 15, 10, 35, 10, 30, 'half_up', '')"), {"t": True, "f": False})
            conn.execute(text("INSERT INTO working_groups (id, campaign_id, code, name) VALUES (2, 2, 'G1', 'Tổ 1')"))
            conn.execute(text(
                "INSERT INTO units (id, campaign_id, code, name, kind, party_members, pilot, notes, created_at)"
                " VALUES (2, 2, 'U1', 'Xã 1', 'commune_committee', 40, :f, '', CURRENT_TIMESTAMP)"), {"f": False})
        db.engine.dispose()

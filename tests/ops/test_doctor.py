"""`flask doctor`: reports what is wrong (unreachable database, migrations behind, codes the rule refuses,
a silent scheduler) with a non-zero exit, and says ok when all is well."""
from datetime import timedelta

import pytest
from flask_migrate import upgrade

from config import TestConfig
from tests.conftest import app_on, scratch_database
from tracker import create_app
from tracker.clock import utcnow
from tracker.extensions import db
from tracker.models import Unit, WorkingGroup
from tracker.reminders.sweep import beat
from tracker.services.campaigns import require_campaign


@pytest.fixture
def scratch_app():
    """An app on a fresh database of the kind under test, upgraded by the migrations."""
    with scratch_database("_doctor") as url:
        app = app_on(url)
        with app.app_context():
            upgrade()
            require_campaign()
            db.session.commit()
        yield app
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def doctor(app):
    result = app.test_cli_runner().invoke(args=["doctor"])
    return result.exit_code, result.output


def test_doctor_reports_bad_codes_and_a_silent_scheduler(scratch_app):
    with scratch_app.app_context():
        campaign = require_campaign()
        # written straight to the table, as codes from before the rule were
        db.session.add(WorkingGroup(code="T/1", name="Tổ 1", campaign_id=require_campaign().id))
        db.session.add(Unit(campaign=campaign, code="a?b", name="X", kind="grassroots_cell"))
        db.session.commit()
        code, out = doctor(scratch_app)
    assert code == 1
    assert "ok       migrations at head" in out
    assert "1 unit code(s)" in out and "'a?b'" in out
    assert "1 working group code(s)" in out and "'T/1'" in out
    assert "has never run" in out
    assert out.strip().splitlines()[-1] == "3 problem(s), 0 warning(s)"


def test_doctor_is_happy_when_all_is_well(scratch_app):
    with scratch_app.app_context():
        beat(db.session, utcnow() - timedelta(minutes=2), "{}")
        db.session.add(WorkingGroup(code="T.1", name="Tổ 1", campaign_id=require_campaign().id))
        db.session.commit()
        code, out = doctor(scratch_app)
    assert code == 0, out
    assert out.strip().splitlines()[-1] == "0 problem(s), 0 warning(s)"


def test_doctor_says_when_migrations_are_behind_or_the_database_is_away(app, tmp_path):
    # the test database is built from the models, never stamped by the migrations
    code, out = doctor(app)
    assert code == 1 and "no migration stamp" in out

    class Away(TestConfig):
        SQLALCHEMY_DATABASE_URI = (f"sqlite:///{tmp_path}/missing/dir/x.db" if app.config[
            "SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql+psycopg://postgres@127.0.0.1:1/none")

    away = create_app(Away)
    with away.app_context():
        code, out = doctor(away)
        db.engine.dispose()
    assert code == 1 and "database unreachable" in out

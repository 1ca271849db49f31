"""`flask demo`: a district shaped like a real one, loaded once however often the command runs."""
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import func, select

from tests.conftest import NOW, pure_statuses
from tracker.demo import load_demo
from tracker.extensions import db
from tracker.models import CongressResult, Unit, User, WorkingGroup


def table_counts():
    return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar() for t in db.metadata.sorted_tables}


def test_demo_is_a_realistic_district_and_idempotent(app):
    logins = load_demo(NOW)
    db.session.commit()
    counts = table_counts()
    assert load_demo(NOW + timedelta(days=3)) == logins
    db.session.commit()
    assert table_counts() == counts
    assert sorted(role for role, _email, _pw in logins) == ["admin", "group", "secretary", "viewer"]
    units = db.session.scalars(select(Unit)).all()
    assert Counter(u.kind for u in units) == {"commune_committee": 15, "sector_committee": 4, "grassroots_cell": 26}
    assert sum(u.pilot for u in units) == 2
    groups = db.session.scalars(select(WorkingGroup)).all()
    assert len(groups) == 3
    assert sorted(Counter(u.group_id for u in units).values()) == [15, 15, 15]
    pilots = sorted(u.congress_date for u in units if u.pilot)
    others = sorted(u.congress_date for u in units if not u.pilot)
    assert pilots[-1] < others[0]  # pilot congresses come first
    assert sum(u.party_members for u in units) > 2000
    views = pure_statuses([u.id for u in units], max(u.congress_date for u in units))
    statuses = Counter(st for per_unit in views.values() for st in per_unit.values())
    assert {"done", "verified", "not_started"} <= set(statuses)
    today_views = pure_statuses([u.id for u in units], date(2030, 4, 1))
    assert any(st == "overdue" for per_unit in today_views.values() for st in per_unit.values())
    held = db.session.scalar(select(func.count()).select_from(CongressResult))
    assert held > 0
    assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "secretary")) >= 1

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
    assert sorted(role for role, _email, _pw in logins) == ["admin", "group", "secretary", "secretary", "viewer"]
    units = db.session.scalars(select(Unit).where(Unit.kind != "sub_cell")).all()
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


def test_demo_has_the_seed_s_220_cells_under_its_19_committees(app):
    """97 hamlet cells under the 15 communes, 123 sector cells; most held before their committee; one exempted;
    a committee secretary's login that oversees cells."""
    from tracker.models import SubCellExemption
    from tracker.permissions import can_read_unit, is_superior
    from tracker.subcells.query import rollups
    logins = load_demo(NOW)
    db.session.commit()
    cells = db.session.scalars(select(Unit).where(Unit.kind == "sub_cell")).all()
    assert len(cells) == 220
    assert sum(c.name.startswith("Chi bộ ấp ") for c in cells) == 97
    parents = {c.parent.code for c in cells}
    assert len(parents) == 19 and all(c.parent.kind in ("commune_committee", "sector_committee") for c in cells)
    assert all(c.congress_date < c.parent.congress_date for c in cells)
    exempt = db.session.scalars(select(SubCellExemption)).all()
    assert len(exempt) == 1 and exempt[0].reason in ("merged", "postponed", "dissolved") and exempt[0].note
    today = max(u.congress_date for u in cells)
    views = pure_statuses([c.id for c in cells], date(2030, 4, 1))
    assert any(v["congress"] == "not_started" for v in views.values())
    committees = {c.parent_id for c in cells}
    roll = rollups(committees, today)
    assert sum(r["total"] for r in roll.values()) == 220
    emails = [email for role, email, _ in logins if role == "secretary"]
    overseers = [u for u in db.session.scalars(select(User).where(User.email.in_(emails)))
                 if u.unit.kind in ("commune_committee", "sector_committee")
                 and any(is_superior(u, c) and can_read_unit(u, c) for c in cells)]
    assert overseers

"""readmodel (SQL) against workflow.status (the pure specification), on generated data."""
from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import delete, select

from tracker import readmodel
from tracker.extensions import db
from tracker.models import Item, StageReview, SubCellExemption, Unit
from tracker.workflow import STAGES, STATUSES, ItemFacts, stage_due_on, stage_status

TODAY = date(2030, 4, 20)


EXEMPTED: set[int] = set()  # the units _generated_world exempted (an exempted sub-cell is never overdue)


def _generated_world(make_unit, n_units=40, seed=7):
    """Units with random items per stage (some stages empty), random reviews and a few exempted; the
    expected facts (the exempted units' ids in EXEMPTED)."""
    rng = random.Random(seed)
    expected: dict[int, dict[str, tuple[list[ItemFacts], str | None]]] = {}
    EXEMPTED.clear()
    for n in range(n_units):
        unit = make_unit(f"R{n:02d}")
        if rng.random() < 0.2:
            db.session.add(SubCellExemption(unit_id=unit.id, reason="merged"))
            EXEMPTED.add(unit.id)
        db.session.execute(delete(Item).where(Item.unit_id == unit.id))
        expected[unit.id] = {}
        for stage in STAGES:
            facts = []
            for pos in range(rng.choice([0, 1, 2, 3, 5])):
                due = rng.choice([None, TODAY - timedelta(days=rng.randint(1, 30)), TODAY,
                                  TODAY + timedelta(days=rng.randint(1, 30))])
                fact = ItemFacts(required=rng.random() < 0.7, done=rng.random() < 0.5, due_on=due)
                facts.append(fact)
                db.session.add(Item(unit_id=unit.id, stage=stage, key=f"k{pos}", position=pos, title_vi="x",
                                    title_en="x", required=fact.required, done=fact.done, due_on=due))
            review = rng.choice([None, None, "verified", "returned"])
            if review:
                db.session.add(StageReview(unit_id=unit.id, stage=stage, state=review))
            expected[unit.id][stage] = (facts, review)
    db.session.commit()
    return expected


def test_sql_status_due_date_and_lateness_equal_the_pure_rule(make_unit):
    expected = _generated_world(make_unit)
    cells = readmodel.stage_cells(list(expected), TODAY)
    seen = set()
    for uid, stages in expected.items():
        for stage, (facts, review) in stages.items():
            cell = cells[uid][stage]
            status = stage_status(facts, review, TODAY, exempted=uid in EXEMPTED)
            seen.add(status)
            assert cell.status == status, (uid, stage, facts, review)
            assert cell.due_on == stage_due_on(facts), (uid, stage, facts)
            late = [f.due_on for f in facts if f.required and not f.done and f.due_on and f.due_on < TODAY]
            assert cell.late_since == (min(late) if status == "overdue" else None)
            assert (cell.n_items, cell.n_done) == (len(facts), sum(f.done for f in facts))
    assert seen == set(STATUSES), "the generated data must reach every status"
    late = [f for uid in EXEMPTED for facts, _r in expected[uid].values() for f in facts
            if f.required and not f.done and f.due_on and f.due_on < TODAY]
    assert late, "the generated data must give an exempted unit a late item (never overdue)"


def test_totals_and_overdue_conditions_agree_with_the_cells(make_unit):
    expected = _generated_world(make_unit, n_units=30, seed=11)
    cells = readmodel.stage_cells(list(expected), TODAY)
    totals = readmodel.stage_totals(select(Unit.id), TODAY)
    for stage in STAGES:
        for status in STATUSES:
            assert totals[stage][status] == sum(1 for c in cells.values() if c[stage].status == status)
    # a unit is overdue (filters, API, sweep) exactly when one of its stages is overdue
    overdue_units = set(db.session.scalars(select(Unit.id).where(readmodel.unit_overdue(TODAY))))
    assert overdue_units == {uid for uid, c in cells.items() if any(s.status == "overdue" for s in c.values())}
    # an item is overdue exactly when it is a late required item of an overdue stage
    items = db.session.execute(select(Item.unit_id, Item.stage).where(readmodel.overdue_item(TODAY))).all()
    assert {(u, s) for u, s in items} == {(uid, s) for uid, c in cells.items() for s, cell in c.items()
                                          if cell.status == "overdue"}
    picked = set(db.session.scalars(readmodel.units_with_status(select(Unit.id), "personnel", "overdue", TODAY)))
    assert picked == {uid for uid, c in cells.items() if c["personnel"].status == "overdue"}


def test_dashboard_and_api_agree_on_overdue_units_with_a_returned_stage(make_unit, make_user, login, token_for,
                                                                          frozen):
    from tests.conftest import NOW, items_of

    admin = make_user("admin@x.vn", "admin")
    later = date(2030, 12, 1)  # nothing of these units is due yet but the item moved below
    late, returned, fine = (make_unit(code, congress_date=later) for code in ("LATE", "RETD", "FINE"))
    past = NOW.date() - timedelta(days=5)
    for unit in (late, returned):
        items_of(unit, "documents")[0].due_on = past
    db.session.add(StageReview(unit_id=returned.id, stage="documents", state="returned"))
    db.session.commit()
    with frozen(NOW):
        api = login(admin).get("/api/v1/units?overdue=true", headers=token_for(admin)).get_json()
        page = login(admin).get("/?overdue=1").get_data(as_text=True)
    assert [u["code"] for u in api["items"]] == ["LATE"]
    assert api["items"][0]["stages"]["documents"] == "overdue"
    assert "LATE" in page and "RETD" not in page and "FINE" not in page

"""The demo district gets results for the units whose congress is done; twice changes nothing."""
from datetime import UTC, datetime

from sqlalchemy import select

from tests.factories import count
from tracker.demo import load_demo
from tracker.demo_results import seed_results
from tracker.extensions import db
from tracker.models import Campaign, CongressResult, DisseminationResult, FirstSessionResult, Unit
from tracker.reports.query import build_report, congress_held_ids

NOW = datetime(2025, 6, 10, 2, 0, tzinfo=UTC)


def test_seed_results_is_deterministic_idempotent_and_consistent(app):
    load_demo(NOW)
    db.session.commit()
    units = list(db.session.scalars(select(Unit)))
    held = congress_held_ids([u.id for u in units], NOW.date())
    assert 0 < len(held) < len(units)
    seed_results(units, NOW)   # load_demo may already have called it: either way the rows are there once
    db.session.commit()
    assert count(DisseminationResult) == len(units)
    assert count(CongressResult) == len(held) == count(FirstSessionResult)
    snapshot = sorted(db.session.execute(select(CongressResult.unit_id, CongressResult.committee_elected,
                                                CongressResult.women, CongressResult.held_on)).all())
    assert seed_results(units, NOW) == 0
    db.session.commit()
    assert sorted(db.session.execute(select(CongressResult.unit_id, CongressResult.committee_elected,
                                            CongressResult.women, CongressResult.held_on)).all()) == snapshot
    # the demo's numbers break no rule: nothing in "counts that cannot be right"
    report = build_report(db.session.scalar(select(Campaign)), NOW.date())
    assert report.cannot_be_right == []
    s = report.summary
    direct = {u.id for u in units if u.kind != "sub_cell"}  # the report counts the organiser's direct units
    assert s["units"]["congress_held"] == len(held & direct) == s["units"]["results_entered"]
    assert s["sub_cells"] == {"total": len(units) - len(direct), "congress_held": len(held - direct)}
    assert s["committee"]["elected"] == s["committee"]["re_elected"]["count"] + s["committee"]["first_time"]["count"]

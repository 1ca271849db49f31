"""The sweep with a frozen `now` across a campaign's life: due soon, overdue, repeat, escalation, re-arming,
ticked items, empty digests, working days, the send hour, grouping, language and the journal."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import Campaign, Item, JournalEntry, Notification, OutboxMessage, ReminderLedger, User
from tracker.reminders.digest import load_digests, render
from tracker.reminders.sweep import sweep

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, hour: int = 8, month: int = 5) -> datetime:
    """A local moment in May 2030 (the congress of the test units is on 20/05/2030)."""
    return datetime(2030, month, day, hour, 0, tzinfo=HCM)


def run(moment: datetime):
    result = sweep(db.session, moment)
    db.session.commit()
    return result


def only(unit, **due: date) -> None:
    """Tick every item of the unit except those named, which get the given due dates."""
    for item in db.session.scalars(select(Item).where(Item.unit_id == unit.id)):
        if item.key in due:
            item.due_on, item.done = due[item.key], False
        else:
            item.done = True
    db.session.commit()


def digests(day: date) -> dict[str, Notification]:
    rows = db.session.execute(select(User.email, Notification).join(User, User.id == Notification.user_id)
                              .where(Notification.ref_date == day)).all()
    return {email: n for email, n in rows}


def rendered(day: date) -> dict[str, tuple[str, str, str]]:
    """{email: (subject, text, html)} of the digests of that day, rendered from the ledger as delivery does."""
    keys = db.session.execute(select(Notification.user_id, Notification.ref_date).where(Notification.ref_date == day)).all()
    return {d.email: render(d) for d in load_digests(db.session, [tuple(k) for k in keys]).values()}


def kinds(email: str, day: date) -> set[tuple[str, str]]:
    rows = db.session.execute(select(Item.key, ReminderLedger.kind).join(Item, Item.id == ReminderLedger.item_id)
                              .join(User, User.id == ReminderLedger.user_id)
                              .where(User.email == email, ReminderLedger.ref_date == day)).all()
    return {(k, kind) for k, kind in rows}


@pytest.fixture
def district(make_group, make_unit, make_user):
    """Group G1 with one member, units U1 and U2 in it, a secretary for each, and an admin."""
    make_group("G1")
    u1 = make_unit("U1", group="G1", name="Đảng bộ xã An Phú")
    u2 = make_unit("U2", group="G1", name="Đảng bộ xã Bình Minh")
    make_user("g1@d.test", "group", group="G1")
    make_user("sec1@d.test", "secretary", unit="U1")
    make_user("sec2@d.test", "secretary", unit="U2")
    make_user("admin@d.test", "admin")
    only(u2)
    return u1, u2


def test_due_soon_three_and_one_days_before(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 13))
    assert run(at(9)).queued == 0  # four days before: nothing
    first = run(at(10))
    assert first.queued == 2 and set(digests(date(2030, 5, 10))) == {"g1@d.test", "sec1@d.test"}
    assert kinds("sec1@d.test", date(2030, 5, 10)) == {("plan_issued", "due_soon:3")}
    assert run(at(10, 15)).queued == 0  # the same day again: nothing
    assert run(at(11)).queued == 0  # two days before: the 3-day reminder was sent, the 1-day one not yet due
    assert run(at(12)).queued == 2
    assert kinds("g1@d.test", date(2030, 5, 12)) == {("plan_issued", "due_soon:1")}
    assert run(at(13)).queued == 0  # due today: both thresholds already fired
    assert kinds("sec1@d.test", date(2030, 5, 14)) == set()
    run(at(14))
    assert kinds("sec1@d.test", date(2030, 5, 14)) == {("plan_issued", "overdue")}


def test_a_missed_day_still_fires_the_nearest_threshold_once(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 13), briefing_held=date(2030, 5, 14))
    run(at(12))  # no sweep on the 10th or 11th
    # plan_issued is one day away: only the 1-day reminder; briefing_held two days away: the 3-day one, late
    assert kinds("sec1@d.test", date(2030, 5, 12)) == {("plan_issued", "due_soon:1"), ("briefing_held", "due_soon:3")}
    run(at(13))
    assert kinds("sec1@d.test", date(2030, 5, 13)) == {("briefing_held", "due_soon:1")}
    assert db.session.scalar(select(func.count(ReminderLedger.id)).where(ReminderLedger.kind == "due_soon:3")) == 2


def test_overdue_first_day_then_every_three_days_catching_up(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 10))
    run(at(10))
    # due today is not overdue; the 1-day reminder nobody sent yet goes out late, once
    assert kinds("sec1@d.test", date(2030, 5, 10)) == {("plan_issued", "due_soon:1")}
    run(at(11))
    assert kinds("sec1@d.test", date(2030, 5, 11)) == {("plan_issued", "overdue")}
    assert run(at(12)).queued == 0 and run(at(13)).queued == 0
    assert run(at(14)).queued == 2  # three calendar days after the last reminder
    # the scheduler was down on the 17th: the sweep of the 19th catches up, and counts from there
    assert run(at(19)).queued == 3  # the admin too: nine days overdue, escalated once
    assert kinds("g1@d.test", date(2030, 5, 19)) == {("plan_issued", "overdue")}
    assert run(at(21)).queued == 0
    assert run(at(22)).queued == 2


def test_escalation_to_admins_once_after_seven_days(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 1))
    run(at(2))
    assert "admin@d.test" not in digests(date(2030, 5, 2))
    run(at(7))  # six days overdue
    assert "admin@d.test" not in digests(date(2030, 5, 7))
    run(at(8))
    assert kinds("admin@d.test", date(2030, 5, 8)) == {("plan_issued", "escalation")}
    for day in range(9, 20):
        run(at(day))
    assert db.session.scalar(select(func.count(ReminderLedger.id)).where(ReminderLedger.kind == "escalation")) == 1


def test_a_moved_due_date_rearms_the_reminders(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 13))
    run(at(10))
    item = db.session.scalar(select(Item).where(Item.unit_id == u1.id, Item.key == "plan_issued"))
    item.due_on = date(2030, 5, 20)
    db.session.commit()
    assert run(at(12)).queued == 0  # eight days away now
    run(at(17))
    assert kinds("sec1@d.test", date(2030, 5, 17)) == {("plan_issued", "due_soon:3")}
    run(at(21))
    assert kinds("sec1@d.test", date(2030, 5, 21)) == {("plan_issued", "overdue")}
    item.due_on = date(2030, 5, 21)  # moved again, overdue again at once: a new due date re-arms the overdue
    db.session.commit()
    run(at(22))
    assert kinds("sec1@d.test", date(2030, 5, 22)) == {("plan_issued", "overdue")}


def test_a_ticked_item_drops_out_and_no_digest_is_empty(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 13), briefing_held=date(2030, 5, 13))
    item = db.session.scalar(select(Item).where(Item.unit_id == u1.id, Item.key == "plan_issued"))
    item.done = True
    db.session.commit()
    run(at(10))
    assert kinds("sec1@d.test", date(2030, 5, 10)) == {("briefing_held", "due_soon:3")}
    only(u1)  # everything ticked
    assert run(at(14)).queued == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 2
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    assert all(text_.strip() and "U1" in text_ for _s, text_, _h in rendered(date(2030, 5, 10)).values())


def test_working_days_only_skips_the_weekend_and_catches_up(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 13))
    campaign = db.session.scalar(select(Campaign))
    campaign.working_days_only = True
    db.session.commit()
    assert run(at(11)).queued == 0  # Saturday
    assert run(at(12)).queued == 0  # Sunday
    run(at(13))  # Monday: the item is due today; the 1-day reminder was missed on Sunday and fires now
    assert kinds("sec1@d.test", date(2030, 5, 13)) == {("plan_issued", "due_soon:1")}
    campaign.working_days_only = False
    db.session.commit()
    assert run(at(18)).queued == 2  # Saturday counts again when the option is off (overdue)


def test_nothing_before_the_send_hour(app, district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 13))
    result = run(at(10, 6))
    assert result.queued == 0 and "send hour" in result.summary()
    assert db.session.scalar(select(func.count(ReminderLedger.id))) == 0
    campaign = db.session.scalar(select(Campaign))
    campaign.send_hour = 9
    db.session.commit()
    assert run(at(10, 8)).queued == 0
    assert run(at(10, 9)).queued == 2
    campaign.send_hour = None
    db.session.commit()
    app.config["REMINDER_HOUR"] = "10"  # a string from the environment
    try:
        assert run(at(12, 9)).queued == 0
        assert run(at(12, 10)).queued == 2
    finally:
        app.config["REMINDER_HOUR"] = 7


def test_digest_groups_by_unit_and_stage_names_the_unit_in_the_readers_language(district):
    u1, u2 = district
    only(u1, plan_issued=date(2030, 5, 13), political_report_drafted=date(2030, 5, 8))
    only(u2, briefing_held=date(2030, 5, 12))
    english = db.session.scalar(select(User).where(User.email == "sec2@d.test"))
    english.locale = "en"
    db.session.commit()
    run(at(10))
    assert {m.to for m in db.session.scalars(select(OutboxMessage))} == {"g1@d.test", "sec1@d.test", "sec2@d.test"}
    mail = rendered(date(2030, 5, 10))
    subject, text_, html = mail["g1@d.test"]
    assert "U1 — Đảng bộ xã An Phú" in text_ and "U2 — Đảng bộ xã Bình Minh" in text_
    assert text_.index("U1") < text_.index("U2")
    assert "Triển khai, quán triệt" in text_ or "Triển khai" in text_
    assert "13/05/2030" in text_ and "08/05/2030" in text_
    assert "/units/U1" in html and "/units/U2" in html
    assert "Nhắc việc" in subject and "10/05/2030" in subject
    assert "Dự thảo báo cáo chính trị" in text_
    sec1 = mail["sec1@d.test"]
    assert "U1" in sec1[1] and "U2" not in sec1[1]
    sec2 = mail["sec2@d.test"]
    assert sec2[0].startswith("Reminders for 10/05/2030") and "Briefing on the directive" in sec2[1]
    assert "due in 2 days" in sec2[1]
    assert set(mail) == {"g1@d.test", "sec1@d.test", "sec2@d.test"}


def test_inactive_users_and_other_groups_get_nothing(make_group, make_unit, make_user):
    make_group("G1")
    make_group("G2")
    u1 = make_unit("U1", group="G1")
    make_user("g2@d.test", "group", group="G2")
    gone = make_user("gone@d.test", "group", group="G1")
    gone.active = False
    db.session.commit()
    only(u1, plan_issued=date(2030, 5, 13))
    assert run(at(10)).queued == 0


def test_journal_gets_one_line_per_unit_and_day_naming_who_was_reminded(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 9), briefing_held=date(2030, 5, 8), political_report_drafted=date(2030, 5, 12))
    run(at(10))
    run(at(10, 18))
    lines = db.session.scalars(select(JournalEntry).where(JournalEntry.action == "reminded")).all()
    assert len(lines) == 1 and lines[0].unit_id == u1.id
    assert "g1" in lines[0].note and "sec1" in lines[0].note
    run(at(13))
    assert db.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.action == "reminded")) == 2


def test_sweep_query_count_does_not_grow_with_units(make_group, make_unit, make_user, count_queries):
    make_group("G1")
    for i in range(2):
        make_unit(f"A{i}", group="G1")
    make_user("g1@d.test", "group", group="G1")
    with count_queries() as few:
        sweep(db.session, at(10))
    db.session.rollback()
    for i in range(6):
        make_unit(f"B{i}", group="G1")
    with count_queries() as many:
        sweep(db.session, at(10))
    db.session.rollback()
    # the ORM cannot batch the journal lines' INSERT … RETURNING on SQLite (it does on PostgreSQL)
    def counted(statements):
        if db.engine.dialect.name == "sqlite":
            return len([s for s in statements if not s.startswith("INSERT INTO journal")])
        return len(statements)
    assert counted(many.statements) == counted(few.statements)


def test_escalation_threshold_zero_escalates_from_the_first_overdue_day_only(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 10))
    db.session.scalar(select(Campaign)).escalation_days = 0
    db.session.commit()
    run(at(10))
    assert "admin@d.test" not in digests(date(2030, 5, 10))  # due today is not overdue
    run(at(11))
    assert kinds("admin@d.test", date(2030, 5, 11)) == {("plan_issued", "escalation")}


def test_an_optional_step_gets_due_soon_notes_but_is_never_overdue(district):
    u1, _ = district
    only(u1, plan_issued=date(2030, 5, 13))
    db.session.execute(Item.__table__.update().where(Item.unit_id == u1.id, Item.key == "plan_issued")
                       .values(required=False))
    db.session.commit()
    assert run(at(10)).queued == 2  # due soon: still worth a note
    for day in (14, 17, 21):  # past due and past the escalation threshold: no overdue, no escalation
        run(at(day))
        assert kinds("sec1@d.test", date(2030, 5, day)) == set()
        assert kinds("admin@d.test", date(2030, 5, day)) == set()

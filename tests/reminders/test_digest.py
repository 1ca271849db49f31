"""A digest a person can read: at most a screenful of lines, then counts by working group and by unit and a
link to the filtered dashboard; a subject without zero parts; a second sweep that stops at once; the policy
service and its journal; the sweep's summary in the page's language; delivery in batches."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from tests.conftest import csrf_of
from tests.reminders.smtp_sink import Sink
from tracker.extensions import db
from tracker.models import Campaign, Item, JournalEntry, Notification, OutboxMessage, ReminderLedger
from tracker.reminders import outbox
from tracker.reminders.digest import MAX_LINES, load_digests, render
from tracker.reminders.policy import save_policy
from tracker.reminders.sweep import beat, sweep
from tracker.services.errors import Invalid

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
SWEPT = datetime(2030, 5, 10, 8, 0, tzinfo=HCM)


def late(unit, n: int, due: date = date(2030, 5, 1)) -> None:
    """Leave the first n items of the unit open and late (due `due`), tick the others."""
    items = db.session.scalars(select(Item).where(Item.unit_id == unit.id).order_by(Item.stage, Item.position)).all()
    assert len(items) >= n
    for i, item in enumerate(items):
        item.done, item.due_on, item.required = i >= n, due, True
    db.session.commit()


def digest_of(email: str):
    from tracker.models import User
    uid = db.session.scalar(select(User.id).where(User.email == email))
    day = db.session.scalar(select(Notification.ref_date).where(Notification.user_id == uid))
    return load_digests(db.session, [(uid, day)])[(uid, day)]


@pytest.fixture
def busy(make_group, make_unit, make_user):
    """Group G1 with three units, eleven late items each; a member of G1; an admin."""
    make_group("G1")
    for code in ("U1", "U2", "U3"):
        late(make_unit(code, group="G1", name=f"Chi bộ {code}"), 11)
    make_user("g1@d.test", "group", group="G1")
    make_user("admin@d.test", "admin")
    sweep(db.session, SWEPT)
    db.session.commit()


def test_a_long_digest_lists_a_screenful_then_counts_by_group_and_unit_and_links_the_dashboard(busy):
    d = digest_of("g1@d.test")
    assert (d.overdue, d.soon, len(d.lines), d.more) == (33, 0, MAX_LINES, 33 - MAX_LINES)
    subject, text_, html = render(d)
    assert subject == "Nhắc việc ngày 10/05/2030: 33 việc quá hạn"
    assert text_.count("(hạn ") == MAX_LINES
    assert f"… và {33 - MAX_LINES} việc khác." in text_
    assert "Theo tổ công tác:" in text_ and "G1 — " in text_ and ": 33" in text_
    assert "Theo đơn vị:" in text_ and "U1 — Chi bộ U1: 11" in text_ and "U3 — Chi bộ U3: 11" in text_
    assert "http://localhost:5000/?overdue=1&amp;group=G1" in html or "http://localhost:5000/?overdue=1&group=G1" in html
    assert "http://localhost:5000/?overdue=1&group=G1" in text_


def test_the_admins_escalation_digest_of_many_groups_is_a_summary(make_group, make_unit, make_user):
    for g in range(12):
        make_group(f"G{g:02d}")
        for u in range(2):
            late(make_unit(f"U{g:02d}{u}", group=f"G{g:02d}"), 5 + u)
    make_user("admin@d.test", "admin")
    sweep(db.session, SWEPT)  # nine days late: escalated
    db.session.commit()
    d = digest_of("admin@d.test")
    assert d.overdue == 12 * 11 and d.groups_total == 12 and d.units_total == 24
    subject, text_, _html = render(d)
    assert "132 việc quá hạn" in subject and "0 việc" not in subject
    assert text_.count("(hạn ") == MAX_LINES and len(text_.splitlines()) < 80  # a screenful and a summary
    assert "và 2 tổ công tác khác" in text_ and "và 14 đơn vị khác" in text_
    assert "http://localhost:5000/?overdue=1\n" in text_  # several groups: the dashboard unfiltered
    assert "cần đôn đốc" in text_  # the lines say they were escalated


def test_a_short_digest_lists_everything_and_the_subject_leaves_out_zero_parts(make_group, make_unit, make_user):
    make_group("G1")
    unit = make_unit("U1", group="G1")
    late(unit, 1, due=date(2030, 5, 12))  # due in two days: due soon only
    make_user("sec@d.test", "secretary", unit="U1")
    sweep(db.session, SWEPT)
    db.session.commit()
    d = digest_of("sec@d.test")
    subject, text_, _html = render(d)
    assert subject == "Nhắc việc ngày 10/05/2030: 1 việc sắp đến hạn"
    assert "0 việc" not in subject and "quá hạn" not in subject
    assert d.more == 0 and "Theo đơn vị" not in text_ and "việc khác" not in text_


def test_the_second_sweep_of_the_day_stops_after_one_statement(busy, count_queries):
    with count_queries() as counter:
        again = sweep(db.session, SWEPT + timedelta(hours=2))
    db.session.commit()
    assert (again.queued, again.reminders, again.skipped) == (0, 0, 2)
    writes = [s for s in counter.statements if s.lstrip().upper().startswith(("INSERT", "WITH"))]
    assert len(writes) == 1 and "reminder_ledger" in writes[0]  # the ledger's INSERT … SELECT, nothing after it
    assert db.session.scalar(select(func.count(Notification.id))) == 2


def test_the_policy_service_checks_journals_each_change_and_leaves_the_commit_to_the_caller(app, make_user):
    admin = make_user("admin@d.test", "admin")
    campaign = db.session.scalar(select(Campaign))
    now = datetime(2030, 5, 1, 2, 0, tzinfo=UTC)
    changed = save_policy(campaign, {"due_soon_days": "5,1", "overdue_repeat_days": "3", "escalation_days": "10",
                                     "send_hour": "", "working_days_only": False}, admin, now)
    assert changed == {"due_soon_days": ("3,1", "5,1"), "escalation_days": (7, 10)}
    db.session.rollback()  # the service never commits: nothing stays
    assert db.session.scalar(select(Campaign.due_soon_days)) == "3,1"
    save_policy(campaign, {"due_soon_days": "5,1", "overdue_repeat_days": "3", "escalation_days": "10",
                           "send_hour": "", "working_days_only": False}, admin, now)
    db.session.commit()
    lines = db.session.scalars(select(JournalEntry).where(JournalEntry.action == "reminder_policy")
                               .order_by(JournalEntry.id)).all()
    assert [(j.unit_id, j.user_id, j.item_key, j.before, j.after) for j in lines] == [
        (None, admin.id, "due_soon_days", "3,1", "5,1"), (None, admin.id, "escalation_days", "7", "10")]
    with pytest.raises(Invalid) as refused:
        save_policy(campaign, {"due_soon_days": "1,2,3,4,5,6", "overdue_repeat_days": "0", "escalation_days": "x",
                               "send_hour": "24"}, admin, now)
    assert set(refused.value.fields) == {"due_soon_days", "overdue_repeat_days", "escalation_days", "send_hour"}
    db.session.rollback()
    assert db.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.action == "reminder_policy")) == 2


def test_the_settings_page_journals_and_shows_who_changed_what(make_user, login):
    admin = make_user("admin@d.test", "admin", name="Trần Văn Tổ Chức")
    client = login(admin)
    page = client.get("/inbox/settings").get_data(as_text=True)
    form = {"csrf_token": csrf_of(page), "due_soon_days": "3,1", "overdue_repeat_days": "3",
            "escalation_days": "5", "send_hour": "", "working_days_only": ""}
    assert client.post("/inbox/settings", data=form).status_code == 302
    page = client.get("/inbox/settings").get_data(as_text=True)
    assert "Trần Văn Tổ Chức" in page and "7 → 5" in page


def test_sweep_summaries_are_vietnamese_on_vietnamese_pages(busy, login):
    from tracker.models import User
    result = sweep(db.session, SWEPT + timedelta(hours=1))  # nothing new: both digests already sent
    beat(db.session, datetime.now(UTC), result.as_json())
    db.session.commit()
    client = login(db.session.scalar(select(User).where(User.email == "admin@d.test")))
    for path in ("/inbox/settings", "/inbox/delivery"):
        page = client.get(path).get_data(as_text=True)
        assert "đã lập 0 bản nhắc việc để gửi, bỏ qua 2 người đã nhận nhắc việc trong ngày" in page, path
        assert "queued" not in page and "skipped" not in page and "already sent" not in page


def test_pending_digests_show_their_subject_on_the_delivery_page(busy, login):
    from tracker.models import User
    page = login(db.session.scalar(select(User).where(User.email == "admin@d.test"))).get("/inbox/delivery")
    assert "Nhắc việc ngày 10/05/2030: 33 việc quá hạn" in page.get_data(as_text=True)


def test_delivery_in_batches_sends_each_digest_once_and_records_the_subject(busy, app, monkeypatch):
    monkeypatch.setattr(outbox, "BATCH", 1)  # two digests: two claims
    sink = Sink().start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_DEFAULT_SENDER="t@d.test")
        result = outbox.deliver(db.session)
        assert (result.sent, result.failed, result.waiting) == (2, 0, 0)
        assert sorted(sink.recipients().items()) == [("admin@d.test", 1), ("g1@d.test", 1)]
        db.session.expire_all()
        rows = db.session.scalars(select(OutboxMessage)).all()
        assert {r.status for r in rows} == {"sent"} and all(r.subject.startswith("Nhắc việc ngày") for r in rows)
    finally:
        app.config["MAIL_SERVER"] = None
        sink.stop()


def test_a_batch_gives_back_what_it_cannot_send_within_half_its_lease(busy, app):
    moment = [datetime.now(UTC)]

    class Slow(Sink):
        async def handle_DATA(self, server, session, envelope):
            moment[0] += timedelta(hours=1)  # the first message took an hour: the claim's lease is nearly gone
            return await super().handle_DATA(server, session, envelope)

    sink = Slow().start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.port, MAIL_DEFAULT_SENDER="t@d.test")
        result = outbox.deliver(db.session, clock=lambda: moment[0])
        assert (result.sent, result.waiting) == (1, 1)
        db.session.expire_all()
        rows = {r.status: r for r in db.session.scalars(select(OutboxMessage))}
        assert set(rows) == {"sent", "pending"} and rows["pending"].attempts == 0  # given back untried
        assert outbox.deliver(db.session, clock=lambda: moment[0]).sent == 1
        assert sum(sink.recipients().values()) == 2
    finally:
        app.config["MAIL_SERVER"] = None
        sink.stop()


def test_a_digest_still_reads_after_its_items_are_ticked(busy):
    db.session.execute(update(Item).values(done=True))
    db.session.commit()
    d = digest_of("g1@d.test")
    _subject, text_, _html = render(d)  # the ledger still says what was reminded; the lines show it
    assert d.overdue == 33 and all(line.done for line in d.lines)
    assert db.session.scalar(select(func.count(ReminderLedger.id))) == 33 + 33

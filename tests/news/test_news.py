"""News that matters: recorded for the right people only (never the actor), set-based, in the inbox at once,
counted by the unread badge, and carried by the next daily digest exactly once."""
from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, csrf_of, tick_all
from tracker.extensions import db
from tracker.models import Blocker, NewsItem, Notification, OutboxMessage, User
from tracker.reminders import outbox
from tracker.reminders.inbox import unread_total
from tracker.reminders.sweep import sweep
from tracker.services import news
from tracker.services import stages as stage_service
from tracker.services.errors import Forbidden, Invalid

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
FAR = date(2031, 3, 1)  # a congress date so far away that nothing is due: digests then carry news only
TODAY = date(2030, 4, 1)


def at(day: int, hour: int, month: int = 4) -> datetime:
    """A local moment in 2030."""
    return datetime(2030, month, day, hour, 0, tzinfo=HCM)


@pytest.fixture
def world(make_group, make_unit, make_user):
    """U1 and U2 in group G1 (two members), U3 in G2; two secretaries of U1 and a deactivated one."""
    make_group("G1")
    make_group("G2")
    units = {code: make_unit(code, group=group, congress_date=FAR)
             for code, group in (("U1", "G1"), ("U2", "G1"), ("U3", "G2"))}
    people = {
        "g1a": make_user("g1a@d.test", "group", group="G1"),
        "g1b": make_user("g1b@d.test", "group", group="G1"),
        "g2": make_user("g2@d.test", "group", group="G2"),
        "sec1": make_user("sec1@d.test", "secretary", unit="U1"),
        "sec1b": make_user("sec1b@d.test", "secretary", unit="U1"),
        "gone": make_user("gone@d.test", "secretary", unit="U1"),
        "sec2": make_user("sec2@d.test", "secretary", unit="U2"),
        "admin": make_user("admin@d.test", "admin"),
        "viewer": make_user("viewer@d.test", "viewer"),
    }
    people["gone"].active = False
    db.session.commit()
    return units, people


def news_of(kind: str | None = None) -> dict[str, list[NewsItem]]:
    """{recipient email: [news]} of one kind (all kinds when None)."""
    rows = db.session.execute(select(User.email, NewsItem).join(User, User.id == NewsItem.user_id)
                              .where(*([NewsItem.kind == kind] if kind else []))).all()
    out: dict[str, list[NewsItem]] = {}
    for address, item in rows:
        out.setdefault(address, []).append(item)
    return out


def raise_on(unit, user, text="Thiếu kinh phí in tài liệu", stage="documents", moment=NOW) -> Blocker:
    blocker = stage_service.raise_blocker(unit, stage, text, user, moment)
    db.session.commit()
    return blocker


# ---- who hears ------------------------------------------------------------------------------------

def test_a_blocker_raised_is_news_for_the_units_working_group_only(world):
    units, p = world
    raise_on(units["U1"], p["sec1"])
    got = news_of()
    assert set(got) == {"g1a@d.test", "g1b@d.test"}  # not G2, not the secretaries, not admins or viewers
    item = got["g1a@d.test"][0]
    assert (item.kind, item.stage, item.text, item.unit_id, item.actor_id) == \
        ("blocker_raised", "documents", "Thiếu kinh phí in tài liệu", units["U1"].id, p["sec1"].id)
    assert item.read_at is None and item.digested_on is None


def test_the_actor_never_hears_of_their_own_act(world):
    units, p = world
    raise_on(units["U1"], p["g1a"])  # a group member raises a difficulty for the unit
    assert set(news_of()) == {"g1b@d.test"}


def test_a_blocker_answered_or_resolved_is_news_for_the_units_active_secretaries(world):
    units, p = world
    blocker = raise_on(units["U1"], p["sec1"])
    stage_service.answer_blocker(blocker, "Đề nghị liên hệ Văn phòng Huyện ủy", False, p["g1a"], NOW)
    db.session.commit()
    answered = news_of("blocker_answered")
    assert set(answered) == {"sec1@d.test", "sec1b@d.test"}  # the raiser too; not the deactivated one, not U2's
    assert answered["sec1b@d.test"][0].text == "Đề nghị liên hệ Văn phòng Huyện ủy"
    stage_service.answer_blocker(blocker, "", True, p["admin"], NOW)
    db.session.commit()
    resolved = news_of("blocker_resolved")
    assert set(resolved) == {"sec1@d.test", "sec1b@d.test"} and resolved["sec1@d.test"][0].text == ""


def test_a_stage_verified_or_returned_is_news_for_the_secretaries_with_the_comment(world):
    units, p = world
    tick_all(units["U1"], "dissemination", p["sec1"], TODAY)
    stage_service.verify_stage(units["U1"], "dissemination", p["g1a"], NOW, TODAY)
    db.session.commit()
    assert set(news_of("stage_verified")) == {"sec1@d.test", "sec1b@d.test"}
    stage_service.return_stage(units["U1"], "dissemination", "Bổ sung biên bản hội nghị", p["g1b"], NOW, TODAY)
    db.session.commit()
    returned = news_of("stage_returned")
    assert set(returned) == {"sec1@d.test", "sec1b@d.test"}
    assert returned["sec1@d.test"][0].text == "Bổ sung biên bản hội nghị"
    assert set(news_of()) == {"sec1@d.test", "sec1b@d.test"}  # neither reviewer, nor U2's secretary


def test_a_refused_change_records_no_news(world):
    units, p = world
    with pytest.raises(Invalid):
        stage_service.verify_stage(units["U1"], "documents", p["g1a"], NOW, TODAY)  # not done: refused
    db.session.rollback()
    with pytest.raises(Forbidden):
        stage_service.raise_blocker(units["U1"], "documents", "x", p["g2"], NOW)  # not G2's unit
    db.session.rollback()
    assert db.session.scalar(select(func.count(NewsItem.id))) == 0


def test_recording_is_one_statement_whatever_the_number_of_recipients(world, make_user, count_queries):
    units, p = world
    blocker = Blocker(unit_id=units["U1"].id, stage="documents", text="t", raised_by_id=p["sec1"].id, raised_at=NOW)
    db.session.add(blocker)
    db.session.flush()

    def statements():
        # loaded first: what is counted is the recording, not the reload of objects expired by a commit
        _ = (units["U1"].group_id, p["sec1"].id, p["g1a"].id, blocker.stage, blocker.text)
        with count_queries() as counter:
            news.record_blocker_raised(blocker, units["U1"], p["sec1"], NOW)
            news.record_stage_verified(units["U1"], "documents", p["g1a"], NOW)
        return counter.n

    few = statements()
    for i in range(15):
        make_user(f"more{i}@d.test", "group", group="G1")
        make_user(f"sec-more{i}@d.test", "secretary", unit="U1")
    assert statements() == few == 2
    assert len(news_of("blocker_raised")) == 17


# ---- the inbox ------------------------------------------------------------------------------------

def test_news_is_in_the_inbox_at_once_and_the_badge_counts_it(world, login, frozen):
    units, p = world
    with frozen(NOW):
        sec = login(p["sec1"])
        page = sec.get("/units/U1").get_data(as_text=True)
        resp = sec.post("/units/U1/blockers", data={"csrf_token": csrf_of(page), "stage": "personnel",
                                                   "text": "Chưa thống nhất phương án nhân sự"})
        assert resp.status_code == 302
        member = login(p["g1a"])
        inbox = member.get("/inbox").get_data(as_text=True)
    assert "Khó khăn, vướng mắc mới — giai đoạn Nhân sự" in inbox
    assert "Chưa thống nhất phương án nhân sự" in inbox and "U1 — Đơn vị U1" in inbox
    assert 'href="/units/U1?stage=personnel#stage-personnel"' in inbox
    assert 'unread-count" aria-hidden="true">1<' in inbox
    with frozen(NOW):
        other = login(p["g2"]).get("/inbox").get_data(as_text=True)
    assert "Chưa thống nhất phương án nhân sự" not in other and "unread-count" not in other


def test_unread_total_is_one_statement_and_counts_digests_and_news(world, count_queries):
    units, p = world
    raise_on(units["U1"], p["sec1"])
    raise_on(units["U2"], p["sec2"])
    db.session.add(Notification(user_id=p["g1a"].id, ref_date=TODAY, subject="s", body="b"))
    db.session.commit()
    user_id = p["g1a"].id
    with count_queries() as counter:
        total = unread_total(user_id)
    assert (total, counter.n) == (3, 1)


def test_inbox_shows_digests_and_news_newest_first_and_marks_them_read(world, login, frozen):
    units, p = world
    raise_on(units["U1"], p["sec1"], text="Vướng mắc thứ nhất", moment=NOW - timedelta(days=2))
    yesterday = Notification(user_id=p["g1a"].id, ref_date=TODAY - timedelta(days=1), subject="", body="",
                             created_at=NOW - timedelta(days=1))
    db.session.add(yesterday)
    db.session.commit()
    raise_on(units["U2"], p["sec2"], text="Vướng mắc thứ hai", moment=NOW)
    with frozen(NOW):
        client = login(p["g1a"])
        page = client.get("/inbox").get_data(as_text=True)
        card = f'id="n{yesterday.id}"'  # its words are rendered from the ledger: "Nhắc việc ngày 31/03/2030"
        assert page.index("Vướng mắc thứ hai") < page.index(card) < page.index("Vướng mắc thứ nhất")
        assert "Nhắc việc ngày 31/03/2030" in page
        assert 'unread-count" aria-hidden="true">3<' in page
        mine = db.session.scalar(select(NewsItem).where(NewsItem.user_id == p["g1a"].id, NewsItem.text == "Vướng mắc thứ hai"))
        theirs = db.session.scalar(select(NewsItem).where(NewsItem.user_id == p["g1b"].id))
        assert client.post(f"/inbox/news/{mine.id}/read").status_code == 400  # no CSRF token
        assert client.post(f"/inbox/news/{theirs.id}/read", data={"csrf_token": csrf_of(page)}).status_code == 404
        assert client.post(f"/inbox/news/{mine.id}/read", data={"csrf_token": csrf_of(page)}).status_code == 302
        unread = client.get("/inbox?unread=1").get_data(as_text=True)
        assert "Vướng mắc thứ hai" not in unread and "Vướng mắc thứ nhất" in unread and 'unread-count" aria-hidden="true">2<' in unread
        assert client.post("/inbox/read-all", data={"csrf_token": csrf_of(page)}).status_code == 302
        assert "unread-count" not in client.get("/inbox").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(NewsItem, theirs.id).read_at is None


def test_the_inbox_query_count_does_not_grow_with_the_news(world, login, frozen, count_queries):
    units, p = world

    def statements():
        with frozen(NOW):
            client = login(p["g1a"])
            with count_queries() as counter:
                assert client.get("/inbox").status_code == 200
        return counter.n

    raise_on(units["U1"], p["sec1"])
    few = statements()
    for i in range(25):
        raise_on(units["U2"], p["sec2"], text=f"Vướng mắc {i}")
    assert statements() == few


# ---- the daily digest ----------------------------------------------------------------------------

class Mailbox:
    """Stands in for the SMTP server: every message the outbox sends, parsed."""

    def __init__(self):
        self.sent: list[email.message.EmailMessage] = []

    def sendmail(self, sender, to, data):
        self.sent.append(email.message_from_bytes(data, policy=email.policy.default))

    def quit(self):
        pass


class Mail:
    """A delivered message: subject, plain text and HTML as the recipient gets them."""

    def __init__(self, msg):
        self.subject = str(msg["Subject"])
        self.text = msg.get_body(("plain",)).get_content()
        html = msg.get_body(("html",))
        self.html = html.get_content() if html is not None else ""


@pytest.fixture
def mailbox(app, monkeypatch):
    box = Mailbox()
    monkeypatch.setattr(outbox, "connect", lambda settings: box)
    app.config.update(MAIL_SERVER="smtp.d.test", MAIL_DEFAULT_SENDER="tracker@d.test")
    yield box
    app.config["MAIL_SERVER"] = None


def run(moment: datetime):
    """One sweep at that moment, committed, then a delivery run: the digests are rendered as they are sent."""
    result = sweep(db.session, moment)
    db.session.commit()
    outbox.deliver(db.session)
    return result


def recipients(day: date) -> list[str]:
    """Who has a digest of that day."""
    return sorted(db.session.scalars(select(User.email).join(Notification, Notification.user_id == User.id)
                                     .where(Notification.ref_date == day)))


def mails_to(box: Mailbox, address: str) -> list[Mail]:
    return [Mail(m) for m in box.sent if m["To"] == address]


def test_news_rides_in_the_next_digest_exactly_once(world, mailbox):
    units, p = world
    raise_on(units["U1"], p["sec1"], text="Thiếu hội trường", moment=at(1, 6))  # before the 07:00 send hour
    assert run(at(1, 5)).queued == 0  # before the send hour: nothing goes out
    first = run(at(1, 8))
    assert (first.queued, first.news) == (2, 2) and recipients(TODAY) == ["g1a@d.test", "g1b@d.test"]
    [mail] = mails_to(mailbox, "g1a@d.test")
    assert mail.subject == "Tin mới ngày 01/04/2030: 1 tin"
    assert "Khó khăn, vướng mắc mới — giai đoạn Văn kiện" in mail.text and "Thiếu hội trường" in mail.text
    assert "http://localhost:5000/units/U1" in mail.text and "Thiếu hội trường" in mail.html
    digest = db.session.scalar(select(Notification).where(Notification.user_id == p["g1a"].id))
    assert digest.read_at is not None  # a digest of news only: the news itself is what stays unread
    assert all(n.digested_on == date(2030, 4, 1) for n in news_of()["g1a@d.test"])
    assert run(at(1, 12)).queued == 0 and run(at(2, 8)).queued == 0 and run(at(3, 8)).queued == 0
    assert len(mails_to(mailbox, "g1a@d.test")) == 1
    sent = db.session.scalar(select(OutboxMessage.subject).where(OutboxMessage.to == "g1a@d.test"))
    assert sent == "Tin mới ngày 01/04/2030: 1 tin"  # the delivery log keeps the subject as sent


def test_news_after_the_days_digest_waits_for_tomorrows_never_a_second_mail(world, mailbox):
    units, p = world
    raise_on(units["U1"], p["sec1"], text="Thứ nhất", moment=at(1, 6))
    run(at(1, 8))
    raise_on(units["U1"], p["sec1"], text="Thứ hai", moment=at(1, 9))
    assert run(at(1, 10)).queued == 0  # already had today's digest
    raise_on(units["U2"], p["sec2"], text="Thứ ba", moment=at(1, 15))
    assert run(at(1, 16)).queued == 0
    second = run(at(2, 7))
    assert second.queued == 2 and recipients(date(2030, 4, 2)) == ["g1a@d.test", "g1b@d.test"]
    first_mail, next_mail = mails_to(mailbox, "g1b@d.test")
    assert "Thứ hai" not in first_mail.text and "Thứ hai" in next_mail.text and "Thứ ba" in next_mail.text
    assert "Thứ nhất" not in next_mail.text and next_mail.subject == "Tin mới ngày 02/04/2030: 2 tin"


def test_news_written_while_the_days_digest_waits_to_be_sent_stays_for_tomorrow(world, mailbox, app):
    units, p = world
    raise_on(units["U1"], p["sec1"], text="Thứ nhất", moment=at(1, 6))
    app.config["MAIL_SERVER"] = None  # the digest is queued, not sent yet
    sweep(db.session, at(1, 8))
    db.session.commit()
    raise_on(units["U1"], p["sec1"], text="Muộn", moment=at(1, 6, ) + timedelta(minutes=30))  # dated before 07:00
    assert sweep(db.session, at(1, 9)).news == 0  # the recipients already have today's digest
    db.session.commit()
    app.config["MAIL_SERVER"] = "smtp.d.test"
    outbox.deliver(db.session)
    [mail] = mails_to(mailbox, "g1a@d.test")
    assert "Thứ nhất" in mail.text and "Muộn" not in mail.text
    run(at(2, 8))
    assert "Muộn" in mails_to(mailbox, "g1a@d.test")[1].text


def test_news_of_the_day_waits_for_the_next_send_hour_for_someone_without_a_digest(world, mailbox):
    units, p = world
    raise_on(units["U1"], p["sec1"], text="Báo cáo chưa kịp", moment=at(1, 14))
    assert run(at(1, 14)).queued == 0 and run(at(1, 23)).queued == 0  # no mid-day mail for one piece of news
    assert run(at(2, 7)).queued == 2


def test_reminders_and_news_go_out_in_one_digest(world, make_unit, mailbox):
    units, p = world
    late = make_unit("U9", group="G1", congress_date=date(2030, 5, 20))  # its plan is overdue on 01/04/2030
    raise_on(late, p["g1a"], text="Chưa có kế hoạch", moment=at(1, 6))  # g1b hears; both are reminded
    run(at(1, 8))
    assert "g1b@d.test" in recipients(TODAY)
    [mail] = mails_to(mailbox, "g1b@d.test")
    assert mail.subject.startswith("Nhắc việc ngày 01/04/2030: ") and mail.subject.endswith(", 1 tin mới")
    assert "Ban hành kế hoạch tổ chức đại hội" in mail.text and "Chưa có kế hoạch" in mail.text
    assert db.session.scalar(select(Notification.read_at).where(Notification.user_id == p["g1b"].id)) is None
    assert db.session.scalar(select(func.count(NewsItem.id)).where(NewsItem.digested_on.is_(None))) == 0


def test_personnel_text_stays_out_of_the_mail_but_not_the_inbox(world, mailbox, login, frozen):
    units, p = world
    raise_on(units["U1"], p["sec1"], stage="personnel", text="Đơn thư liên quan đồng chí A", moment=at(1, 6))
    run(at(1, 8))
    [mail] = mails_to(mailbox, "g1a@d.test")
    assert "Khó khăn, vướng mắc mới — giai đoạn Nhân sự" in mail.text
    assert "Đơn thư" not in mail.text and "Đơn thư" not in mail.html
    assert news_of()["g1a@d.test"][0].text == "Đơn thư liên quan đồng chí A"
    with frozen(at(1, 9)):
        inbox = login(p["g1a"]).get("/inbox").get_data(as_text=True)
    assert "Đơn thư liên quan đồng chí A" in inbox  # the app shows it, to those who may read it


def test_a_long_day_of_news_is_a_screenful_in_the_mail_and_whole_in_the_inbox(world, mailbox, login, frozen):
    units, p = world
    for i in range(news.DIGEST_NEWS_LINES + 5):
        raise_on(units["U1"], p["sec1"], text=f"Vướng mắc số {i:02d}", moment=at(1, 6) - timedelta(minutes=60 - i))
    run(at(1, 8))
    [mail] = mails_to(mailbox, "g1a@d.test")
    assert mail.subject == "Tin mới ngày 01/04/2030: 25 tin"
    assert "Vướng mắc số 24" in mail.text and "Vướng mắc số 05" in mail.text and "Vướng mắc số 04" not in mail.text
    assert "và 5 tin trước đó, xem trong hộp thư của đồng chí" in mail.text
    with frozen(at(1, 9)):
        inbox = login(p["g1a"]).get("/inbox").get_data(as_text=True)
    assert "Vướng mắc số 24" in inbox and 'unread-count" aria-hidden="true">25<' in inbox


def test_a_deactivated_recipient_gets_no_digest(world, mailbox):
    units, p = world
    raise_on(units["U1"], p["sec1"], moment=at(1, 6))
    p["g1b"].active = False
    db.session.commit()
    run(at(1, 8))
    assert recipients(TODAY) == ["g1a@d.test"]
    assert db.session.scalar(select(NewsItem.digested_on).where(NewsItem.user_id == p["g1b"].id)) is None


def test_no_news_and_no_reminders_no_digest(world):
    assert run(at(1, 8)).queued == 0
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_marking_the_days_news_is_one_statement_whatever_their_number(world, count_queries):
    units, p = world
    for i in range(5):
        raise_on(units["U1"], p["sec1"], text=f"v{i}", moment=at(1, 6))
    db.session.add(Notification(user_id=p["g1b"].id, ref_date=TODAY, subject="", body=""))  # g1b's digest is out
    db.session.flush()
    with count_queries() as counter:
        n = news.mark_digested(db.session, TODAY, at(1, 7))
    assert (counter.n, n) == (1, 5)  # g1a's five; g1b's wait for tomorrow
    assert news.mark_digested(db.session, TODAY, at(1, 7)) == 0
    assert {x.digested_on for x in news_of()["g1a@d.test"]} == {TODAY}
    assert {x.digested_on for x in news_of()["g1b@d.test"]} == {None}


def test_the_sweep_with_news_keeps_a_fixed_number_of_statements(world, make_user, count_queries):
    units, p = world

    def statements(moment):
        with count_queries() as counter:
            sweep(db.session, moment)
        db.session.rollback()
        return counter.n

    raise_on(units["U1"], p["sec1"], moment=at(1, 6))
    few = statements(at(1, 8))
    for i in range(10):
        make_user(f"more{i}@d.test", "group", group="G1")
    for i in range(10):
        raise_on(units["U2"], p["sec2"], text=f"v{i}", moment=at(1, 6))
    assert statements(at(1, 8)) == few

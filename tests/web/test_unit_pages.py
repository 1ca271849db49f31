"""A unit's page: permissions on every page and form, ticks, gates, reviews, deadlines, blockers, journal."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.conftest import NOW, csrf_of, items_of, tick_all
from tracker.extensions import db
from tracker.models import Blocker, Item, JournalEntry, StageReview, Unit, User
from tracker.services import stages
from tracker.services.progress import unit_stage_views

TODAY = date(2030, 4, 1)


def first_item(unit_id, stage, superior=False):
    return next(i for i in items_of(unit_id, stage) if i.superior_only == superior)


def journal_count(unit_id):
    return db.session.scalar(select(func.count(JournalEntry.id)).where(JournalEntry.unit_id == unit_id))


class Session:
    """A signed-in client with the CSRF token of its session."""

    def __init__(self, client, token):
        self.client, self.token = client, token

    def get(self, url):
        return self.client.get(url)

    def post(self, url, data=None, csrf=True):
        data = dict(data or {})
        if csrf:
            data["csrf_token"] = self.token
        return self.client.post(url, data=data)

    def refused(self, url, data=None):
        """POST a form that must be refused: the answer is a redirect (post/redirect/get) to the unit's page,
        which shows the reason once; returns that page's HTML."""
        resp = self.post(url, data)
        assert resp.status_code == 303, (url, data, resp.status_code)
        location = resp.headers["Location"]
        assert location.startswith("/units/") and "/items/" not in location.split("#")[0], location
        page = self.client.get(location)
        assert page.status_code == 200
        return page.get_data(as_text=True)


@pytest.fixture
def as_user(login, frozen):
    """as_user(user) → a Session signed in as that user, the clock frozen at NOW for the whole test."""
    ctx = frozen(NOW)
    ctx.__enter__()

    def make(user):
        client = login(user)
        page = client.get(f"/units/{user.unit.code}" if user.role == "secretary" else "/")
        return Session(client, csrf_of(page.get_data(as_text=True)))
    yield make
    ctx.__exit__(None, None, None)


def tick_url(stage, key, code="U1"):
    return f"/units/{code}/items/{stage}/{key}"


# ---- reading -----------------------------------------------------------------------------------

def test_anonymous_is_sent_to_login_for_pages_and_forms(app, world):
    client = app.test_client()
    for url in ("/units/U1", "/units/U1/journal"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    token = csrf_of(client.get("/login").get_data(as_text=True))
    item = first_item(world["u1"].id, "dissemination")
    resp = client.post(tick_url("dissemination", item.key), data={"csrf_token": token, "done": "1", "version": "1"})
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert not db.session.get(Item, item.id).done


def test_every_role_reads_what_it_may(world, as_user):
    for role in ("admin", "member", "outsider", "viewer", "secretary"):
        session = as_user(world[role])
        resp = session.get("/units/U1")
        assert resp.status_code == 200, role
        html = resp.get_data(as_text=True)
        assert "Triển khai, quán triệt" in html and "Ban hành kế hoạch tổ chức đại hội" in html
        assert session.get("/units/U1/journal").status_code == 200
    secretary = as_user(world["secretary"])
    assert secretary.get("/units/U2").status_code == 403
    assert secretary.get("/units/U2/journal").status_code == 403
    assert as_user(world["admin"]).get("/units/NOPE").status_code == 404


def test_controls_follow_the_role(world, as_user):
    viewer = as_user(world["viewer"]).get("/units/U1").get_data(as_text=True)
    assert "Đánh dấu hoàn thành" not in viewer and "Dời hạn" not in viewer and 'name="text"' not in viewer
    secretary = as_user(world["secretary"]).get("/units/U1").get_data(as_text=True)
    assert "Đánh dấu hoàn thành" in secretary and "Dời hạn" not in secretary and 'name="text"' in secretary
    member = as_user(world["member"]).get("/units/U1").get_data(as_text=True)
    assert "Dời hạn" in member and 'name="answer"' not in member  # no blocker yet
    outsider = as_user(world["outsider"]).get("/units/U1").get_data(as_text=True)
    assert "Đánh dấu hoàn thành" not in outsider and "Dời hạn" not in outsider


# ---- ticking -----------------------------------------------------------------------------------

def test_secretary_ticks_and_unticks_with_a_note(world, as_user):
    session = as_user(world["secretary"])
    item = first_item(world["u1"].id, "dissemination")
    resp = session.post(tick_url("dissemination", item.key), {"done": "1", "version": "1", "note": "Đã ban hành"})
    # back to the item itself, not the stage header (the item may be below the fold on a phone)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(
        f"/units/U1?stage=dissemination#item-dissemination-{item.key}")
    item = db.session.get(Item, item.id)
    assert item.done and item.note == "Đã ban hành" and item.version == 2
    assert item.done_by_id == world["secretary"].id
    page = session.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã đánh dấu hoàn thành." in page and world["secretary"].name in page  # the message at the item, and who ticked
    assert "Sửa ghi chú" in page  # a note exists: edit it, not "add" one
    assert "01/04/2030 08:00" in page  # when, in local time
    resp = session.post(tick_url("dissemination", item.key), {"done": "0", "version": "2"})
    assert resp.status_code == 302 and not db.session.get(Item, item.id).done


def test_missing_csrf_is_refused(world, as_user):
    session = as_user(world["secretary"])
    item = first_item(world["u1"].id, "dissemination")
    resp = session.post(tick_url("dissemination", item.key), {"done": "1", "version": "1"}, csrf=False)
    assert resp.status_code == 400
    assert not db.session.get(Item, item.id).done


def test_stale_version_says_someone_changed_it_and_changes_nothing(world, as_user):
    session = as_user(world["secretary"])
    item = first_item(world["u1"].id, "dissemination")
    stages.set_item_done(world["u1"], item, True, 1, world["admin"], NOW, TODAY)
    db.session.commit()
    before = journal_count(world["u1"].id)
    html = session.refused(tick_url("dissemination", item.key), {"done": "0", "version": "1"})
    assert ("Có người vừa cập nhật mục này. Trang đã được tải lại với dữ liệu mới; vui lòng thực hiện lại."
            in html)
    assert "Phiên bản" not in html and "Dữ liệu cũ" not in html
    item = db.session.get(Item, item.id)
    assert item.done and item.version == 2 and journal_count(world["u1"].id) == before


def test_gate_refusal_shows_the_gate(world, as_user):
    session = as_user(world["admin"])
    item = first_item(world["u1"].id, "congress")
    html = session.refused(tick_url("congress", item.key), {"done": "1", "version": str(item.version)})
    assert "Chưa thể đánh dấu giai đoạn Tổ chức đại hội" in html
    assert "Văn kiện, Nhân sự, Kịch bản, tổng duyệt" in html
    assert not db.session.get(Item, item.id).done


def test_superior_decision_is_not_self_certified(world, as_user):
    session = as_user(world["secretary"])
    item = first_item(world["u1"].id, "documents", superior=True)
    resp = session.post(tick_url("documents", item.key), {"done": "1", "version": str(item.version)})
    assert resp.status_code == 403 and "quyết định của cấp ủy cấp trên" in resp.get_data(as_text=True)
    assert not db.session.get(Item, item.id).done
    member = as_user(world["member"])
    assert member.post(tick_url("documents", item.key), {"done": "1", "version": "1"}).status_code == 302
    assert db.session.get(Item, item.id).done


@pytest.mark.parametrize("who,code", [("other_secretary", 403), ("viewer", 403), ("outsider", 403)])
def test_those_who_may_not_change_the_unit_are_refused_everywhere(world, as_user, who, code):
    unit = world["u1"]
    admin = world["admin"]
    tick_all(unit, "dissemination", admin, commit=True)
    blocker = stages.raise_blocker(unit, "personnel", "Chưa đủ nhân sự nữ", admin, NOW)
    db.session.commit()
    blocker_id = blocker.id
    open_item = first_item(unit.id, "documents")
    before = journal_count(unit.id)
    session = as_user(world[who])
    posts = [
        (tick_url("documents", open_item.key), {"done": "1", "version": "1"}),
        (tick_url("documents", open_item.key), {"done": "garbage"}),  # bad input: still 403 first
        ("/units/U1/stages/dissemination/verify", {}),
        ("/units/U1/stages/dissemination/return", {"comment": "x"}),
        (f"/units/U1/items/documents/{open_item.key}/deadline", {"due_on": "2030-04-20", "reason": "x"}),
        ("/units/U1/blockers", {"stage": "personnel", "text": "x"}),
        (f"/units/U1/blockers/{blocker_id}", {"answer": "x", "resolve": "1"}),
    ]
    for url, data in posts:
        assert session.post(url, data).status_code == code, url
    assert journal_count(unit.id) == before
    assert not db.session.get(Item, open_item.id).done and db.session.get(Item, open_item.id).version == 1
    assert db.session.get(Blocker, blocker_id).resolved_at is None
    assert db.session.scalar(select(func.count(Blocker.id))) == 1
    assert db.session.scalar(select(StageReview.state).where(StageReview.unit_id == unit.id)) is None


def test_secretary_of_another_unit_gets_403_without_seeing_the_page(world, as_user):
    item = first_item(world["u1"].id, "dissemination")
    resp = as_user(world["other_secretary"]).post(tick_url("dissemination", item.key),
                                                  {"done": "1", "version": "1"})
    assert resp.status_code == 403
    assert "Ban hành kế hoạch" not in resp.get_data(as_text=True)


# ---- reviews -----------------------------------------------------------------------------------

def test_verify_and_return_flow(world, as_user):
    unit = world["u1"]
    member = as_user(world["member"])
    # not done yet: refused with the reason, nothing changed
    assert "Chỉ xác nhận được giai đoạn đã hoàn thành" in member.refused("/units/U1/stages/dissemination/verify")
    tick_all(unit, "dissemination", world["secretary"], commit=True)
    resp = member.post("/units/U1/stages/dissemination/verify")
    assert resp.status_code == 302
    assert unit_stage_views(unit.id, TODAY)["dissemination"].status == "verified"
    # a return needs a comment
    assert "Ghi rõ lý do trả lại giai đoạn" in member.refused("/units/U1/stages/dissemination/return",
                                                              {"comment": "   "})
    assert unit_stage_views(unit.id, TODAY)["dissemination"].status == "verified"
    assert "Tối đa 2.000 ký tự" in member.refused("/units/U1/stages/dissemination/return", {"comment": "x" * 2001})
    resp = member.post("/units/U1/stages/dissemination/return", {"comment": "Thiếu biên bản hội nghị"})
    assert resp.status_code == 302
    assert unit_stage_views(unit.id, TODAY)["dissemination"].status == "returned"
    # the secretary sees the comment on the returned stage
    page = as_user(world["secretary"]).get("/units/U1").get_data(as_text=True)
    assert "Bị trả lại cho đơn vị" in page and "Thiếu biên bản hội nghị" in page
    assert member.post("/units/U1/stages/castle/verify").status_code == 404


# ---- deadlines -----------------------------------------------------------------------------------

def test_deadline_move_needs_a_valid_date_and_a_reason(world, as_user):
    member = as_user(world["member"])
    item = first_item(world["u1"].id, "documents")
    url = f"/units/U1/items/documents/{item.key}/deadline"
    old_due = item.due_on
    bad = [
        ({"due_on": "2030-04-20"}, "Lý do"),
        ({"due_on": "2030-04-20", "reason": "  "}, "Lý do"),
        ({"due_on": "", "reason": "Chờ tỉnh"}, "Nhập ngày dạng dd/mm/yyyy"),
        ({"due_on": "31/02/2030", "reason": "Chờ tỉnh"}, "Ngày không hợp lệ"),
        ({"due_on": "9999-01-01", "reason": "Chờ tỉnh"}, "Ngày không hợp lệ"),
        ({"due_on": "tomorrow", "reason": "Chờ tỉnh"}, "Ngày không hợp lệ"),
        ({"due_on": "2030-04-20", "reason": "x" * 2001}, "Tối đa 2.000 ký tự"),
    ]
    for data, message in bad:
        assert message in member.refused(url, data), data
    assert db.session.get(Item, item.id).due_on == old_due
    resp = member.post(url, {"due_on": "20/04/2030", "reason": "Chờ hướng dẫn của tỉnh"})
    assert resp.status_code == 302
    item = db.session.get(Item, item.id)
    assert item.due_on == date(2030, 4, 20) and item.due_manual and item.due_reason == "Chờ hướng dẫn của tỉnh"
    page = member.get("/units/U1").get_data(as_text=True)
    assert "Hạn 20/04/2030" in page and "Chờ hướng dẫn của tỉnh" in page
    assert member.post("/units/U1/items/documents/nope/deadline",
                       {"due_on": "2030-04-20", "reason": "x"}).status_code == 404


# ---- blockers ------------------------------------------------------------------------------------

def test_blockers_flow(world, as_user):
    secretary = as_user(world["secretary"])
    assert "Mô tả khó khăn" in secretary.refused("/units/U1/blockers", {"stage": "personnel", "text": ""})
    assert "Chọn giai đoạn" in secretary.refused("/units/U1/blockers", {"stage": "castle", "text": "x"})
    assert "Chọn giai đoạn" in secretary.refused("/units/U1/blockers", {"text": "x"})
    long_text = secretary.refused("/units/U1/blockers", {"stage": "personnel", "text": "x" * 2001})
    assert "Tối đa 2.000 ký tự" in long_text and "x" * 1000 in long_text  # what was typed comes back
    assert db.session.scalar(select(func.count(Blocker.id))) == 0
    resp = secretary.post("/units/U1/blockers", {"stage": "personnel", "text": "Chưa đủ nhân sự nữ"})
    assert resp.status_code == 302
    blocker = db.session.scalar(select(Blocker))
    assert blocker.stage == "personnel" and blocker.raised_by_id == world["secretary"].id
    # the secretary cannot answer their own blocker
    assert secretary.post(f"/units/U1/blockers/{blocker.id}", {"answer": "tự xử lý", "resolve": "1"}).status_code == 403
    member = as_user(world["member"])
    page = member.get("/units/U1").get_data(as_text=True)
    assert "Chưa đủ nhân sự nữ" in page and 'name="answer"' in page
    assert "viết nội dung trả lời" in member.refused(f"/units/U1/blockers/{blocker.id}", {"answer": ""})
    assert member.post("/units/U1/blockers/99999", {"answer": "x"}).status_code == 404
    assert member.post("/units/U1/blockers/abc", {"answer": "x"}).status_code == 404
    resp = member.post(f"/units/U1/blockers/{blocker.id}", {"answer": "Tổ công tác làm việc ngày 5/4"})
    assert resp.status_code == 302
    blocker = db.session.get(Blocker, blocker.id)
    assert blocker.answer == "Tổ công tác làm việc ngày 5/4" and blocker.resolved_at is None
    resp = member.post(f"/units/U1/blockers/{blocker.id}", {"answer": "", "resolve": "1"})
    assert resp.status_code == 302 and db.session.get(Blocker, blocker.id).resolved_at is not None
    assert "đã được giải quyết" in member.refused(f"/units/U1/blockers/{blocker.id}", {"answer": "again"})
    # a blocker of another unit is not reachable through this one
    other = stages.raise_blocker(world["u2"], "documents", "Khác", world["admin"], NOW)
    db.session.commit()
    assert as_user(world["admin"]).post(f"/units/U1/blockers/{other.id}", {"answer": "x"}).status_code == 404
    assert db.session.get(Blocker, other.id).answer == ""


# ---- bad input ------------------------------------------------------------------------------------

def test_bad_tick_input_is_refused_clearly(world, as_user):
    session = as_user(world["secretary"])
    item = first_item(world["u1"].id, "dissemination")
    url = tick_url("dissemination", item.key)
    cases = [
        (url, {"version": "1"}, 303),
        (url, {"done": "yes", "version": "1"}, 303),
        (url, {"done": "1"}, 303),
        (url, {"done": "1", "version": "abc"}, 303),
        (url, {"done": "1", "version": "99999999999999999999"}, 303),
        (url, {"done": "1", "version": "1", "note": "x" * 2001}, 303),
        (tick_url("castle", item.key), {"done": "1", "version": "1"}, 404),
        (tick_url("dissemination", "nope"), {"done": "1", "version": "1"}, 404),
        ("/units/NOPE/items/dissemination/x", {"done": "1", "version": "1"}, 404),
    ]
    for target, data, code in cases:
        resp = session.post(target, data)
        assert resp.status_code == code, (target, data, resp.status_code)
        if code == 303:
            page = session.get(resp.headers["Location"]).get_data(as_text=True)
            assert "form-notice" in page and "<form" in page, data
    item = db.session.get(Item, item.id)
    assert not item.done and item.version == 1 and journal_count(world["u1"].id) == 1  # unit_created only


# ---- journal ---------------------------------------------------------------------------------------

def test_journal_lists_who_did_what_newest_first_and_paginates(world, as_user):
    session = as_user(world["secretary"])
    item = first_item(world["u1"].id, "dissemination")
    session.post(tick_url("dissemination", item.key), {"done": "1", "version": "1"})
    session.post("/units/U1/blockers", {"stage": "documents", "text": "Thiếu mẫu báo cáo"})
    html = session.get("/units/U1/journal").get_data(as_text=True)
    assert "Đánh dấu hoàn thành" in html and "Báo khó khăn, vướng mắc" in html and "Tạo đơn vị" in html
    assert html.index("Báo khó khăn, vướng mắc") < html.index("Đánh dấu hoàn thành") < html.index("Tạo đơn vị")
    assert world["secretary"].name in html and "Ban hành kế hoạch tổ chức đại hội" in html
    # 50 more lines: two pages
    for n in range(50):
        current = db.session.get(Item, item.id)
        stages.set_item_done(world["u1"], current, n % 2 == 1, current.version, world["admin"], NOW, TODAY)
    db.session.commit()
    page1 = session.get("/units/U1/journal").get_data(as_text=True)
    page2 = session.get("/units/U1/journal?page=2").get_data(as_text=True)
    assert "Trang 1 / 2" in page1 and "Tạo đơn vị" not in page1 and "Tạo đơn vị" in page2
    assert session.get("/units/U1/journal?page=x").status_code == 200


def test_deadline_move_appears_in_the_journal_with_dates(world, as_user):
    member = as_user(world["member"])
    item = first_item(world["u1"].id, "documents")
    member.post(f"/units/U1/items/documents/{item.key}/deadline", {"due_on": "2030-04-20", "reason": "Chờ tỉnh"})
    html = member.get("/units/U1").get_data(as_text=True)
    assert "Dời hạn" in html and "→ 20/04/2030" in html and "Chờ tỉnh" in html


# ---- language and phone --------------------------------------------------------------------------

def test_english_unit_page(world, as_user):
    session = as_user(world["secretary"])
    resp = session.client.post("/language/en", data={"csrf_token": session.token, "next": "/units/U1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/units/U1")
    html = session.get("/units/U1").get_data(as_text=True)
    assert "Congress organisation plan issued" in html and "Mark done" in html and "Dissemination" in html
    assert "Ban hành kế hoạch" not in html
    item = first_item(world["u1"].id, "congress")
    resp = as_user(world["admin"]).client  # the admin still reads Vietnamese
    html_vi = resp.get("/units/U1").get_data(as_text=True)
    assert "Đánh dấu hoàn thành" in html_vi
    assert "Gate Congress held: not before" in session.refused(tick_url("congress", item.key),
                                                               {"done": "1", "version": "1"})


def test_page_is_ready_for_a_phone(world, as_user):
    html = as_user(world["secretary"]).get("/units/U1").get_data(as_text=True)
    assert 'name="viewport"' in html
    assert '<details class="stage card mb-2" id="stage-dissemination" open>' in html  # the first open stage
    assert '<details class="stage card mb-2" id="stage-documents">' in html       # the others folded


def test_unit_page_queries_do_not_grow_with_ticks_people_and_blockers(world, as_user, count_queries, make_user):
    admin = as_user(world["admin"])

    def page_queries(code):
        db.session.expunge_all()  # the test shares the request's session: start both pages cold
        with count_queries() as counter:
            assert admin.get(f"/units/{code}").status_code == 200
        return counter.n

    light = first_item(world["u2"].id, "dissemination")
    stages.set_item_done(world["u2"], light, True, 1, world["admin"], NOW, TODAY)
    db.session.commit()
    ids = {k: v.id for k, v in world.items()}
    fresh = page_queries("U2")
    unit = db.session.get(Unit, ids["u1"])
    helpers = [db.session.get(User, ids["admin"]), db.session.get(User, ids["member"])]
    helpers += [make_user(f"helper{n}@x.vn", "group", group="G1") for n in range(3)]
    secretary = db.session.get(User, ids["secretary"])
    for n, stage in enumerate(("dissemination", "documents", "personnel", "rehearsal")):
        tick_all(unit, stage, helpers[n % len(helpers)], commit=True)
        stages.verify_stage(unit, stage, helpers[(n + 1) % len(helpers)], NOW, TODAY)
        stages.raise_blocker(unit, stage, f"Vướng mắc {n}", secretary, NOW)
    db.session.commit()
    for blocker in db.session.scalars(select(Blocker)).all():
        stages.answer_blocker(blocker, "Đã trả lời", True, helpers[blocker.id % len(helpers)], NOW)
    db.session.commit()
    assert page_queries("U1") == fresh


def test_a_note_alone_can_be_saved(world, as_user):
    session = as_user(world["secretary"])
    item = first_item(world["u1"].id, "dissemination")
    resp = session.post(tick_url("dissemination", item.key), {"done": "0", "version": "1", "note": "Chờ kế hoạch"})
    assert resp.status_code == 302
    item = db.session.get(Item, item.id)
    assert item.note == "Chờ kế hoạch" and not item.done and item.version == 2


# ---- forms answer with post/redirect/get (issue 8, points 6–8) --------------------------------------

def test_a_refused_form_comes_back_once_at_its_own_address_with_what_was_typed(world, as_user):
    member = as_user(world["member"])
    item = first_item(world["u1"].id, "documents")
    resp = member.post(f"/units/U1/items/documents/{item.key}/deadline",
                       {"due_on": "31/02/2030", "reason": "Chờ hướng dẫn của tỉnh"})
    assert resp.status_code == 303
    location = resp.headers["Location"]
    assert location == f"/units/U1?stage=documents#item-documents-{item.key}"
    html = member.get(location).get_data(as_text=True)
    assert "Ngày không hợp lệ" in html and 'value="Chờ hướng dẫn của tỉnh"' in html and "is-invalid" in html
    # a reload shows the page as it is: no second message, nothing posted again
    again = member.get(location).get_data(as_text=True)
    assert "Ngày không hợp lệ" not in again and "Chờ hướng dẫn của tỉnh" not in again
    assert db.session.get(Item, item.id).version == 1


def test_form_addresses_opened_by_get_go_to_the_page_not_to_a_405(world, as_user):
    session = as_user(world["member"])
    item = first_item(world["u1"].id, "documents")
    cases = {
        tick_url("documents", item.key): f"/units/U1?stage=documents#item-documents-{item.key}",
        f"/units/U1/items/documents/{item.key}/deadline": f"/units/U1?stage=documents#item-documents-{item.key}",
        "/units/U1/stages/personnel/verify": "/units/U1?stage=personnel#stage-personnel",
        "/units/U1/stages/personnel/return": "/units/U1?stage=personnel#stage-personnel",
        "/units/U1/blockers": "/units/U1",
        "/units/U1/blockers/7": "/units/U1#blocker-7",
    }
    for url, target in cases.items():
        resp = session.get(url)
        assert resp.status_code == 302 and resp.headers["Location"] == target, url
    # after a refusal the language switch offers the page's own address, never the POST address
    resp = session.post(tick_url("documents", item.key), {"done": "1", "version": "9"})
    html = session.get(resp.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/units/U1?stage=documents"' in html


def test_any_other_post_only_address_opened_by_get_answers_in_vietnamese(world, as_user):
    resp = as_user(world["admin"]).get("/admin/campaign/documents")
    assert resp.status_code == 405
    html = resp.get_data(as_text=True)
    assert "Method Not Allowed" not in html and "Địa chỉ này chỉ dùng để nhận biểu mẫu" in html


def test_saving_only_a_note_says_so(world, as_user):
    session = as_user(world["secretary"])
    item = first_item(world["u1"].id, "dissemination")
    resp = session.post(tick_url("dissemination", item.key),
                        {"form": "note", "done": "0", "version": "1", "note": "Chờ kế hoạch"})
    html = session.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Đã lưu ghi chú." in html and "Đã đánh dấu hoàn thành" not in html
    assert "Sửa ghi chú" in html
    resp = session.post(tick_url("dissemination", item.key),
                        {"form": "note", "done": "0", "version": "2", "note": "Chờ kế hoạch"})
    assert "Không có thay đổi nào." in session.get(resp.headers["Location"]).get_data(as_text=True)


def test_open_difficulties_are_counted_in_good_vietnamese_and_english(world, as_user):
    stages.raise_blocker(world["u1"], "personnel", "Chưa đủ nhân sự nữ", world["secretary"], NOW)
    db.session.commit()
    session = as_user(world["secretary"])
    assert "1 khó khăn, vướng mắc chưa giải quyết" in session.get("/units/U1").get_data(as_text=True)
    session.client.post("/language/en", data={"csrf_token": session.token, "next": "/units/U1"})
    assert "1 open difficulty<" in session.get("/units/U1").get_data(as_text=True)
    stages.raise_blocker(world["u1"], "personnel", "Thiếu hồ sơ", world["secretary"], NOW)
    db.session.commit()
    assert "2 open difficulties" in session.get("/units/U1").get_data(as_text=True)


def test_a_deadline_before_today_needs_an_explicit_confirmation(world, as_user):
    member = as_user(world["member"])
    item = first_item(world["u1"].id, "documents")
    url = f"/units/U1/items/documents/{item.key}/deadline"
    old_due = item.due_on
    html = member.refused(url, {"due_on": "2030-03-25", "reason": "Đã quá hạn từ trước"})
    assert "Tôi xác nhận đặt hạn đã qua" in html and "Vui lòng xác nhận đặt hạn đã qua." in html
    assert db.session.get(Item, item.id).due_on == old_due
    resp = member.post(url, {"due_on": "2030-03-25", "reason": "Đã quá hạn từ trước", "confirm_past": "1"})
    assert resp.status_code == 302
    assert db.session.get(Item, item.id).due_on == date(2030, 3, 25)
    # today itself is not past
    assert member.post(url, {"due_on": "2030-04-01", "reason": "Hôm nay"}).status_code == 302


def test_the_unit_page_shows_ten_journal_lines_and_a_link_to_the_rest(world, as_user):
    item = first_item(world["u1"].id, "dissemination")
    for n in range(15):
        current = db.session.get(Item, item.id)
        stages.set_item_done(world["u1"], current, n % 2 == 0, current.version, world["admin"], NOW, TODAY)
    db.session.commit()
    html = as_user(world["secretary"]).get("/units/U1").get_data(as_text=True)
    journal = html[html.index('id="journal"'):]
    assert journal.count("<tr>") == 1 + 10  # the heading row and ten lines
    assert 'class="btn btn-outline-secondary touch" href="/units/U1/journal">Xem toàn bộ nhật ký' in journal


def test_a_unit_without_a_checklist_says_what_to_do(world, as_user):
    db.session.query(Item).filter(Item.unit_id == world["u1"].id).delete()
    db.session.commit()
    html = as_user(world["secretary"]).get("/units/U1").get_data(as_text=True)
    assert "Đơn vị chưa có danh mục công việc. Ban Tổ chức thêm đầu việc ở Quản trị" in html


def test_the_user_guide_is_one_click_from_every_page(world, as_user):
    for role, heading in (("secretary", "Bí thư chi bộ, đảng bộ cơ sở — việc mỗi tuần"),
                          ("member", "Thành viên Tổ công tác — việc mỗi ngày"),
                          ("admin", "Ban Tổ chức — quản trị"), ("viewer", "Lãnh đạo — theo dõi")):
        session = as_user(world[role])
        for page in ("/", "/units/U1", "/units/U1/journal"):
            html = session.client.get(page, follow_redirects=True).get_data(as_text=True)
            assert '<a class="d-inline-block py-2" href="/help">Hướng dẫn sử dụng</a>' in html, (role, page)
        guide = session.get("/help").get_data(as_text=True)
        # the reader's own role comes first, and every role is there
        assert guide.index(heading) < min(guide.index(h) for h in (
            "Bí thư chi bộ", "Thành viên Tổ công tác", "Ban Tổ chức — quản trị", "Lãnh đạo — theo dõi") if h not in heading)
    session = as_user(world["secretary"])
    session.client.post("/language/en", data={"csrf_token": session.token, "next": "/help"})
    assert "Unit secretary — every week" in session.get("/help").get_data(as_text=True)
    assert session.client.post("/logout", data={"csrf_token": session.token}).status_code == 302
    assert session.get("/help").status_code == 302  # signed out: to the sign-in page

"""Importing users: by email, or by phone when the email is blank; roles by key or label; memberships;
no password at import; 2,000 users in seconds."""
from __future__ import annotations

import time

from sqlalchemy import func, select

from tests.imports.files import csv_bytes, xlsx_bytes
from tests.imports.test_import_units import imported
from tracker.extensions import db
from tracker.models import JournalEntry, User

HEADER = ["email", "name", "role", "unit", "groups", "phone"]


def user(login):
    from tracker.services.accounts import find_user
    return find_user(login)


def test_users_with_email_or_phone_only_and_labels(campaign, make_unit, make_group):
    make_unit("K1")
    make_group("G1")
    rows = [["bithu.k1@district.test", "Nguyễn Văn An", "secretary", "k1", "", "0912 345 678"],
            ["", "Trần Thị Bình", "Bí thư đơn vị", "K1", "", "+84 987 654 321"],
            ["To1@District.test", "Lê Văn Cường", "Thành viên tổ công tác", "", "g1", ""],
            ["", "Phạm Dũng", "viewer", "", "", "84901234567"]]
    plan = imported("users", csv_bytes(HEADER, rows, sep=";", bom=True))
    assert not plan.errors, [e.text() for e in plan.errors]
    assert plan.counts() == (4, 0, 0)
    an, binh, cuong, dung = (user(x) for x in ("bithu.k1@district.test", "0987654321", "to1@district.test",
                                                  "0901 234 567"))
    assert (an.phone, an.unit.code, an.role) == ("0912345678", "K1", "secretary")
    assert (binh.email, binh.phone, binh.role, binh.unit.code) == (None, "0987654321", "secretary", "K1")
    assert [g.code for g in cuong.groups] == ["G1"] and cuong.role == "group"
    assert dung.phone == "0901234567"
    assert all(u.password_hash == "" and not u.must_change_password for u in (an, binh, cuong, dung))
    assigned = db.session.scalars(select(JournalEntry.after).where(JournalEntry.action == "secretary_assigned"))
    assert sorted(assigned) == ["0987654321", "bithu.k1@district.test"]


def test_update_by_email_or_by_phone_and_role_change_clears_groups(campaign, make_unit, make_group):
    make_unit("K1")
    make_group("G1")
    imported("users", csv_bytes(HEADER, [["a@district.test", "A", "group", "", "G1", ""],
                                         ["", "B", "viewer", "", "", "0912000111"]]))
    plan = imported("users", csv_bytes(HEADER, [["a@district.test", "A Mới", "viewer", "", "", ""],
                                                ["b@district.test", "B", "viewer", "", "", "0912 000 111"]]))
    assert not plan.errors, [e.text() for e in plan.errors]
    assert plan.counts() == (0, 2, 0)
    a = user("a@district.test")
    assert (a.name, a.role, a.groups) == ("A Mới", "viewer", [])
    b = user("0912000111")
    assert b.email == "b@district.test"  # known by phone until now: the sheet added the email
    assert db.session.scalar(select(func.count(User.id))) == 2


def test_user_errors_all_reported_and_nothing_changed(campaign, make_unit, make_user):
    make_unit("K1")
    make_user("taken@district.test", "viewer")
    db.session.execute(User.__table__.update().values(phone="0912111222"))
    db.session.commit()
    rows = [["ok@district.test", "Ok", "viewer", "", "", ""],               # 2 fine
            ["not-an-email", "X", "viewer", "", "", ""],                    # 3 email
            ["", "Y", "viewer", "", "", ""],                                # 4 no key
            ["c@district.test", "Z", "chief", "", "", "12345"],             # 5 role, phone
            ["d@district.test", "W", "secretary", "", "", ""],              # 6 unit needed
            ["e@district.test", "V", "viewer", "K1", "G9", ""],             # 7 unit, groups
            ["ok@district.test", "Dup", "viewer", "", "", ""],              # 8 duplicate
            ["f@district.test", "U", "viewer", "", "", "0912 111 222"]]     # 9 phone of another user
    plan = imported("users", csv_bytes(HEADER, rows))
    assert {(e.line, e.column) for e in plan.errors} == {
        (3, "email"), (4, "email"), (5, "role"), (5, "phone"), (6, "unit"), (7, "unit"), (7, "groups"),
        (8, "email"), (9, "phone")}
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_two_thousand_users_in_seconds(campaign, make_unit, count_queries):
    for code in ("K1", "K2"):
        make_unit(code)
    rows = [[f"u{i}@district.test" if i % 3 else "", f"Người {i}", "secretary", "K1" if i % 2 else "K2", "",
             f"09{i:08}"] for i in range(2000)]
    content = xlsx_bytes(HEADER, rows)
    started = time.perf_counter()
    with count_queries() as counter:
        plan = imported("users", content, "users.xlsx")
    elapsed = time.perf_counter() - started
    assert plan.counts() == (2000, 0, 0), [e.text() for e in plan.errors[:3]]
    assert counter.n < 40, counter.n
    assert elapsed < 60
    assert db.session.scalar(select(func.count(User.id)).where(User.password_hash == "")) == 2000

"""`flask users forget EMAIL`: a person's data is removed or replaced by a pseudonym; the journal keeps
every line, its order and its actor (docs/personal-data.md)."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.factories import API, NOW
from tracker.extensions import db
from tracker.models import ApiToken, JournalEntry, OutboxMessage, PasswordResetToken, User
from tracker.services import accounts
from tracker.services import admin as admin_service
from tracker.tokens import service as tokens


def test_forget_anonymises_the_user_and_keeps_the_journal(app, world):
    sec = world["secretary"]
    sec_id = sec.id
    sec.phone = "0912345678"
    admin_service.assign_unit(sec, "U2", world["admin"], NOW)  # journal: removed from U1, assigned to U2
    token = tokens.create_token(sec, NOW)
    accounts.request_password_reset("secretary@example.org", NOW, "vi", "http://localhost:5000")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
    journal_before = db.session.execute(select(JournalEntry.id, JournalEntry.action, JournalEntry.user_id,
                                               JournalEntry.at).order_by(JournalEntry.id)).all()
    assert db.session.scalar(select(func.count()).select_from(JournalEntry)
                             .where(JournalEntry.after == "secretary@example.org")) == 1

    out = app.test_cli_runner().invoke(args=["users", "forget", "0912 345 678", "--yes"])
    assert out.exit_code == 0, out.output
    assert out.output.strip().splitlines()[-1] == f"User 0912 345 678 is now #{sec_id}."
    db.session.expire_all()
    user = db.session.get(User, sec_id)
    assert (user.email, user.phone, user.password_hash, user.active, user.unit_id) == (None, None, "", False, None)
    assert "Bí Thư" not in user.name and f"#{sec_id}" in user.name
    assert accounts.find_user("secretary@example.org") is None and accounts.find_user("0912345678") is None
    assert app.test_client().get(API + "/units", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    for model in (ApiToken, PasswordResetToken, OutboxMessage):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model
    # every journal line is still there, with its actor and moment; the address is the pseudonym now
    assert db.session.execute(select(JournalEntry.id, JournalEntry.action, JournalEntry.user_id, JournalEntry.at)
                              .order_by(JournalEntry.id)).all() == journal_before
    values = db.session.execute(select(JournalEntry.before, JournalEntry.after)).all()
    assert not [v for v in values if "secretary@example.org" in (v.before or "") + (v.after or "")]
    assert any(a == f"#{sec_id}" for _b, a in values) and any(b == f"#{sec_id}" for b, _a in values)
    # the address is free again for a new account
    accounts.create_user("secretary@example.org", "Người mới", "viewer", None, actor=None)
    db.session.commit()


def test_forget_refuses_unknown_people_and_the_last_admin(app, world):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["users", "forget", "nobody@example.org", "--yes"]).exit_code != 0
    out = runner.invoke(args=["users", "forget", "admin@example.org", "--yes"])
    assert out.exit_code != 0 and "Traceback" not in out.output
    assert db.session.get(User, world["admin"].id).email == "admin@example.org"
    out = runner.invoke(args=["users", "forget", "viewer@example.org"], input="n\n")  # asked, answered no
    assert out.exit_code != 0
    db.session.expire_all()
    assert db.session.get(User, world["viewer"].id).email == "viewer@example.org"

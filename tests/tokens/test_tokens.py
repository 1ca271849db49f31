"""API tokens (issue 11, finding 3): expiry, revocation (command line and admin page), deactivation revokes,
last_used_at stamped at most once a minute; and finding 9: a secretary may not list the working groups."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.conftest import csrf_of
from tests.factories import API, NOW
from tracker.extensions import db
from tracker.models import ApiToken
from tracker.tokens import service


def _api(app, token, path="/units"):
    return app.test_client().get(API + path, headers={"Authorization": f"Bearer {token}"})


def _cli_token(app, *args):
    out = app.test_cli_runner().invoke(args=["tokens", "create", *args])
    assert out.exit_code == 0, out.output
    return out.output.strip().splitlines()[-1]


def test_a_token_expires_after_90_days_by_default_or_after_days(app, world, frozen):
    with frozen(NOW):
        default = _cli_token(app, "viewer@example.org")
        short = _cli_token(app, "viewer@example.org", "--days", "2")
    rows = {r.token_hash: r for r in db.session.scalars(select(ApiToken))}
    assert rows[ApiToken.digest(default)].expires_at == NOW + timedelta(days=90)
    assert rows[ApiToken.digest(short)].expires_at == NOW + timedelta(days=2)
    with frozen(NOW + timedelta(days=1, hours=23)):
        assert _api(app, short).status_code == 200
    with frozen(NOW + timedelta(days=2, seconds=1)):
        assert _api(app, short).status_code == 401
        assert _api(app, default).status_code == 200
    with frozen(NOW + timedelta(days=90, seconds=1)):
        resp = _api(app, default)
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_create_refuses_bad_days_and_unknown_or_deactivated_users(app, world):
    runner = app.test_cli_runner()
    world["viewer"].active = False
    db.session.commit()
    for args in (["admin@example.org", "--days", "0"], ["admin@example.org", "--days", "99999"],
                 ["admin@example.org", "--days", "x"], ["nobody@example.org"], ["viewer@example.org"]):
        out = runner.invoke(args=["tokens", "create", *args])
        assert out.exit_code != 0, args
    assert db.session.scalar(select(ApiToken.id)) is None


def test_list_and_revoke_one_then_all(app, world, frozen):
    runner = app.test_cli_runner()
    with frozen(NOW):
        first = _cli_token(app, "member@example.org")
        second = _cli_token(app, "member@example.org", "--days", "30")
        other = _cli_token(app, "viewer@example.org")
    with frozen(NOW + timedelta(minutes=5)):
        assert _api(app, first).status_code == 200
        out = runner.invoke(args=["tokens", "list", "member@example.org"])
    assert out.exit_code == 0, out.output
    lines = out.output.strip().splitlines()
    assert lines[0].split() == ["id", "created", "expires", "last", "used", "state"]
    ids = {r.token_hash: r.id for r in db.session.scalars(select(ApiToken))}
    by_id = {int(line.split()[0]): line for line in lines[1:]}
    assert set(by_id) == {ids[ApiToken.digest(first)], ids[ApiToken.digest(second)]}  # not the viewer's
    first_line = by_id[ids[ApiToken.digest(first)]]
    # local time (UTC+7): created 08:00 on 1 April 2030, expires 30 June, used at 08:05
    assert "2030-04-01 08:00" in first_line and "2030-06-30 08:00" in first_line
    assert "2030-04-01 08:05" in first_line and first_line.endswith("active")
    assert by_id[ids[ApiToken.digest(second)]].split()[-2:] == ["-", "active"]  # never used

    with frozen(NOW + timedelta(minutes=10)):
        out = runner.invoke(args=["tokens", "revoke", str(ids[ApiToken.digest(first)])])
        assert out.exit_code == 0, out.output
        assert _api(app, first).status_code == 401
        assert _api(app, second).status_code == 200
        out = runner.invoke(args=["tokens", "list", "member@example.org"])
        assert "revoked" in out.output
        assert runner.invoke(args=["tokens", "revoke", "999999"]).exit_code != 0
        assert runner.invoke(args=["tokens", "revoke"]).exit_code != 0
        out = runner.invoke(args=["tokens", "revoke", "--all", "member@example.org"])
        assert out.exit_code == 0 and out.output.strip().splitlines()[-1] == "1 tokens revoked."
        assert _api(app, second).status_code == 401
        assert _api(app, other).status_code == 200  # another user's token still works
    with frozen(NOW + timedelta(days=200)):
        out = runner.invoke(args=["tokens", "list", "viewer@example.org"])
        assert out.output.strip().splitlines()[-1].endswith("expired")


def test_last_used_is_stamped_at_most_once_a_minute(app, world, frozen, count_queries):
    token = service.create_token(world["viewer"], NOW)
    db.session.commit()

    def last_used():
        db.session.expire_all()
        return db.session.scalar(select(ApiToken.last_used_at))

    assert last_used() is None
    with frozen(NOW):
        assert _api(app, token).status_code == 200
    assert last_used() == NOW
    with frozen(NOW + timedelta(seconds=59)), count_queries() as counter:
        assert _api(app, token).status_code == 200
    assert last_used() == NOW  # fresh: not rewritten
    assert not [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE")]
    with frozen(NOW + timedelta(seconds=61)), count_queries() as counter:
        assert _api(app, token).status_code == 200
    assert last_used() == NOW + timedelta(seconds=61)
    updates = [s for s in counter.statements if s.lstrip().upper().startswith("UPDATE")]
    assert len(updates) == 1 and "last_used_at" in updates[0]


def test_touch_is_a_conditional_update(app, world):
    token = service.create_token(world["viewer"], NOW)
    db.session.commit()
    row = service.find_token(token, NOW)
    assert service.touch(row, NOW) is True
    stale = service.find_token(token, NOW)
    stale.last_used_at = None  # as a second request that read the row before the first wrote it
    assert service.touch(stale, NOW + timedelta(seconds=10)) is False  # the WHERE clause refuses it
    db.session.rollback()


def test_deactivating_revokes_so_reactivating_does_not_bring_tokens_back(app, world, login):
    admin = login(world["admin"])
    viewer, member = world["viewer"], world["member"]
    tokens = {u: service.create_token(u, NOW) for u in (viewer, member)}
    db.session.commit()
    csrf = csrf_of(admin.get(f"/admin/users/{viewer.id}").get_data(as_text=True))
    assert admin.post(f"/admin/users/{viewer.id}/active", data={"csrf_token": csrf, "active": "0"}).status_code == 302
    assert admin.post(f"/admin/users/{viewer.id}/active", data={"csrf_token": csrf, "active": "1"}).status_code == 302
    assert _api(app, tokens[viewer]).status_code == 401
    # several at once (Users → several users at once) does the same
    page = admin.get("/admin/users/select").get_data(as_text=True)
    for action in ("deactivate", "reactivate"):
        resp = admin.post("/admin/users/select", data={"csrf_token": csrf_of(page), "action": action,
                                                       "ids": [str(member.id)]})
        assert resp.status_code in (200, 302), resp.status_code
    assert _api(app, tokens[member]).status_code == 401
    fresh = service.create_token(db.session.get(type(viewer), viewer.id), NOW)
    db.session.commit()
    assert _api(app, fresh).status_code == 200  # a new token works for the reactivated account


def test_admin_page_lists_makes_and_revokes_tokens(app, world, login):
    admin = login(world["admin"])
    viewer = world["viewer"]
    url = f"/admin/users/{viewer.id}/tokens"
    assert url in admin.get(f"/admin/users/{viewer.id}").get_data(as_text=True)  # linked from the user's page
    page = admin.get(url)
    assert page.status_code == 200
    csrf = csrf_of(page.get_data(as_text=True))
    assert admin.post(url, data={"days": "7"}).status_code == 400  # no CSRF token
    assert admin.post(url, data={"csrf_token": csrf, "days": "0"}).status_code == 400
    resp = admin.post(url, data={"csrf_token": csrf, "days": "7"})
    assert resp.status_code == 201 and resp.headers["Cache-Control"] == "no-store"
    import re
    token = re.search(r'id="new-token">([^<]+)<', resp.get_data(as_text=True)).group(1)
    assert _api(app, token).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.digest(token)))
    assert row.user_id == viewer.id and row.expires_at - row.created_at == timedelta(days=7)
    listing = admin.get(url).get_data(as_text=True)
    assert f'id="token-{row.id}"' in listing and token not in listing  # shown once only
    assert admin.post(f"{url}/{row.id}/revoke").status_code == 400  # no CSRF token
    assert _api(app, token).status_code == 200
    assert admin.post(f"{url}/{row.id}/revoke", data={"csrf_token": csrf}).status_code == 302
    assert _api(app, token).status_code == 401
    # another user's token cannot be revoked through this user's page
    other = service.create_token(world["member"], NOW)
    db.session.commit()
    other_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == ApiToken.digest(other)))
    admin.post(f"{url}/{other_id}/revoke", data={"csrf_token": csrf})
    assert _api(app, other).status_code == 200
    second = service.create_token(viewer, NOW)
    db.session.commit()
    assert admin.post(f"{url}/revoke-all", data={"csrf_token": csrf}).status_code == 302
    assert _api(app, second).status_code == 401


def test_only_admins_reach_the_token_pages(app, world, login):
    viewer = world["viewer"]
    url = f"/admin/users/{viewer.id}/tokens"
    token = service.create_token(viewer, NOW)
    db.session.commit()
    row_id = db.session.scalar(select(ApiToken.id))
    for who in ("viewer", "member", "secretary"):
        client = login(world[who])
        csrf = csrf_of(client.get("/", follow_redirects=True).get_data(as_text=True))
        assert client.get(url).status_code == 403
        assert client.post(url, data={"csrf_token": csrf, "days": "7"}).status_code == 403
        assert client.post(f"{url}/{row_id}/revoke", data={"csrf_token": csrf}).status_code == 403
        assert client.post(f"{url}/revoke-all", data={"csrf_token": csrf}).status_code == 403
    assert _api(app, token).status_code == 200
    assert db.session.scalar(select(ApiToken.id).where(ApiToken.id != row_id)) is None


def test_a_secretary_may_not_list_the_working_groups_members(app, world):
    for who, status in (("secretary", 403), ("viewer", 200), ("member", 200), ("admin", 200)):
        token = service.create_token(world[who], NOW)
        db.session.commit()
        resp = _api(app, token, "/groups")
        assert resp.status_code == status, who
        if status == 200:
            members = [m for g in resp.get_json()["items"] for m in g["members"]]
            assert "member@example.org" in members
        else:
            assert "member@example.org" not in resp.get_data(as_text=True)
    doc = app.test_client().get(API + "/openapi.json").get_json()
    path = next(p for p in doc["paths"] if p.endswith("/groups"))
    assert "403" in doc["paths"][path]["get"]["responses"]

"""Choosing the digest channels: the account page (one's own), the admin's user page (anyone's),
`flask users create … --phone … --channels …`, and `GET /api/v1/me`."""
from __future__ import annotations

from sqlalchemy import func, select

from tests.conftest import csrf_of
from tracker.extensions import db
from tracker.models import User


def users(*args):
    return ["users", "create", *args]


def fresh(user):
    db.session.expire_all()
    return db.session.get(User, user.id)


def test_the_account_page_sets_ones_own_channels_and_keeps_the_inbox(world, login):
    me = world["secretary"]
    client = login(me)
    page = client.get("/account").get_data(as_text=True)
    assert 'id="channel-inbox" checked disabled' in page and 'value="email" id="channel-email" checked' in page
    token = csrf_of(page)
    resp = client.post("/account", data={"csrf_token": token, "channels": ["webhook"]})
    assert resp.status_code == 302
    assert fresh(me).channels == "inbox,webhook"
    resp = client.post("/account", data={"csrf_token": token})  # nothing ticked: the inbox alone
    assert resp.status_code == 302 and fresh(me).channels == "inbox"
    resp = client.post("/account", data={"csrf_token": token, "channels": ["email", "pigeon"]})
    assert resp.status_code == 422 and "pigeon" in resp.get_data(as_text=True)
    assert fresh(me).channels == "inbox"  # nothing written
    assert client.post("/account", data={"channels": ["email"]}).status_code == 400  # no CSRF token
    assert fresh(me).channels == "inbox"


def test_the_admin_sets_anyones_channels_and_others_may_not(world, login):
    target = world["secretary"]
    admin = login(world["admin"])
    page = admin.get(f"/admin/users/{target.id}").get_data(as_text=True)
    assert f'action="/admin/users/{target.id}/channels"' in page
    resp = admin.post(f"/admin/users/{target.id}/channels",
                      data={"csrf_token": csrf_of(page), "channels": ["email", "webhook"]})
    assert resp.status_code == 302 and fresh(target).channels == "inbox,email,webhook"
    member = login(world["member"])
    token = csrf_of(member.get("/account").get_data(as_text=True))
    resp = member.post(f"/admin/users/{target.id}/channels", data={"csrf_token": token, "channels": []})
    assert resp.status_code == 403 and fresh(target).channels == "inbox,email,webhook"


def test_users_create_with_phone_and_channels(app, campaign):
    runner = app.test_cli_runner()
    out = runner.invoke(args=users("a@x.vn", "--name", "A", "--role", "viewer", "--password", "long-enough-1",
                                   "--phone", "0912 345 678", "--channels", "email,webhook"))
    assert out.exit_code == 0, out.output
    user = db.session.scalar(select(User).where(User.email == "a@x.vn"))
    assert (user.phone, user.channels) == ("0912345678", "inbox,email,webhook")
    out = runner.invoke(args=users("b@x.vn", "--name", "B", "--role", "viewer", "--password", "long-enough-1"))
    assert db.session.scalar(select(User.channels).where(User.email == "b@x.vn")) == "inbox,email"
    before = db.session.scalar(select(func.count()).select_from(User))
    for bad in (["--channels", "email,sms"], ["--channels", "e-mail"], ["--phone", "12"]):
        out = runner.invoke(args=users("c@x.vn", "--name", "C", "--role", "viewer", "--password", "long-enough-1",
                                       *bad))
        assert out.exit_code != 0, bad
        lines = out.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error:"), out.output
    assert "choose from inbox, email, webhook" in runner.invoke(
        args=users("c@x.vn", "--name", "C", "--role", "viewer", "--password", "long-enough-1",
                   "--channels", "sms")).output
    assert db.session.scalar(select(func.count()).select_from(User)) == before


def test_me_answers_the_caller_as_the_contract_says(app, world, token_for):
    secretary = world["secretary"]
    secretary.phone, secretary.channels = "0987654321", "inbox,webhook"
    db.session.commit()
    client = app.test_client()
    me = client.get("/api/v1/me", headers=token_for(secretary)).get_json()
    assert me == {"email": secretary.email, "name": secretary.name, "role": "secretary", "unit": "U1",
                  "groups": [], "phone": "0987654321", "channels": ["inbox", "webhook"], "calendar_url": None}
    member = client.get("/api/v1/me", headers=token_for(world["member"])).get_json()
    assert member["unit"] is None and member["groups"] == ["G1"] and member["channels"] == ["inbox", "email"]
    assert member["phone"] is None
    assert client.get("/api/v1/me").status_code == 401
    spec = client.get("/api/v1/openapi.json").get_json()
    answer = spec["paths"]["/api/v1/me"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    schema = spec["components"]["schemas"][answer["$ref"].rsplit("/", 1)[-1]]
    assert set(schema["properties"]) == {"email", "name", "role", "unit", "groups", "phone", "channels",
                                         "calendar_url"}


def test_the_account_page_says_what_reaches_the_person(app, world, login):
    import re
    me = world["secretary"]
    me.channels = "inbox,webhook"
    db.session.commit()
    client = login(me)

    def reaching():
        page = client.get("/account").get_data(as_text=True)
        return re.search(r'data-testid="reaching">(.*?)</p>', page, re.S).group(1)
    assert "tin nhắn SMS hoặc Zalo" not in reaching().split(":")[1].split(".")[0]
    assert "chưa thiết lập cổng" in reaching()
    app.config.update(WEBHOOK_URL="https://gw.example/hook", WEBHOOK_SECRET="x")
    try:
        assert "hộp thư trong ứng dụng; tin nhắn SMS hoặc Zalo." in reaching()
    finally:
        app.config.update(WEBHOOK_URL=None, WEBHOOK_SECRET=None)


def test_me_names_the_groups_of_the_campaign_in_view_once(app, world, campaign, token_for):
    """Review: a new term copies the groups with their members, and /me listed the member's groups of every
    campaign (["G1", "G1"])."""
    from tracker.campaigns.service import copy_campaign

    copy_campaign(campaign, "Nhiệm kỳ mới", "2035–2040")
    db.session.commit()
    member = app.test_client().get("/api/v1/me", headers=token_for(world["member"])).get_json()
    assert member["groups"] == ["G1"]

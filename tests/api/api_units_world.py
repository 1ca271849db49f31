"""A small world for the units API tests: two groups, two units, one user of every role, their tokens."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import NOW
from tracker.extensions import db
from tracker.models import Item
from tracker.services import accounts
from tracker.services import units as unit_service

API = "/api/v1"

# who → (role, unit, group); passwords are not needed for bearer tokens, so none are hashed (fast)
PEOPLE = {
    "admin": ("admin", None, None),
    "member": ("group", None, "G1"),  # member of U1's working group
    "outsider": ("group", None, "G2"),  # member of another group
    "secretary": ("secretary", "U1", None),
    "other_secretary": ("secretary", "U2", None),
    "viewer": ("viewer", None, None),
    "gone": ("admin", None, None),  # deactivated after its token was made
}


@dataclass
class World:
    client: object
    users: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)

    def call(self, method, path, who="admin", json=None, data=None, content_type=None):
        """(status, JSON) of a request to the API as `who` (a role name from PEOPLE, "none" or "bad")."""
        kwargs = {"headers": dict(self.headers[who])}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = content_type or "application/json"
        db.session.expire_all()
        resp = self.client.open(API + path, method=method, **kwargs)
        return resp.status_code, resp.get_json(silent=True)

    def ok(self, method, path, who="admin", json=None, status=(200, 201)):
        st, body = self.call(method, path, who, json)
        assert st in status, (st, body)
        return body


def build_world(app, campaign, congress_date=date(2030, 5, 20)) -> World:
    """Groups G1 and G2; units U1 (commune committee, G1) and U2 (grassroots cell, G2); one user a role."""
    accounts.create_group("G1", "Tổ công tác 1", [], actor=None)
    accounts.create_group("G2", "Tổ công tác 2", [], actor=None)
    for code, kind, group in (("U1", "commune_committee", "G1"), ("U2", "grassroots_cell", "G2")):
        unit_service.create_unit({"code": code, "name": f"Đơn vị {code}", "kind": kind, "party_members": 40,
                                  "pilot": False, "group": group, "congress_date": congress_date}, None, NOW)
    world = World(app.test_client())
    for who, (role, unit, group) in PEOPLE.items():
        user = accounts.create_user(f"{who}@example.org", who, role, None, unit, group, actor=None)
        world.users[who] = user
        world.headers[who] = {"Authorization": "Bearer " + accounts.create_token(user, NOW)}
    world.users["gone"].active = False
    world.headers["none"] = {}
    world.headers["bad"] = {"Authorization": "Bearer not-a-real-token-at-all"}
    db.session.commit()
    return world


@pytest.fixture
def world(app, campaign, frozen):
    """The world, with the clock frozen at NOW (1 April 2030, 08:00 local)."""
    with frozen(NOW):
        yield build_world(app, campaign)


def items_of(unit_code: str, stage: str) -> list[Item]:
    """A unit's items of one stage, fresh from the database."""
    from tracker.models import Unit
    db.session.expire_all()
    return list(db.session.scalars(select(Item).join(Unit).where(Unit.code == unit_code, Item.stage == stage)
                                   .order_by(Item.position)))


def tick_stage(unit_code: str, stage: str, but: tuple[str, ...] = ()) -> None:
    """Mark a stage's items done directly (set-up only), except the keys in `but`."""
    for item in items_of(unit_code, stage):
        if item.key not in but:
            item.done = True
            item.done_at = NOW
    db.session.commit()

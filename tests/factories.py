"""The tests' one world: factories for groups, units, users and tokens, and the standard cast built on them.

Everything goes through the services with the command-line operator as actor (None), as `flask demo`
does, so a world is what a real install would hold. conftest.py's make_* fixtures call these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Optional

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models import CalendarDay, Item, ItemTemplate, ReferenceDocument, Unit, User, WorkingGroup
from tracker.services import accounts
from tracker.services import units as unit_service
from tracker.tokens import service as tokens

NOW = datetime(2030, 4, 1, 1, 0, tzinfo=UTC)  # 08:00 in Hà Nội
PASSWORD = "Correct-horse-9"
CONGRESS = date(2030, 5, 20)
API = "/api/v1"


def make_group(code: str = "G1", name: Optional[str] = None, members=()) -> WorkingGroup:
    """A working group (committed)."""
    group = accounts.create_group(code, name or f"Tổ công tác {code}", list(members), actor=None)
    db.session.commit()
    return group


def make_unit(code: str = "U1", kind: str = "commune_committee", group: Optional[str] = None,
              congress_date: Optional[date] = CONGRESS, pilot: bool = False, party_members: int = 100,
              parent: Optional[str] = None, name: Optional[str] = None) -> Unit:
    """A unit with its checklist (committed)."""
    unit = unit_service.create_unit(
        {"code": code, "name": name or f"Đơn vị {code}", "kind": kind, "party_members": party_members,
         "pilot": pilot, "group": group, "congress_date": congress_date, "parent": parent}, None, NOW)
    db.session.commit()
    return unit


def make_user(email: str, role: str = "admin", unit: Optional[str] = None, group: Optional[str] = None,
              name: Optional[str] = None, password: Optional[str] = PASSWORD) -> User:
    """A user (committed); password None skips the slow hashing for users that only use tokens."""
    user = accounts.create_user(email, name or email.split("@")[0], role, password, unit, group, actor=None)
    db.session.commit()
    return user


def bearer(user: User) -> dict[str, str]:
    """Headers with a fresh API token of the user (committed)."""
    token = tokens.create_token(user, NOW)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


# who → (role, unit, group, name): the cast of the standard world
CAST = {
    "admin": ("admin", None, None, "Lê Văn Tổ Chức"),
    "member": ("group", None, "G1", "Trần Thị Công Tác"),  # a member of U1's working group
    "outsider": ("group", None, "G2", "Phạm Văn Nhóm Khác"),  # a member of the other group
    "secretary": ("secretary", "U1", None, "Nguyễn Văn Bí Thư"),
    "other_secretary": ("secretary", "U2", None, "Võ Thị Đơn Vị Khác"),
    "viewer": ("viewer", None, None, "Đỗ Văn Lãnh Đạo"),
}


class World(dict):
    """The standard world: groups G1, G2; units U1 (commune committee, G1) and U2 (grassroots cell, G2),
    40 party members each, congress on 20 May 2030; one user of each CAST entry, `{who}@example.org`.

    world["u1"], world["u2"], world["admin"], world["member"] …
    """


def build_world(password: Optional[str] = PASSWORD) -> World:
    """Build the standard world through the services (in the active campaign; the default one made if none)."""
    from tracker.services.campaigns import require_campaign

    require_campaign()
    world = World()
    for code in ("G1", "G2"):
        make_group(code, f"Tổ công tác {code[1:]}")
    world["u1"] = make_unit("U1", "commune_committee", "G1", party_members=40)
    world["u2"] = make_unit("U2", "grassroots_cell", "G2", party_members=40)
    for who, (role, unit, group, name) in CAST.items():
        world[who] = make_user(f"{who}@example.org", role, unit, group, name=name, password=password)
    return world


def build_office_world(campaign) -> tuple[dict[str, User], dict[str, int]]:
    """What the organisation office's pages are tried on: group G1, unit U1 in it, one user of each
    role (`admin@x.vn`, `group@x.vn`, `sec@x.vn`, `viewer@x.vn`), a reference document and a calendar
    day; (people by role, {"tid", "uid", "did", "cid"}: ids of a template item, the secretary, the
    document and the day)."""
    make_group("G1")
    make_unit("U1", group="G1")
    people = {
        "admin": make_user("admin@x.vn", "admin"),
        "group": make_user("group@x.vn", "group", group="G1"),
        "secretary": make_user("sec@x.vn", "secretary", unit="U1"),
        "viewer": make_user("viewer@x.vn", "viewer"),
    }
    doc = ReferenceDocument(campaign_id=campaign.id, number="35-CT/TW", issued_on=date(2019, 5, 30))
    day = CalendarDay(day=date(2030, 4, 30), working=False, name="x")
    db.session.add_all([doc, day])
    db.session.commit()
    tid = db.session.scalar(select(ItemTemplate.id).limit(1))
    return people, {"tid": tid, "uid": people["secretary"].id, "did": doc.id, "cid": day.id}


@dataclass
class ApiWorld:
    """The standard world seen from the API: a client, the users, their bearer headers (plus "gone", a
    deactivated admin, "none" without a token and "bad" with a wrong one)."""

    client: object
    users: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)

    def call(self, method, path, who="admin", json=None, data=None, content_type=None):
        """(status, JSON) of a request to the API as `who` (a CAST name, "gone", "none" or "bad")."""
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
        """The JSON of a request that must succeed."""
        st, body = self.call(method, path, who, json)
        assert st in status, (st, body)
        return body


def build_api_world(app) -> ApiWorld:
    """The standard world (no passwords: tokens only) with a bearer header per user."""
    world = ApiWorld(app.test_client())
    world.users = {who: user for who, user in build_world(password=None).items() if who in CAST}
    world.users["gone"] = make_user("gone@example.org", "admin", name="gone", password=None)
    world.headers = {who: bearer(user) for who, user in world.users.items()}
    world.users["gone"].active = False
    world.headers["none"] = {}
    world.headers["bad"] = {"Authorization": "Bearer not-a-real-token-at-all"}
    db.session.commit()
    return world


def unit_by_code(code: str, fresh: bool = False) -> Optional[Unit]:
    """The unit with that code (None if there is none); fresh: expire the session first, to read the database."""
    if fresh:
        db.session.expire_all()
    return db.session.scalar(select(Unit).where(Unit.code == code))


def count(model, *where) -> int:
    """How many rows of a model (matching `where`)."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def unit_items(unit_code: str, stage: str) -> list[Item]:
    """A unit's items of one stage by the unit's code, fresh from the database."""
    db.session.expire_all()
    return list(db.session.scalars(select(Item).join(Unit).where(Unit.code == unit_code, Item.stage == stage)
                                   .order_by(Item.position)))


def tick_stage(unit_code: str, stage: str, but: tuple[str, ...] = ()) -> None:
    """Mark a stage's items done directly (set-up only, no gates), except the keys in `but`."""
    for item in unit_items(unit_code, stage):
        if item.key not in but:
            item.done = True
            item.done_at = NOW
    db.session.commit()


def leave_open(unit: Unit, open_keys: tuple[str, ...], due_on: date, due: Optional[dict[str, date]] = None,
               note: Optional[str] = None) -> None:
    """Set-up for reminders (no gates, not committed): every item of the unit done but `open_keys`; each
    item's due date `due[key]`, else `due_on`; every item's note `note` when given."""
    for item in db.session.scalars(select(Item).where(Item.unit_id == unit.id)):
        item.done = item.key not in open_keys
        item.due_on = (due or {}).get(item.key, due_on)
        if note is not None:
            item.note = note

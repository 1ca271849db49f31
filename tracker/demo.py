"""The demo district: 45 grassroots units shaped like a real district, progress around today.

Loaded by `flask demo`. Idempotent: units, groups and users are created only when missing, so a
second run changes nothing. Progress is generated from a fixed seed relative to the first run's day.
"""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from .campaigns.scope import group_by_code, units_in_view
from .clock import local_today
from .demo_results import seed_results
from .demo_subcells import seed_sub_cells
from .extensions import db
from .models import CalendarDay, Item, ReferenceDocument, StageReview, Unit, WorkingGroup
from .services import accounts, journal
from .services.campaigns import require_campaign
from .services.units import create_unit
from .workflow import GATES, STAGES

COMMUNES = ["Thị trấn Cầu Ngang", "Thị trấn Mỹ Long", "Mỹ Long Bắc", "Mỹ Long Nam", "Mỹ Hòa", "Vinh Kim",
            "Kim Hòa", "Hiệp Hòa", "Thuận Hòa", "Long Sơn", "Nhị Trường", "Trường Thọ", "Hiệp Mỹ Đông",
            "Hiệp Mỹ Tây", "Thạnh Hòa Sơn"]
SECTORS = ["Đảng bộ Quân sự huyện", "Đảng bộ Công an huyện", "Đảng bộ Cơ quan Chính quyền huyện",
           "Đảng bộ Các cơ quan Đảng huyện"]
CELLS = ["Viện Kiểm sát nhân dân huyện", "Tòa án nhân dân huyện", "Chi cục Thuế", "Kho bạc Nhà nước",
         "Ngân hàng Chính sách xã hội", "Ngân hàng Nông nghiệp", "Trung tâm Y tế huyện", "Bưu điện huyện",
         "Điện lực Cầu Ngang", "Chi cục Thi hành án dân sự", "Ban Quản lý dự án", "Trường THPT Cầu Ngang A",
         "Trường THPT Cầu Ngang B", "Trường THPT Dương Quang Đông", "Trường THCS Thị trấn",
         "Trường Phổ thông Dân tộc nội trú", "Trung tâm GDNN-GDTX", "Hội Nông dân huyện",
         "Liên đoàn Lao động huyện", "Huyện đoàn", "Hội Liên hiệp Phụ nữ huyện", "Trung tâm Văn hóa, Thể thao",
         "Phòng Giáo dục và Đào tạo", "Trạm Khuyến nông", "Hạt Kiểm lâm", "Đội Quản lý thị trường"]
SECRETARY_UNITS = {"bithu.mylongbac@demo.vn": "X03", "bithu.hiepmydong@demo.vn": "X13"}
DEMO_PASSWORD = "demo-2025!"  # demo accounts only; `flask demo` refuses to run in production
LOGINS = [("admin", "bantochuc@demo.vn", "Ban Tổ chức Huyện ủy"),
          ("group", "to1@demo.vn", "Nguyễn Văn An (Tổ công tác 1)"),
          ("secretary", "bithu.mylongbac@demo.vn", "Trần Thị Bình (Bí thư Mỹ Long Bắc)"),
          ("viewer", "lanhdao@demo.vn", "Lê Văn Cường (Thường trực Huyện ủy)"),
          # a committee's secretary who oversees its cells (chi bộ trực thuộc): Đảng bộ xã Hiệp Mỹ Đông
          ("secretary", "bithu.hiepmydong@demo.vn", "Thạch Thị Dung (Bí thư Đảng ủy xã Hiệp Mỹ Đông)")]


def _plan() -> list[dict]:
    """The 45 units: code, name, kind, members."""
    rng = random.Random(2020)
    units = []
    for i, name in enumerate(COMMUNES, 1):
        prefix = "Đảng bộ " if name.startswith("Thị trấn") else "Đảng bộ xã "
        units.append({"code": f"X{i:02d}", "name": prefix + name, "kind": "commune_committee",
                      "party_members": rng.randint(140, 260)})
    for i, name in enumerate(SECTORS, 1):
        units.append({"code": f"N{i:02d}", "name": name, "kind": "sector_committee",
                      "party_members": rng.randint(60, 130)})
    for i, name in enumerate(CELLS, 1):
        units.append({"code": f"C{i:02d}", "name": "Chi bộ " + name, "kind": "grassroots_cell",
                      "party_members": rng.randint(8, 35)})
    return units


def load_demo(now: datetime) -> list[tuple[str, str, str]]:
    """Create what is missing of the demo district; return (role, email, password) per demo login."""
    if current_app.config.get("ENV") == "production":
        raise RuntimeError("the demo district is not loaded in production")
    campaign = require_campaign()
    if not campaign.organiser:
        campaign.name = "Đại hội các tổ chức cơ sở đảng"
        campaign.organiser = "Huyện ủy Cầu Ngang"
        campaign.term = "2025–2030"
    if not campaign.documents:
        campaign.documents = [
            ReferenceDocument(number="35-CT/TW", issued_on=date(2024, 6, 14),
                              title="Chỉ thị về đại hội đảng bộ các cấp tiến tới Đại hội XIV của Đảng"),
            ReferenceDocument(number="35-CT/TW", issued_on=date(2019, 5, 30),
                              title="Chỉ thị về đại hội đảng bộ các cấp tiến tới Đại hội XIII (nhiệm kỳ trước)"),
            ReferenceDocument(number="24-QĐ/TW", issued_on=date(2021, 7, 30),
                              title="Quy định thi hành Điều lệ Đảng"),
        ]
    if db.session.scalar(select(func.count()).select_from(CalendarDay)) == 0:
        db.session.add(CalendarDay(day=date(now.year, 9, 1), working=False, name="Nghỉ bù Quốc khánh (ví dụ)"))
    groups = _groups()
    today = local_today(now)
    plan = _plan()
    existing = set(db.session.scalars(select(Unit.code).where(units_in_view(campaign.id),
                                                              Unit.code.in_([u["code"] for u in plan]))))
    if not existing:
        units = _create_units(plan, groups, today, now)
        seed_results(units, now)
    cells = seed_sub_cells(now, today)
    if cells:
        seed_results(cells, now)
    _users(groups)
    db.session.flush()
    return [(role, email, DEMO_PASSWORD) for role, email, _ in LOGINS]


def _groups() -> list[WorkingGroup]:
    groups = []
    for n in (1, 2, 3):
        group = group_by_code(f"TCT{n}")
        if group is None:
            group = accounts.create_group(f"TCT{n}", f"Tổ công tác số {n}", [], actor=None)
        groups.append(group)
    return groups


def _users(groups: list[WorkingGroup]) -> None:
    for role, email, name in LOGINS:
        if accounts.find_user(email) is None:
            unit = SECRETARY_UNITS.get(email) if role == "secretary" else None
            group = "TCT1" if role == "group" else None
            accounts.create_user(email, name, role, DEMO_PASSWORD, unit, group, actor=None)
    for n, group in enumerate(groups[1:], 2):  # a second member for the other groups
        email = f"to{n}@demo.vn"
        if accounts.find_user(email) is None:
            accounts.create_user(email, f"Tổ công tác {n}", "group", DEMO_PASSWORD, None, group.code,
                                    actor=None)


def _create_units(plan: list[dict], groups: list[WorkingGroup], today: date, now: datetime) -> list[Unit]:
    rng = random.Random(2025)
    # two pilot congresses first, then the rest spread over the weeks around today
    offsets = [-24, -20] + sorted(rng.randint(-16, 40) for _ in range(len(plan) - 2))
    order = list(range(len(plan)))
    pilots = {0, 15}  # the first town and the military committee go first
    rest = [i for i in order if i not in pilots]
    rng.shuffle(rest)
    schedule = {i: offsets[n] for n, i in enumerate(sorted(pilots) + rest)}
    admin_like = None
    units = []
    for i, spec in enumerate(plan):
        group = groups[i % 3]
        unit = create_unit({**spec, "pilot": i in pilots, "group": group.code,
                            "congress_date": today + timedelta(days=schedule[i])}, admin_like, now)
        units.append(unit)
    db.session.flush()
    for unit in units:
        _progress(unit, today, now, rng)
    db.session.flush()
    return units


def _progress(unit: Unit, today: date, now: datetime, rng: random.Random) -> None:
    """Tick what a unit like this would have done by today, leaving some behind (overdue)."""
    diligence = rng.random()
    done_stages: set[str] = set()
    items = db.session.scalars(select(Item).where(Item.unit_id == unit.id).order_by(Item.position)).all()
    for stage in STAGES:
        if any(s not in done_stages for s in GATES.get(stage, ())):
            break
        stage_items = [i for i in items if i.stage == stage]
        complete = True
        for item in stage_items:
            late_unit = diligence < 0.25 and item.due_on and (today - item.due_on).days < 6
            if item.due_on and item.due_on <= today and not late_unit:
                when = datetime.combine(item.due_on, datetime.min.time()).replace(tzinfo=now.tzinfo) \
                    + timedelta(hours=3)
                item.done, item.done_at, item.version = True, min(when, now), 2
                journal.record(unit.id, None, "tick", item.done_at, stage=stage, item_key=item.key,
                               before=False, after=True, note="demo")
            elif item.due_on and item.due_on <= today + timedelta(days=2) and diligence > 0.7:
                item.done, item.done_at, item.version = True, now, 2
            else:
                complete = False
        if complete and stage_items:
            done_stages.add(stage)
            if diligence > 0.5:
                db.session.add(StageReview(unit_id=unit.id, stage=stage, state="verified", at=now))
        else:
            break

"""The demo district's 220 cells under its 19 committees: 97 hamlet cells under the 15 commune committees,
123 sector cells (87 under the 4 sector committees, 36 in the communes' schools, clinics and police).

Most held their congress some weeks before their committee's; a committee whose congress is done has
every cell done but one, exempted with a reason (merged into a neighbouring hamlet's cell). Idempotent:
created only when none of their codes exists.
"""
from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import insert, select, update

from .extensions import db
from .models import Item, JournalEntry, SubCellExemption, Unit
from .permissions import COMMITTEE_KINDS, SUB_CELL
from .readmodel import stage_cells
from .services import journal
from .services.calendar import load_calendar
from .services.campaigns import require_campaign, templates
from .services.unit_data import item_values
from .workflow import GATES, STAGES
from .workflow.stages import FINISHED

HAMLETS = [
    "Bến Có", "Sóc Chuối", "Nô Công", "Cà Hom", "Chông Bát", "Bào Sen", "Giồng Lớn", "Sóc Giụt", "Nhì Trường",
    "Tân Lập", "Chà Và", "Căn Nom", "Ba So", "Long Bình", "Long Hanh", "Sơn Lang", "Bào Mốt", "Bưng Lớn",
    "Cây Da", "Cầu Xây", "Đồng Cò", "Giồng Giá", "Hòa Lục", "Huệ Sanh", "Khúc Ruột", "Kinh Xáng", "Lạc Sơn",
    "Mỹ Cẩm A", "Mỹ Cẩm B", "Mỹ Quý", "Năm Căn", "Ngã Ba", "Phú Thạnh", "Rạch Cỏ", "Sóc Cụt", "Sóc Mới",
    "Thống Nhất", "Trà Kim", "Trà Cuôn", "Bà Nhì", "Cái Già", "Hạnh Mỹ", "Kim Câu", "Ô Rồm", "Phiêu",
    "Sóc Xoài", "Tân Ngại", "Thôn Rôn", "Xóm Tro", "Giồng Ông Thìn", "Đường Liêu", "Long Thuận", "Mù U",
    "Bà Liêm", "Hòa Thạnh", "Hiệp Phú", "Lạc Hòa", "Tầm Phương", "Vĩnh Cửu", "Cồn Cù", "Cái Cỏ", "Láng Khoét",
    "Giồng Bèn", "Sóc Tro Trên", "Sóc Tro Dưới", "Chợ Trên", "Chợ Dưới", "Mỹ Thập", "Mỹ Trung", "Bà Ếch",
    "Nhà Thờ", "Nhất", "Đồng Khoen", "Nhà Dựa", "Thủy Hòa", "Ngọc Hồ", "Đầu Giồng", "Cầu Vĩ", "Thanh Nguyên",
    "Bình Tân", "Cẩm Hương", "Vàm Buôn", "Bà Tư", "Sà Vần", "Thạnh Hòa A", "Thạnh Hòa B", "Xoài Xiêm",
    "Lò Ngò", "Phước Hòa", "Rạch Giữa", "Sóc Ruộng", "Trà Mềm", "Chăng Mật", "Giồng Chanh", "Hòa Hưng",
    "Trung Hòa", "Tân Định",
]
SECTOR_CELLS = {  # committee code → its cells (chi bộ trực thuộc)
    "N01": ["Ban Chỉ huy Quân sự xã " + c for c in (
        "Mỹ Long Bắc", "Mỹ Long Nam", "Mỹ Hòa", "Vinh Kim", "Kim Hòa", "Hiệp Hòa", "Thuận Hòa", "Long Sơn",
        "Nhị Trường", "Trường Thọ", "Hiệp Mỹ Đông", "Hiệp Mỹ Tây", "Thạnh Hòa Sơn")]
    + ["Ban Chỉ huy Quân sự thị trấn Cầu Ngang", "Ban Chỉ huy Quân sự thị trấn Mỹ Long",
       "Cơ quan Ban Chỉ huy Quân sự huyện", "Đại đội Bộ binh", "Trung đội Dân quân cơ động", "Kho vũ khí"],
    "N02": ["Công an xã " + c for c in (
        "Mỹ Long Bắc", "Mỹ Long Nam", "Mỹ Hòa", "Vinh Kim", "Kim Hòa", "Hiệp Hòa", "Thuận Hòa", "Long Sơn",
        "Nhị Trường", "Trường Thọ", "Hiệp Mỹ Đông", "Hiệp Mỹ Tây", "Thạnh Hòa Sơn")]
    + ["Công an thị trấn Cầu Ngang", "Công an thị trấn Mỹ Long", "Đội Cảnh sát giao thông - Trật tự",
       "Đội Cảnh sát điều tra", "Đội An ninh", "Đội Tham mưu - Tổng hợp", "Đội Cảnh sát thi hành án hình sự",
       "Nhà tạm giữ"],
    "N03": ["Văn phòng HĐND và UBND huyện", "Phòng Nội vụ", "Phòng Tài chính - Kế hoạch", "Phòng Tư pháp",
            "Phòng Kinh tế và Hạ tầng", "Phòng Nông nghiệp và PTNT", "Phòng Tài nguyên và Môi trường",
            "Phòng Lao động - TB&XH", "Phòng Văn hóa và Thông tin", "Phòng Y tế", "Phòng Dân tộc",
            "Thanh tra huyện", "Trung tâm Dịch vụ nông nghiệp", "Văn phòng Đăng ký đất đai",
            "Đài Truyền thanh huyện", "Trung tâm Phát triển quỹ đất", "Ban Quản lý chợ",
            "Trường Mầm non Hoa Sen", "Trường Mầm non Thị trấn", "Trường Tiểu học Thị trấn A",
            "Trường Tiểu học Thị trấn B", "Trường THCS Mỹ Long", "Trường THCS Vinh Kim",
            "Trường THCS Hiệp Mỹ Tây", "Trường THCS Long Sơn", "Trường THCS Nhị Trường",
            "Trường THCS Kim Hòa", "Trường THCS Thuận Hòa"],
    "N04": ["Văn phòng Huyện ủy", "Ban Tổ chức Huyện ủy", "Ban Tuyên giáo Huyện ủy", "Ủy ban Kiểm tra Huyện ủy",
            "Ban Dân vận Huyện ủy", "Trung tâm Chính trị huyện", "Ủy ban MTTQ Việt Nam huyện",
            "Hội Cựu chiến binh huyện", "Ban Quản lý Di tích Ao Bà Om", "Hội Chữ thập đỏ huyện",
            "Ban Bảo vệ chăm sóc sức khỏe cán bộ", "Liên minh Hợp tác xã", "Hội Người cao tuổi",
            "Hội Khuyến học", "Hội Luật gia", "Hội Nạn nhân chất độc da cam", "Hội Đông y", "Hội Sinh vật cảnh",
            "Ban Đại diện Hội Người mù"],
}
COMMUNE_SECTOR = ["Trường Tiểu học", "Trạm Y tế", "Trường THCS"]  # in some communes, cells of their own
EXEMPTED_NOTE = "Sáp nhập vào chi bộ ấp liền kề theo Quyết định 215-QĐ/ĐU của Đảng ủy xã; không tổ chức đại hội riêng."


def plan(committees: list[Unit]) -> list[dict]:
    """The 220 cells: code, name, kind, parent, members, congress date (a few weeks before the committee's)."""
    rng = random.Random(2024)
    communes = [u for u in committees if u.kind == "commune_committee"]
    sectors = {u.code: u for u in committees if u.kind == "sector_committee"}
    hamlets = iter(HAMLETS)
    # 97 hamlets over 15 communes: 6 or 7 each (a town has fewer)
    counts = [5, 5] + [7] * 9 + [6] * 4
    cells = []

    def add(parent: Unit, n: int, name: str, members: tuple[int, int], letter: str):
        lead = rng.randint(12, 45)
        congress = parent.congress_date - timedelta(days=lead) if parent.congress_date else None
        cells.append({"code": f"{parent.code}-{letter}{n:02d}", "name": name, "kind": "sub_cell",
                      "parent": parent.code, "party_members": rng.randint(*members), "congress_date": congress,
                      "group": None})

    for commune, count in zip(communes, counts, strict=True):
        for n in range(1, count + 1):
            add(commune, n, "Chi bộ ấp " + next(hamlets), (9, 32), "A")
    for code, names in SECTOR_CELLS.items():
        for n, name in enumerate(names, 1):
            add(sectors[code], n, "Chi bộ " + name, (5, 25), "B")
    # 36 more sector cells in the communes: schools and clinics (123 sector cells in all)
    left = 123 - sum(len(v) for v in SECTOR_CELLS.values())
    for i in range(left):
        commune = communes[i % len(communes)]
        kind = COMMUNE_SECTOR[i // len(communes)]
        place = commune.name.replace("Đảng bộ xã ", "").replace("Đảng bộ ", "")
        add(commune, i // len(communes) + 1, f"Chi bộ {kind} {place}", (4, 14), "B")
    return cells


def seed_sub_cells(now: datetime, today: date) -> list[Unit]:
    """Create the cells when none exists (set-based: a few INSERTs, not 220 ORM units), with progress and
    one exemption; return them."""
    campaign = require_campaign()
    committees = list(db.session.scalars(select(Unit).where(
        Unit.campaign_id == campaign.id, Unit.kind.in_(COMMITTEE_KINDS), Unit.parent_id.is_(None)).order_by(Unit.code)))
    specs = plan(committees)
    codes = [s["code"] for s in specs]
    mine = Unit.campaign_id == campaign.id
    if not specs or db.session.scalar(select(Unit.id).where(mine, Unit.code.in_(codes)).limit(1)) is not None:
        return []
    parents = {c.code: c.id for c in committees}
    db.session.execute(insert(Unit), [
        {"campaign_id": campaign.id, "code": s["code"], "name": s["name"], "kind": SUB_CELL,
         "parent_id": parents[s["parent"]], "party_members": s["party_members"], "group_id": None, "pilot": False,
         "congress_date": s["congress_date"], "notes": "", "created_at": now} for s in specs])
    units = list(db.session.scalars(select(Unit).where(mine, Unit.code.in_(codes)).order_by(Unit.code)))
    calendar, items, lines = load_calendar(), [], []
    applying = [t for t in templates(campaign) if t.applies_to(SUB_CELL)]
    rng = random.Random(2026)
    for unit in units:
        diligence = rng.random()
        for t in applying:
            row = {**item_values(t, unit.congress_date, campaign, calendar), "unit_id": unit.id, "version": 1,
                   "done": False, "done_at": None, "note": "", "due_manual": False, "due_reason": ""}
            # the demo's rule for every unit: what fell due is done, a careless few a week late
            late = diligence < 0.25 and row["due_on"] and (today - row["due_on"]).days < 6
            if row["due_on"] and row["due_on"] <= today and not late:
                row["done"], row["version"] = True, 2
                row["done_at"] = min(datetime.combine(row["due_on"], time(10), tzinfo=now.tzinfo), now)
            items.append(row)
        lines.append({"unit_id": unit.id, "action": "unit_created", "at": now, "after": unit.code, "before": "",
                      "note": ""})
    _gated(items)
    db.session.execute(insert(Item), items)
    db.session.execute(insert(JournalEntry), lines)
    _settle(units, committees, today, now)
    return units


def _gated(items: list[dict]) -> None:
    """Undo the ticks a gate would have refused (a stage after one left unfinished stays untouched)."""
    by_unit: dict[int, list[dict]] = {}
    for row in items:
        by_unit.setdefault(row["unit_id"], []).append(row)
    for rows in by_unit.values():
        finished = {s for s in STAGES if all(r["done"] for r in rows if r["stage"] == s and r["required"])}
        for row in rows:
            if any(g not in finished for g in GATES.get(row["stage"], ())):
                row["done"], row["done_at"], row["version"] = False, None, 1


def _settle(cells: list[Unit], committees: list[Unit], today: date, now: datetime) -> None:
    """A committee whose congress is done saw its cells hold theirs first: finish them, but one merged cell."""
    status = stage_cells([c.id for c in committees], today)
    done = [c for c in committees if status[c.id]["congress"].status in FINISHED]
    exempt = next((c for c in reversed(cells) if c.parent_id in {d.id for d in done}
                   and c.code.split("-")[1].startswith("A")), cells[-1])
    finish = [c.id for c in cells if c.parent_id in {d.id for d in done} and c.id != exempt.id]
    upto = STAGES[:STAGES.index("congress") + 1]
    if finish:
        db.session.execute(update(Item).where(Item.unit_id.in_(finish), Item.stage.in_(upto), Item.done.is_(False))
                           .values(done=True, done_at=now - timedelta(days=2), version=Item.version + 1))
    # the merged cell holds no congress of its own: nothing of its congress or first session is ticked
    db.session.execute(update(Item).where(Item.unit_id == exempt.id, Item.stage.in_(("congress", "first_session")))
                       .values(done=False, done_at=None))
    reason = "merged" if exempt.id not in finish and exempt.parent_id in {d.id for d in done} else "postponed"
    db.session.add(SubCellExemption(unit_id=exempt.id, reason=reason, note=EXEMPTED_NOTE, at=now))
    journal.record(exempt.id, None, "sub_cell_exempted", now, after=reason, note=EXEMPTED_NOTE)
    db.session.flush()

"""Every output gives the same numbers for one world: the summary, the report page, both Word documents, the
XLSX export, the charts (captions and their own data), the dashboard's counters, `/overdue` and the calendar.

Random worlds from fixed seeds: two campaigns (the first archived by copying it, with progress of its own that
must not leak), archived units, exempted and unexempted sub-cells, some following their committee's working
group, stages ticked, verified and returned, results entered for held and for unheld congresses and missing
for held ones. The expected numbers are counted here in plain Python from CONTRACT.md's definitions and the
pure status rule (workflow.status), never from the app's queries; every output is parsed back to them.
"""
from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from tests import factories
from tests.factories import NOW, PASSWORD
from tracker.campaigns.service import copy_campaign
from tracker.edits.service import set_unit_archived
from tracker.extensions import db
from tracker.models import (
    Campaign,
    CongressResult,
    Item,
    StageReview,
    SubCellExemption,
    Unit,
)
from tracker.services import units as unit_service
from tracker.workflow import STAGES, ItemFacts, stage_status

TODAY = date(2030, 4, 1)  # NOW's local date
FINISHED = ("done", "verified")
SUB = "sub_cell"
SEEDS = (3, 17, 41, 2030)


# ---- the world -------------------------------------------------------------------------------------------

def _result(rng: random.Random, unit: Unit) -> CongressResult:
    elected = rng.randint(3, 15)
    re_elected = rng.randint(0, elected)
    return CongressResult(
        unit_id=unit.id, held_on=min(unit.congress_date or TODAY, TODAY - timedelta(days=1)),
        committee_elected=elected, re_elected=re_elected, first_time=elected - re_elected,
        women=rng.randint(0, elected), young=rng.randint(0, elected), ethnic_minority=rng.randint(0, elected),
        delegates_official=rng.randint(0, 5), delegates_alternate=rng.randint(0, 2))


def _progress(rng: random.Random, campaign_id: int, forced: dict[int, int] | None = None) -> None:
    """Random ticks, reviews and results on the campaign's units (raw rows: the outputs read the rows);
    `forced`: {unit id: stages fully ticked} for the units whose case the world must hold."""
    units = db.session.scalars(select(Unit).where(Unit.campaign_id == campaign_id).order_by(Unit.code)).all()
    for unit in units:
        reach = (forced or {}).get(unit.id, rng.choice([0, 1, 2, 3, 4, 5, 6, 6]))  # stages ticked, in order
        if unit.id in (forced or {}):
            continue
        for n, stage in enumerate(STAGES):
            items = [i for i in unit.items if i.stage == stage]
            for item in items:
                if n < reach or (n == reach and rng.random() < 0.4):
                    item.done = True
                    item.done_at = NOW - timedelta(days=rng.randint(1, 40))
            review = rng.choice([None, None, None, "verified", "returned"])
            if review and items:
                db.session.add(StageReview(unit_id=unit.id, stage=stage, state=review))
        held = reach >= 5
        if (held and rng.random() < 0.75) or (not held and rng.random() < 0.3):
            db.session.add(_result(rng, unit))
    db.session.commit()


def _force(rng: random.Random, units: list[Unit], exempted: list[Unit]) -> dict[int, int]:
    """Ticks and results for the cases every world must hold, whatever the seed: an exempted cell with late
    items, a direct unit held without results, one not held with results, a late one, a held cell."""
    direct = [u for u in units if u.kind != SUB and u.archived_at is None]
    cells = [u for u in units if u.kind == SUB and u.archived_at is None and u not in exempted]
    late_day = date(2030, 3, 1)
    unit_service.set_congress_date(exempted[0], late_day, None, NOW)      # late items, exempted: never late
    held_bare, unheld_result, late = rng.sample(direct, 3)
    unit_service.set_congress_date(late, late_day, None, NOW)
    cell = rng.choice(cells)
    db.session.flush()
    for unit, reach in ((held_bare, 6), (cell, 6)):
        for item in unit.items:
            if STAGES.index(item.stage) < reach:
                item.done, item.done_at = True, NOW - timedelta(days=2)
    db.session.add(_result(rng, unheld_result))
    return {exempted[0].id: 0, held_bare.id: 6, unheld_result.id: 1, late.id: 0, cell.id: 6}


def build(seed: int) -> Campaign:
    """A random world; returns the active campaign (the second one)."""
    rng = random.Random(seed)
    factories.make_group("G1", "Tổ công tác 1")
    factories.make_group("G2", "Tổ công tác 2")
    day = lambda: date(2030, 2, 10) + timedelta(days=rng.randint(0, 110))  # noqa: E731 - past and future

    committees = []
    for n in range(rng.randint(3, 5)):
        kind = rng.choice(["commune_committee", "sector_committee"])
        committees.append(factories.make_unit(f"C{n}", kind, rng.choice(["G1", "G2", None]), day(),
                                              pilot=rng.random() < 0.2))
    for n in range(rng.randint(2, 4)):
        factories.make_unit(f"K{n}", "grassroots_cell", rng.choice(["G1", "G2"]), day())
    for n in range(rng.randint(5, 9)):
        parent = rng.choice(committees)
        factories.make_unit(f"{parent.code}-S{n}", SUB, rng.choice([None, None, "G1", "G2"]),
                            rng.choice([day(), None]), parent=parent.code)
    first = db.session.scalar(select(Campaign))
    _progress(rng, first.id)

    second = copy_campaign(first, "Nhiệm kỳ mới", "2030–2035", shift_days=0)  # the same congress dates
    db.session.commit()
    units = db.session.scalars(select(Unit).where(Unit.campaign_id == second.id).order_by(Unit.code)).all()
    for unit in rng.sample(units, 2):
        set_unit_archived(unit, True, None, NOW)
    cells = [u for u in units if u.kind == SUB and u.archived_at is None]
    exempted = rng.sample(cells, min(3, len(cells) - 1))
    for cell in exempted:
        db.session.add(SubCellExemption(unit_id=cell.id, reason=rng.choice(["merged", "postponed", "dissolved"]),
                                        note="x"))
    forced = _force(rng, units, exempted)
    db.session.commit()
    _progress(rng, second.id, forced)
    return second


# ---- the plain count (CONTRACT.md) -------------------------------------------------------------------------

@dataclass
class Expected:
    """What every output must say, counted here."""

    direct: int = 0
    held: int = 0
    cells: int = 0
    cells_held: int = 0
    cells_exempted: int = 0         # exempted and not held
    elected: int = 0
    women: int = 0
    not_done: int = 0               # direct units and cells not held, exempted cells left out
    finished: dict[str, int] = field(default_factory=dict)     # direct units per stage, done or verified
    overdue: dict[str, int] = field(default_factory=dict)      # direct units per stage, overdue
    overdue_units: int = 0          # direct units with an overdue stage
    overdue_pairs: set = field(default_factory=set)            # (code, stage) of every unit that counts
    overdue_direct_pairs: set = field(default_factory=set)
    listed: set = field(default_factory=set)                   # codes of every live unit (direct and cells)
    direct_codes: set = field(default_factory=set)
    congress_days: dict[str, date] = field(default_factory=dict)  # the calendar's congresses


def count(campaign: Campaign, group: str | None = None) -> Expected:
    """The numbers CONTRACT.md defines, from the rows, in plain Python."""
    units = db.session.scalars(select(Unit).where(Unit.campaign_id == campaign.id)).all()
    by_id = {u.id: u for u in units}
    exempt = set(db.session.scalars(select(SubCellExemption.unit_id)))
    reviews = {(r.unit_id, r.stage): r.state for r in db.session.scalars(select(StageReview))}
    results = {r.unit_id: r for r in db.session.scalars(select(CongressResult))}
    facts: dict[tuple[int, str], list[ItemFacts]] = {}
    for item in db.session.scalars(select(Item)):
        facts.setdefault((item.unit_id, item.stage), []).append(ItemFacts(item.required, item.done, item.due_on))

    def group_of(u: Unit) -> str | None:
        # a sub-cell without a group of its own follows its committee's
        g = u.group if u.group is not None or u.kind != SUB else by_id[u.parent_id].group
        return g.code if g else None

    out = Expected(finished={s: 0 for s in STAGES}, overdue={s: 0 for s in STAGES})
    for u in units:
        if u.archived_at is not None or (group is not None and group_of(u) != group):
            continue
        status = {s: stage_status(facts.get((u.id, s), []), reviews.get((u.id, s)), TODAY, u.id in exempt)
                  for s in STAGES}
        held = status["congress"] in FINISHED
        out.listed.add(u.code)
        late = {s for s in STAGES if status[s] == "overdue"}
        out.overdue_pairs |= {(u.code, s) for s in late}
        if u.congress_date and u.id not in exempt:
            out.congress_days[u.code] = u.congress_date
        if u.kind == SUB:
            out.cells += 1
            out.cells_held += held
            out.cells_exempted += (not held and u.id in exempt)
            out.not_done += not held and u.id not in exempt
            continue
        out.direct += 1
        out.direct_codes.add(u.code)
        out.held += held
        out.not_done += not held
        out.overdue_units += bool(late)
        out.overdue_direct_pairs |= {(u.code, s) for s in late}
        for s in STAGES:
            out.finished[s] += status[s] in FINISHED
            out.overdue[s] += status[s] == "overdue"
        if u.id in results:
            out.elected += results[u.id].committee_elected
            out.women += results[u.id].women
    return out


# ---- the outputs, parsed back ------------------------------------------------------------------------------

def _num(text: str) -> int:
    return int(text.replace(".", "").replace(",", ""))


def _one(pattern: str, text: str) -> tuple[int, ...]:
    found = re.findall(pattern, text)
    assert found, f"{pattern!r} not in the output"
    assert len(set(found)) == 1, f"{pattern!r} says different things: {found}"
    first = found[0] if isinstance(found[0], tuple) else (found[0],)
    return tuple(_num(x) for x in first)


HEADLINE = r"(\d+)/(\d+) units held their congress"
BURN_UP = r"By \d\d/\d\d/\d{4}: (\d+) of (\d+) units have held their congress"
STAGES_CAPTION = r"By \d\d/\d\d/\d{4}, of (\d+) units: Dissemination \d+;.*?Congress held (\d+);"


# the Word documents are written in the office's language, Vietnamese, whoever downloads them
HEADLINE_VI = r"(\d+)/(\d+) đơn vị đã tổ chức xong đại hội"
BURN_UP_VI = r"Đến ngày \d\d/\d\d/\d{4}: (\d+)/(\d+) đơn vị đã tổ chức đại hội"
STAGES_VI = r"trên tổng số (\d+) đơn vị: ((?:[^;.]+ \d+; ){4})[^;.]+ (\d+);"


def _docx_text(data: bytes) -> tuple[str, list[list[list[str]]]]:
    doc = Document(io.BytesIO(data))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return "\n".join(p.text for p in doc.paragraphs), tables


@pytest.fixture
def office(app):
    """An English-speaking admin's page client and API headers (numbers parse the same in any language)."""
    def make():
        admin = factories.make_user("office@example.org", "admin", name="Văn phòng")
        admin.locale = "en"
        db.session.commit()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        assert client.post("/login", data={"email": admin.email, "password": PASSWORD,
                                           "csrf_token": token}).status_code == 302
        return client, factories.bearer(admin)
    return make


def _check(client, headers, want: Expected, group: str | None = None) -> None:
    q = f"?group={group}" if group else ""

    # the summary
    s = client.get(f"/api/v1/reports/summary{q}", headers=headers).get_json()
    assert (s["units"]["total"], s["units"]["congress_held"]) == (want.direct, want.held)
    assert (s["sub_cells"]["total"], s["sub_cells"]["congress_held"]) == (want.cells, want.cells_held)
    assert (s["committee"]["elected"], s["committee"]["women"]["count"]) == (want.elected, want.women)

    # the report page: headline, the total row of the table by kind, the list of units not done
    page = client.get(f"/reports{q}").get_data(as_text=True)
    assert _one(HEADLINE, page) == (want.held, want.direct)
    total_row = re.search(r"<td>Total</td>\s*<td class=\"text-end\">(\d+)</td><td class=\"text-end\">(\d+)</td>",
                          page)
    assert (int(total_row[1]), int(total_row[2])) == (want.direct, want.held)
    assert _one(r'id="not-done">[^<]*\(([\d.,]+)\)</h2>', page) == (want.not_done,)
    assert _one(BURN_UP, page) == (want.held, want.direct)

    # the charts' own data and captions
    burn = client.get(f"/charts/burn-up.svg{q}{'&' if q else '?'}format=json").get_json()
    assert (burn["data"]["held"], burn["data"]["units"]) == (want.held, want.direct)
    assert _one(BURN_UP, burn["caption"]) == (want.held, want.direct)
    steps = client.get(f"/charts/stages.svg{q}{'&' if q else '?'}format=json").get_json()
    assert steps["data"]["units"] == want.direct
    assert steps["data"]["finished"] == want.finished
    assert _one(STAGES_CAPTION, steps["caption"]) == (want.direct, want.finished["congress"])
    comp = client.get(f"/charts/composition.svg{q}{'&' if q else '?'}format=json").get_json()
    assert comp["data"]["rows"][-1]["kind"] == "all"
    assert comp["data"]["rows"][-1]["elected"] == want.elected

    # the results report (.docx): headline, the table by kind, the list of units not done, the chart captions
    text, tables = _docx_text(client.get(f"/reports/export.docx{q}").data)
    assert _one(HEADLINE_VI, text) == (want.held, want.direct)
    assert _one(r"Các đơn vị chưa tổ chức xong đại hội \((\d+)\)", text) == (want.not_done,)
    assert _one(BURN_UP_VI, text) == (want.held, want.direct)
    by_kind = next(t for t in tables if t[0][0] == "Loại")
    direct_rows = [r for r in by_kind[1:] if r[0] not in ("Chi bộ trực thuộc", "Tổng cộng")]
    assert sum(_num(r[1]) for r in direct_rows) == want.direct
    assert sum(_num(r[2]) for r in direct_rows) == want.held

    # the progress report (.docx): headline, the cells apart, units by stage, overdue, its charts
    text, tables = _docx_text(client.get(f"/reports/progress.docx{q}").data)
    said = _one(r"trong tổng số (\d+) đơn vị, có (\d+) đơn vị đã tổ chức xong đại hội; (\d+) giai đoạn quá hạn", text)
    assert said == (want.direct, want.held, sum(want.overdue.values()))
    if want.cells:
        assert _one(r"Chi bộ trực thuộc đảng bộ cơ sở: (\d+)/(\d+) chi bộ đã tổ chức đại hội; (\d+) chi bộ không",
                    text) == (want.cells_held, want.cells, want.cells_exempted)
    by_stage = next(t for t in tables if t[0][0] == "Giai đoạn")
    heads, lines = by_stage[0], dict(zip(STAGES, by_stage[1:], strict=True))
    for stage, line in lines.items():
        assert _num(line[heads.index("Hoàn thành")]) + _num(line[heads.index("Đã xác nhận")]) == want.finished[stage]
        assert _num(line[heads.index("Quá hạn")]) == want.overdue[stage]
    overdue_table = next((t for t in tables if "Số ngày trễ" in t[0]), [[]])  # no table when nothing is late
    assert {r[0] for r in overdue_table[1:]} == {code for code, _s in want.overdue_direct_pairs}
    units, _four, congress = re.search(STAGES_VI, text).groups()
    assert (int(units), int(congress)) == (want.direct, want.finished["congress"])
    assert _one(BURN_UP_VI, text) == (want.held, want.direct)

    # the XLSX export: every unit that counts, once; the total row is the summary's
    book = load_workbook(io.BytesIO(client.get(f"/reports/export.xlsx{q}").data), read_only=True)
    rows = list(book["Units"].iter_rows(values_only=True))
    head, body, total = rows[0], rows[1:-1], rows[-1]
    assert {r[0] for r in body} == want.listed
    at = head.index("Congress held")
    assert total[0] == "Total" and total[at] == want.held
    assert sum(1 for r in body if r[0] in want.direct_codes and r[at] == "Yes") == want.held

    # the CSV export: the same rows and total as the workbook
    text_csv = client.get(f"/reports/export.csv{q}").get_data(as_text=True).lstrip("\ufeff")
    lines_csv = list(csv.reader(io.StringIO(text_csv)))
    head_csv, body_csv, total_csv = lines_csv[0], lines_csv[1:-1], lines_csv[-1]
    assert {r[0] for r in body_csv} == want.listed
    at_csv = head_csv.index("Congress held")
    assert total_csv[0] == "Total" and int(total_csv[at_csv]) == want.held
    assert sum(1 for r in body_csv if r[0] in want.direct_codes and r[at_csv] == "Yes") == want.held


def _check_everything(client, headers, want: Expected) -> None:
    # the dashboard's counters: the direct units, the stages' totals, the overdue filter
    page = client.get("/").get_data(as_text=True)
    assert _one(r"(\d+) units ·", page) == (want.direct,)
    feet = re.findall(r'<td class="totals">(.*?)</td>', page.split("<tfoot>")[1], re.S)
    for stage, cell in zip(STAGES, feet, strict=True):
        said = {k: int(v) for k, v in re.findall(r"</span>([A-Za-z ]+): (\d+)</div>", cell)}
        assert said.get("Done", 0) + said.get("Verified", 0) == want.finished[stage], stage
        assert said.get("Overdue", 0) == want.overdue[stage], stage
    assert _one(BURN_UP, page) == (want.held, want.direct)
    assert _one(r"(\d+) units ·", client.get("/?overdue=1").get_data(as_text=True)) == (want.overdue_units,)

    # /overdue: every overdue stage of every unit that counts, exempted cells never
    listed = client.get("/api/v1/overdue?per_page=1000", headers=headers).get_json()["items"]
    assert {(i["unit"], i["stage"]) for i in listed} == want.overdue_pairs

    # the calendar: the congresses of the live, unexempted units, month by month
    shown: dict[str, date] = {}
    for month in (2, 3, 4, 5, 6):
        page = client.get(f"/calendar?date=2030-{month:02d}-01").get_data(as_text=True)
        shown |= {code: None for code in re.findall(r'class="cal-entry cal-congress[^"]*" href="/units/([^"]+)"', page)}
    assert set(shown) == set(want.congress_days)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_output_gives_the_same_numbers(seed, campaign, office, frozen):
    with frozen(NOW):
        active = build(seed)
        client, headers = office()
        want = count(active)
        _reaches_every_case(active, want)
        _check(client, headers, want)
        _check_everything(client, headers, want)
        for group in ("G1", "G2"):
            _check(client, headers, count(active, group), group)


def _reaches_every_case(active: Campaign, want: Expected) -> None:
    """The world holds what the comparison is about: archived units, exempted cells with late items, overdue
    and held units, results missing for a held congress and entered for an unheld one, an archived campaign."""
    assert db.session.scalar(select(Campaign).where(Campaign.id != active.id)).active is False
    results = {r.unit_id for r in db.session.scalars(select(CongressResult))}
    exempt = set(db.session.scalars(select(SubCellExemption.unit_id)))
    seen = {"archived": 0, "exempt_late": 0, "held_no_result": 0, "result_not_held": 0,
            "held": want.held, "overdue": want.overdue_units, "cells_held": want.cells_held}
    for u in db.session.scalars(select(Unit).where(Unit.campaign_id == active.id)):
        if u.archived_at is not None:
            seen["archived"] += 1
            continue
        done = all(i.done for i in u.items if i.stage == "congress" and i.required)
        seen["held_no_result"] += done and u.id not in results
        seen["result_not_held"] += (not done) and u.id in results
        seen["exempt_late"] += u.id in exempt and any(
            i.required and not i.done and i.due_on and i.due_on < TODAY for i in u.items)
    assert all(seen.values()), seen

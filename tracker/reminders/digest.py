"""A digest a person can read, rendered from the ledger when it is sent or shown (never stored by the sweep).

A digest lists at most MAX_LINES items, the oldest due first, grouped by unit and stage; a longer one
(a working group's fifteen units, an admin's escalations of a province or of the nation) then says how
many more there are, counts them by working group and by unit (the TOP_COUNTS largest of each) and
links to the dashboard filtered to overdue units. Its subject names only the parts that are not zero.
It also carries the news that matters the sweep gave that day's digest (services/news.py: rows whose
`digested_on` is the digest's day), the newest DIGEST_NEWS_LINES of them, without the text of a
personnel-stage item (DESIGN.md: the inbox shows it, a mail does not). A digest of news only is titled
by its news. Everything is read in a fixed number of queries per batch of digests, whatever their size.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Optional
from urllib.parse import urlencode

from flask import current_app, render_template
from flask_babel import force_locale, format_decimal, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select, tuple_
from sqlalchemy.orm import Session

from ..labels import stage_label
from ..models import Item, ReminderLedger, Unit, User, WorkingGroup
from ..services.news import DigestNews, digest_news
from ..workflow import STAGES

MAX_LINES = 20  # a screenful
TOP_COUNTS = 10  # groups and units named in the counts of a long digest

Key = tuple[int, date]  # (recipient, local day)


@dataclass
class Line:
    """One item of a digest, as the ledger recorded it."""

    kind: str  # due_soon:N | overdue | escalation
    stage: str
    position: int
    title_vi: str
    title_en: str
    due_on: date  # the due date reminded about
    done: bool  # ticked since
    unit_code: str
    unit_name: str

    @property
    def category(self) -> str:
        """due_soon, overdue or escalation."""
        return self.kind.split(":")[0]


@dataclass
class Digest:
    """What one recipient's digest of one day is about: counts, the first lines, counts by group and unit."""

    user_id: int
    ref_date: date
    name: str = ""
    email: str = ""
    locale: Optional[str] = None
    role: str = ""
    soon: int = 0
    overdue: int = 0  # escalations included
    lines: list[Line] = field(default_factory=list)
    by_group: list[tuple[Optional[str], Optional[str], int]] = field(default_factory=list)
    groups_total: int = 0
    by_unit: list[tuple[str, str, int]] = field(default_factory=list)
    units_total: int = 0
    news: list[DigestNews] = field(default_factory=list)  # the newest DIGEST_NEWS_LINES, oldest first
    news_total: int = 0

    @property
    def total(self) -> int:
        """How many reminders the digest holds."""
        return self.soon + self.overdue

    @property
    def more(self) -> int:
        """How many are not listed line by line."""
        return max(0, self.total - len(self.lines))


def _scope(keys: list[Key]):
    uids = sorted({u for u, _d in keys})
    days = sorted({d for _u, d in keys})
    # the plain IN lists let the (ref_date, user_id) index narrow the rows; the pairs make it exact
    return and_(ReminderLedger.ref_date.in_(days), ReminderLedger.user_id.in_(uids),
                tuple_(ReminderLedger.user_id, ReminderLedger.ref_date).in_(keys))


def load_digests(session: Session, keys: Iterable[Key]) -> dict[Key, Digest]:
    """The digests of these (recipient, day) pairs, read from the ledger and the news in at most six queries."""
    keys = sorted(set(keys))
    out: dict[Key, Digest] = {k: Digest(*k) for k in keys}
    if not keys:
        return out
    for i in range(0, len(keys), 500):  # bind-parameter limits
        _load(session, keys[i:i + 500], out)
    return out


def _load(session: Session, keys: list[Key], out: dict[Key, Digest]) -> None:
    scope = _scope(keys)
    L = ReminderLedger
    days_of: dict[int, list[date]] = defaultdict(list)
    for uid, day in keys:
        days_of[uid].append(day)
    for u in session.execute(select(User.id, User.name, User.email, User.locale, User.role)
                             .where(User.id.in_(list(days_of)))):
        for day in days_of[u.id]:
            d = out[(u.id, day)]
            d.name, d.email, d.locale, d.role = u.name, u.email, u.locale, u.role
    soon = case((L.kind.like("due_soon%"), 1), else_=0)
    for uid, day, n_soon, n_all in session.execute(
            select(L.user_id, L.ref_date, func.sum(soon), func.count()).where(scope).group_by(L.user_id, L.ref_date)):
        d = out[(uid, day)]
        d.soon, d.overdue = int(n_soon or 0), int(n_all) - int(n_soon or 0)

    rank = func.row_number().over(partition_by=(L.user_id, L.ref_date),
                                  order_by=(L.due_on, Unit.code, Item.position, L.kind)).label("rn")
    ranked = (select(L.user_id, L.ref_date, L.kind, L.due_on, Item.stage, Item.position, Item.title_vi,
                     Item.title_en, Item.done, Unit.code, Unit.name, rank)
              .join(Item, Item.id == L.item_id).join(Unit, Unit.id == Item.unit_id).where(scope).subquery())
    for r in session.execute(select(ranked).where(ranked.c.rn <= MAX_LINES)):
        out[(r.user_id, r.ref_date)].lines.append(
            Line(r.kind, r.stage, r.position, r.title_vi, r.title_en, r.due_on, bool(r.done), r.code, r.name))

    for key, (items, total) in digest_news(session, keys).items():
        out[key].news, out[key].news_total = items, total

    long = [k for k in keys if out[k].more]
    if long:
        _counts(session, long, out)


def _counts(session: Session, keys: list[Key], out: dict[Key, Digest]) -> None:
    """The TOP_COUNTS largest working groups and units of each long digest, and how many there are."""
    L = ReminderLedger
    scope = _scope(keys)
    for by in ("group", "unit"):
        if by == "group":
            cols = (WorkingGroup.code.label("code"), WorkingGroup.name.label("name"))
            base = (select(L.user_id, L.ref_date, *cols, func.count().label("n"))
                    .join(Item, Item.id == L.item_id).join(Unit, Unit.id == Item.unit_id)
                    .outerjoin(WorkingGroup, WorkingGroup.id == Unit.group_id)
                    .where(scope).group_by(L.user_id, L.ref_date, WorkingGroup.code, WorkingGroup.name))
        else:
            cols = (Unit.code.label("code"), Unit.name.label("name"))
            base = (select(L.user_id, L.ref_date, *cols, func.count().label("n"))
                    .join(Item, Item.id == L.item_id).join(Unit, Unit.id == Item.unit_id)
                    .where(scope).group_by(L.user_id, L.ref_date, Unit.code, Unit.name))
        agg = base.subquery()
        part = (agg.c.user_id, agg.c.ref_date)
        ranked = select(agg, func.row_number().over(partition_by=part, order_by=(agg.c.n.desc(), agg.c.code))
                        .label("rn"), func.count().over(partition_by=part).label("total")).subquery()
        for r in session.execute(select(ranked).where(ranked.c.rn <= TOP_COUNTS)
                                 .order_by(ranked.c.user_id, ranked.c.ref_date, ranked.c.rn)):
            d = out[(r.user_id, r.ref_date)]
            if by == "group":
                d.by_group.append((r.code, r.name, int(r.n)))
                d.groups_total = int(r.total)
            else:
                d.by_unit.append((r.code, r.name, int(r.n)))
                d.units_total = int(r.total)


# ---- words ---------------------------------------------------------------------------------------

def base_url() -> str:
    """The address links in emails start with (TRACKER_BASE_URL)."""
    return str(current_app.config.get("BASE_URL") or "http://localhost:5000").rstrip("/")


def reader_locale(locale: Optional[str]) -> str:
    """The recipient's language, else the app's default."""
    return locale if locale in ("vi", "en") else current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")


def number(n: int) -> str:
    """A count in the reader's language (75.945 in Vietnamese)."""
    return format_decimal(n, format="#,##0")


def kind_text(kind: str, due_on: date, today: date) -> str:
    """What a digest line says about an item: due in N days, due today, overdue by N days."""
    days = (due_on - today).days
    if kind.startswith("due_soon"):
        if days <= 0:
            return _("due today")
        return ngettext("due in %(num)s day", "due in %(num)s days", days)
    late = -days
    if kind == "escalation":
        return ngettext("overdue by %(num)s day, escalated", "overdue by %(num)s days, escalated", late)
    return ngettext("overdue by %(num)s day", "overdue by %(num)s days", late)


def subject(d: Digest) -> str:
    """"Nhắc việc ngày 10/05/2030: 3 việc quá hạn, 2 việc sắp đến hạn", leaving out the parts that are zero;
    "Tin mới ngày 10/05/2030: 2 tin" for a digest of news only."""
    if not d.total and d.news_total:
        return _("News for %(date)s: %(n)s items", date=d.ref_date.strftime("%d/%m/%Y"), n=number(d.news_total))
    parts = []
    if d.overdue:
        parts.append(ngettext("%(n)s overdue", "%(n)s overdue", d.overdue, n=number(d.overdue)))
    if d.soon:
        parts.append(ngettext("%(n)s due soon", "%(n)s due soon", d.soon, n=number(d.soon)))
    if d.news_total:
        parts.append(ngettext("%(n)s piece of news", "%(n)s pieces of news", d.news_total, n=number(d.news_total)))
    head = _("Reminders for %(date)s", date=d.ref_date.strftime("%d/%m/%Y"))
    return f"{head}: {', '.join(parts)}" if parts else head


def dashboard_url(d: Digest) -> str:
    """Where the whole list is: the unit's page for one unit, else the dashboard's overdue units (one group's)."""
    if d.units_total == 1 and d.by_unit:
        return f"{base_url()}/units/{d.by_unit[0][0]}"
    params = {"overdue": "1"}
    if d.groups_total == 1 and d.by_group and d.by_group[0][0]:
        params["group"] = d.by_group[0][0]
    return f"{base_url()}/?{urlencode(params)}"


def context(d: Digest, locale: str) -> dict:
    """What the digest templates need (call inside force_locale(locale))."""
    by_unit: dict[tuple[str, str], dict[str, list[Line]]] = defaultdict(lambda: defaultdict(list))
    for line in d.lines:
        by_unit[(line.unit_code, line.unit_name)][line.stage].append(line)
    units = []
    for (code, name), stages in sorted(by_unit.items()):
        rows = []
        for stage in sorted(stages, key=lambda s: STAGES.index(s) if s in STAGES else 99):
            rows.append({"key": stage, "label": stage_label(stage), "lines": [
                {"title": line.title_en if locale == "en" else line.title_vi, "due_on": line.due_on,
                 "kind": line.category, "done": line.done, "text": kind_text(line.kind, line.due_on, d.ref_date)}
                for line in sorted(stages[stage], key=lambda x: (x.position, x.kind))]})
        units.append({"code": code, "name": name, "url": f"{base_url()}/units/{code}", "stages": rows})
    no_group = _("No working group")
    return {"units": units, "today": d.ref_date, "name": d.name, "subject": subject(d), "digest": d,
            "more": d.more, "more_text": ngettext("… and %(n)s more item.", "… and %(n)s more items.",
                                                  d.more, n=number(d.more)) if d.more else "",
            "by_group": [(f"{c} — {n}" if c else no_group, number(k)) for c, n, k in d.by_group],
            "groups_more": max(0, d.groups_total - len(d.by_group)),
            "by_unit": [(f"{c} — {n}", number(k)) for c, n, k in d.by_unit],
            "units_more": max(0, d.units_total - len(d.by_unit)),
            "dashboard_url": dashboard_url(d) if d.more else "", "inbox_url": f"{base_url()}/inbox",
            "news": news_context(d)}


def news_context(d: Digest) -> Optional[dict]:
    """The news section of a digest's mail (None without news): personnel-stage texts left out."""
    if not d.news:
        return None
    lines = [{"headline": n.headline, "unit": f"{n.unit_code} — {n.unit_name}",
              "url": f"{base_url()}/units/{n.unit_code}", "label": n.text_label, "text": n.mail_text}
             for n in d.news]
    return {"lines": lines, "more": max(0, d.news_total - len(d.news)), "count": d.news_total}


def render(d: Digest) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one digest in the recipient's language."""
    locale = reader_locale(d.locale)
    with force_locale(locale):
        ctx = context(d, locale)
        return ctx["subject"], render_template("email/digest.txt", **ctx), render_template("email/digest.html", **ctx)


def render_many(digests: Iterable[Digest]) -> dict[Key, tuple[str, str, str]]:
    """render() for many digests, switching language once per language rather than once per digest."""
    by_locale: dict[str, list[Digest]] = defaultdict(list)
    for d in digests:
        by_locale[reader_locale(d.locale)].append(d)
    out = {}
    for locale, group in by_locale.items():
        with force_locale(locale):
            for d in group:
                ctx = context(d, locale)
                out[(d.user_id, d.ref_date)] = (ctx["subject"], render_template("email/digest.txt", **ctx),
                                                render_template("email/digest.html", **ctx))
    return out


def subjects(digests: Iterable[Digest], locale: Optional[str] = None) -> dict[Key, str]:
    """The subject of each digest, in `locale` (the page's) or else each recipient's language."""
    out = {}
    for d in digests:
        with force_locale(locale or reader_locale(d.locale)):
            out[(d.user_id, d.ref_date)] = subject(d)
    return out

"""What the Party-format documents say: the results report and the progress report (see partydoc.py for the form).

Both are written in the reader's locale for numbers and words (the views write them in Vietnamese:
the format is the Party's). Charts are taken as `figures` (PNG) and placed after the tables, so the
charts work can hand them in without touching the text.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _

from ..formatting import current_format, fmt_date
from ..labels import stage_label, status_label
from ..models import Campaign
from ..services.result_fields import targets_of
from ..workflow import STAGES, STATUSES
from .compare import Change
from .compare import label as compare_label
from .models import ReportDocumentSettings
from .partydoc import WIDE_TABLE_PT, Figure, Issuer, PartyDocument
from .progress import Progress
from .query import SHARES, Report
from .text import Words, headline

KIND = "Báo cáo"  # the document's kind as the guidance names it (written in capitals)


def issuer_of(campaign: Campaign, settings: ReportDocumentSettings) -> Issuer:
    """The header and closing of the campaign's documents, from its organiser and its document settings."""
    return Issuer(committee=campaign.organiser or "", superior=settings.superior or "",
                  number_symbol=settings.number_symbol or "BC", number=settings.number or "",
                  place=settings.place or "", signing_authority=settings.signing_authority or "",
                  signer_title=settings.signer_title or "", signer_name=settings.signer_name or "",
                  recipients=tuple(settings.recipient_lines))


def _scope_words(campaign: Campaign, group) -> str:
    term = _(", term %(term)s", term=campaign.term) if campaign.term else ""
    part = _(" (working group %(name)s)", name=group.name) if group is not None else ""
    return term + part


def results_document(report: Report, settings: ReportDocumentSettings, figures: Sequence[Figure] = (),
                     comparison: Sequence[Change] = ()) -> bytes:
    """The results report as .docx bytes: headline, results by kind, units not done, below target, comparison."""
    fmt, words = current_format(), Words()
    n, p = fmt.number, fmt.percent
    s, campaign = report.summary, report.campaign
    doc = PartyDocument()
    title = _("Results of the congresses of the grassroots Party organisations%(scope)s",
              scope=_scope_words(campaign, report.group))
    doc.header(issuer_of(campaign, settings), report.today)
    doc.title(KIND, title)
    doc.properties(title, campaign.organiser or "")
    for sentence in headline(s, campaign.youth_age, report.today, campaign.ethnic_group):
        doc.paragraph(sentence)
    if s["units"]["pilot"]:
        doc.paragraph(_("Pilot congresses: %(n)s.", n=n(s["units"]["pilot"])))

    doc.heading(_("1. Results by kind of unit"))
    kinds = report.by_kind + [("", s)]
    label = lambda kind: words.kind(kind) if kind else _("Total")  # noqa: E731
    share = lambda k, name: f"{n(k['committee'][name]['count'])}\n({p(k['committee'][name]['percent'])})"  # noqa: E731
    doc.table([_("Kind"), _("Units"), _("Congress held"), words.field("committee_elected")]
              + [words.field(name) for name in SHARES],
              [[label(kind), n(k["units"]["total"]), n(k["units"]["congress_held"]), n(k["committee"]["elected"])]
               + [share(k, name) for name in SHARES] for kind, k in kinds],
              widths_cm=[2.4, 1.3, 1.3, 1.4] + [2.0] * len(SHARES), size=WIDE_TABLE_PT)
    doc.table([_("Kind"), words.field("delegates_official"), words.field("delegates_alternate"),
               words.field("standing_committee"), _("Secretaries"), words.field("sessions"),
               words.field("attendees"), words.field("members_reached")],
              [[label(kind), n(k["delegates"]["official"]), n(k["delegates"]["alternate"]),
                n(k["first_session"]["standing_committee"]), n(k["first_session"]["secretaries"]),
                n(k["dissemination"]["sessions"]), n(k["dissemination"]["attendees"]),
                f"{n(k['dissemination']['members_reached'])}\n({p(k['dissemination']['percent_reached'])})"]
               for kind, k in kinds],
              widths_cm=[2.8, 1.8, 1.8, 2.1, 1.5, 1.7, 1.9, 2.4], size=WIDE_TABLE_PT)
    for c in s.get("custom") or []:
        doc.paragraph(f"{c['label_vi'] if fmt.locale != 'en' else c['label_en']}: {n(c['total'])}.")
    _figures_after(doc, figures, "by_kind")

    ck = report.checks
    doc.heading(_("2. Units that have not finished their congress (%(n)s)", n=n(ck.not_done_count)))
    if ck.not_done:
        doc.table([_("Code"), _("Unit"), _("Planned congress date"), _("Congress stage")],
                  [[r.code, r.name, fmt_date(r.congress_date), words.status(r.status)] for r in ck.not_done],
                  widths_cm=[2.5, 7.5, 3.0, 3.0], numeric_from=9)
        _more(doc, len(ck.not_done), ck.not_done_count)
    else:
        doc.paragraph(_("None."))
    _figures_after(doc, figures, "not_done")

    targets = targets_of(campaign)
    doc.heading(_("3. Units below a composition target (%(n)s)", n=n(ck.below_target_count)))
    if ck.below_target:
        doc.table([_("Code"), _("Unit"), _("Why")],
                  [[r.code, r.name, " ".join(words.flag_texts(r, targets))] for r in ck.below_target],
                  widths_cm=[2.5, 5.5, 8.0], numeric_from=9)
        _more(doc, len(ck.below_target), ck.below_target_count)
    else:
        doc.paragraph(_("None."))

    if comparison:
        comparison_section(doc, comparison, campaign.ethnic_group)
    _figures_after(doc, figures, "")
    doc.closing(issuer_of(campaign, settings))
    return doc.save()


def _figures_after(doc: PartyDocument, figures: Sequence[Figure], section: str) -> None:
    """The figures that illustrate this section (Figure.after), placed where the section ends."""
    doc.figures([f for f in figures if f.after == section])


def comparison_section(doc: PartyDocument, rows: Sequence[Change], ethnic_group: str) -> None:
    """The committee's composition against the campaign this one was copied from (reports/compare.py)."""
    p = current_format().percent
    doc.heading(_("4. Compared with the previous term"))
    doc.table([_("Indicator"), _("Previous term"), _("This term"), _("Change (points)")],
              [[compare_label(r.key, ethnic_group), p(r.previous), p(r.percent),
                ("+" if r.points > 0 else "") + p(r.points)[:-1]] for r in rows],
              widths_cm=[6.0, 3.4, 3.4, 3.2])


def _more(doc: PartyDocument, shown: int, count: int) -> None:
    if count > shown:
        n = current_format().number
        doc.paragraph(_("The first %(shown)s of %(count)s are listed; the XLSX export has them all.",
                        shown=n(shown), count=n(count)), italic=True)


def progress_document(data: Progress, settings: ReportDocumentSettings, issued_on: date,
                      figures: Sequence[Figure] = ()) -> bytes:
    """The progress report as of a day, issued on another (today), as .docx bytes: units by stage, overdue,
    open blockers, coming congresses."""
    n = current_format().number
    on = fmt_date(data.on)
    doc = PartyDocument()
    issuer = issuer_of(data.campaign, settings)
    title = _("Progress of the congress preparations, as of %(date)s%(scope)s", date=on,
              scope=_scope_words(data.campaign, data.group))
    doc.header(issuer, issued_on)
    doc.title(KIND, title)
    doc.properties(title, issuer.committee)
    held = data.by_stage["congress"]["done"] + data.by_stage["congress"]["verified"] if data.by_stage else 0
    doc.paragraph(_("As of %(date)s, of %(units)s units, %(held)s have held their congress; %(late)s stages are "
                    "overdue; %(blockers)s difficulties raised by units are not resolved yet; %(coming)s congresses "
                    "are planned in the coming two weeks.", date=on, units=n(data.units), held=n(held),
                    late=n(data.overdue_count), blockers=n(data.blockers_count), coming=n(data.coming_count)))
    if data.cells.get("total"):
        # the cells under committees are their own figure (CONTRACT.md: never summed with the units)
        doc.paragraph(_("Cells under grassroots committees: %(held)s of %(total)s have held their congress; "
                        "%(exempted)s hold none of their own (exempted).", held=n(data.cells["held"]),
                        total=n(data.cells["total"]), exempted=n(data.cells["exempted"])))

    doc.heading(_("1. Units by stage"))
    doc.table([_("Stage")] + [status_label(st) for st in STATUSES],
              [[stage_label(stage)] + [n(data.by_stage[stage][st]) for st in STATUSES] for stage in STAGES],
              widths_cm=[3.4] + [12.6 / len(STATUSES)] * len(STATUSES))
    _figures_after(doc, figures, "by_stage")

    doc.heading(_("2. Overdue stages (%(n)s)", n=n(data.overdue_count)))
    if data.overdue:
        doc.table([_("Code"), _("Unit"), _("Stage"), _("Days late")],
                  [[r.code, r.name, stage_label(r.stage), n(r.days_late)] for r in data.overdue],
                  widths_cm=[2.5, 7.5, 3.5, 2.5], numeric_from=3)
        _more(doc, len(data.overdue), data.overdue_count)
    else:
        doc.paragraph(_("None."))

    doc.heading(_("3. Open difficulties (%(n)s)", n=n(data.blockers_count)))
    if data.blockers_count:
        by_stage = "; ".join(f"{stage_label(s)}: {n(c)}" for s, c in data.blockers_by_stage.items() if c)
        doc.paragraph(_("By stage: %(list)s.", list=by_stage))
        doc.table([_("Code"), _("Unit"), _("Stage"), _("Raised on")],
                  [[b.code, b.name, stage_label(b.stage), fmt_date(b.since)] for b in data.blockers],
                  widths_cm=[2.5, 7.5, 3.5, 2.5], numeric_from=9)
        _more(doc, len(data.blockers), data.blockers_count)
    else:
        doc.paragraph(_("None."))

    doc.heading(_("4. Congresses in the coming two weeks (%(n)s)", n=n(data.coming_count)))
    if data.coming:
        doc.table([_("Date"), _("Code"), _("Unit"), _("Congress stage")],
                  [[fmt_date(c.day), c.code, c.name, status_label(c.status)] for c in data.coming],
                  widths_cm=[2.6, 2.5, 7.9, 3.0], numeric_from=9)
        _more(doc, len(data.coming), data.coming_count)
    else:
        doc.paragraph(_("None."))
    _figures_after(doc, figures, "coming")
    _figures_after(doc, figures, "")
    doc.closing(issuer)
    return doc.save()


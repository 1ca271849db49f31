"""Admin pages: the campaign and its reference documents, the checklist template, the working calendar."""
from __future__ import annotations

from datetime import date

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..campaigns.scope import require_campaign_in_view
from ..clock import local_today, utcnow
from ..edge import EmptyForm, act, saved, submit
from ..extensions import db
from ..labels import stage_label
from ..models import CalendarDay
from ..services import admin as svc
from ..services.campaigns import templates
from ..services.errors import DomainError
from ..workflow import STAGES
from ..workflow.deadlines import FIRST_YEAR, LAST_YEAR
from .admin import bp
from .admin_forms import (
    KIND_LABELS,
    CalendarDayForm,
    CampaignForm,
    DocumentForm,
    TemplateEditForm,
    TemplateForm,
    kind_choices,
    stage_choices,
)

# --- campaign ----------------------------------------------------------------------------------------

@bp.route("/campaign", methods=["GET", "POST"])
def campaign():
    """Edit the campaign; list, add and remove its reference documents."""
    camp = require_campaign_in_view()
    form = CampaignForm(obj=camp if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        result, status = submit(form, lambda: svc.update_campaign(
            camp, {"name": form.name.data, "organiser": form.organiser.data, "term": form.term.data,
                   "final_deadline": form.final_deadline.data, "sub_cell_gate": form.sub_cell_gate.data,
                   "congresses_per_day": form.congresses_per_day.data},
            current_user, utcnow()))
        if status is None:
            return saved(_("The campaign was saved."), url_for("admin.campaign"))
    return _campaign_page(camp, form, DocumentForm(formdata=None), status)


def _campaign_page(camp, form, doc_form, status):
    camp = require_campaign_in_view()
    return render_template("admin/campaign.html", campaign=camp, form=form, doc_form=doc_form,
                           delete_form=EmptyForm()), status


@bp.route("/campaign/documents", methods=["POST"])
def add_document():
    """Add a reference document (number and date)."""
    camp = require_campaign_in_view()
    doc_form = DocumentForm()
    result, status = submit(doc_form, lambda: svc.add_document(camp, doc_form.number.data, doc_form.issued_on.data,
                                                               doc_form.title.data, current_user))
    if status is None:
        return saved(_("The document was added."), url_for("admin.campaign"))
    return _campaign_page(camp, CampaignForm(obj=require_campaign_in_view()), doc_form, status)


@bp.route("/campaign/documents/<int:doc_id>/delete", methods=["POST"])
def remove_document(doc_id: int):
    """Remove a reference document."""
    return act(lambda: svc.remove_document(require_campaign_in_view(), doc_id, current_user),
               _("The document was removed."), url_for("admin.campaign"))


# --- checklist template --------------------------------------------------------------------------

@bp.route("/templates")
def template_list():
    """The checklist template, stage by stage."""
    camp = require_campaign_in_view()
    by_stage = {s: [] for s in STAGES}
    for t in templates(camp):
        by_stage[t.stage].append(t)
    return render_template("admin/templates.html", campaign=camp, by_stage=by_stage, stage_label=stage_label,
                           kind_labels=KIND_LABELS, delete_form=EmptyForm())


def _template_form(form):
    if getattr(form, "stage", None) is not None:
        form.stage.choices = stage_choices(stage_label)
    form.kinds.choices = kind_choices()
    return form


@bp.route("/templates/new", methods=["GET", "POST"])
def template_new():
    """Add a checklist item; existing units of matching kinds get it at once."""
    camp = require_campaign_in_view()
    form = _template_form(TemplateForm())
    if request.method == "GET":
        form.stage.data = request.args.get("stage") if request.args.get("stage") in STAGES else STAGES[0]
        form.offset_days.data = 0
    status = 200
    if request.method == "POST":
        result, status = submit(form, lambda: svc.create_template(camp, form.data_for_service(), current_user,
                                                                  utcnow()))
        if status is None:
            return saved(_("The checklist item was added to the template and to the existing units it applies to."),
                         url_for("admin.template_list"))
    return render_template("admin/template_form.html", form=form, template=None), status


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def template_edit(template_id: int):
    """Change a checklist item and carry the change to the units' open items."""
    camp = require_campaign_in_view()
    try:
        template = svc.get_template(camp, template_id)
    except DomainError:
        abort(404)
    form = _template_form(TemplateEditForm(obj=template if request.method == "GET" else None))
    if request.method == "GET":
        form.kinds.data = [k for k in template.kinds.split(",") if k]
    status = 200
    if request.method == "POST":
        changed, status = submit(form, lambda: svc.update_template(template, form.data_for_service(), current_user,
                                                                   utcnow()))
        if status is None:
            return saved(_("The checklist item was saved; units' open items were updated.") if changed
                         else _("Nothing changed."), url_for("admin.template_list"))
        template = svc.get_template(require_campaign_in_view(), template_id)
    return render_template("admin/template_form.html", form=form, template=template,
                           delete_form=EmptyForm(), stage_label=stage_label), status


@bp.route("/templates/<int:template_id>/delete", methods=["POST"])
def template_delete(template_id: int):
    """Remove a checklist item: open items go, done items stay."""
    return act(lambda: svc.delete_template(svc.get_template(require_campaign_in_view(), template_id), current_user,
                                           utcnow()),
               _("The checklist item was removed; units keep it only where it was already done."),
               url_for("admin.template_list"))


# --- calendar --------------------------------------------------------------------------------------

def _year() -> int:
    try:
        year = int(request.args.get("year", ""))
    except ValueError:
        year = local_today().year
    return year if FIRST_YEAR <= year <= LAST_YEAR else local_today().year


def _calendar_page(form, status, year=None):
    year = year or _year()
    days = db.session.scalars(select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1),
                                                        CalendarDay.day <= date(year, 12, 31))
                              .order_by(CalendarDay.day)).all()
    return render_template("admin/calendar.html", form=form, days=days, year=year,
                           delete_form=EmptyForm()), status


@bp.route("/calendar", methods=["GET", "POST"])
def calendar():
    """The days off and make-up working days added on top of Vietnam's public holidays."""
    form = CalendarDayForm()
    if request.method == "GET":
        return _calendar_page(form, 200)
    row, status = submit(form, lambda: svc.add_calendar_day(form.day.data, form.working.data == "working",
                                                            form.name.data, current_user, utcnow()))
    if status is None:
        return saved(_("The day was added; open due dates counted in working days were recomputed."),
                     url_for("admin.calendar", year=row.day.year))
    return _calendar_page(form, status, form.day.data.year if form.day.data else None)


@bp.route("/calendar/<int:day_id>/delete", methods=["POST"])
def calendar_delete(day_id: int):
    """Remove an added day."""
    row = db.session.get(CalendarDay, day_id)
    year = row.day.year if row else None
    return act(lambda: svc.remove_calendar_day(day_id, current_user, utcnow()),
               _("The day was removed; open due dates counted in working days were recomputed."),
               url_for("admin.calendar", year=year), failed_target=url_for("admin.calendar"))


"""Pages: the report (whole campaign or one working group), its exports, a unit's result forms,
and the admin pages for composition targets, rounding and custom result fields."""
from __future__ import annotations

import logging
import unicodedata
from typing import Any, Optional
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import form_state
from ..campaigns.scope import campaign_id_in_view, campaign_in_view, groups_in_view
from ..charts import images as chart_images
from ..charts.views import figures as chart_figures
from ..clock import local_today, utcnow
from ..extensions import db
from ..labels import status_label
from ..models import WorkingGroup
from ..parsing import day_help, parse_day
from ..permissions import can_admin, can_change_unit
from ..readmodel import live_group
from ..services import result_fields
from ..services import results as service
from ..services.errors import DomainError
from ..services.progress import unit_stage_views
from ..services.stages import require_read
from ..services.units import get_unit
from ..workflow.result_rules import (
    CONGRESS_COUNTS,
    CONGRESS_OPTIONAL,
    DISSEMINATION_COUNTS,
    FIRST_SESSION_COUNTS,
    FIRST_SESSION_FLAGS,
    RESULT_STAGES,
)
from ..workflow.rounding import MODES
from ..workflow.stages import COMMITTEE_KINDS, FINISHED
from . import compare, document_settings
from . import documents as party_documents
from . import export as report_export
from . import progress as report_progress
from . import text as report_text
from .query import LIST_LIMIT, build_report, checks, iter_unit_rows
from .scope import report_scope

log = logging.getLogger(__name__)
bp = Blueprint("reports", __name__)

PARTS = {"dissemination": service.record_dissemination, "congress": service.record_congress,
         "first_session": service.record_first_session}


def _locale() -> str:
    return str(get_locale() or "vi")


def _abort_for(exc: DomainError) -> None:
    if exc.status in (403, 404):
        abort(exc.status)


def _readable_unit(code: str):
    """The unit, or 403/404 unless the signed-in user may see it."""
    try:
        unit = get_unit(code, campaign_id_in_view())
        require_read(current_user, unit)
    except DomainError as exc:
        _abort_for(exc)
        raise
    return unit


def _template_helpers() -> dict[str, Any]:
    return {"kind_label": report_text.kind_label, "status_label": status_label,
            "field_label": service.field_label, "stage_name": report_text.stage_name,
            "flag_texts": report_text.flag_texts, "problem_texts": report_text.problem_texts,
            "rounding_label": report_text.rounding_label}


@bp.route("/reports")
@login_required
def index():
    """The report page: headline, per-kind table, the lists, one page of the per-unit table; print-friendly."""
    campaign, group = report_scope()
    today = local_today(utcnow())
    report = build_report(campaign, today, group, page=request.args.get("page"))
    groups = db.session.scalars(select(WorkingGroup).where(groups_in_view(), live_group())
                                .order_by(WorkingGroup.code)).all()
    sentences = report_text.headline(report.summary, campaign.youth_age, today, campaign.ethnic_group)
    previous = compare.sentence(compare.changes(report.summary, compare.previous_summary(campaign, today, group)),
                                campaign.ethnic_group)
    charts = chart_figures(("burn_up", "stages", "composition"), campaign, today, group, report)
    return render_template(
        "reports/index.html", report=report, charts=charts, groups=groups, locale=_locale(), words=report_text.Words(),
        sentences=sentences + ([previous] if previous else []),
        targets=result_fields.targets_of(campaign), mode=result_fields.rounding_of(campaign),
        list_limit=LIST_LIMIT, **_template_helpers())


def _export(kind: str):
    campaign, group = report_scope()
    today = local_today(utcnow())
    report = build_report(campaign, today, group, details=False)
    rows = iter_unit_rows(campaign, today, group, with_custom=bool(report.fields))
    name = f"bao-cao-ket-qua{'-' + group.code if group else ''}.{kind}"
    if kind == "csv":
        # rows are read and written as the client takes them: constant memory, first bytes at once
        body = stream_with_context(report_export.csv_chunks(report, rows, _locale()))
        response = Response(body, content_type="text/csv; charset=utf-8")
        _attachment(response, name)
        return response
    out = report_export.to_xlsx_file(report, rows, _locale())
    return send_file(out, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     as_attachment=True, download_name=name)


def _attachment(response: Response, name: str) -> None:
    """Content-Disposition as send_file writes it: a non-ASCII or quoted group code stays safe (RFC 5987)."""
    try:
        name.encode("ascii")
        names = {"filename": name}
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
        names = {"filename": simple, "filename*": f"UTF-8''{quote(name, safe='!#$&+-.^_`|~')}"}
    response.headers.set("Content-Disposition", "attachment", **names)


@bp.route("/reports/export.xlsx")
@login_required
def export_xlsx():
    """The report as an XLSX workbook (write-only, spooled to a temporary file)."""
    return _export("xlsx")


@bp.route("/reports/export.csv")
@login_required
def export_csv():
    """The report's per-unit table as CSV, streamed."""
    return _export("csv")


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(body: bytes, name: str):
    response = Response(body, mimetype=DOCX)
    _attachment(response, name)
    return response


@bp.route("/reports/export.docx")
@login_required
def export_docx():
    """The report as a Party-format Word document (Hướng dẫn 36-HD/VPTW), in Vietnamese."""
    campaign, group = report_scope()
    today = local_today(utcnow())
    report = build_report(campaign, today, group, details=False)
    report.checks = checks(campaign, today, group)
    settings = document_settings.document_settings(campaign)
    with force_locale("vi"):  # the Party's format is Vietnamese whatever the reader's interface language
        previous = compare.changes(report.summary, compare.previous_summary(campaign, today, group))
        figures = chart_images.results_figures(report, result_fields.targets_of(campaign))
        body = party_documents.results_document(report, settings, figures=figures, comparison=previous)
    return _docx(body, f"bao-cao-ket-qua{'-' + group.code if group else ''}.docx")


@bp.route("/reports/progress.docx")
@login_required
def progress_docx():
    """The progress report on a day (?on=YYYY-MM-DD, default today) as a Party-format Word document."""
    campaign, group = report_scope()
    raw = (request.args.get("on") or "").strip()
    on = parse_day(raw) if raw else local_today(utcnow())
    if on is None:
        flash(day_help(), "danger")
        return redirect(url_for("reports.index", **({"group": group.code} if group else {})), 303)
    data = report_progress.progress(campaign, on, group)
    settings = document_settings.document_settings(campaign)
    with force_locale("vi"):  # issued today, as of the day asked for
        figures = chart_images.progress_figures(campaign, on, group)
        body = party_documents.progress_document(data, settings, local_today(utcnow()), figures=figures)
    return _docx(body, f"bao-cao-tien-do-{on.isoformat()}{'-' + group.code if group else ''}.docx")


# ---- a unit's numbers --------------------------------------------------------------------------

def _unit_page(unit, errors: Optional[dict] = None, part: Optional[str] = None, status: int = 200,
               message: str = "", posted: Optional[dict] = None):
    today = local_today(utcnow())
    stages = unit_stage_views(unit.id, today)
    stored = service.unit_results(unit)
    fields_by_stage = {s: [] for s in RESULT_STAGES}
    for cf in service.campaign_fields(unit.campaign_id):
        fields_by_stage.setdefault(cf.stage, []).append(cf)
    return render_template(
        "reports/unit_results.html", unit=unit, stored=stored, errors=errors or {}, part=part,
        posted=posted or {}, message=message, locale=_locale(),
        held_late=service.held_after_deadline(unit, stored["congress"]),
        congress_status=stages["congress"].status, dissemination_status=stages["dissemination"].status,
        first_session_status=stages["first_session"].status,
        congress_open=stages["congress"].status in FINISHED,
        can_change=can_change_unit(current_user, unit), is_committee=unit.kind in COMMITTEE_KINDS,
        fields_by_stage=fields_by_stage, names={
            "dissemination": DISSEMINATION_COUNTS, "congress": CONGRESS_COUNTS + CONGRESS_OPTIONAL,
            "first_session_counts": FIRST_SESSION_COUNTS, "first_session_flags": FIRST_SESSION_FLAGS},
        **_template_helpers()), status


@bp.route("/units/<code>/results")
@login_required
def unit_results(code: str):
    """A unit's dissemination numbers, congress results, first session and custom fields."""
    unit = _readable_unit(code)
    state = form_state.take()  # a refused form comes back here once, with its errors and values
    if state is None:
        return _unit_page(unit)
    return _unit_page(unit, state.errors, state.form, 200, state.message, state.values)


@bp.get("/units/<code>/results/<part>")
@login_required
def results_form_by_get(code: str, part: str):
    """A result form's address opened by GET (a restored tab, the language switch): the form's page."""
    return redirect(url_for("reports.unit_results", code=code, _anchor=part if part in PARTS else None))


def _form_data(part: str) -> dict[str, Any]:
    data: dict[str, Any] = {k: v for k, v in request.form.items() if k != "csrf_token" and not k.startswith("cf_")}
    if part == "first_session":
        for name in FIRST_SESSION_FLAGS:
            data[name] = name in request.form  # an unticked checkbox is not sent
    data["custom"] = {k[3:]: v for k, v in request.form.items() if k.startswith("cf_")}
    return data


@bp.route("/units/<code>/results/<part>", methods=["POST"])
@login_required
def save_results(code: str, part: str):
    """Save one of the unit's result forms; on a broken rule show the form again with the reasons."""
    if part not in PARTS:
        abort(404)
    unit = _readable_unit(code)
    now = utcnow()
    try:
        PARTS[part](unit, _form_data(part), current_user, now, local_today(now))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _abort_for(exc)
        # post/redirect/get: the form comes back at its own address, which reloads safely
        form_state.keep(url_for("reports.unit_results", code=code), part, exc.message, "danger", exc.fields,
                        request.form)
        return redirect(url_for("reports.unit_results", code=code, _anchor=part), 303)
    flash(_("Saved."), "success")
    return redirect(url_for("reports.unit_results", code=code) + f"#{part}")


# ---- the organisation office's settings -------------------------------------------------------

def _admin_campaign():
    if not can_admin(current_user):
        abort(403)
    campaign = campaign_in_view()
    if campaign is None:
        abort(404)
    return campaign


def _settings_page(campaign, errors: Optional[dict] = None, form: Optional[str] = None, status: int = 200,
                   message: str = "", field_id: Optional[int] = None):
    return render_template(
        "reports/settings.html", campaign=campaign, fields=service.campaign_fields(campaign.id),
        document=document_settings.document_settings(campaign),
        errors=errors or {}, form=form, field_id=field_id, posted=request.form if form else {},
        message=message, modes=list(MODES), stages=RESULT_STAGES, **_template_helpers()), status


@bp.route("/reports/settings")
@login_required
def settings():
    """Composition targets, youth age bound, rounding mode and custom result fields (admins)."""
    return _settings_page(_admin_campaign())


def _admin_post(action, form: str, field_id: Optional[int] = None):
    campaign = _admin_campaign()
    try:
        action(campaign)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        _abort_for(exc)
        return _settings_page(campaign_in_view(), exc.fields, form, exc.status, exc.message, field_id)
    flash(_("Saved."), "success")
    return redirect(url_for("reports.settings"))


@bp.route("/reports/settings", methods=["POST"])
@login_required
def save_settings():
    """Save the composition targets and the rounding mode."""
    return _admin_post(lambda c: result_fields.update_settings(c, request.form, current_user), "settings")


@bp.route("/reports/document-settings", methods=["POST"])
@login_required
def save_document_settings():
    """Save the Party document's issuer, number, place, signer and recipients."""
    return _admin_post(lambda c: document_settings.update_document_settings(c, request.form, current_user),
                       "document")


@bp.route("/reports/fields", methods=["POST"])
@login_required
def add_field():
    """Add a custom result field."""
    return _admin_post(lambda c: result_fields.add_field(c, request.form, current_user), "add")


@bp.route("/reports/fields/<int:field_id>", methods=["POST"])
@login_required
def edit_field(field_id: int):
    """Change a custom field's labels or stage."""
    return _admin_post(lambda c: result_fields.update_field(result_fields.get_field(c, field_id), request.form,
                                                            current_user), "edit", field_id)


@bp.route("/reports/fields/<int:field_id>/delete", methods=["POST"])
@login_required
def delete_field(field_id: int):
    """Remove a custom field that has no values."""
    return _admin_post(lambda c: result_fields.delete_field(result_fields.get_field(c, field_id), current_user),
                       "delete", field_id)

"""The admin pages of this package: import (upload → preview → confirm), templates, the import journal,
bulk changes to units and users, a user's details, and the initial-password sheet."""
from __future__ import annotations

import hashlib
from datetime import timedelta
from io import BytesIO

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..campaigns.scope import groups_in_view, require_campaign_in_view, units_in_view
from ..clock import utcnow
from ..edge import EmptyForm, admins_only, commit_or_refuse
from ..extensions import db
from ..labels import kind_label, role_label
from ..models import Unit, User, WorkingGroup
from ..paging import page_number, paginate
from ..parsing import record_id
from ..readmodel import live_group
from ..reminders.digest import base_url
from ..services import accounts
from ..services.errors import DomainError
from ..workflow import KINDS
from ..workflow.stages import ROLES
from . import bulk, first_passwords
from .columns import COLUMNS, KINDS_OF_IMPORT
from .forms import ProfileForm, UploadForm, choices
from .models import ImportRun, ImportUpload
from .service import prepare, run_import
from .template import template_name, template_xlsx

bp = Blueprint("imports", __name__, url_prefix="/admin")
PER_PAGE = 100
UPLOAD_DAYS = 2  # an upload nobody confirmed is dropped after this


def register(app: Flask) -> None:
    """Attach this package's pages (the admin pages and the set-up page)."""
    from .setup import bp as setup_bp

    app.register_blueprint(bp)
    app.register_blueprint(setup_bp)


bp.before_request(admins_only)


def _xlsx(content: bytes, name: str):
    resp = send_file(BytesIO(content), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    resp.headers["Cache-Control"] = "no-store"
    return resp


# --- import ----------------------------------------------------------------------------------------------

@bp.route("/import", methods=["GET", "POST"])
def import_start():
    """Upload a file; it is kept on the server and previewed before anything changes."""
    form = UploadForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            content = form.file.data.read()
            name = (form.file.data.filename or "import").rsplit("/", 1)[-1][:255]
            db.session.execute(delete(ImportUpload).where(
                ImportUpload.created_at < utcnow() - timedelta(days=UPLOAD_DAYS)))
            upload = ImportUpload(kind=form.kind.data, file_name=name, content=content, user_id=current_user.id,
                                  sha256=hashlib.sha256(content).hexdigest(), created_at=utcnow())
            db.session.add(upload)
            db.session.commit()
            return redirect(url_for("imports.preview", upload_id=upload.id))
        flash(_("Nothing was imported: check the marked fields."), "danger")
        status = 400
    runs = db.session.scalars(select(ImportRun).order_by(ImportRun.at.desc(), ImportRun.id.desc()).limit(20)).all()
    return render_template("imports/start.html", form=form, runs=runs, columns=COLUMNS), status


def _upload_or_404(upload_id: int) -> ImportUpload:
    upload = db.session.get(ImportUpload, upload_id)
    if upload is None or upload.user_id != current_user.id:
        abort(404)
    return upload


@bp.route("/import/<int:upload_id>")
def preview(upload_id: int):
    """Every change and every error the uploaded file would make; nothing is changed yet."""
    upload = _upload_or_404(upload_id)
    plan = prepare(upload.kind, upload.content, upload.file_name, current_user)
    db.session.rollback()
    return render_template("imports/preview.html", upload=upload, plan=plan, form=EmptyForm())


@bp.route("/import/<int:upload_id>/apply", methods=["POST"])
def apply(upload_id: int):
    """Import the previewed file: checked again from the bytes kept on the server, all rows or none."""
    upload = _upload_or_404(upload_id)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    kind, content, name = upload.kind, upload.content, upload.file_name
    plan = run_import(kind, content, name, current_user, current_user.login, utcnow())
    if plan.errors:
        db.session.rollback()
        flash(_("Nothing was imported: %(n)s errors.", n=len(plan.errors)), "danger")
        return render_template("imports/preview.html", upload=_upload_or_404(upload_id), plan=plan,
                               form=EmptyForm()), 422
    db.session.delete(upload)
    db.session.commit()
    created, updated, unchanged = plan.counts()
    flash(_("Imported %(name)s: %(c)s created, %(u)s updated, %(k)s unchanged.", name=name, c=created, u=updated,
            k=unchanged), "success")
    return redirect(url_for("imports.import_start"))


@bp.route("/import/template/<kind>.xlsx")
def template(kind: str):
    """The .xlsx template with Vietnamese headers, an example row and the allowed kinds and roles."""
    if kind not in KINDS_OF_IMPORT:
        abort(404)
    return _xlsx(template_xlsx(kind), template_name(kind))


# --- units: several into a working group at once ----------------------------------------------------------

def _group_options():
    return db.session.execute(select(WorkingGroup.code, WorkingGroup.name).where(groups_in_view(), live_group())
                              .order_by(WorkingGroup.code)).all()


@bp.route("/units/assign", methods=["GET", "POST"])
def units_assign():
    """Tick several units and put them all in one working group (or in none)."""
    args = request.values
    q = (args.get("q") or "").strip()[:100]
    kind = args.get("kind") if args.get("kind") in KINDS else ""
    group = (args.get("group") or "").strip()[:30]
    if request.method == "POST":
        form = EmptyForm()
        if not form.validate_on_submit():
            abort(400)
        target = (request.form.get("target") or "").strip()[:30]
        try:
            if not target:
                raise DomainError(_("Choose the working group."))
            moved = bulk.assign_units_to_group(request.form.getlist("codes"), None if target == "-" else target,
                                               current_user, utcnow())
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(_("%(n)s units moved.", n=moved), "success")
        return redirect(url_for("imports.units_assign", q=q or None, kind=kind or None, group=group or None))
    campaign = require_campaign_in_view()
    where = [units_in_view(campaign.id)]
    if q:
        where.append(or_(func.lower(Unit.code).like(f"%{q.lower()}%"), func.lower(Unit.name).like(f"%{q.lower()}%")))
    if kind:
        where.append(Unit.kind == kind)
    if group == "-":
        where.append(Unit.group_id.is_(None))
    elif group:
        where.append(Unit.group.has(WorkingGroup.code == group))
    pager = paginate(select(Unit).where(*where), page_number(args.get("page")), PER_PAGE,
                     order_by=(Unit.code,), options=(joinedload(Unit.group),), last_page=True)
    return render_template("imports/units_assign.html", units=pager.items, pager=pager,
                           q=q, kind=kind, group=group, groups=_group_options(), kinds=KINDS,
                           kind_label=kind_label, form=EmptyForm())


# --- users: several at once; one user's details -----------------------------------------------------------

@bp.route("/users/select", methods=["GET", "POST"])
def users_select():
    """Tick several users: deactivate or reactivate them, or download initial passwords for them."""
    q = (request.values.get("q") or "").strip()[:100]
    role = request.values.get("role") if request.values.get("role") in ROLES else ""
    if request.method == "POST":
        form = EmptyForm()
        if not form.validate_on_submit():
            abort(400)
        ids = [n for n in (record_id(x) for x in request.form.getlist("ids")) if n]
        action = request.form.get("action")
        if action in ("deactivate", "reactivate"):
            try:
                n = bulk.set_users_active(ids, action == "reactivate", current_user, utcnow())
            except DomainError as exc:
                db.session.rollback()
                flash(exc.message, "danger")
            else:
                db.session.commit()
                flash(_("%(n)s accounts deactivated.", n=n) if action == "deactivate" else
                      _("%(n)s accounts reactivated.", n=n), "success")
            return redirect(url_for("imports.users_select", q=q or None, role=role or None))
        if action == "links":
            sent, refusal = commit_or_refuse(
                lambda: accounts.send_sign_in_links(ids, utcnow(), base_url(), actor=current_user))
            if refusal is not None:
                flash(refusal.message, "danger")
            else:
                flash(ngettext("A sign-in link was queued for %(num)s user with an email.",
                               "Sign-in links were queued for %(num)s users with an email.", sent), "success")
            return redirect(url_for("imports.users_select", q=q or None, role=role or None))
        if action in ("passwords", "passwords_missing"):
            if action == "passwords" and not ids:
                flash(_("Choose at least one user."), "danger")
                return redirect(url_for("imports.users_select", q=q or None, role=role or None))
            return _password_sheet(ids if action == "passwords" else None)
        abort(400)
    where = []
    if q:
        like = f"%{q.lower()}%"
        where.append(or_(func.lower(User.email).like(like), func.lower(User.name).like(like), User.phone.like(like)))
    if role:
        where.append(User.role == role)
    pager = paginate(select(User).where(*where), page_number(request.args.get("page")), PER_PAGE,
                     order_by=(User.name, User.id), options=(joinedload(User.unit), selectinload(User.groups)),
                     last_page=True)
    without = db.session.scalar(select(func.count(User.id)).where(User.active.is_(True), User.password_hash == ""))
    return render_template("imports/users_select.html", users=pager.items, pager=pager,
                           q=q, role=role, roles=ROLES, role_label=role_label, without=without, form=EmptyForm())


def _password_sheet(ids):
    issued = first_passwords.issue(ids, current_user)
    if not issued:
        db.session.rollback()
        flash(_("Nobody to give an initial password to."), "warning")
        return redirect(url_for("imports.users_select"))
    content = first_passwords.sheet(issued)
    db.session.commit()
    return _xlsx(content, f"mat-khau-ban-dau-{utcnow():%Y%m%d-%H%M}.xlsx")


@bp.route("/users/<int:user_id>/profile", methods=["GET", "POST"])
def user_profile(user_id: int):
    """Change a user's name, email, phone and role."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = ProfileForm() if request.method == "POST" else ProfileForm(
        formdata=None, data={"name": user.name, "email": user.email or "", "phone": user.phone or "",
                             "role": user.role, "unit": user.unit.code if user.unit else ""})
    form.role.choices = choices((r, role_label(r)) for r in ROLES)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                bulk.update_profile(user, {k: form[k].data for k in ("name", "email", "phone", "role", "unit")},
                                    current_user, utcnow())
            except DomainError as exc:
                db.session.rollback()
                for name, message in exc.fields.items():
                    if name in form:
                        form[name].errors = [*form[name].errors, message]
                flash(exc.message, "danger")
                status = exc.status
            else:
                db.session.commit()
                flash(_("The user was saved."), "success")
                return redirect(url_for("admin.user", user_id=user_id))
        else:
            flash(_("Nothing was saved: check the marked fields."), "danger")
            status = 400
        user = db.session.get(User, user_id)
    return render_template("imports/profile.html", user=user, form=form), status

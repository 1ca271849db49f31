"""Admin pages: units, working groups and users."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..campaigns.scope import campaign_in_view, group_by_code, groups_in_view, unit_by_code, units_in_view
from ..clock import utcnow
from ..edge import EmptyForm, act, attempt, invalid_form, saved, submit
from ..extensions import db
from ..models import Unit, User, WorkingGroup
from ..paging import page_number, paginate
from ..readmodel import live_group
from ..reminders import preferences
from ..reminders.channels import chosen
from ..reminders.forms import ChannelsForm, channel_names
from ..reminders.webhook import webhook_configured
from ..services import accounts
from ..services import admin as svc
from ..services import units as unit_service
from ..services.errors import Invalid
from ..workflow import KINDS
from ..workflow.stages import ROLES
from .admin import bp
from .admin_forms import (
    KIND_LABELS,
    ROLE_LABELS,
    CodeForm,
    EmailForm,
    GroupChoiceForm,
    GroupForm,
    GroupRenameForm,
    PasswordResetForm,
    UnitEditForm,
    UnitForm,
    UserForm,
    kind_choices,
    options,
)

PER_PAGE = 50


def _group_choices(blank):
    groups = db.session.execute(select(WorkingGroup.code, WorkingGroup.name).where(groups_in_view(), live_group())
                                .order_by(WorkingGroup.code)).all()
    return [("", blank)] + [(code, f"{code} – {name}") for code, name in groups]


def _no_group_choices():
    return options(_group_choices(_("No working group")))


def _search(column_a, column_b, q: str):
    like = f"%{q.lower()}%"
    return or_(func.lower(column_a).like(like), func.lower(column_b).like(like))


def _paged(model, where, order_by, *loads):
    """This request's page of the rows of model matching where."""
    return paginate(select(model).where(*where), page_number(request.args.get("page")), PER_PAGE,
                    order_by=(order_by,), options=loads, last_page=True)


def _list_args(**filters) -> dict:
    """The list's own filters that are set, for the pager's links (never arbitrary query arguments)."""
    return {k: v for k, v in filters.items() if v}


# --- units ---------------------------------------------------------------------------------------------

@bp.route("/units")
def units():
    """The units, paginated, filtered by text, kind and working group."""
    q = (request.args.get("q") or "").strip()[:100]
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else ""
    group = (request.args.get("group") or "").strip()[:30]
    where = [units_in_view()]
    if q:
        where.append(_search(Unit.code, Unit.name, q))
    if kind:
        where.append(Unit.kind == kind)
    if group == "-":
        where.append(Unit.group_id.is_(None))
    elif group:
        where.append(Unit.group.has(WorkingGroup.code == group))
    pager = _paged(Unit, where, Unit.code, joinedload(Unit.group), joinedload(Unit.parent))
    return render_template("admin/units.html", units=pager.items, pager=pager,
                           pager_args=_list_args(q=q, kind=kind, group=group), q=q,
                           kind=kind, group=group, kind_labels=KIND_LABELS,
                           groups=_group_choices(_("All working groups")))


@bp.route("/units/new", methods=["GET", "POST"])
def unit_new():
    """Create a unit with its checklist."""
    form = UnitForm()
    form.kind.choices = kind_choices()
    form.group.choices = _no_group_choices()
    status = 200
    if request.method == "POST":
        unit, status = submit(form, lambda: unit_service.create_unit(form.data_for_service(creating=True),
                                                                     current_user, utcnow(), campaign_in_view()))
        if status is None:
            return saved(_("The unit %(code)s was created with its checklist.", code=unit.code),
                         url_for("admin.unit_edit", code=unit.code))
    return render_template("admin/unit_form.html", form=form, unit=None), status


def _unit_or_404(code: str) -> Unit:
    unit = unit_by_code(code)
    if unit is None:
        abort(404)
    return unit


def _unit_edit_form(unit: Unit | None) -> UnitEditForm:
    """The unit edit form: filled from the unit when one is given, else from the posted data."""
    form = UnitEditForm() if unit is None else UnitEditForm(formdata=None, obj=unit)
    form.group.choices = _no_group_choices()
    if unit is not None:
        if unit.group and unit.group.archived:  # keep showing the unit's own group, archived or not
            form.group.choices = [*form.group.choices, *options([(unit.group.code, unit.group.code)])]
        form.group.data = unit.group.code if unit.group else ""
        form.parent.data = unit.parent.code if unit.parent else ""
    return form


def _unit_page(unit, form, sec_form, status):
    return render_template("admin/unit_form.html", form=form, unit=unit, sec_form=sec_form,
                           delete_form=EmptyForm(), kind_labels=KIND_LABELS), status


@bp.route("/units/<code>/edit", methods=["GET", "POST"])
def unit_edit(code: str):
    """Change a unit; a new congress date moves its open due dates (journalled)."""
    unit = _unit_or_404(code)
    form = _unit_edit_form(unit if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        result, status = submit(form, lambda: unit_service.update_unit(unit, form.data_for_service(creating=False),
                                                                  current_user, utcnow()))
        if status is None:
            return saved(_("The unit was saved."), url_for("admin.unit_edit", code=code))
        unit = _unit_or_404(code)
    return _unit_page(unit, form, EmailForm(formdata=None), status)


@bp.route("/units/<code>/secretaries", methods=["POST"])
def unit_add_secretary(code: str):
    """Make a secretary-role user the secretary of this unit."""
    unit = _unit_or_404(code)
    sec_form = EmailForm()
    user, status = submit(sec_form, lambda: svc.assign_secretary(unit, sec_form.email.data, current_user, utcnow()))
    if status is None:
        return saved(_("%(email)s is now a secretary of this unit.", email=user.email),
                     url_for("admin.unit_edit", code=code))
    unit = _unit_or_404(code)
    return _unit_page(unit, _unit_edit_form(unit), sec_form, status)


@bp.route("/units/<code>/secretaries/<int:user_id>/remove", methods=["POST"])
def unit_remove_secretary(code: str, user_id: int):
    """Take a secretary off this unit."""
    unit = _unit_or_404(code)
    return act(lambda: svc.unassign_secretary(unit, svc.get_user(user_id), current_user, utcnow()),
               _("The secretary was taken off this unit."), url_for("admin.unit_edit", code=code))


# --- working groups -------------------------------------------------------------------------------------

def _groups_page(form, status):
    groups = db.session.scalars(select(WorkingGroup).where(groups_in_view())
                                .options(selectinload(WorkingGroup.members)).order_by(WorkingGroup.code)).all()
    counts = dict(db.session.execute(select(Unit.group_id, func.count(Unit.id)).where(units_in_view(),
                                                                                      Unit.group_id.is_not(None))
                                     .group_by(Unit.group_id)).all())
    return render_template("admin/groups.html", groups=groups, counts=counts, form=form), status


@bp.route("/groups", methods=["GET", "POST"])
def groups():
    """The working groups; create one."""
    form = GroupForm()
    if request.method == "GET":
        return _groups_page(form, 200)
    group, status = submit(form, lambda: accounts.create_group(form.code.data, form.name.data, [], actor=current_user,
                                                                       campaign=campaign_in_view()))
    if status is None:
        return saved(_("The working group %(code)s was created.", code=group.code),
                     url_for("admin.group", code=group.code))
    return _groups_page(form, status)


def _group_or_404(code: str) -> WorkingGroup:
    group = group_by_code(code)
    if group is None:
        abort(404)
    return group


def _group_page(group, status=200, rename=None, member=None, unit_form=None):
    pager = _paged(Unit, [Unit.group_id == group.id], Unit.code)
    rename = rename or GroupRenameForm(formdata=None, obj=group)
    return render_template("admin/group.html", group=group, units=pager.items, pager=pager, rename=rename,
                           member=member or EmailForm(formdata=None),
                           unit_form=unit_form or CodeForm(formdata=None), delete_form=EmptyForm(),
                           kind_labels=KIND_LABELS), status


@bp.route("/groups/<code>", methods=["GET", "POST"])
def group(code: str):
    """A working group: rename it, its members, its units."""
    group = _group_or_404(code)
    if request.method == "GET":
        return _group_page(group)
    form = GroupRenameForm()
    result, status = submit(form, lambda: svc.rename_group(group, form.name.data, current_user))
    if status is None:
        return saved(_("The working group was saved."), url_for("admin.group", code=code))
    return _group_page(_group_or_404(code), status, rename=form)


@bp.route("/groups/<code>/members", methods=["POST"])
def group_add_member(code: str):
    """Add a working-group member to the group."""
    group = _group_or_404(code)
    form = EmailForm()
    user, status = submit(form, lambda: svc.add_member(group, form.email.data, current_user))
    if status is None:
        return saved(_("%(email)s was added to the group.", email=user.email), url_for("admin.group", code=code))
    return _group_page(_group_or_404(code), status, member=form)


@bp.route("/groups/<code>/members/<int:user_id>/remove", methods=["POST"])
def group_remove_member(code: str, user_id: int):
    """Take a member out of the group."""
    group = _group_or_404(code)
    return act(lambda: svc.remove_member(group, svc.get_user(user_id), current_user),
               _("The member was taken out of the group."), url_for("admin.group", code=code))


@bp.route("/groups/<code>/units", methods=["POST"])
def group_add_unit(code: str):
    """Put a unit in this working group (journalled on the unit)."""
    group = _group_or_404(code)
    form = CodeForm()

    def put_in_group():
        unit = unit_by_code(form.unit.data.strip())
        if unit is None:
            raise Invalid(_("No unit with code %(code)s.", code=form.unit.data.strip()), {"unit": _("No such unit.")})
        unit_service.update_unit(unit, {"group": group.code}, current_user, utcnow())
        return unit

    unit, status = submit(form, put_in_group, field="unit")
    if status is None:
        return saved(_("The unit %(code)s now belongs to this group.", code=unit.code),
                     url_for("admin.group", code=code))
    return _group_page(_group_or_404(code), status, unit_form=form)


@bp.route("/groups/<code>/units/<unit_code>/remove", methods=["POST"])
def group_remove_unit(code: str, unit_code: str):
    """Take a unit out of this working group."""
    group = _group_or_404(code)
    unit = _unit_or_404(unit_code)
    if unit.group_id != group.id:
        flash(_("This unit is not in this group."), "danger")
        return redirect(url_for("admin.group", code=code))
    return act(lambda: unit_service.update_unit(unit, {"group": None}, current_user, utcnow()),
               _("The unit %(code)s was taken out of the group.", code=unit.code), url_for("admin.group", code=code))


# --- users ------------------------------------------------------------------------------------------------

@bp.route("/users")
def users():
    """The users, paginated, filtered by text and role."""
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") if request.args.get("role") in ROLES else ""
    where = []
    if q:
        where.append(_search(User.email, User.name, q))
    if role:
        where.append(User.role == role)
    pager = _paged(User, where, User.email, joinedload(User.unit), selectinload(User.groups))
    return render_template("admin/users.html", users=pager.items, pager=pager, pager_args=_list_args(q=q, role=role),
                           q=q, role=role, role_labels=ROLE_LABELS)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    """Create a user: a secretary names a unit, a working-group member may name a group."""
    form = UserForm()
    form.group.choices = _no_group_choices()
    status = 200
    if request.method == "POST":
        user, status = submit(form, lambda: accounts.create_user(
            form.email.data, form.name.data, form.role.data, form.password.data,
            (form.unit.data or "").strip() or None, form.group.data or None, actor=current_user,
            campaign=campaign_in_view()))
        if status is None:
            return saved(_("The user %(email)s was created.", email=user.email),
                         url_for("admin.user", user_id=user.id))
    return render_template("admin/user_new.html", form=form), status


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _user_page(user, status=200, password=None, unit_form=None, group_form=None, channels_form=None):
    group_form = group_form or GroupChoiceForm(formdata=None)
    channels_form = channels_form or ChannelsForm(formdata=None, data={"channels": list(chosen(user.channels))})
    mine = {g.code for g in user.groups}
    group_form.group.choices = options(c for c in _group_choices(_("Choose a working group")) if c[0] not in mine)
    return render_template("admin/user.html", user=user, role_labels=ROLE_LABELS,
                           password=password or PasswordResetForm(formdata=None),
                           unit_form=unit_form or CodeForm(formdata=None), group_form=group_form,
                           delete_form=EmptyForm(), channels_form=channels_form,
                           reaching=preferences.reaching(user), channel_labels=channel_names(),
                           webhook_on=webhook_configured()), status


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    """One user: password reset, deactivation, unit or working groups."""
    return _user_page(_user_or_404(user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
def user_password(user_id: int):
    """Set a new password for the user."""
    user = _user_or_404(user_id)
    form = PasswordResetForm()
    result, status = submit(form, lambda: svc.reset_password(user, form.password.data, current_user))
    if status is None:
        return saved(_("The new password was set; tell it to the user."), url_for("admin.user", user_id=user_id))
    return _user_page(_user_or_404(user_id), status, password=form)


@bp.route("/users/<int:user_id>/channels", methods=["POST"])
def user_channels(user_id: int):
    """Choose the channels the user's reminders go out through."""
    user = _user_or_404(user_id)
    form = ChannelsForm()
    _result, status = submit(form, lambda: preferences.set_channels(user, form.channels.data or [],
                                                                    actor=current_user), field="channels")
    if status is None:
        return saved(_("The reminder channels were saved."), url_for("admin.user", user_id=user_id))
    return _user_page(_user_or_404(user_id), status, channels_form=form)


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    """Deactivate or reactivate an account."""
    user = _user_or_404(user_id)
    if request.form.get("active") not in ("0", "1"):
        abort(400)
    active = request.form.get("active") == "1"
    return act(lambda: svc.set_active(user, active, current_user, utcnow()),
               _("The account was reactivated.") if active else
               _("The account was deactivated: it can no longer sign in or use API tokens."),
               url_for("admin.user", user_id=user_id))


@bp.route("/users/<int:user_id>/unit", methods=["POST"])
def user_unit(user_id: int):
    """Make a secretary the secretary of another unit."""
    user = _user_or_404(user_id)
    form = CodeForm()
    unit, status = submit(form, lambda: svc.assign_unit(user, form.unit.data, current_user, utcnow(),
                                                                 campaign_in_view()), field="unit")
    if status is None:
        return saved(_("%(email)s is now a secretary of %(code)s.", email=user.email, code=unit.code),
                     url_for("admin.user", user_id=user_id))
    return _user_page(_user_or_404(user_id), status, unit_form=form)


@bp.route("/users/<int:user_id>/groups", methods=["POST"])
def user_add_group(user_id: int):
    """Add a working-group member to a working group."""
    user = _user_or_404(user_id)
    form = GroupChoiceForm()
    form.group.choices = options(_group_choices(""))
    if form.validate_on_submit() and form.group.data:
        group = group_by_code(form.group.data)
        if group is None:
            form.group.errors = [_("No working group with code %(code)s.", code=form.group.data)]
            return _user_page(user, invalid_form(), group_form=form)
        result, status = attempt(form, lambda: svc.add_member(group, user.email, current_user), field="group")
        if status is None:
            return saved(_("%(email)s was added to the group.", email=user.email),
                         url_for("admin.user", user_id=user_id))
        user = _user_or_404(user_id)
    else:
        form.group.errors = [*form.group.errors, _("This field is required.")]
        status = invalid_form()
    return _user_page(user, status, group_form=form)


@bp.route("/users/<int:user_id>/groups/<code>/remove", methods=["POST"])
def user_remove_group(user_id: int, code: str):
    """Take the user out of a working group."""
    user = _user_or_404(user_id)
    group = _group_or_404(code)
    return act(lambda: svc.remove_member(group, user, current_user), _("The member was taken out of the group."),
               url_for("admin.user", user_id=user_id))


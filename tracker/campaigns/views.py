"""Pages: the campaigns list with the new-term form (admins), and the switcher (admins, viewers)."""
from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from ..edge import EmptyForm, Form, admin_page, local_path, saved, submit
from ..permissions import can_switch_campaign
from . import scope, service

bp = Blueprint("campaigns", __name__)
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class CopyForm(Form):
    """A new term or round from an existing campaign."""

    source = SelectField(_l("Copy from"))
    name = StringField(_l("Name of the congress round"),
                       validators=[InputRequired(_l("This field is required.")), Length(max=200)])
    term = StringField(_l("Term"), validators=[InputRequired(_l("This field is required.")), Length(max=50)],
                       description=_l("e.g. 2030–2035"))
    start = DateField(_l("Start date"), format=DATE_FORMATS, validators=[Optional()], widget=TextInput(),
                      description=_l("dd/mm/yyyy; may stay empty"))
    deadline = DateField(_l("Final deadline"), format=DATE_FORMATS, validators=[Optional()], widget=TextInput(),
                         description=_l("dd/mm/yyyy; may stay empty"))
    shift_days = IntegerField(_l("Shift congress dates by (days)"),
                              validators=[Optional(), NumberRange(-service.MAX_SHIFT, service.MAX_SHIFT)],
                              description=_l("Empty: the units' congress dates are cleared."))


def _form() -> CopyForm:
    form = CopyForm()
    campaigns = service.all_campaigns()
    form.source.choices = [(str(c.id), c.name + (f" ({c.term})" if c.term else "")) for c in campaigns]
    if request.method == "GET":
        active = scope.active_campaign()
        form.source.data = str(active.id) if active else None
    return form


@bp.route("/campaigns", methods=["GET", "POST"])
@login_required
def index():
    """Every campaign (source, state); the form that starts a new term from one of them."""
    admin_page()
    form = _form()
    status = 200
    if request.method == "POST":
        new, status = submit(form, lambda: service.copy_campaign(
            service.get_campaign(form.source.data), form.name.data, form.term.data, form.start.data,
            form.deadline.data, form.shift_days.data, actor=current_user))
        if status is None:
            scope.switch_to(None)  # the new campaign is the active one: show it
            return saved(_("Campaign %(name)s was created; the previous one is archived.", name=new.name),
                         url_for("campaigns.index"))
    return render_template("campaigns/index.html", campaigns=service.all_campaigns(), form=form), status


@bp.route("/campaigns/switch", methods=["POST"])
@login_required
def switch():
    """Read another campaign for the rest of the session (admins and viewers only)."""
    if not can_switch_campaign(current_user):
        abort(403)
    form = EmptyForm()
    if not form.validate_on_submit():
        abort(400)
    raw = request.form.get("campaign", "")
    if raw:
        try:
            campaign = service.get_campaign(raw)
        except service.NotFound:
            abort(404)
        scope.switch_to(None if campaign.active else campaign.id)
    else:
        scope.switch_to(None)
    # only a path on this site: the switch never sends anyone elsewhere
    return redirect(local_path(request.form.get("next")) or url_for("dashboard.home"))


def switcher() -> dict | None:
    """The nav's switcher for admins and viewers: the campaigns and the one in view; None for others."""
    if not current_user.is_authenticated or not can_switch_campaign(current_user):
        return None
    if "campaign_switcher" not in g:  # the nav and the archived notice share one query
        # formdata=None: the nav only shows this form, it never reads the request's body (which may be
        # what failed: a body over the size limit on the error page)
        g.campaign_switcher = {"campaigns": service.all_campaigns(), "current": scope.campaign_in_view(),
                               "form": EmptyForm(formdata=None)}
    return g.campaign_switcher

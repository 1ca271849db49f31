"""The first admin from the web on a fresh install, and the forced change of an initial password.

The set-up page exists only while there is no admin. It answers requests from the machine itself, or
with the set-up token the server prints to standard error at start. The token is derived from the
app's SECRET_KEY (so every worker and restart agrees on it) and is never stored."""
from __future__ import annotations

import hashlib
import hmac
import sys

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..clock import utcnow
from ..edge import Form
from ..extensions import db
from ..models import User
from ..services.accounts import create_user
from ..services.errors import DomainError
from ..signin import sessions

bp = Blueprint("setup", __name__)
LOCAL = {"127.0.0.1", "::1"}
# a proxy in front (nginx) makes every request look local: a forwarded request is never "from here"
PROXY_HEADERS = ("X-Forwarded-For", "X-Real-IP", "Forwarded")
# pages a user who must change the initial password may still open
OPEN_WHILE_FORCED = {"account.change_password", "account.reset_password", "auth.logout", "auth.login",
                     "auth.set_language", "static", "bootstrap.static"}


def setup_token(secret_key: str) -> str:
    """The set-up token for this install: an HMAC of a fixed label under SECRET_KEY."""
    return hmac.new(secret_key.encode(), b"tracker first-admin set-up", hashlib.sha256).hexdigest()[:32]


def admin_exists() -> bool:
    """True once any admin account exists (active or not): the set-up page is then gone."""
    return db.session.scalar(select(User.id).where(User.role == "admin").limit(1)) is not None


def announce(app: Flask) -> None:
    """At server start, when there is no admin yet: print where to create the first one (stderr, once)."""
    with app.app_context():
        try:
            needed = not admin_exists()
        except SQLAlchemyError:
            return  # no schema yet: `flask init-db` comes first
        finally:
            db.session.remove()
    if needed:
        print("No admin account yet. Create the first one at /setup from this machine, or from elsewhere at "
              f"/setup?token={setup_token(app.config['SECRET_KEY'])} (the page closes once an admin exists).",
              file=sys.stderr, flush=True)


def _local() -> bool:
    return request.remote_addr in LOCAL and not any(h in request.headers for h in PROXY_HEADERS)


class SetupForm(Form):
    """The first admin: name, email (or phone) and a password."""

    token = HiddenField()
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    phone = StringField(_l("Phone number"), validators=[Length(max=30)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    confirm = PasswordField(_l("Repeat the password"), validators=[DataRequired(), EqualTo("password")])


@bp.route("/setup", methods=["GET", "POST"])
def first_admin():
    """Create the first admin account (only while there is none)."""
    if admin_exists():
        abort(404)
    form = SetupForm()
    token = request.values.get("token") or ""
    if not _local() and not hmac.compare_digest(token, setup_token(current_app.config["SECRET_KEY"])):
        abort(404)
    form.token.data = token
    status = 200
    if form.validate_on_submit():
        try:
            user = create_user(form.email.data, form.name.data, "admin", form.password.data,
                               phone=form.phone.data, actor=None)  # no admin exists yet: this page is the operator
        except DomainError as exc:
            db.session.rollback()
            for name, message in exc.fields.items():
                field = getattr(form, name, None)
                if field is not None:
                    field.errors = [*field.errors, message]
            flash(exc.message, "danger")
            status = 400
        else:
            db.session.commit()
            sessions.start(user, utcnow())  # a new session: nothing of the set-up page's survives
            flash(_("The first admin account was created. Welcome."), "success")
            return redirect(url_for("admin.index"))
    elif request.method == "POST":
        status = 400
    return render_template("imports/setup.html", form=form), status


@bp.before_app_request
def _initial_password_must_change():
    """A user signed in with an initial password goes to the change-password page until it is done."""
    if not current_user.is_authenticated or not getattr(current_user, "must_change_password", False):
        return None
    if request.path.startswith("/api/") or request.endpoint in OPEN_WHILE_FORCED:
        return None
    flash(_("Choose your own password now: the initial one works only until you do."), "warning")
    return redirect(url_for("account.change_password"))

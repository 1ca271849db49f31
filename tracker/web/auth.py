"""Sign in, sign out, and the language switch."""
from __future__ import annotations

import logging

from flask import Blueprint, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..clock import utcnow
from ..edge import EmptyForm, Form, local_path
from ..extensions import db
from ..services.sessions import SIGNED_OUT, end_sessions
from ..signin import sessions
from ..signin.events import client_address
from ..signin.service import sign_in
from ..signin.throttle import Limits

log = logging.getLogger(__name__)
bp = Blueprint("auth", __name__)


class LoginForm(Form):
    """The sign-in form: email (or phone number) and password."""

    email = StringField(_l("Email or phone number"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str | None:
    # only same-site paths: never redirect to another host after sign-in (edge.local_path, the one check)
    return local_path(target)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the sign-in form and sign a user in (throttled, logged: tracker/signin)."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.home"))
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow()
        attempt = sign_in(form.email.data, form.password.data, client_address(), now, Limits.from_config())
        if attempt.user is not None:
            user = attempt.user
            if session.get("locale") and not user.locale:
                user.locale = session["locale"]
            db.session.commit()
            sessions.start(user, now)
            return redirect(_safe_next(request.args.get("next")) or url_for("dashboard.home"))
        db.session.commit()  # the failure's line in the sign-in log is what the throttle counts
        log.info("failed sign-in: %s", attempt.outcome)
        if attempt.retry_after:
            minutes = max(1, -(-attempt.retry_after // 60))
            flash(_("Too many failed sign-ins. Try again in %(n)s minutes.", n=minutes), "danger")
            response = make_response(render_template("auth/login.html", form=form), 429)
            response.headers["Retry-After"] = str(attempt.retry_after)
            return response
        flash(_("Wrong email or password, or the account is deactivated."), "danger")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form), 400 if form.errors and request.method == "POST" else 200


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (POST with the CSRF token): every session of the user ends, on every device."""
    if current_user.is_authenticated:
        end_sessions([current_user.id], SIGNED_OUT, utcnow())
        db.session.commit()
    logout_user()
    sessions.end()
    return redirect(url_for("auth.login"))


@bp.route("/language/<lang>", methods=["POST"])
def set_language(lang: str):
    """Switch the interface language; remembered on the user's account."""
    form = EmptyForm()
    if lang in ("vi", "en") and form.validate_on_submit():
        session["locale"] = lang
        if current_user.is_authenticated:
            current_user.locale = lang
            db.session.commit()
    return redirect(_safe_next(request.form.get("next")) or url_for("dashboard.home"))

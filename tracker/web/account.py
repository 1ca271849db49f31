"""The signed-in user's account page (reminder channels) and password; the way back in for one who forgot it."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, logout_user
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from ..clock import utcnow
from ..edge import Form, commit_or_refuse, refuse
from ..extensions import db
from ..reminders import preferences
from ..reminders.channels import chosen
from ..reminders.digest import base_url
from ..reminders.forms import ChannelsForm, channel_names
from ..reminders.webhook import webhook_configured
from ..services import accounts
from ..services.errors import Invalid, NotFound
from ..signin import sessions

log = logging.getLogger(__name__)
bp = Blueprint("account", __name__)


class PasswordForm(Form):
    """Change one's own password; the rules are the service's (services/accounts.py)."""

    current = PasswordField(_l("Current password"))
    new = PasswordField(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"))


class ForgotForm(Form):
    """Ask for a reset link."""

    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])


class ResetForm(Form):
    """Choose a new password through a reset link."""

    new = PasswordField(_l("New password"))
    confirm = PasswordField(_l("Repeat the new password"))


def _private(response):
    # the reset link is in the URL: no Referer leaves the page with it, and no cache keeps it
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """The signed-in user changes their password (current, new, repeated)."""
    form = PasswordForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        now, user = utcnow(), current_user._get_current_object()
        _done, refusal = commit_or_refuse(lambda: accounts.change_password(
            user, form.current.data, form.new.data, form.confirm.data, now))
        if refusal is not None:
            status = refuse(refusal, form)  # the messages go on the form before it is rendered
            return render_template("account/password.html", form=form), status
        sessions.start(user, now)  # every other session has ended; this one goes on, renewed
        log.info("user %s changed their password", user.id)
        flash(_("Your password was changed."), "success")
        return redirect(url_for("dashboard.home"))
    return render_template("account/password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link by email; the answer is the same whether the address has an account or not."""
    form = ForgotForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 400 if "csrf_token" in form.errors else 422
            return render_template("account/forgot.html", form=form), status
        try:
            address = accounts.normalise_email(form.email.data)
        except Invalid as exc:
            status = refuse(exc, form)
            return render_template("account/forgot.html", form=form), status
        _done, refusal = commit_or_refuse(lambda: accounts.request_password_reset(
            address, utcnow(), str(get_locale() or "vi"), base_url()))
        if refusal is not None:
            status = refuse(refusal, form)
            return render_template("account/forgot.html", form=form), status
        flash(_("If this address has an account, we have sent a message with instructions. Check your "
                "mailbox (and the spam folder); the link works for %(n)s minutes.",
                n=int(accounts.RESET_VALID.total_seconds() // 60)), "info")
        return redirect(url_for("auth.login"))
    return render_template("account/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password through a single-use link, then sign in with it."""
    now = utcnow()
    form = ResetForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        user, refusal = commit_or_refuse(lambda: accounts.reset_password(token, form.new.data, form.confirm.data, now))
        if isinstance(refusal, NotFound):
            return _private(make_response(render_template("account/reset_invalid.html"), 404))
        if refusal is not None:
            status = refuse(refusal, form)
            return _private(make_response(render_template("account/reset.html", form=form), status))
        log.info("user %s set a new password through a reset link", user.id)
        logout_user()  # whoever was signed in on this browser, the next step is signing in afresh
        sessions.end()
        flash(_("Your new password is set. Sign in with it."), "success")
        return redirect(url_for("auth.login"))
    if accounts.reset_link_user(token, now) is None:
        return _private(make_response(render_template("account/reset_invalid.html"), 404))
    return _private(make_response(render_template("account/reset.html", form=form)))


@bp.context_processor
def _password_rules():
    return {"min_password": accounts.MIN_PASSWORD}


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    """The signed-in user's account: who they are, and the channels their reminders go out through."""
    form = ChannelsForm(data={"channels": list(chosen(current_user.channels))})
    if request.method == "POST":
        form = ChannelsForm()
        if not form.validate_on_submit():
            abort(400)
        _done, refusal = commit_or_refuse(lambda: preferences.set_channels(
            current_user, form.channels.data or [], actor=current_user))
        if refusal is not None:
            status = refuse(refusal, form)
            return _account_page(form), status
        flash(_("Your reminder channels were saved."), "success")
        return redirect(url_for("account.account"))
    return _account_page(form)


def _account_page(form):
    from ..calendar.views import feed_addresses, private
    feed = feed_addresses(current_user)
    db.session.commit()  # the calendar feed's key may just have been created
    return private(make_response(render_template(
        "account/index.html", form=form, person=current_user, reaching=preferences.reaching(current_user),
        labels=channel_names(), webhook_on=webhook_configured(), feed=feed)))

"""The user's API tokens on the admin pages: list, make one (shown once), revoke one or all."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..clock import utcnow
from ..edge import EmptyForm, Form, act, admins_only, submit
from ..extensions import db
from ..models import User
from . import service

bp = Blueprint("tokens", __name__, url_prefix="/admin")
bp.before_request(admins_only)


class TokenForm(Form):
    """A new token's life in days."""

    days = IntegerField(_l("Valid for (days)"), default=service.DEFAULT_DAYS,
                        validators=[InputRequired(message=_l("This field is required.")),
                                    NumberRange(1, service.MAX_DAYS,
                                                message=_l("A whole number from 1 to %(max)s."))])


def register(app: Flask) -> None:
    """Attach the token pages; deactivating an account revokes its tokens (tracker.hooks)."""
    from .. import hooks
    from .service import revoke_on_deactivation
    app.register_blueprint(bp)
    hooks.sessions_ended.connect(revoke_on_deactivation)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _page(user: User, form: TokenForm | None = None, token: str | None = None, status: int = 200):
    return render_template("tokens/index.html", user=user, tokens=service.tokens_of(user), now=utcnow(),
                           state=service.token_state, form=form or TokenForm(formdata=None), new_token=token,
                           button=EmptyForm()), status


@bp.route("/users/<int:user_id>/tokens")
def index(user_id: int):
    """The user's tokens: created, expires, last used, state."""
    return _page(_user_or_404(user_id))


@bp.route("/users/<int:user_id>/tokens", methods=["POST"])
def create(user_id: int):
    """Make a token and show it on this answer only (never stored, never flashed into the cookie)."""
    user = _user_or_404(user_id)
    form = TokenForm()
    token, status = submit(form, lambda: service.create_token(user, utcnow(), form.days.data, actor=current_user),
                           field="days")
    if status is not None:
        return _page(user, form, status=status)
    return _page(user, token=token, status=201)


@bp.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
def revoke(user_id: int, token_id: int):
    """Revoke one token of the user."""
    user = _user_or_404(user_id)  # CSRFProtect has refused a POST without its token already
    return act(lambda: service.revoke_token(token_id, utcnow(), actor=current_user, user=user),
               _("The token was revoked."), url_for("tokens.index", user_id=user_id))


@bp.route("/users/<int:user_id>/tokens/revoke-all", methods=["POST"])
def revoke_all(user_id: int):
    """Revoke every token of the user."""
    user = _user_or_404(user_id)
    return act(lambda: service.revoke_all([user.id], utcnow(), actor=current_user),
               _("Every token of this user was revoked."), url_for("tokens.index", user_id=user_id))

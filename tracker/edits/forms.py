"""The edits pages' forms (Flask-WTF: CSRF on every one); the rules live in service.py."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length

from ..edge import Form

REQUIRED = _l("This field is required.")


class CodeChangeForm(Form):
    """A unit's new code."""

    code = StringField(_l("New code"), validators=[InputRequired(message=REQUIRED), Length(max=30)],
                       description=_l("Links and addresses follow the new code; the journal keeps the old one."))


class KindChoiceForm(Form):
    """The kind a unit should become (sent by GET to the confirmation page, so no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(_l("New kind"), validate_choice=False)


class KindConfirmForm(Form):
    """The confirmation of a kind change: the kind the page showed."""

    kind = HiddenField(validators=[InputRequired(message=REQUIRED)])

"""The import and bulk-change forms (CSRF on every one)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length

from ..edge import Form
from .columns import KINDS_OF_IMPORT

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms before 3.3 takes plain pairs
    SelectChoice = None


def choices(pairs) -> list:
    """Select options in the form the installed WTForms prefers."""
    pairs = list(pairs)
    return [SelectChoice(value, label) for value, label in pairs] if SelectChoice else pairs


class UploadForm(Form):
    """A file of units, users or working groups."""

    kind = SelectField(_l("Records"), choices=choices((k, k) for k in KINDS_OF_IMPORT), validate_choice=True)
    file = FileField(_l("File (.xlsx or .csv)"), validators=[FileRequired(message=_l("Choose a file."))])


class ProfileForm(Form):
    """A user's name, email, phone and role (and the unit of a secretary)."""

    name = StringField(_l("Full name"), validators=[InputRequired(message=_l("This field is required.")),
                                                   Length(max=200)])
    email = StringField(_l("Email"), validators=[Length(max=254)])
    phone = StringField(_l("Phone number"), validators=[Length(max=30)])
    role = SelectField(_l("Role"), validate_choice=False)
    unit = StringField(_l("Unit code (secretaries)"), validators=[Length(max=30)])

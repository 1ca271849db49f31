"""The organisation office's forms (Flask-WTF, CSRF on every one). Rules live in the services; the
forms only parse input and give per-field messages in the reader's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..edge import Form
from ..parsing import parse_day
from ..workflow import KINDS, STAGES
from ..workflow.deadlines import plausible

try:
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - WTForms before 3.3 takes plain pairs
    SelectChoice = None

REQUIRED = _l("This field is required.")


def needed():
    """InputRequired with a translated message."""
    return InputRequired(message=REQUIRED)


def length(n: int):
    """Length at most n with a translated message."""
    return Length(max=n, message=_l("At most %(n)s characters.", n=n))


class DateInput(StringField):
    """A date typed as dd/mm/yyyy (yyyy-mm-dd is accepted too); empty means none."""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self.raw:
            return
        day = parse_day(self.raw, any_year=True)
        if day is None:
            raise ValueError(_l("Not a date: write it as dd/mm/yyyy."))
        if not plausible(day):
            raise ValueError(_l("A date between the years 2000 and 2100."))
        self.data = day

    def _value(self):
        if getattr(self, "raw", None) and self.data is None:
            return self.raw  # show what was typed, so the user can correct it
        return self.data.strftime("%d/%m/%Y") if self.data else ""


class WholeNumber(IntegerField):
    """A whole number with a translated parse error."""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            raise ValueError(_l("Not a whole number.")) from None


class CheckboxesField(SelectMultipleField):
    """Several checkboxes for one list value."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def options(pairs) -> list:
    """Select options as (value, label) pairs, in the form the installed WTForms prefers."""
    pairs = list(pairs)
    return [SelectChoice(value, label) for value, label in pairs] if SelectChoice else pairs


def kind_choices():
    """The four unit kinds with their names in the reader's language."""
    return options((k, KIND_LABELS[k]) for k in KINDS)


KIND_LABELS = {
    "commune_committee": _l("Commune/town Party committee"),
    "sector_committee": _l("Sector Party committee"),
    "grassroots_cell": _l("Grassroots cell"),
    "sub_cell": _l("Cell under a grassroots committee"),
}
ROLE_LABELS = {
    "admin": _l("Organisation office"),
    "group": _l("Working-group member"),
    "secretary": _l("Unit secretary"),
    "viewer": _l("Leadership (read only)"),
}


class CampaignForm(Form):
    """The campaign's name, organiser, term and final deadline."""

    name = StringField(_l("Name of the congress round"), validators=[needed(), length(200)])
    organiser = StringField(_l("Organiser (the superior committee)"), validators=[length(200)],
                            description=_l("e.g. Huyện ủy Cầu Ngang, Đảng ủy phường X"))
    term = StringField(_l("Term"), validators=[length(50)], description=_l("e.g. 2020–2025"))
    final_deadline = DateInput(_l("Final deadline"), description=_l("dd/mm/yyyy; may stay empty"))
    sub_cell_gate = BooleanField(_l("A committee's congress waits for its cells' congresses (sub-cell gate)"),
                                 default=True)
    congresses_per_day = IntegerField(
        _l("Most congresses on one day"), default=3, validators=[Optional(), NumberRange(min=1, max=1000)],
        description=_l("The congress calendar flags a day with more congresses than this across the campaign"))


class DocumentForm(Form):
    """A reference document: number and date identify it."""

    number = StringField(_l("Number"), validators=[needed(), length(50)], description=_l("e.g. 35-CT/TW"))
    issued_on = DateInput(_l("Issued on"), validators=[needed()], description=_l("dd/mm/yyyy"))
    title = StringField(_l("Kind and title"), validators=[length(300)],
                        description=_l("e.g. Chỉ thị của Bộ Chính trị về đại hội đảng bộ các cấp"))


class TemplateForm(Form):
    """One checklist item of the campaign's template."""

    stage = SelectField(_l("Stage"), validate_choice=False)
    key = StringField(_l("Key"), validators=[needed(), length(50)],
                      description=_l("lower-case letters, digits and _; cannot be changed later"))
    title_vi = StringField(_l("Title in Vietnamese"), validators=[needed(), length(300)])
    title_en = StringField(_l("Title in English"), validators=[needed(), length(300)])
    required = BooleanField(_l("Required for the stage to be done"), default=True)
    superior_only = BooleanField(_l("Only the superior side may tick it (working group or office)"))
    kinds = CheckboxesField(_l("Unit kinds it applies to (none ticked: all kinds)"), validate_choice=False)
    offset_days = WholeNumber(_l("Due: days from the anchor (negative = before)"), validators=[needed()])
    working_days = BooleanField(_l("Count working days (skip weekends and holidays)"))
    anchor = SelectField(_l("Anchor"), validate_choice=False,
                         choices=options([("congress", _l("The unit's congress date")),
                                          ("deadline", _l("The campaign's final deadline"))]))

    def data_for_service(self) -> dict:
        """The fields as the template service takes them."""
        stage, key = getattr(self, "stage", None), getattr(self, "key", None)
        return {"stage": stage.data if stage else None, "key": (key.data or "").strip() if key else "",
                "title_vi": self.title_vi.data,
                "title_en": self.title_en.data, "required": self.required.data,
                "superior_only": self.superior_only.data, "kinds": self.kinds.data or [],
                "offset_days": self.offset_days.data, "working_days": self.working_days.data,
                "anchor": self.anchor.data}


class TemplateEditForm(TemplateForm):
    """Editing keeps the stage and key."""

    stage = None
    key = None


class UnitForm(Form):
    """A unit's fields."""

    code = StringField(_l("Code"), validators=[needed(), length(30)])
    name = StringField(_l("Name"), validators=[needed(), length(200)])
    kind = SelectField(_l("Kind"), validate_choice=False)
    party_members = WholeNumber(_l("Party members"), default=0, validators=[Optional()])
    pilot = BooleanField(_l("Pilot congress"))
    group = SelectField(_l("Working group"), validate_choice=False)
    congress_date = DateInput(_l("Planned congress date"), description=_l("dd/mm/yyyy; may stay empty"))
    parent = StringField(_l("Parent committee's code"), validators=[length(30)],
                         description=_l("only for a cell under a grassroots committee"))

    def data_for_service(self, creating: bool) -> dict:
        """The fields as create_unit/update_unit take them."""
        data = {"name": self.name.data, "party_members": self.party_members.data or 0,
                "pilot": bool(self.pilot.data), "group": self.group.data or None,
                "congress_date": self.congress_date.data, "parent": (self.parent.data or "").strip() or None}
        if creating:
            data.update(code=(self.code.data or "").strip(), kind=self.kind.data)
        return data


class UnitEditForm(UnitForm):
    """Editing keeps the code and the kind."""

    code = None
    kind = None


class EmailForm(Form):
    """One user's email (a secretary for a unit, a member for a group)."""

    email = StringField(_l("Email"), validators=[needed(), length(254)])


class CodeForm(Form):
    """One unit's code (to put it in a working group, or a secretary on it)."""

    unit = StringField(_l("Unit code"), validators=[needed(), length(30)])


class GroupForm(Form):
    """A new working group."""

    code = StringField(_l("Code"), validators=[needed(), length(30)])
    name = StringField(_l("Name"), validators=[needed(), length(200)])


class GroupRenameForm(Form):
    """A working group's new name."""

    name = StringField(_l("Name"), validators=[needed(), length(200)])


class UserForm(Form):
    """A new user."""

    email = StringField(_l("Email"), validators=[needed(), length(254)])
    name = StringField(_l("Full name"), validators=[needed(), length(200)])
    role = SelectField(_l("Role"), validate_choice=False, choices=options(ROLE_LABELS.items()))
    password = PasswordField(_l("Password"), validators=[needed(), length(200)],
                             description=_l("at least 8 characters; tell it to the user, who can change it"))
    unit = StringField(_l("Unit code (secretaries)"), validators=[length(30)])
    group = SelectField(_l("Working group (working-group members)"), validate_choice=False)


class PasswordResetForm(Form):
    """The admin sets a new password."""

    password = PasswordField(_l("New password"), validators=[needed(), length(200)])
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[needed(), EqualTo("password", message=_l("The two passwords differ."))])


class GroupChoiceForm(Form):
    """A working group to add a user to."""

    group = SelectField(_l("Working group"), validate_choice=False)


class CalendarDayForm(Form):
    """A day off or a make-up working day."""

    day = DateInput(_l("Day"), validators=[needed()], description=_l("dd/mm/yyyy"))
    working = SelectField(_l("Kind of day"), validate_choice=False,
                          choices=options([("off", _l("Day off")), ("working", _l("Make-up working day"))]))
    name = StringField(_l("Reason"), validators=[length(200)], description=_l("e.g. Nghỉ bù Tết"))


def stage_choices(label):
    """The six stages in order with their names."""
    return options((s, label(s)) for s in STAGES)

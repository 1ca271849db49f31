"""The channels form, shared by the account page and the admin's user page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from ..edge import Form


def channel_labels() -> dict[str, str]:
    """Each channel in the reader's words."""
    return {"inbox": _l("In-app inbox (always on)"), "email": _l("Email"),
            "webhook": _l("Text message or Zalo (through the office's gateway)")}


def channel_names() -> dict[str, str]:
    """Each channel's short name, for "reminders now reach this person through …"."""
    return {"inbox": _l("the in-app inbox"), "email": _l("email"), "webhook": _l("text message or Zalo")}


class ChannelsForm(Form):
    """Which channels one's digests go out through; the inbox is always on (shown checked, not editable)."""

    channels = SelectMultipleField(_l("Reminder channels"), widget=ListWidget(prefix_label=False),
                                   option_widget=CheckboxInput(), validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.channels.choices = list(channel_labels().items())

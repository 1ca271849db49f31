"""Text typed by people: one rule at input, one at output.

At input (the API's schemas, the pages' forms): C0 control characters other than TAB, LF and CR, and lone
surrogates ("\\ud800" as a JSON escape: no UTF-8 encodes one, so no database or file stores it) are refused
with a message naming the field; one-line fields (names, codes) turn their line breaks and tabs into spaces.
At output (XLSX, CSV, Word): what the database already holds is stripped of the same characters, so one odd
row inserted by hand cannot break a file for every reader (XML 1.0 has no place for them).
"""
from __future__ import annotations

import re
from typing import Optional

from flask_babel import gettext as _

# C0 controls but TAB, LF, CR; and the surrogate code points (never valid alone in a str meant for UTF-8)
_REFUSED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\t\v\f\u0085\u2028\u2029]")


def text_problem(value: object) -> Optional[str]:
    """Why value is refused as typed text (a message for people), or None when it is fine."""
    if not isinstance(value, str):
        return None
    found = _REFUSED.search(value)
    if found is None:
        return None
    if "\ud800" <= found.group() <= "\udfff":
        return _("Contains an invalid character (a lone UTF-16 surrogate); retype the text.")
    return _("Control characters are not allowed (only tab and line breaks).")


def one_line(value: str) -> str:
    """A one-line field's text: line breaks and tabs become spaces (then trimmed)."""
    return _LINE_BREAKS.sub(" ", value).strip() if isinstance(value, str) else value


def printable(value: object) -> object:
    """For files: a str without the characters text_problem refuses (other values unchanged)."""
    return _REFUSED.sub("", value) if isinstance(value, str) else value

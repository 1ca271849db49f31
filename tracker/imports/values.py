"""Cell values as people type them in Excel, read into the app's values; a bad cell raises BadCell."""
from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Optional

from flask_babel import gettext as _

from ..parsing import whole_number
from ..text import text_problem
from ..workflow.deadlines import FIRST_YEAR, LAST_YEAR, plausible

_SPACES = re.compile(r"\s+")
YES = {"x", "1", "có", "co", "yes", "y", "true", "đúng", "c"}
NO = {"", "0", "không", "khong", "no", "n", "false", "sai", "k"}
EXCEL_EPOCH = date(1899, 12, 30)
_GROUPED = re.compile(r"\d{1,3}(?:[.,\s]\d{3})+")


class BadCell(Exception):
    """A cell that cannot be read as what its column holds."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value: object) -> str:
    """The cell as text: NFC, outer spaces trimmed, runs of spaces made one; a whole float loses its .0."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return _SPACES.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def fold(value: object) -> str:
    """The form in which codes, labels and headers are compared: text, without case."""
    return text(value).casefold()


def yes_no(value: object) -> bool:
    """x / blank, 1 / 0, có / không (and yes / no, true / false, Excel's TRUE / FALSE)."""
    if isinstance(value, bool):
        return value
    word = fold(value)
    if word in YES:
        return True
    if word in NO:
        return False
    raise BadCell(_("Write x (or 1, có) for yes and leave it blank (or 0, không) for no."))


def whole(value: object, high: int) -> int:
    """A whole number from 0 to high; blank is 0."""
    if isinstance(value, bool):
        raise BadCell(_("Not a whole number."))
    if isinstance(value, float):
        if not value.is_integer():
            raise BadCell(_("Not a whole number."))
        value = int(value)
    raw = text(value) if not isinstance(value, int) else str(value)
    if _GROUPED.fullmatch(raw):  # 1.234 or 1 234: thousands grouped as people write them
        raw = re.sub(r"[.,\s]", "", raw)
    if raw == "":
        return 0
    number = whole_number(raw, 0, high)
    if number is None:
        if whole_number(raw, 0, 10**18) is not None:
            raise BadCell(_("A whole number from 0 to %(n)s.", n=high))
        raise BadCell(_("Not a whole number."))
    return number


def day(value: object) -> Optional[date]:
    """A date: an Excel date cell, dd/mm/yyyy (d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy) or yyyy-mm-dd; blank is None."""
    if isinstance(value, datetime):
        found = value.date()
    elif isinstance(value, date):
        found = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        # a date cell that lost its format shows as Excel's day number
        # (the bound keeps timedelta from overflowing; any such day is past the plausible years, refused below)
        found = EXCEL_EPOCH + timedelta(days=max(-10**6, min(int(value), 10**6)))
    else:
        raw = text(value)
        if not raw:
            return None
        found = _parse_day(raw)
    if not plausible(found):
        raise BadCell(_("A date between the years %(first)s and %(last)s.", first=FIRST_YEAR, last=LAST_YEAR))
    return found


_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?")


def _parse_day(raw: str) -> date:
    m = _DMY.fullmatch(raw)
    if m:
        d, mo, y = (int(x) for x in m.groups())
    else:
        m = _ISO.fullmatch(raw)
        if not m:
            raise BadCell(_("Not a date: write it as dd/mm/yyyy."))
        y, mo, d = (int(x) for x in m.groups())
    try:
        return date(y, mo, d)
    except ValueError:
        raise BadCell(_("There is no such day: %(raw)s.", raw=raw)) from None


def vocabulary(keys: tuple[str, ...], label) -> dict[str, str]:
    """Every way to write one of keys, folded: the key itself and its label in Vietnamese and English."""
    from flask_babel import force_locale

    names = {fold(k): k for k in keys}
    for locale in ("vi", "en"):
        with force_locale(locale):
            names.update({fold(label(k)): k for k in keys})
    return names


def choose(value: object, names: dict[str, str], message: str) -> Optional[str]:
    """The key value names (by key or label); None when blank; BadCell(message) when unknown."""
    word = fold(value)
    if not word:
        return None
    if word not in names:
        raise BadCell(message)
    return names[word]


def limited(n: int):
    """A parser of text at most n characters long, without control characters (tracker.text's rule)."""
    def parse(value: object) -> str:
        found = text(value)
        if len(found) > n:
            raise BadCell(_("At most %(n)s characters.", n=n))
        problem = text_problem(found)
        if problem:
            raise BadCell(problem)
        return found
    return parse

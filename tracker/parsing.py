"""Whole numbers typed by people or put in URLs: ASCII digits only, bounded, never an exception."""
from __future__ import annotations

import re
from typing import Optional

ID_MAX = 2**31 - 1  # the largest id a database `integer` column holds (every id column is one)
_WHOLE = re.compile(r"[0-9]{1,18}")  # str.isdigit() accepts "²", which int() refuses


def whole_number(raw: object, low: int = 0, high: int = 10**9) -> Optional[int]:
    """The number raw spells in ASCII digits when low <= it <= high, else None."""
    text = str(raw).strip() if raw is not None else ""
    if not _WHOLE.fullmatch(text):
        return None
    value = int(text)
    return value if low <= value <= high else None


def page_number(raw: object) -> int:
    """A ?page= value: 1 when missing or odd."""
    return whole_number(raw, 1, 10**6) or 1


def record_id(raw: object) -> Optional[int]:
    """THE id parser for ids in a path, query or form: 1 to ID_MAX in ASCII digits, else None (the caller's 404).

    "²" and "٣" pass str.isdigit() but not int(); 10**20 passes int() but overflows the database's integer.
    """
    return whole_number(raw, 1, ID_MAX)

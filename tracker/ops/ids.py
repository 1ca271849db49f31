"""`<int:…>` in every route matches only ids a PostgreSQL `integer` column can hold: a larger one is a 404."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter, ValidationError

from ..parsing import ID_MAX as DB_INT_MAX  # every id column is `integer` (models: mapped_column(primary_key=True))


class DbIntConverter(IntegerConverter):
    """An id from 1 to 2^31−1; anything else does not match the route (404), so no query ever overflows."""

    # at most 10 ASCII digits, no leading zero: longer ids fail the route's regex, so no other route with the
    # same path (but another method) answers 405 for them
    regex = r"[1-9][0-9]{0,9}"

    def __init__(self, map, fixed_digits: int = 0, min: int = 1, max: int = DB_INT_MAX, signed: bool = False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        # int() of a 4,300-digit string raises ValueError (Python's int-string limit): refuse by length first
        if len(value) > len(str(self.max)):
            raise ValidationError()
        return super().to_python(value)


def init_app(app: Flask) -> None:
    """Make `int` in routes mean DbIntConverter."""
    app.url_map.converters["int"] = DbIntConverter

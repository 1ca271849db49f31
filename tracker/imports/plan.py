"""What an import would do: every change row by row, and every error with its line and column."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from flask_babel import gettext as _

from .columns import COLUMNS, IGNORED, header_names
from .reading import Table
from .values import BadCell, fold


@dataclass
class RowError:
    """One refused cell (or row, or header): the file's line, the column as headed in the file, why."""

    line: int
    column: str
    message: str

    def text(self) -> str:
        """`dòng N, cột X: …` in Vietnamese, `line N, column X: …` in English."""
        return _("line %(line)s, column %(column)s: %(message)s", line=self.line, column=self.column,
                 message=self.message)


@dataclass
class Change:
    """One record of the file: created, updated (with each field's old and new value) or unchanged."""

    line: int
    key: str
    action: str  # create | update | unchanged
    fields: list[tuple[str, str, str]] = field(default_factory=list)  # (field, before, after) as shown


@dataclass
class Row:
    """A data row read into field values; `present` are the fields the file has a column for."""

    line: int
    values: dict[str, Any]
    headers: dict[str, str]  # field -> the header as written in the file

    def column(self, name: str) -> str:
        """The header the file uses for a field (the field's name when the file has no such column)."""
        return self.headers.get(name, name)


@dataclass
class Plan:
    """The changes and errors of one file; `work` is what apply needs, computed once by the planner."""

    kind: str
    changes: list[Change] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    work: dict[str, Any] = field(default_factory=dict)

    def counts(self) -> tuple[int, int, int]:
        """(created, updated, unchanged)."""
        actions = [c.action for c in self.changes]
        return actions.count("create"), actions.count("update"), actions.count("unchanged")

    def summary(self) -> str:
        """The last line the command prints, in the contract's words (scripts read it)."""
        created, updated, unchanged = self.counts()
        return f"created {created}, updated {updated}, unchanged {unchanged}"

    def error(self, row: Optional[Row], name: str, message: str, line: Optional[int] = None) -> None:
        """Record an error in row's cell of field name."""
        self.errors.append(RowError(line or (row.line if row else 1), row.column(name) if row else name, message))

    def code_key(self, row: Row, seen: dict[str, int]) -> Optional[str]:
        """The row's code folded for comparison, first time in the file; None (error recorded) otherwise.

        `seen` maps the codes met so far to their line.
        """
        code = row.values.get("code")
        if bad(code):
            return None
        if not code:
            self.error(row, "code", _("This field is required."))
            return None
        key = fold(code)
        if key in seen:
            self.error(row, "code", _("The code %(code)s is already on line %(line)s.", code=code, line=seen[key]))
            return None
        seen[key] = row.line
        return key


def read_rows(kind: str, table: Table, plan: Plan, parsers: dict[str, Any]) -> list[Row]:
    """The rows with each present column parsed; bad headers and bad cells go to plan.errors."""
    names = header_names(kind)
    headers: dict[str, str] = {}
    index: dict[str, int] = {}
    for i, raw in enumerate(table.header):
        folded = fold(raw)
        if not folded or folded in IGNORED:
            continue
        name = names.get(folded)
        if name is None:
            allowed = ", ".join(c.field for c in COLUMNS[kind])
            plan.errors.append(RowError(1, raw, _("Unknown column; the columns are: %(names)s (or the "
                                                  "template's Vietnamese headers).", names=allowed)))
        elif name in index:
            plan.errors.append(RowError(1, raw, _("This column appears twice.")))
        else:
            headers[name], index[name] = raw, i
    if kind == "users":
        if "email" not in index and "phone" not in index:
            plan.errors.append(RowError(1, "email", _("The file needs an email or a phone column.")))
    elif "code" not in index:
        plan.errors.append(RowError(1, "code", _("This column is missing.")))
    rows = []
    for line, cells in table.rows:
        row = Row(line, {}, headers)
        for name, i in index.items():
            try:
                row.values[name] = parsers[name](cells[i])
            except BadCell as exc:
                plan.error(row, name, exc.message)
                row.values[name] = BadCell  # marks a cell already reported
        rows.append(row)
    return rows


def bad(value: Any) -> bool:
    """True for a cell whose error is already reported."""
    return value is BadCell


def shown(value: Any) -> str:
    """A value as the preview shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)

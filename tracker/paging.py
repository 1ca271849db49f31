"""One way to paginate: read ?page= and ?per_page= safely, count a select and cut it to one page."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from .extensions import db
from .parsing import page_number, whole_number
from .services.errors import Invalid

__all__ = ["MAX_PAGE", "Page", "page_args", "page_number", "paginate"]

MAX_PAGE = 10_000_000  # far past any real list; keeps OFFSET inside the database's integer range


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, the list's total, this page's number and the size of a page."""

    items: list
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages the list has (1 for an empty list)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.per_page

    @classmethod
    def window(cls, raw_page: object, total: int, per_page: int) -> Page:
        """An empty page for a list counted elsewhere: ?page= read safely, past the end → the last page."""
        return cls([], total, min(page_number(raw_page), max(1, -(-total // per_page))), per_page)


def page_args(args: Mapping[str, Any], default_per_page: int, max_per_page: int) -> tuple[int, int]:
    """The page and per_page of an API request, within bounds; Invalid naming the bad fields otherwise."""
    fields = {}
    page = whole_number(args.get("page", 1), 1, MAX_PAGE)
    if page is None:
        fields["page"] = _("A whole number, 1 or more.")
    per_page = whole_number(args.get("per_page", default_per_page), 1, max_per_page)
    if per_page is None:
        fields["per_page"] = _("A whole number from 1 to %(n)s.", n=max_per_page)
    if fields:
        raise Invalid(_("Check the marked fields."), fields)
    return page, per_page


def paginate(query: Select, page: int, per_page: int, *, order_by: tuple = (), options: tuple = (),
             rows: bool = False, last_page: bool = False, total: Optional[int] = None) -> Page:
    """Count query's rows and read one page of it: ORM objects (or rows when `rows`), two statements.

    `order_by` and `options` apply to the page only (the count needs neither); `last_page` turns a page
    number past the end into the last page, as pages want (an API answers an empty page instead);
    `total`, when the caller already knows it, saves the count.
    """
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    if last_page:
        page = min(page, max(1, -(-total // per_page)))
    window = query.order_by(*order_by) if order_by else query
    window = window.options(*options).offset((page - 1) * per_page).limit(per_page)
    result = db.session.execute(window) if rows else db.session.scalars(window)
    return Page(list(result.all()), total, page, per_page)

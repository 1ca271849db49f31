"""One page of a long list: the page asked for (?page=), clamped to the pages there are."""
from __future__ import annotations

from dataclasses import dataclass

from .parsing import page_number


@dataclass(frozen=True)
class Page:
    """Page `number` of `pages`, `per_page` rows each, out of `total` rows."""

    number: int
    per_page: int
    total: int

    @classmethod
    def of(cls, raw: object, total: int, per_page: int) -> Page:
        """The page a ?page= value asks for (1 when missing or odd, the last one when past the end)."""
        pages = max(1, -(-total // per_page))
        return cls(min(page_number(raw), pages), per_page, total)

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even when empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.number - 1) * self.per_page

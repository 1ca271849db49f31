"""tracker.paging: the one paginate helper and its argument parser."""
import pytest
from sqlalchemy import select

from tracker.models import Unit
from tracker.paging import Page, page_args, paginate
from tracker.services.errors import Invalid


def test_page_counts_pages():
    assert Page([], 0, 1, 50).pages == 1
    assert Page([], 50, 1, 50).pages == 1
    assert Page([], 51, 1, 50).pages == 2


def test_page_args_bounds_and_defaults():
    assert page_args({}, 100, 1000) == (1, 100)
    assert page_args({"page": "3", "per_page": "1000"}, 100, 1000) == (3, 1000)
    for bad, field in (({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"per_page": "1001"}, "per_page"),
                       ({"per_page": "²"}, "per_page"), ({"page": "9" * 40}, "page")):
        with pytest.raises(Invalid) as refused:
            page_args(bad, 100, 1000)
        assert set(refused.value.fields) == {field}


def test_paginate_counts_and_windows_in_two_statements(make_unit, count_queries):
    for n in range(7):
        make_unit(f"P{n}")
    query = select(Unit).where(Unit.code.like("P%"))
    with count_queries() as counter:
        page = paginate(query, 2, 3, order_by=(Unit.code,))
    assert counter.n == 2
    assert (page.total, page.page, page.pages) == (7, 2, 3)
    assert [u.code for u in page.items] == ["P3", "P4", "P5"]
    # past the end: an empty page for the API, the last page for pages
    assert paginate(query, 9, 3, order_by=(Unit.code,)).items == []
    last = paginate(query, 9, 3, order_by=(Unit.code,), last_page=True)
    assert last.page == 3 and [u.code for u in last.items] == ["P6"]


def test_paginate_rows(make_unit):
    make_unit("R1")
    page = paginate(select(Unit.code, Unit.name), 1, 10, order_by=(Unit.code,), rows=True)
    assert page.total == 1 and page.items[0].code == "R1"

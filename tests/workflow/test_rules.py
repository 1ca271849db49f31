"""The pure rules, without Flask: calendar, due dates, gates, status, rounding."""
from datetime import date

import pytest

from tracker.workflow import (
    GATES,
    STAGES,
    GateClosed,
    ItemFacts,
    WorkCalendar,
    check_gate,
    due_date,
    percent,
    stage_due_on,
    stage_status,
)


def test_stage_order_is_the_contracts():
    assert STAGES == ("dissemination", "documents", "personnel", "rehearsal", "congress", "first_session")


# -- calendar and due dates ------------------------------------------------------------------------

def test_weekends_and_vietnamese_holidays_are_not_working_days():
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2030, 5, 18))  # Saturday
    assert not cal.is_working_day(date(2030, 5, 19))  # Sunday
    assert not cal.is_working_day(date(2030, 9, 2))   # Quốc khánh
    assert not cal.is_working_day(date(2030, 4, 30))  # Ngày Giải phóng miền Nam
    assert cal.is_working_day(date(2030, 5, 20))      # a Monday


def test_tet_comes_from_the_holidays_package_and_moves_every_year():
    cal = WorkCalendar()
    assert not cal.is_working_day(date(2030, 2, 4))   # Tết Canh Tuất 2030 (3 Feb is Mùng 1, Sunday)
    assert not cal.is_working_day(date(2031, 1, 23))  # Tết Tân Hợi 2031 (Mùng 1 is 23 Jan)


def test_admin_days_override_the_package():
    cal = WorkCalendar(days_off=frozenset({date(2030, 5, 21)}), working_days=frozenset({date(2030, 5, 18)}))
    assert not cal.is_working_day(date(2030, 5, 21))
    assert cal.is_working_day(date(2030, 5, 18))


def test_calendar_and_working_day_offsets():
    congress = date(2030, 5, 17)  # a Friday
    assert due_date(congress, -45, False) == date(2030, 4, 2)
    assert due_date(congress, 0, False) == congress
    # 7 working days after a Friday: Mon 20 .. Tue 28 (skips two weekends)
    assert due_date(congress, 7, True) == date(2030, 5, 28)
    assert due_date(congress, -1, True) == date(2030, 5, 16)
    assert due_date(date(2030, 5, 20), -1, True) == date(2030, 5, 17)  # Monday minus one: the Friday
    assert due_date(None, -45, False) is None


def test_working_days_skip_a_holiday():
    # 7 working days after Fri 26 Apr 2030: 29 Apr, then 30 Apr and 1 May are holidays
    assert due_date(date(2030, 4, 26), 7, True) == date(2030, 5, 9)


def test_working_days_between():
    cal = WorkCalendar()
    assert cal.working_days_between(date(2030, 5, 17), date(2030, 5, 28)) == 7
    assert cal.working_days_between(date(2030, 5, 28), date(2030, 5, 17)) == 0


# -- gates -----------------------------------------------------------------------------------------

def test_the_only_gates_are_the_contracts():
    assert GATES == {"congress": ("documents", "personnel", "rehearsal"), "first_session": ("congress",)}


def test_congress_gate_names_what_is_missing():
    statuses = {"documents": "done", "personnel": "in_progress", "rehearsal": "not_started"}
    with pytest.raises(GateClosed) as exc:
        check_gate("congress", statuses)
    assert exc.value.stage == "congress"
    assert exc.value.missing == ("personnel", "rehearsal")


def test_gates_open_when_done_or_verified():
    check_gate("congress", {"documents": "verified", "personnel": "done", "rehearsal": "done"})
    check_gate("first_session", {"congress": "verified"})
    with pytest.raises(GateClosed):
        check_gate("first_session", {"congress": "returned"})
    for free in ("dissemination", "documents", "personnel", "rehearsal"):
        check_gate(free, {})


# -- status ----------------------------------------------------------------------------------------

TODAY = date(2030, 5, 1)


def facts(*spec):
    return [ItemFacts(required, done, due) for required, done, due in spec]


def test_status_not_started_in_progress_done():
    assert stage_status(facts((True, False, date(2030, 6, 1))), None, TODAY) == "not_started"
    assert stage_status(facts((True, True, None), (True, False, date(2030, 6, 1))), None, TODAY) == "in_progress"
    assert stage_status(facts((True, True, None), (False, False, None)), None, TODAY) == "done"


def test_status_overdue_when_a_required_item_is_past_due():
    items = facts((True, True, date(2030, 4, 1)), (True, False, date(2030, 4, 30)))
    assert stage_status(items, None, TODAY) == "overdue"
    assert stage_status(items, None, date(2030, 4, 30)) == "in_progress"  # due today is not yet overdue
    assert stage_status(facts((False, False, date(2030, 4, 1)), (True, True, None)), None, TODAY) == "done"


def test_status_verified_and_returned():
    done = facts((True, True, None))
    assert stage_status(done, "verified", TODAY) == "verified"
    assert stage_status(done, "returned", TODAY) == "returned"
    # a verification of a stage no longer complete does not make it verified
    assert stage_status(facts((True, False, None)), "verified", TODAY) == "not_started"


def test_stage_due_on_is_the_latest_required_due_date():
    items = facts((True, False, date(2030, 4, 1)), (True, False, date(2030, 4, 5)), (False, False, date(2030, 5, 1)))
    assert stage_due_on(items) == date(2030, 4, 5)
    assert stage_due_on([]) is None


# -- rounding --------------------------------------------------------------------------------------

def test_percent_half_up_and_truncate():
    assert percent(271, 342) == 79.24
    assert percent(271, 342, "truncate") == 79.23
    assert percent(79, 342) == 23.10
    assert percent(79, 342, "truncate") == 23.09
    assert percent(1, 8) == 12.5
    assert percent(5, 0) == 0.0
    assert percent(1, 3) == 33.33
    assert percent(2, 3) == 66.67
    assert percent(2, 3, "truncate") == 66.66

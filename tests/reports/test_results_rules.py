"""The pure rules for results: impossible counts, targets, surplus, stored problems."""
from datetime import date
from decimal import Decimal

from tracker.workflow.result_rules import (
    Targets,
    check_congress,
    check_dissemination,
    check_first_session,
    check_held_on,
    earliest_congress,
    held_on_flags,
    stored_problems,
    surplus_percent,
    target_flags,
)

GOOD = {"committee_elected": 15, "re_elected": 12, "first_time": 3, "women": 3, "young": 2, "ethnic_minority": 1,
        "delegates_official": 10, "delegates_alternate": 2, "seats": 15, "candidates": 17}


def codes(problems):
    return {(p.field, p.code) for p in problems}


def test_good_results_pass():
    assert check_congress(GOOD) == []


def test_re_elected_plus_first_time_must_equal_elected():
    assert codes(check_congress({**GOOD, "first_time": 4})) == {("re_elected", "sum_mismatch"),
                                                                ("first_time", "sum_mismatch")}


def test_composition_at_most_elected():
    bad = {**GOOD, "women": 16, "young": 16, "ethnic_minority": 16}
    assert codes(check_congress(bad)) == {("women", "above_elected"), ("young", "above_elected"),
                                          ("ethnic_minority", "above_elected")}


def test_counts_non_negative_and_bounded():
    assert ("sessions", "negative") in codes(check_dissemination({"sessions": -1, "attendees": 0,
                                                                  "members_reached": 0}, 10))
    assert ("women", "too_large") in codes(check_congress({**GOOD, "women": 10**9}))


def test_members_reached_at_most_party_members():
    assert codes(check_dissemination({"sessions": 1, "attendees": 50, "members_reached": 11}, 10)) == {
        ("members_reached", "above_members")}
    assert check_dissemination({"sessions": 1, "attendees": 50, "members_reached": 10}, 10) == []


def test_candidates_at_least_seats_and_seats_positive():
    assert codes(check_congress({**GOOD, "candidates": 14})) == {("candidates", "below_seats")}
    assert codes(check_congress({**GOOD, "seats": 0})) == {("seats", "seats_zero")}
    assert check_congress({**GOOD, "seats": None, "candidates": None}) == []
    assert check_congress({**GOOD, "seats": 15, "candidates": None}) == []


def test_a_cell_has_no_standing_committee():
    first = {"standing_committee": 1, "deputy_secretaries": 1, "inspection_committee": 0}
    assert codes(check_first_session(first, "grassroots_cell", 3)) == {("standing_committee", "cell_no_standing")}
    assert codes(check_first_session(first, "sub_cell", 3)) == {("standing_committee", "cell_no_standing")}
    assert check_first_session(first, "commune_committee", 3) == []
    assert codes(check_first_session({**first, "standing_committee": 16}, "commune_committee", 15)) == {
        ("standing_committee", "above_committee")}


def test_surplus_and_targets():
    assert surplus_percent(15, 17) == 13.33
    assert surplus_percent(None, 17) is None and surplus_percent(0, 3) is None
    t = Targets(Decimal(15), Decimal(10), Decimal(10), Decimal(30))
    assert target_flags(GOOD, t) == []
    assert target_flags({**GOOD, "women": 2}, t) == ["women_below"]          # 13.33% < 15%
    assert target_flags({**GOOD, "young": 1}, t) == ["young_below"]          # 6.67% < 10%
    assert target_flags({**GOOD, "candidates": 16}, t) == ["surplus_outside"]  # 6.67%
    assert target_flags({**GOOD, "candidates": 20}, t) == ["surplus_outside"]  # 33.33%
    assert target_flags({**GOOD, "candidates": 18}, t) == []                 # 20%
    # the boundary is inclusive, and the campaign's rounding mode decides it
    edge = {**GOOD, "committee_elected": 3, "re_elected": 3, "first_time": 0, "women": 0, "young": 0,
            "ethnic_minority": 0, "seats": 3, "candidates": 3}
    assert "surplus_outside" in target_flags(edge, t)
    t2 = Targets(Decimal("33.33"), Decimal(0), Decimal(0), Decimal(30))
    assert target_flags({**edge, "women": 1}, t2, "truncate") == []          # 33.33 >= 33.33
    assert target_flags({**edge, "women": 1}, Targets(Decimal("33.34"), 0, 0, 30), "half_up") == ["women_below"]


def test_stored_problems():
    assert [p.code for p in stored_problems("commune_committee", 100, None, GOOD, None, False)] == [
        "results_without_congress"]
    assert [p.code for p in stored_problems("commune_committee", 100, None,
                                            {**GOOD, "committee_elected": 16, "re_elected": 13}, None, True)] == [
        "above_seats"]
    assert stored_problems("commune_committee", 100, None, None, None, True) == []


# ---- rules added with issue 8: each refuses what a 27-member cell once saved -------------------

def test_committee_elected_at_most_party_members():
    small = {**GOOD, "committee_elected": 50, "re_elected": 40, "first_time": 10, "seats": None,
             "candidates": None, "delegates_official": 2, "delegates_alternate": 0}
    assert codes(check_congress(small, 27)) == {("committee_elected", "above_members")}
    assert check_congress({**small, "committee_elected": 27, "re_elected": 17}, 27) == []


def test_elected_at_most_seats_when_seats_are_given():
    more = {**GOOD, "committee_elected": 16, "re_elected": 13, "candidates": 18}
    assert codes(check_congress(more)) == {("committee_elected", "above_seats")}
    assert check_congress({**more, "seats": None}) == []


def test_candidates_at_least_elected():
    assert codes(check_congress({**GOOD, "seats": None, "candidates": 14})) == {("candidates", "below_elected")}
    assert check_congress({**GOOD, "seats": None, "candidates": 15}) == []


def test_delegates_at_most_party_members():
    assert codes(check_congress({**GOOD, "delegates_official": 300}, 27)) == {
        ("delegates_official", "delegates_above_members"), ("delegates_alternate", "delegates_above_members")}
    assert check_congress({**GOOD, "delegates_official": 25, "delegates_alternate": 2}, 27) == []
    assert check_congress({**GOOD, "delegates_official": 300}) == []  # no member count given: not checked


def test_attendances_at_least_members_reached():
    assert codes(check_dissemination({"sessions": 2, "attendees": 20, "members_reached": 25}, 27)) == {
        ("attendees", "below_reached")}
    assert check_dissemination({"sessions": 2, "attendees": 25, "members_reached": 25}, 27) == []


def test_held_on_not_after_today_nor_before_the_campaign():
    today, start = date(2030, 4, 1), date(2029, 1, 1)
    assert codes(check_held_on(date(2030, 4, 2), today, start)) == {("held_on", "after_today")}
    assert codes(check_held_on(date(2001, 5, 1), today, start)) == {("held_on", "before_start")}
    assert check_held_on(today, today, start) == [] and check_held_on(start, today, start) == []
    assert check_held_on(None, today, start) == []


def test_the_campaign_start_comes_from_its_term_then_its_documents():
    assert earliest_congress("2030–2035") == date(2029, 1, 1)
    assert earliest_congress("Nhiệm kỳ 2025-2030", [date(2019, 5, 30)]) == date(2024, 1, 1)
    assert earliest_congress("", [date(2029, 6, 14), date(2028, 5, 30)]) == date(2028, 5, 30)
    assert earliest_congress("", []) == date(2000, 1, 1)
    assert earliest_congress("khóa mới", [date(1995, 1, 1)]) == date(2000, 1, 1)


def test_a_congress_after_the_final_deadline_is_flagged_not_refused():
    assert held_on_flags(date(2030, 7, 1), date(2030, 6, 30)) == ["held_after_deadline"]
    assert held_on_flags(date(2030, 6, 30), date(2030, 6, 30)) == []
    assert held_on_flags(date(2030, 7, 1), None) == [] and held_on_flags(None, date(2030, 6, 30)) == []


def test_stored_problems_count_what_older_entries_hold():
    """The report runs the entry rules over stored rows, so numbers saved before a rule existed are counted."""
    bad = {**GOOD, "held_on": date(2001, 1, 1), "committee_elected": 50, "re_elected": 40, "first_time": 10,
           "seats": 40, "candidates": 60, "delegates_official": 300}
    problems = stored_problems("grassroots_cell", 27, {"sessions": 1, "attendees": 5, "members_reached": 20},
                               bad, None, True, date(2030, 4, 1), date(2029, 1, 1))
    assert codes(problems) == {("committee_elected", "above_members"), ("committee_elected", "above_seats"),
                               ("delegates_official", "delegates_above_members"),
                               ("delegates_alternate", "delegates_above_members"),
                               ("held_on", "before_start"), ("attendees", "below_reached")}
    future = stored_problems("grassroots_cell", 27, None, {**GOOD, "held_on": date(2030, 5, 1)}, None, True,
                             date(2030, 4, 1), date(2029, 1, 1))
    assert codes(future) == {("held_on", "after_today")}

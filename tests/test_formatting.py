"""The fast number formats write exactly what Babel writes, in both languages."""
import pytest
from babel.numbers import format_decimal

from tracker.formatting import number_format

VALUES = [0, 7, 999, 1000, 4850, 52000, 1_234_567, -4850, 10**9]
PERCENTS = [0.0, 0.5, 6.67, 13.33, 79.23, 98.25, 100.0, 1234.5, 0.125, 2.675, 0.005]


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_numbers_and_percents_match_babel(locale):
    fmt = number_format(locale)
    for v in VALUES:
        assert fmt.number(v) == format_decimal(v, format="#,##0", locale=locale), v
    for v in PERCENTS:
        assert fmt.percent(v) == format_decimal(v, format="#,##0.00", locale=locale) + "%", v
    assert fmt.number(None) == "" and fmt.percent(None) == ""


def test_vietnamese_uses_dots_for_thousands_and_a_comma_for_decimals():
    assert number_format("vi").number(4850) == "4.850" and number_format("vi").percent(79.23) == "79,23%"
    assert number_format("en").number(4850) == "4,850" and number_format("en").percent(79.23) == "79.23%"

"""The one business calendar every area uses (R-ORD default, R-CHG-4, R-BIL-4)."""

import datetime

import pytest

from core.lib.business_time import (
    business_day_start,
    business_days_before,
    holiday_name,
    is_business_day,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "country", "expected"),
    [
        (D(2026, 11, 27), "AR", True),  # a Friday
        (D(2026, 11, 28), "AR", False),  # Saturday
        (D(2026, 11, 29), "BR", False),  # Sunday
        (D(2026, 12, 8), "AR", False),  # Inmaculada Concepción
        (D(2026, 12, 8), "BR", True),
        (D(2026, 11, 20), "BR", False),  # Consciência Negra
        (D(2026, 11, 20), "MX", True),
        (D(2026, 11, 16), "MX", False),  # Revolución (third Monday of November)
    ],
)
def test_business_days_follow_each_countrys_holidays(day, country, expected):
    assert is_business_day(day, country) is expected


def test_counting_back_skips_weekends_and_consecutive_holidays():
    # Argentina 2026: Monday 7 Dec (bridge) and Tuesday 8 Dec are both holidays.
    assert business_days_before(D(2026, 12, 10), 2, "AR") == D(2026, 12, 4)
    assert business_days_before(D(2026, 12, 10), 1, "AR") == D(2026, 12, 9)
    assert business_days_before(D(2026, 12, 10), 0, "AR") == D(2026, 12, 10)


def test_a_country_the_holidays_package_does_not_know_counts_weekends_only():
    assert is_business_day(D(2026, 12, 25), "ZZ") is True
    assert holiday_name(D(2026, 12, 25), "ZZ") == ""


def test_the_business_day_starts_at_nine_local_time():
    start = business_day_start(D(2026, 12, 4), "America/Argentina/Buenos_Aires")
    assert start.astimezone(datetime.UTC) == datetime.datetime(2026, 12, 4, 12, tzinfo=datetime.UTC)
    assert holiday_name(D(2026, 12, 8), "AR") == "Inmaculada Concepción de María"


AR = "America/Argentina/Buenos_Aires"


def _ar(*args):
    from zoneinfo import ZoneInfo

    return datetime.datetime(*args, tzinfo=ZoneInfo(AR))


def test_business_hours_skip_nights_weekends_and_holidays():
    from core.lib.business_time import business_hours_add, business_hours_between

    # Friday 27 Nov 16:00 + 72 business hours: Monday 7 and Tuesday 8 Dec are holidays.
    start = _ar(2026, 11, 27, 16, 0)
    deadline = business_hours_add(start, 72, "AR", AR)
    assert deadline == _ar(2026, 12, 11, 16, 0)
    assert business_hours_between(start, deadline, "AR", AR) == datetime.timedelta(hours=72)
    # Saturday evening counts from Monday 09:00.
    assert business_hours_add(_ar(2026, 11, 28, 20, 0), 1, "AR", AR) == _ar(2026, 11, 30, 10, 0)
    assert business_hours_between(deadline, start, "AR", AR) == datetime.timedelta(0)


def test_a_window_is_in_business_hours_only_inside_one_working_day():
    from core.lib.business_time import within_business_hours

    assert within_business_hours(_ar(2026, 12, 2, 9, 0), _ar(2026, 12, 2, 18, 0), "AR", AR)
    assert not within_business_hours(_ar(2026, 12, 2, 8, 59), _ar(2026, 12, 2, 10, 0), "AR", AR)
    assert not within_business_hours(_ar(2026, 12, 2, 17, 0), _ar(2026, 12, 3, 10, 0), "AR", AR)
    assert not within_business_hours(_ar(2026, 12, 8, 10, 0), _ar(2026, 12, 8, 11, 0), "AR", AR)

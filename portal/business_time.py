"""Business days and hours per country: the one module every area uses (R-ORD, R-CHG-4, R-BIL-4).

Business hours are Monday to Friday, 09:00-18:00 local time, without the country's public
holidays as the `holidays` package knows them (RULES.md defaults).
"""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

DAY_START = time(9, 0)
DAY_END = time(18, 0)


@lru_cache(maxsize=256)
def _holidays(country: str, year: int) -> frozenset[date]:
    try:
        calendar = holidays.country_holidays(country, years=year)
    except NotImplementedError:  # a country the package does not know: weekends only
        return frozenset()
    return frozenset(calendar.keys())


def holiday_name(day: date, country: str) -> str:
    try:
        return holidays.country_holidays(country, years=day.year).get(day) or ""
    except NotImplementedError:
        return ""


def is_business_day(day: date, country: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(country, day.year)


def business_days_before(day: date, count: int, country: str) -> date:
    """The business day `count` business days before `day` (which need not be one itself)."""
    current = day
    remaining = count
    while remaining > 0:
        current -= timedelta(days=1)
        if is_business_day(current, country):
            remaining -= 1
    return current


def business_day_start(day: date, timezone_name: str) -> datetime:
    """09:00 on `day` in the given timezone, as an aware datetime."""
    return datetime.combine(day, DAY_START, tzinfo=ZoneInfo(timezone_name))

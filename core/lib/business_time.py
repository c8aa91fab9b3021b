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


def _day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime.combine(day, DAY_START, tzinfo=zone), datetime.combine(
        day, DAY_END, tzinfo=zone
    )


def business_hours_add(start: datetime, hours: float, country: str, timezone_name: str) -> datetime:
    """The moment `hours` business hours after `start` (R-CHG-4: 72 business hours = 8 days).

    Time outside business hours does not count: a request made on Friday evening starts counting
    on Monday at 09:00 (or the next business day's)."""
    zone = ZoneInfo(timezone_name)
    remaining = timedelta(hours=hours)
    current = start.astimezone(zone)
    while True:
        day = current.date()
        opens, closes = _day_bounds(day, zone)
        if is_business_day(day, country) and current < closes:
            current = max(current, opens)
            available = closes - current
            if remaining <= available:
                return current + remaining
            remaining -= available
        current = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def business_hours_between(
    start: datetime, end: datetime, country: str, timezone_name: str
) -> timedelta:
    """How much business time lies between two moments (zero when end is before start)."""
    zone = ZoneInfo(timezone_name)
    total = timedelta(0)
    if end <= start:
        return total
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        if is_business_day(day, country):
            opens, closes = _day_bounds(day, zone)
            lower, upper = max(opens, start), min(closes, end)
            if upper > lower:
                total += upper - lower
        day += timedelta(days=1)
    return total


def within_business_hours(start: datetime, end: datetime, country: str, timezone_name: str) -> bool:
    """Whether the whole window falls inside one business day's 09:00-18:00."""
    zone = ZoneInfo(timezone_name)
    local_start, local_end = start.astimezone(zone), end.astimezone(zone)
    if local_start.date() != local_end.date() or not is_business_day(local_start.date(), country):
        return False
    opens, closes = _day_bounds(local_start.date(), zone)
    return opens <= local_start and local_end <= closes

"""{{ value|iso }} writes what {{ value|date:'c' }} writes (core/templatetags/moments.py)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone

BUENOS_AIRES = ZoneInfo("America/Argentina/Buenos_Aires")


def _both(value, *, zone=BUENOS_AIRES, localtime_on=True) -> tuple[str, str]:
    source = "{% load moments %}{{ value|iso }}|{{ value|date:'c' }}"
    if not localtime_on:
        source = "{% load tz %}{% localtime off %}" + source + "{% endlocaltime %}"
    with timezone.override(zone):
        ours, djangos = Template(source).render(Context({"value": value})).split("|")
    return ours, djangos


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 3, 5, 2, 30, tzinfo=datetime.UTC),  # the day before, locally
        datetime.datetime(2026, 3, 5, 12, 0, 0, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2026, 3, 5, 12, 0),  # noqa: DTZ001 - naive on purpose
        datetime.date(2026, 3, 5),
        None,
        "",
    ],
)
def test_iso_is_the_date_filters_c_format(value):
    ours, djangos = _both(value)
    assert ours == djangos


def test_iso_follows_the_active_time_zone_and_localtime_off():
    moment = datetime.datetime(2026, 3, 5, 2, 30, tzinfo=datetime.UTC)
    assert _both(moment)[0] == "2026-03-04T23:30:00-03:00"
    assert _both(moment, zone=ZoneInfo("Asia/Tokyo"))[0] == "2026-03-05T11:30:00+09:00"
    ours, djangos = _both(moment, localtime_on=False)
    assert ours == djangos == "2026-03-05T02:30:00+00:00"

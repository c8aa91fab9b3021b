"""Template filters for durations (core.lib.durations): `{% load durations %}`, then
`{{ clock.elapsed|duration_clock }}`, `{{ clock.target|duration_compact }}`,
`{{ value|duration_words }}`, and `{{ clock.remaining|seconds }}` for the counters that
tickets-clock.js runs."""

from datetime import timedelta

from django import template

from core.lib import durations

register = template.Library()


@register.filter
def duration_clock(value: timedelta) -> str:
    return durations.duration_clock(value)


@register.filter
def duration_compact(value: timedelta | None) -> str:
    return "" if value is None else durations.duration_compact(value)


@register.filter
def duration_words(value: timedelta) -> str:
    return durations.duration_words(value)


@register.filter
def seconds(value: timedelta) -> int:
    """Whole seconds, negative once a clock is breached."""
    return int(value.total_seconds())

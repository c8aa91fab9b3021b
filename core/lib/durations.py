"""Durations as people read them, in three forms every area shares:

- the clock, H:MM:SS with hours unbounded ("76:05:00"): the same in every language, the form
  tickets-clock.js counts in and the availability report exports;
- the compact form, "4 h", "15 min", "3 d 2 h": SLA targets and remaining times on pages;
  padded, it always shows two units ("3 h 00 min", "2 d 0 h") so that admin columns line up;
- words, "4 hours" or "1 day, 2 hours": e-mails, in Django's translated units.

Babel's format_timedelta rounds to one unit ("3 hours" for 3 h 25 min), which would change
what the SLA pages and e-mails say, so the forms are written out here."""

from datetime import timedelta

from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _


def duration_clock(delta: timedelta) -> str:
    """H:MM:SS of the absolute value: a breached clock's overdue time reads like any other."""
    seconds = int(abs(delta).total_seconds())
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def duration_compact(delta: timedelta, *, padded: bool = False) -> str:
    """The largest two units of the absolute value, to the minute."""
    minutes = int(abs(delta).total_seconds()) // 60
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days and (hours or padded):
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if days:
        return _("%(days)d d") % {"days": days}
    if padded or (hours and minutes):
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    if minutes:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("less than 1 min")


def duration_words(delta: timedelta) -> str:
    """Up to two units in words; a negative duration reads as none ("0 minutes")."""
    base = timezone.now()
    return timesince(base, base + max(delta, timedelta(0)), depth=2).replace("\xa0", " ")

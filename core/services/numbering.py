"""Public numbers such as EXP-2026-00042: per prefix and year, gap-free, safe under concurrency."""

from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from core.models import NumberSequence


def number_next(*, prefix: str, width: int = 5, zone: str = "") -> str:
    """The next number for the prefix in the current year. Call it inside the transaction that
    stores the numbered row, so a rollback gives the number back.

    The year is the local one: in `zone` (the customer's timezone) when given, else in the
    active timezone, never UTC's: a ticket opened at 21:30 on 31 December in Buenos Aires is
    numbered in that year, not in the next."""
    now = timezone.now()
    year = (timezone.localtime(now, ZoneInfo(zone)) if zone else timezone.localtime(now)).year
    with transaction.atomic():
        NumberSequence.objects.get_or_create(prefix=prefix, year=year)
        sequence = NumberSequence.objects.select_for_update().get(prefix=prefix, year=year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
    return f"{prefix}-{year}-{sequence.last:0{width}d}"

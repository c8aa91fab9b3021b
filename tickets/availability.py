"""The availability report (R-TT-3): for one month in the customer's timezone, per service, the
time its "service down" tickets kept it down, minus the "Espera por el Cliente" pauses.

A ticket counts from its opening to its restoration (or to now while it runs), clipped to the
month; its pauses inside that stretch do not count. Two tickets of one service that overlap in
time count that time once: the service was down, not twice down. Availability is
1 - unavailability / the month's length. Cancelled tickets do not count.

Pure functions on datetimes, plus `availability_for_customer`, which reads a customer's month in
a fixed number of queries whatever the number of services, tickets and pauses.
"""

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_DOWN, Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from core.lib.durations import duration_clock
from core.models import COUNTRY_DEFAULTS, Customer, Service
from tickets import sla
from tickets.models import Impact, PauseInterval, Ticket

ZERO = timedelta(0)
FIRST_YEAR = 2000
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_PERCENT = Decimal("0.001")


class MonthError(ValueError):
    """The month asked for is not a month this report can show."""


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    start: datetime  # the first instant, in the customer's timezone
    end: datetime  # the first instant of the next month

    @property
    def key(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def length(self) -> timedelta:
        return self.end - self.start

    @property
    def minutes(self) -> int:
        return int(self.length.total_seconds()) // 60

    def shifted(self, months: int, tz: tzinfo) -> "Month":
        index = self.year * 12 + self.month - 1 + months
        return month_of(index // 12, index % 12 + 1, tz)


def customer_timezone(customer: Customer) -> tzinfo:
    name = customer.timezone or COUNTRY_DEFAULTS.get(customer.country, ("UTC", ""))[0]
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def month_of(year: int, month: int, tz: tzinfo) -> Month:
    """Midnight to midnight in `tz`, kept in UTC so that subtraction is real time (a datetime
    minus another of the same zone counts wall-clock time, wrong across daylight saving)."""
    start = datetime(year, month, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz).astimezone(UTC)
    return Month(year=year, month=month, start=start, end=end)


def month_parse(value: str, *, tz: tzinfo, now: datetime) -> Month:
    """ "YYYY-MM", or the current month when empty; MonthError for anything else, for a month
    before FIRST_YEAR or after the current one."""
    current = timezone.localtime(now, tz)
    if not value:
        return month_of(current.year, current.month, tz)
    match = _MONTH.fullmatch(value.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise MonthError(value)
    year, month = int(match[1]), int(match[2])
    if year < FIRST_YEAR or (year, month) > (current.year, current.month):
        raise MonthError(value)
    return month_of(year, month, tz)


def month_neighbours(month: Month, *, tz: tzinfo, now: datetime) -> tuple[Month | None, ...]:
    """The previous and the next month the picker may offer (None outside the allowed range)."""
    current = timezone.localtime(now, tz)
    here = (month.year, month.month)
    previous = month.shifted(-1, tz) if here > (FIRST_YEAR, 1) else None
    following = month.shifted(1, tz) if here < (current.year, current.month) else None
    return previous, following


def down_segments(
    *,
    opened_at: datetime,
    restored_at: datetime | None,
    pauses: Iterable[sla.Interval],
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[tuple[datetime, datetime]]:
    """The stretches of [start, end) a ticket kept its service down: from the opening to the
    restoration (or now), minus the pauses (an open pause runs to now)."""
    lower = max(opened_at, start)
    upper = min(restored_at or now, end, now)
    if upper <= lower:
        return []
    cut = sorted(
        (max(p.start, lower), min(p.end or now, upper))
        for p in pauses
        if min(p.end or now, upper) > max(p.start, lower)
    )
    segments, cursor = [], lower
    for pause_start, pause_end in cut:
        if pause_start > cursor:
            segments.append((cursor, pause_start))
        cursor = max(cursor, pause_end)
    if upper > cursor:
        segments.append((cursor, upper))
    return segments


def covered(segments: Iterable[tuple[datetime, datetime]]) -> timedelta:
    """The time the segments cover, overlaps counted once."""
    total, reach = ZERO, None
    for lower, upper in sorted(segments):
        if reach is not None and lower < reach:
            lower = reach
        if upper > lower:
            total += upper - lower
            reach = upper
    return total


def availability_percent(unavailable: timedelta, length: timedelta) -> Decimal:
    """100 * (1 - unavailable / length), rounded down to 0.001 so that any downtime shows."""
    if length <= ZERO:
        return Decimal(100)
    ratio = Decimal(min(unavailable, length).total_seconds()) / Decimal(length.total_seconds())
    return ((1 - ratio) * 100).quantize(_PERCENT, rounding=ROUND_DOWN)


@dataclass(frozen=True)
class CountedTicket:
    ticket: Ticket
    start: datetime  # the part inside the month
    end: datetime
    counted: timedelta  # down time inside the month, pauses taken out
    paused: timedelta  # paused time inside [start, end]
    segments: list[tuple[datetime, datetime]] = field(repr=False)

    @property
    def counted_text(self) -> str:
        return duration_clock(self.counted)

    @property
    def paused_text(self) -> str:
        return duration_clock(self.paused)


@dataclass(frozen=True)
class ServiceAvailability:
    service: Service
    unavailable: timedelta
    percent: Decimal
    tickets: list[CountedTicket]

    @property
    def unavailable_text(self) -> str:
        return duration_clock(self.unavailable)


@dataclass(frozen=True)
class Report:
    month: Month
    now: datetime
    rows: list[ServiceAvailability]
    tickets: list[CountedTicket]  # every ticket that counts, once, oldest first

    @property
    def unavailable_rows(self) -> list[ServiceAvailability]:
        return [row for row in self.rows if row.unavailable > ZERO]


def ticket_counted(ticket: Ticket, month: Month, now: datetime) -> CountedTicket | None:
    """The ticket's share of the month (pauses prefetched), or None when nothing of it counts."""
    restored_at = ticket.restored_at
    if restored_at is None and ticket.status == Ticket.Status.CLOSED and ticket.closed_at:
        restored_at = ticket.closed_at
    pauses = [sla.Interval(p.started_at, p.ended_at) for p in ticket.pauses.all()]
    segments = down_segments(
        opened_at=ticket.opened_at,
        restored_at=restored_at,
        pauses=pauses,
        start=month.start,
        end=month.end,
        now=now,
    )
    if not segments:
        return None
    start = max(ticket.opened_at, month.start)
    end = min(restored_at or now, month.end, now)
    counted = covered(segments)
    return CountedTicket(
        ticket=ticket,
        start=start,
        end=end,
        counted=counted,
        paused=(end - start) - counted,
        segments=segments,
    )


def availability_for_customer(
    customer: Customer, month: Month, *, now: datetime | None = None
) -> Report:
    """Four queries: the down tickets touching the month, their pauses, their services, and the
    customer's services (active or suspended, or with a ticket that counts)."""
    now = now or timezone.now()
    tickets = (
        Ticket.objects.filter(customer=customer, impact=Impact.DOWN, opened_at__lt=month.end)
        .exclude(status=Ticket.Status.CANCELLED)
        .filter(Q(restored_at__isnull=True) | Q(restored_at__gt=month.start))
        .prefetch_related(
            Prefetch("pauses", queryset=PauseInterval.objects.order_by("started_at")),
            Prefetch("services", queryset=Service.objects.filter(customer=customer)),
        )
        .order_by("opened_at", "id")
    )
    counted = [c for c in (ticket_counted(t, month, now) for t in tickets) if c is not None]
    by_service: dict[int, list[CountedTicket]] = {}
    for item in counted:
        for service in item.ticket.services.all():
            by_service.setdefault(service.pk, []).append(item)
    services = Service.objects.filter(customer=customer).filter(
        Q(status__in=(Service.Status.ACTIVE, Service.Status.SUSPENDED)) | Q(pk__in=by_service)
    )
    rows = []
    for service in services.order_by("service_id"):
        items = by_service.get(service.pk, [])
        unavailable = min(covered(s for item in items for s in item.segments), month.length)
        rows.append(
            ServiceAvailability(
                service=service,
                unavailable=unavailable,
                percent=availability_percent(unavailable, month.length),
                tickets=items,
            )
        )
    return Report(month=month, now=now, rows=rows, tickets=counted)


# The chart: one horizontal bar per service with downtime, on an axis from `floor` to 100 %.
CHART_LABEL_WIDTH = 160
CHART_BAR_WIDTH = 300
CHART_ROW_HEIGHT = 28
CHART_TOP = 24


@dataclass(frozen=True)
class Bar:
    row: ServiceAvailability
    y: int
    width: int
    text_y: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    floor: int
    width: int
    height: int
    bar_x: int
    bar_width: int
    axis_y: int


def chart_layout(rows: list[ServiceAvailability]) -> Chart | None:
    """The SVG geometry (computed here, drawn by the template); None with nothing to draw."""
    rows = [row for row in rows if row.unavailable > ZERO]
    if not rows:
        return None
    lowest = min(row.percent for row in rows)
    floor = 99 if lowest > 99 else max(0, int(lowest) - (int(lowest) % 5 if lowest < 90 else 1))
    span = Decimal(100 - floor)
    bars = []
    for index, row in enumerate(rows):
        y = CHART_TOP + index * CHART_ROW_HEIGHT
        share = (row.percent - floor) / span if span else Decimal(1)
        width = int(CHART_BAR_WIDTH * max(Decimal(0), min(Decimal(1), share)))
        bars.append(Bar(row=row, y=y, width=width, text_y=y + 14))
    axis_y = CHART_TOP + len(rows) * CHART_ROW_HEIGHT
    return Chart(
        bars=bars,
        floor=floor,
        width=CHART_LABEL_WIDTH + CHART_BAR_WIDTH + 80,
        height=axis_y + 24,
        bar_x=CHART_LABEL_WIDTH,
        bar_width=CHART_BAR_WIDTH,
        axis_y=axis_y,
    )

"""The SLA clock of a trouble ticket (R-TT-3), as plain arithmetic on its intervals.

Elapsed SLA time is the wall-clock time from opening to restoration (or to now), minus the time
spent in "Espera por el Cliente". A pause still open counts up to now. The restoration deadline
is the opening plus the target plus every paused second, so it moves while a pause runs.
Response time is measured the same way, up to the first public reply of the TSC.

The reads that feed it live here too: a ticket's clock from its stored pauses (ticket_clock)
and the targets per impact (sla_targets), so selectors, e-mails and pages read the clock
without going through the services.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from tickets.models import Impact, SlaTarget, Ticket

ZERO = timedelta(0)
# RULES.md default SLA targets per impact (response, restoration); staff edit them in admin.
DEFAULT_TARGETS = {
    Impact.DOWN: (timedelta(minutes=15), timedelta(hours=4)),
    Impact.DEGRADED: (timedelta(minutes=30), timedelta(hours=8)),
    Impact.NO_IMPACT: (timedelta(hours=4), timedelta(hours=72)),
}


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime | None  # None: still paused


@dataclass(frozen=True)
class Clock:
    now: datetime
    elapsed: timedelta  # SLA time: wall clock minus pauses
    paused: timedelta
    target: timedelta
    deadline: datetime
    remaining: timedelta  # negative once breached
    stopped: bool  # the service is restored: the clock no longer runs
    is_paused: bool
    response_elapsed: timedelta | None
    response_target: timedelta
    response_met: bool | None  # None while nobody has answered and the target is not yet due

    @property
    def breached(self) -> bool:
        return self.remaining < ZERO

    @property
    def response_breached(self) -> bool:
        return self.response_met is False


def paused_between(intervals: Iterable[Interval], start: datetime, end: datetime) -> timedelta:
    """How much of [start, end] the intervals cover, each second once (an open interval runs
    to `end`)."""
    clipped = sorted((max(i.start, start), min(i.end or end, end)) for i in intervals)
    total, reach = ZERO, start
    for lower, upper in clipped:
        lower = max(lower, reach)
        if upper > lower:
            total += upper - lower
            reach = upper
    return total


def clock(
    *,
    opened_at: datetime,
    target: timedelta,
    response_target: timedelta,
    pauses: Iterable[Interval],
    now: datetime,
    restored_at: datetime | None = None,
    first_response_at: datetime | None = None,
) -> Clock:
    pauses = list(pauses)
    end = min(restored_at, now) if restored_at else now
    end = max(end, opened_at)
    paused = paused_between(pauses, opened_at, end)
    elapsed = (end - opened_at) - paused
    # The deadline moves by every paused second up to now, including a pause still running.
    paused_so_far = paused_between(pauses, opened_at, max(now, opened_at))
    deadline = opened_at + target + (paused if restored_at else paused_so_far)
    is_paused = restored_at is None and any(
        p.start <= now and (p.end is None or now < p.end) for p in pauses
    )

    if first_response_at is not None:
        response_elapsed = (first_response_at - opened_at) - paused_between(
            pauses, opened_at, first_response_at
        )
        response_met: bool | None = response_elapsed <= response_target
    else:
        waited = (now - opened_at) - paused_so_far
        response_elapsed = None
        response_met = False if waited > response_target else None
    return Clock(
        now=now,
        elapsed=elapsed,
        paused=paused,
        target=target,
        deadline=deadline,
        remaining=target - elapsed,
        stopped=restored_at is not None,
        is_paused=is_paused,
        response_elapsed=response_elapsed,
        response_target=response_target,
        response_met=response_met,
    )


def sla_targets(impact: str) -> tuple[timedelta, timedelta]:
    """(response, restoration) for a new ticket of this impact: the staff's row, else RULES.md."""
    row = SlaTarget.objects.filter(impact=impact).first()
    return (row.response, row.restoration) if row else DEFAULT_TARGETS[Impact(impact)]


def ticket_clock(
    ticket: Ticket,
    *,
    now: datetime | None = None,
    pauses: list[tuple[datetime, datetime | None]] | None = None,
) -> Clock:
    """The clock from the ticket's pauses: its own (prefetch `pauses` to read many tickets), or
    `pauses`, the (started_at, ended_at) of each that the caller read in bulk."""
    if pauses is None:
        pauses = [(pause.started_at, pause.ended_at) for pause in ticket.pauses.all()]
    return clock(
        opened_at=ticket.opened_at,
        target=ticket.restoration_target,
        response_target=ticket.response_target,
        pauses=[Interval(started, ended) for started, ended in pauses],
        now=now or timezone.now(),
        restored_at=ticket.restored_at,
        first_response_at=ticket.first_response_at,
    )


def sla_state(ticket: Ticket, clock: Clock) -> str:
    """The one word lists, the CSV and the ticket page show: cancelled, breached, met, paused
    or running."""
    return sla_state_of(ticket.status, clock)


def sla_state_of(status: str, clock: Clock) -> str:
    """sla_state from the ticket's status alone, for rows read without their model."""
    if status == Ticket.Status.CANCELLED:
        return "cancelled"
    if clock.breached:
        return "breached"
    if clock.stopped:
        return "met"
    return "paused" if clock.is_paused else "running"

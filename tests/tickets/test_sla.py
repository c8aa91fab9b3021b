"""The SLA clock (R-TT-3): elapsed SLA time is wall-clock time since opening minus the
"Espera por el Cliente" intervals, and the restoration deadline moves by the paused time.

The scenarios run through the real services (tickets.services) under a controlled clock; every
one asserts the restoration deadline and the elapsed SLA time to the second. The unit tests at
the end cover the edges of the pure arithmetic in tickets/sla.py.

Default targets (RULES.md, seeded by the migration): service down 15 min / 4 h.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import ticket_open_for
from tickets import sla
from tickets.models import Impact, PauseInterval, SlaTarget, Ticket
from tickets.services import (
    ticket_reopen,
    ticket_reply,
    ticket_resolve,
    ticket_resume,
    ticket_wait_for_customer,
)
from tickets.sla import ticket_clock

# The customer persona's timezone (tests/factories.py CustomerFactory): UTC-3, no DST.
BA = ZoneInfo("America/Argentina/Buenos_Aires")
H = timedelta(hours=1)
M = timedelta(minutes=1)
ACCESS = PauseInterval.Reason.SITE_ACCESS


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BA)


@pytest.fixture
def travel(db):
    """Move the frozen clock with travel.to(datetime); time does not tick on its own."""
    traveller = time_machine.travel(at(2026, 1, 1, 0, 0), tick=False)
    coordinates = traveller.start()

    class _Travel:
        @staticmethod
        def to(when: datetime) -> None:
            coordinates.move_to(when)

    yield _Travel
    traveller.stop()


@pytest.fixture
def act(travel, django_capture_on_commit_callbacks):
    """Run a service at a given moment, with its on_commit notifications."""

    def _act(when: datetime, function, **kwargs):
        travel.to(when)
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return _act


@pytest.fixture
def opener(customer, portal_admin_user, act):
    def _open(when: datetime, **kwargs) -> Ticket:
        return act(when, ticket_open_for, customer=customer, user=portal_admin_user, **kwargs)

    return _open


def clock_at(ticket: Ticket, when: datetime) -> sla.Clock:
    """The clock as a page would read it: the ticket and its pauses fresh from the database."""
    return ticket_clock(Ticket.objects.get(pk=ticket.pk), now=when)


def stored_deadline(ticket: Ticket) -> datetime:
    return Ticket.objects.values_list("restoration_deadline", flat=True).get(pk=ticket.pk)


# --- Scenarios through the services -------------------------------------------------------------


def test_two_pauses_in_one_ticket_move_the_deadline_by_both(
    opener, act, portal_admin_user, staff_user
):
    ticket = opener(at(2026, 3, 10, 9, 0))
    act(
        at(2026, 3, 10, 9, 30),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(
        at(2026, 3, 10, 10, 0),
        ticket_reply,
        ticket=ticket,
        author=portal_admin_user,
        body="Site open now",
    )
    act(
        at(2026, 3, 10, 11, 0),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=PauseInterval.Reason.INFORMATION,
        actor=staff_user,
    )
    act(at(2026, 3, 10, 12, 15), ticket_resume, ticket=ticket, actor=staff_user)

    pauses = list(ticket.pauses.values_list("started_at", "ended_at"))
    assert pauses == [
        (at(2026, 3, 10, 9, 30), at(2026, 3, 10, 10, 0)),
        (at(2026, 3, 10, 11, 0), at(2026, 3, 10, 12, 15)),
    ]
    clock = clock_at(ticket, at(2026, 3, 10, 13, 0))
    assert clock.paused == timedelta(hours=1, minutes=45)
    assert clock.elapsed == timedelta(hours=2, minutes=15)
    assert clock.deadline == at(2026, 3, 10, 14, 45)
    assert clock.remaining == timedelta(hours=1, minutes=45)
    assert stored_deadline(ticket) == at(2026, 3, 10, 14, 45)

    act(at(2026, 3, 10, 13, 0), ticket_resolve, ticket=ticket, actor=staff_user, resolution="Fixed")
    later = clock_at(ticket, at(2026, 3, 11, 9, 0))  # the clock stopped at the restoration
    assert later.stopped
    assert later.elapsed == timedelta(hours=2, minutes=15)
    assert later.deadline == at(2026, 3, 10, 14, 45)
    assert not later.breached


def test_a_pause_across_midnight(opener, act, portal_admin_user, staff_user):
    ticket = opener(at(2026, 3, 14, 22, 0))
    act(
        at(2026, 3, 14, 23, 30),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(
        at(2026, 3, 15, 0, 45, 30),
        ticket_reply,
        ticket=ticket,
        author=portal_admin_user,
        body="Here",
    )

    clock = clock_at(ticket, at(2026, 3, 15, 1, 0))
    assert clock.paused == timedelta(hours=1, minutes=15, seconds=30)
    assert clock.elapsed == timedelta(hours=1, minutes=44, seconds=30)  # 3 h wall clock
    assert clock.deadline == at(2026, 3, 15, 3, 15, 30)
    assert stored_deadline(ticket) == at(2026, 3, 15, 3, 15, 30)


def test_a_pause_across_a_month_end_in_the_customers_timezone(
    opener, act, portal_admin_user, staff_user
):
    # 30 Nov 23:00 -> 1 Dec 02:00 in Buenos Aires is 1 Dec 02:00 -> 05:00 UTC.
    ticket = opener(at(2026, 11, 30, 22, 0))
    act(
        at(2026, 11, 30, 23, 0),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(
        at(2026, 12, 1, 2, 0),
        ticket_reply,
        ticket=ticket,
        author=portal_admin_user,
        body="Go ahead",
    )

    pause = ticket.pauses.get()
    assert (pause.started_at, pause.ended_at) == (
        datetime(2026, 12, 1, 2, 0, tzinfo=ZoneInfo("UTC")),
        datetime(2026, 12, 1, 5, 0, tzinfo=ZoneInfo("UTC")),
    )
    clock = clock_at(ticket, at(2026, 12, 1, 3, 0))
    assert clock.paused == 3 * H
    assert clock.elapsed == 2 * H
    assert clock.deadline == at(2026, 12, 1, 5, 0)
    assert clock.remaining == 2 * H
    assert stored_deadline(ticket) == at(2026, 12, 1, 5, 0)


def test_a_pause_of_several_days(opener, act, portal_admin_user, staff_user):
    ticket = opener(at(2026, 6, 5, 18, 0))  # a Friday evening
    act(
        at(2026, 6, 5, 18, 30),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(at(2026, 6, 9, 10, 15), ticket_reply, ticket=ticket, author=portal_admin_user, body="Back")

    clock = clock_at(ticket, at(2026, 6, 9, 11, 0))
    assert clock.paused == timedelta(days=3, hours=15, minutes=45)
    assert clock.elapsed == timedelta(hours=1, minutes=15)
    assert clock.deadline == at(2026, 6, 9, 13, 45)
    assert not clock.breached
    assert stored_deadline(ticket) == at(2026, 6, 9, 13, 45)


def test_a_ticket_put_in_waiting_the_moment_it_opens(opener, act, portal_admin_user, staff_user):
    ticket = opener(at(2026, 4, 2, 9, 0))
    act(
        at(2026, 4, 2, 9, 0),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )

    waiting = clock_at(ticket, at(2026, 4, 2, 10, 0))
    assert waiting.is_paused
    assert waiting.elapsed == timedelta(0)
    assert waiting.deadline == at(2026, 4, 2, 14, 0)
    assert waiting.response_met is None  # no SLA time has run: the response is not yet due

    act(at(2026, 4, 2, 11, 30), ticket_reply, ticket=ticket, author=portal_admin_user, body="Open")
    clock = clock_at(ticket, at(2026, 4, 2, 12, 0))
    assert not clock.is_paused
    assert clock.paused == timedelta(hours=2, minutes=30)
    assert clock.elapsed == timedelta(minutes=30)
    assert clock.deadline == at(2026, 4, 2, 15, 30)
    assert stored_deadline(ticket) == at(2026, 4, 2, 15, 30)


def test_a_pause_still_open_moves_the_deadline_while_it_runs(opener, act, staff_user):
    ticket = opener(at(2026, 5, 4, 9, 0))
    act(
        at(2026, 5, 4, 10, 0),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    # Stored as of the change: the pause's start plus what remained (3 h).
    assert stored_deadline(ticket) == at(2026, 5, 4, 13, 0)

    for now, deadline in [
        (at(2026, 5, 4, 10, 0), at(2026, 5, 4, 13, 0)),
        (at(2026, 5, 4, 11, 0), at(2026, 5, 4, 14, 0)),
        (at(2026, 5, 4, 16, 0, 5), at(2026, 5, 4, 19, 0, 5)),
        (at(2026, 5, 6, 9, 0), at(2026, 5, 6, 12, 0)),
    ]:
        clock = clock_at(ticket, now)
        assert clock.is_paused
        assert clock.elapsed == H, now
        assert clock.paused == now - at(2026, 5, 4, 10, 0)
        assert clock.deadline == deadline
        assert clock.remaining == 3 * H
        assert not clock.breached


def test_reopen_after_resolve_runs_on_and_the_resolved_period_counts(
    opener, act, portal_admin_user, staff_user
):
    ticket = opener(at(2026, 7, 1, 9, 0))
    act(
        at(2026, 7, 1, 9, 30),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(at(2026, 7, 1, 10, 0), ticket_reply, ticket=ticket, author=portal_admin_user, body="Open")
    act(
        at(2026, 7, 1, 11, 0),
        ticket_resolve,
        ticket=ticket,
        actor=staff_user,
        resolution="Replaced the CPE",
        restored_at=at(2026, 7, 1, 10, 45),
    )
    resolved = clock_at(ticket, at(2026, 7, 1, 11, 30))
    assert resolved.stopped
    assert resolved.elapsed == timedelta(hours=1, minutes=15)
    assert resolved.deadline == at(2026, 7, 1, 13, 30)

    act(
        at(2026, 7, 1, 12, 0),
        ticket_reopen,
        ticket=ticket,
        actor=portal_admin_user,
        reason="Still down",
    )
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.restored_at is None
    assert stored_deadline(ticket) == at(2026, 7, 1, 13, 30)

    reopened = clock_at(ticket, at(2026, 7, 1, 13, 0))
    assert not reopened.stopped
    assert reopened.elapsed == timedelta(hours=3, minutes=30)  # 10:45 -> 12:00 counts
    assert reopened.deadline == at(2026, 7, 1, 13, 30)
    assert reopened.remaining == 30 * M

    breached = clock_at(ticket, at(2026, 7, 1, 14, 0))
    assert breached.elapsed == timedelta(hours=4, minutes=30)
    assert breached.remaining == -30 * M
    assert breached.breached


def test_targets_changed_after_opening_leave_the_ticket_its_copy(
    opener, act, portal_admin_user, staff_user
):
    SlaTarget.objects.filter(impact=Impact.DOWN).update(response=20 * M, restoration=6 * H)
    ticket = opener(at(2026, 8, 3, 8, 0))
    SlaTarget.objects.filter(impact=Impact.DOWN).update(response=5 * M, restoration=H)
    act(
        at(2026, 8, 3, 9, 0),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(at(2026, 8, 3, 9, 20), ticket_reply, ticket=ticket, author=portal_admin_user, body="Open")

    ticket.refresh_from_db()
    assert (ticket.response_target, ticket.restoration_target) == (20 * M, 6 * H)
    clock = clock_at(ticket, at(2026, 8, 3, 10, 0))
    assert clock.elapsed == timedelta(hours=1, minutes=40)
    assert clock.deadline == at(2026, 8, 3, 14, 20)
    assert stored_deadline(ticket) == at(2026, 8, 3, 14, 20)
    assert clock.response_met is False  # nobody answered within the copied 20 min

    newer = opener(at(2026, 8, 3, 10, 0))
    assert (newer.response_target, newer.restoration_target) == (5 * M, H)
    newer_clock = clock_at(newer, at(2026, 8, 3, 10, 30))
    assert newer_clock.elapsed == 30 * M
    assert newer_clock.deadline == at(2026, 8, 3, 11, 0)


def test_the_response_is_met_by_the_first_staff_public_reply(
    opener, act, portal_admin_user, staff_user
):
    ticket = opener(at(2026, 9, 1, 9, 0))
    act(
        at(2026, 9, 1, 9, 5),
        ticket_reply,
        ticket=ticket,
        author=staff_user,
        body="n",
        internal=True,
    )
    act(
        at(2026, 9, 1, 9, 6),
        ticket_reply,
        ticket=ticket,
        author=portal_admin_user,
        body="Any news?",
    )
    ticket.refresh_from_db()
    assert ticket.first_response_at is None  # neither an internal note nor the customer answers

    act(at(2026, 9, 1, 9, 12), ticket_reply, ticket=ticket, author=staff_user, body="On it")
    act(at(2026, 9, 1, 9, 40), ticket_reply, ticket=ticket, author=staff_user, body="Dispatched")
    ticket.refresh_from_db()
    assert ticket.first_response_at == at(2026, 9, 1, 9, 12)
    assert ticket.status == Ticket.Status.IN_PROGRESS

    clock = clock_at(ticket, at(2026, 9, 1, 10, 0))
    assert clock.response_elapsed == 12 * M
    assert clock.response_met is True
    assert not clock.response_breached
    assert clock.elapsed == H
    assert clock.deadline == at(2026, 9, 1, 13, 0)


def test_the_response_is_missed_when_the_first_staff_reply_is_late(opener, act, staff_user):
    ticket = opener(at(2026, 9, 1, 9, 0))
    due = clock_at(ticket, at(2026, 9, 1, 9, 15))
    assert due.response_met is None  # exactly on the target: not yet missed
    late = clock_at(ticket, at(2026, 9, 1, 9, 15, 1))
    assert late.response_breached  # nobody answered and the target passed

    act(at(2026, 9, 1, 9, 20), ticket_reply, ticket=ticket, author=staff_user, body="Sorry")
    clock = clock_at(ticket, at(2026, 9, 1, 9, 30))
    assert clock.response_elapsed == 20 * M
    assert clock.response_met is False
    assert clock.elapsed == 30 * M
    assert clock.deadline == at(2026, 9, 1, 13, 0)


def test_the_response_clock_also_stops_while_waiting(opener, act, portal_admin_user, staff_user):
    ticket = opener(at(2026, 9, 2, 9, 0))
    act(
        at(2026, 9, 2, 9, 5),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(at(2026, 9, 2, 9, 30), ticket_reply, ticket=ticket, author=portal_admin_user, body="Open")
    act(at(2026, 9, 2, 9, 40), ticket_reply, ticket=ticket, author=staff_user, body="On site")

    clock = clock_at(ticket, at(2026, 9, 2, 10, 0))
    assert clock.response_elapsed == 15 * M  # 40 min wall clock minus the 25 min pause
    assert clock.response_met is True
    assert clock.elapsed == 35 * M
    assert clock.deadline == at(2026, 9, 2, 13, 25)


def test_a_pause_running_at_the_resolution_is_closed_there(opener, act, staff_user):
    ticket = opener(at(2026, 10, 5, 9, 0))
    act(
        at(2026, 10, 5, 10, 0),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(
        at(2026, 10, 5, 12, 0),
        ticket_resolve,
        ticket=ticket,
        actor=staff_user,
        resolution="Restored remotely",
        restored_at=at(2026, 10, 5, 11, 0),
    )
    pause = ticket.pauses.get()
    assert pause.ended_at == at(2026, 10, 5, 12, 0)
    assert pause.ended_by == staff_user
    ticket.refresh_from_db()
    assert ticket.resolved_at == at(2026, 10, 5, 12, 0)

    # The clock stops at the restoration (11:00): only the hour of pause before it counts.
    for now in (at(2026, 10, 5, 12, 0), at(2026, 10, 9, 0, 0)):
        clock = clock_at(ticket, now)
        assert clock.stopped
        assert not clock.is_paused
        assert clock.paused == H
        assert clock.elapsed == H
        assert clock.deadline == at(2026, 10, 5, 14, 0)
    assert stored_deadline(ticket) == at(2026, 10, 5, 14, 0)


def test_resolving_during_a_pause_without_a_restoration_time(opener, act, staff_user):
    ticket = opener(at(2026, 10, 6, 9, 0))
    act(
        at(2026, 10, 6, 10, 0),
        ticket_wait_for_customer,
        ticket=ticket,
        reason=ACCESS,
        actor=staff_user,
    )
    act(at(2026, 10, 6, 12, 0), ticket_resolve, ticket=ticket, actor=staff_user, resolution="Ok")

    assert ticket.pauses.get().ended_at == at(2026, 10, 6, 12, 0)
    clock = clock_at(ticket, at(2026, 10, 7, 12, 0))
    assert clock.paused == 2 * H
    assert clock.elapsed == H
    assert clock.deadline == at(2026, 10, 6, 15, 0)
    assert stored_deadline(ticket) == at(2026, 10, 6, 15, 0)


def test_a_breach_to_the_second(opener):
    ticket = opener(at(2026, 2, 2, 9, 0))
    on_time = clock_at(ticket, at(2026, 2, 2, 13, 0))
    assert (on_time.elapsed, on_time.remaining, on_time.breached) == (4 * H, timedelta(0), False)
    late = clock_at(ticket, at(2026, 2, 2, 13, 0, 1))
    assert late.elapsed == 4 * H + timedelta(seconds=1)
    assert late.deadline == at(2026, 2, 2, 13, 0)
    assert late.breached


# --- tickets/sla.py edge cases --------------------------------------------------------------------

T = at(2026, 3, 1, 9, 0)
RESTORE = 4 * H
RESPONSE = 15 * M


def _clock(now, pauses=(), **kwargs) -> sla.Clock:
    return sla.clock(
        opened_at=T, target=RESTORE, response_target=RESPONSE, pauses=pauses, now=now, **kwargs
    )


def _pause(start_h, end_h=None) -> sla.Interval:
    return sla.Interval(T + start_h * H, None if end_h is None else T + end_h * H)


def test_no_pause_is_plain_wall_clock():
    clock = _clock(T + 90 * M)
    assert (clock.elapsed, clock.paused, clock.deadline) == (90 * M, timedelta(0), T + RESTORE)
    assert not clock.is_paused
    assert not clock.stopped


def test_adjacent_pauses_add_up():
    clock = _clock(T + 5 * H, [_pause(1, 2), _pause(2, 3)])
    assert clock.paused == 2 * H
    assert clock.elapsed == 3 * H
    assert clock.deadline == T + 6 * H


def test_a_pause_ending_exactly_now_is_over():
    clock = _clock(T + 2 * H, [_pause(1, 2)])
    assert not clock.is_paused
    assert clock.elapsed == H


def test_a_pause_starting_before_the_opening_counts_from_the_opening():
    clock = _clock(T + 3 * H, [sla.Interval(T - 2 * H, T + H)])
    assert clock.paused == H
    assert clock.elapsed == 2 * H
    assert clock.deadline == T + 5 * H


def test_pauses_after_the_restoration_do_not_count():
    clock = _clock(T + 10 * H, [_pause(1, 2), _pause(5, 6)], restored_at=T + 3 * H)
    assert clock.stopped
    assert clock.paused == H
    assert clock.elapsed == 2 * H
    assert clock.deadline == T + 5 * H


def test_restored_during_a_pause_counts_the_pause_up_to_the_restoration():
    clock = _clock(T + 6 * H, [_pause(1)], restored_at=T + 3 * H)
    assert clock.stopped
    assert not clock.is_paused
    assert clock.paused == 2 * H
    assert clock.elapsed == H
    assert clock.deadline == T + 6 * H


def test_restored_later_than_now_reads_the_clock_up_to_now():
    clock = _clock(T + 2 * H, [_pause(1, 1.5)], restored_at=T + 3 * H)
    assert clock.paused == 30 * M
    assert clock.elapsed == 90 * M
    assert clock.deadline == T + RESTORE + 30 * M


def test_now_before_the_opening_is_an_untouched_clock():
    clock = _clock(T - H, [_pause(1, 2)])
    assert clock.elapsed == timedelta(0)
    assert clock.paused == timedelta(0)
    assert clock.deadline == T + RESTORE
    assert clock.remaining == RESTORE
    assert clock.response_met is None
    assert not clock.breached


def test_an_open_pause_counts_up_to_now_and_moves_the_deadline():
    clock = _clock(T + 3 * H, [_pause(1, 2), _pause(2.5)])
    assert clock.is_paused
    assert clock.paused == 90 * M
    assert clock.elapsed == 90 * M
    assert clock.deadline == T + RESTORE + 90 * M


def test_the_response_on_the_target_is_met_and_one_second_later_is_not():
    assert _clock(T + H, first_response_at=T + RESPONSE).response_met is True
    late = _clock(T + H, first_response_at=T + RESPONSE + timedelta(seconds=1))
    assert late.response_met is False
    assert late.response_elapsed == RESPONSE + timedelta(seconds=1)


def test_paused_between_clips_an_open_interval_to_the_end():
    intervals = [sla.Interval(T, T + H), sla.Interval(T + 2 * H, None)]
    assert sla.paused_between(intervals, T + 30 * M, T + 150 * M) == timedelta(hours=1)


def test_overlapping_pauses_count_once():
    clock = _clock(T + 5 * H, [_pause(1, 3), _pause(2, 4)])
    assert clock.paused == 3 * H  # 1 h -> 4 h is covered, not 4 h of pause
    assert clock.elapsed == 2 * H
    assert clock.deadline == T + 7 * H


def test_a_clock_read_before_an_open_pause_started_is_not_paused():
    clock = _clock(T + H, [_pause(2)])
    assert clock.paused == timedelta(0)
    assert clock.elapsed == H
    assert not clock.is_paused

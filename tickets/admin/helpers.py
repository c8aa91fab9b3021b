"""What the ticket admin shows: labels, durations, the SLA text, the list filters."""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib import admin
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.lib.durations import duration_compact
from tickets.models import PauseInterval, Ticket
from tickets.sla import ticket_clock

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

STAFF_STATUS_LABELS: dict[str, "_StrOrPromise"] = {
    Ticket.Status.WAITING_CUSTOMER: _("Waiting for the customer")
}
SOON = timedelta(hours=1)


def posted(request):
    """The POST data to bind, even when empty (a confirmation), or None on GET."""
    return request.POST if request.method == "POST" else None


def status_label(status: str) -> str:
    return str(STAFF_STATUS_LABELS.get(status, Ticket.Status(status).label))


def duration_text(value: timedelta) -> str:
    """billing.admin imports this until it switches to core.lib.durations (issue 14)."""
    return duration_compact(value, padded=True)


def clock_text(ticket: Ticket, now) -> str:
    """Remaining, breached or paused, from the ticket's own pauses (R-TT-3)."""
    if ticket.status == Ticket.Status.CANCELLED:
        return "—"
    clock = ticket_clock(ticket, now=now)
    if clock.breached:
        text = gettext("Breached by %(time)s") % {
            "time": duration_compact(clock.remaining, padded=True)
        }
    elif clock.stopped:
        text = gettext("Met (%(time)s to spare)") % {
            "time": duration_compact(clock.remaining, padded=True)
        }
    else:
        text = gettext("%(time)s left") % {"time": duration_compact(clock.remaining, padded=True)}
    if clock.is_paused:
        text = gettext("Paused · %(clock)s") % {"clock": text}
    if clock.breached:
        return format_html('<strong class="ticket-breached">{}</strong>', text)
    return text


# --- Filters --------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(value, status_label(value)) for value in Ticket.Status.values]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class EscalatedFilter(admin.SimpleListFilter):
    """Tickets the customer escalated (ticket_escalate): the ones to look at first."""

    title = _("escalated")
    parameter_name = "escalated"

    def lookups(self, request, model_admin):
        return [
            ("open", _("Escalated, still open")),
            ("yes", _("Escalated")),
            ("no", _("Not escalated")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(
                last_escalated_at__isnull=False, status__in=Ticket.ACTIVE_STATUSES
            )
        if self.value() == "yes":
            return queryset.filter(last_escalated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(last_escalated_at__isnull=True)
        return queryset


class BreachFilter(admin.SimpleListFilter):
    """R-TT-3 in SQL. The stored deadline is exact for a running ticket; a waiting ticket's live
    deadline moves with its open pause, so it is breached only if it already was when the pause
    started, and it is never "within 1 hour" (its remaining time is frozen)."""

    title = _("SLA restoration")
    parameter_name = "breach"

    def lookups(self, request, model_admin):
        return [("breached", _("Breached")), ("soon", _("Breach within 1 hour"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        running = Q(status__in=[Ticket.Status.OPEN, Ticket.Status.IN_PROGRESS])
        if self.value() == "soon":
            return queryset.filter(
                running, restoration_deadline__gte=now, restoration_deadline__lt=now + SOON
            )
        if self.value() == "breached":
            paused_late = PauseInterval.objects.filter(
                ticket=OuterRef("pk"),
                ended_at__isnull=True,
                started_at__gt=OuterRef("restoration_deadline"),
            )
            return queryset.filter(
                (running & Q(restoration_deadline__lt=now))
                | Q(status=Ticket.Status.WAITING_CUSTOMER) & Exists(paused_late)
                | Q(restored_at__isnull=False, restored_at__gt=F("restoration_deadline"))
            )
        return queryset


class QueueFilter(admin.SimpleListFilter):
    title = _("queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return [("tsc", _("TSC queue (unassigned, active)")), ("mine", _("Assigned to me"))]

    def queryset(self, request, queryset):
        if self.value() == "tsc":
            return queryset.filter(assignee__isnull=True, status__in=Ticket.ACTIVE_STATUSES)
        if self.value() == "mine":
            return queryset.filter(assignee=request.user)
        return queryset

"""What the change and maintenance e-mails need at delivery time, loaded from the ids the outbox
row keeps.

Every load is scoped to the row's customer. A maintenance notice loads only the impacts on that
customer's own services (R-GCR-2: one e-mail per customer, never another customer's service or
name), and carries that customer's BCOP .ics with the status and revision of the step it
announces."""

import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import dateformat
from django.utils.translation import gettext

from changes.ical import calendar, maintenance_event, worst_impact
from changes.models import (
    ChangeEvent,
    ChangeRequest,
    Impact,
    Maintenance,
    MaintenanceEvent,
    MaintenanceImpact,
    MaintenanceObjection,
)
from core.lib.durations import duration_words
from core.notifications import (
    NotificationObsolete,
    batch_shared,
    context_row,
    notification_context,
)

ICS_MIMETYPE = "text/calendar; charset=utf-8; method=PUBLISH"
_FORMAT = "D Y-m-d H:i"


# --- Times ---------------------------------------------------------------------------------------
def _offset(value: datetime) -> str:
    raw = value.strftime("%z") or "+0000"
    return f"UTC{raw[:3]}:{raw[3:]}"


def _window(start: datetime, end: datetime, zone: str) -> str:
    """ "Sat 2026-12-05 03:00 – 05:00" in `zone` (the day repeated when the window crosses
    midnight); weekday names in the active language."""
    tz = ZoneInfo(zone)
    start, end = start.astimezone(tz), end.astimezone(tz)
    end_format = "H:i" if start.date() == end.date() else _FORMAT
    return f"{dateformat.format(start, _FORMAT)} – {dateformat.format(end, end_format)}"


def _moment(value: datetime | None, zone: str) -> str:
    if value is None:
        return ""
    return dateformat.format(value.astimezone(ZoneInfo(zone)), _FORMAT)


# --- Standard change requests (R-CHG) ------------------------------------------------------------
def _change(notification) -> ChangeRequest:
    return context_row(
        ChangeRequest.objects.select_related(
            "customer", "change_type", "requested_by"
        ).prefetch_related("services"),
        notification,
        "change",
        gone="the change request is gone",
        customer_id=notification.customer_id,
    )


def _change_facts(change: ChangeRequest) -> dict:
    zone = change.customer.timezone
    services = sorted(change.services.all(), key=lambda service: service.service_id)
    parameters = []
    if change.change_type is not None:
        parameters = [
            (label, change.parameters[key])
            for key, label in change.change_type.parameter_labels()
            if change.parameters.get(key)
        ]
    return {
        "change": change,
        "what": change.change_type.name if change.change_type else change.description,
        "services": services,
        "parameters": parameters,
        "zone": zone,
        "deadline": _moment(change.analysis_deadline, zone),
        "window": (
            _window(change.window_start, change.window_end, zone)
            if change.window_start and change.window_end
            else ""
        ),
        "slot": (
            _window(change.scheduled_start, change.scheduled_end, zone)
            if change.scheduled_start and change.scheduled_end
            else ""
        ),
    }


@notification_context("changes/request_step")
def _request_step(notification) -> dict:
    """Every step of a change request, for the customer's change contacts and the requester:
    submitted (with the analysis deadline, R-CHG-4), in analysis, approved (the slot in the
    customer's timezone), executed, rejected (the reason), routed (R-CHG-6)."""
    change = _change(notification)
    message = ""
    if "event" in notification.context:
        event = context_row(
            ChangeEvent.objects,
            notification,
            "event",
            gone="the change request step is gone",
            request=change,
        )
        step, message = event.status, event.message
    else:  # change:<number>:submitted / change:<number>:routed
        step = notification.event.rsplit(":", 1)[-1]
        if step not in ChangeRequest.Status.values:
            step = change.status
    reason = ""
    if step == ChangeRequest.Status.REJECTED:
        reason = change.rejection_reason or message
    elif step == ChangeRequest.Status.ROUTED:
        reason = change.routed_reason or message
    return {
        **_change_facts(change),
        "step": step,
        "step_label": ChangeRequest.Status(step).label,
        "reason": reason,
        "message": "" if message == reason else message,
        "button": gettext("See the request"),
    }


@notification_context("changes/routed")
def _routed(notification) -> dict:
    """R-CHG-6: the service manager or account manager hears of a need outside the catalog;
    replies go to the requester. The context's "url" is the request in admin."""
    change = _change(notification)
    requester = change.requested_by
    return {
        **_change_facts(change),
        "requester_name": requester.get_full_name(),
        "requester_email": requester.email,
        "button": gettext("Open in the staff administration"),
        "reply_to": [requester.email],
    }


# --- Scheduled maintenance (R-GCR) ---------------------------------------------------------------
def _maintenance(notification) -> Maintenance:
    return context_row(
        Maintenance.objects, notification, "maintenance", gone="the maintenance is gone"
    )


def _own_impacts(maintenance: Maintenance, customer_id) -> list[MaintenanceImpact]:
    """Only the row's customer's services: never another customer's (R-GCR-2)."""
    return list(
        MaintenanceImpact.objects.filter(maintenance=maintenance, service__customer_id=customer_id)
        .select_related("service")
        .order_by("service__service_id")
    )


def _maintenance_with_impacts(notification) -> tuple[Maintenance, list[MaintenanceImpact]]:
    """The maintenance and the row's customer's own impacts (R-GCR-2), in one query."""
    impacts = list(
        MaintenanceImpact.objects.filter(
            maintenance_id=notification.context.get("maintenance"),
            service__customer_id=notification.customer_id,
        )
        .select_related("service", "maintenance")
        .order_by("service__service_id")
    )
    if not impacts:
        _maintenance(notification)  # gone altogether, or
        raise NotificationObsolete("the maintenance no longer affects this customer")
    return impacts[0].maintenance, impacts


def _revision(maintenance: Maintenance, sequence: int) -> tuple[MaintenanceEvent | None, ...]:
    """The step that announced revision `sequence` and the one before it: each announced step
    adds one event and one to the sequence (changes.services.maintenance._step). Only those two
    rows are read."""
    if sequence < 1:
        return None, None
    events = list(maintenance.events.order_by("created_at", "id")[max(sequence - 2, 0) : sequence])
    if len(events) < min(sequence, 2):  # fewer steps than the sequence says
        return None, None
    return events[-1], events[-2] if sequence > 1 else None


def _maintenance_context(notification) -> dict:
    # Read once per batch for all its rows of this customer, whatever their language (the
    # labels and times below are each recipient's); the revision once for every customer.
    maintenance, impacts = batch_shared(
        ("maintenance impacts", notification.context.get("maintenance"), notification.customer_id),
        lambda: _maintenance_with_impacts(notification),
    )
    customer = notification.customer
    status = notification.context.get("status") or maintenance.status
    sequence = notification.context.get("sequence", maintenance.sequence)
    current, previous = batch_shared(
        ("maintenance revision", maintenance.pk, sequence), lambda: _revision(maintenance, sequence)
    )
    # The window as this revision announced it: a late delivery does not mix revisions.
    announced = copy.copy(maintenance)
    if current is not None:
        announced.start, announced.end = current.start, current.end
    old_window = ""
    if (
        status == Maintenance.Status.RESCHEDULED
        and previous is not None
        and (previous.start, previous.end) != (announced.start, announced.end)
    ):
        old_window = _window(previous.start, previous.end, "UTC")

    zones: dict[str, str] = {}
    for row in impacts:
        zone = row.site_timezone
        zones.setdefault(zone, _offset(announced.start.astimezone(ZoneInfo(zone))))
    rows = [
        {
            "service": row.service,
            "zone": row.site_timezone,
            "impact": Impact(row.impact).label,
            "outage": duration_words(timedelta(minutes=row.expected_outage_minutes))
            if row.expected_outage_minutes
            else "",
        }
        for row in impacts
    ]
    ics = calendar(
        [maintenance_event(announced, customer, impacts, status=status, sequence=sequence)]
    )
    filename = f"{maintenance.reference}.ics"
    return {
        "maintenance": announced,
        "status": status,
        "status_label": Maintenance.Status(status).label,
        "sequence": sequence,
        "is_emergency": maintenance.is_emergency,
        "note": current.note if current is not None else "",
        "window_utc": _window(announced.start, announced.end, "UTC"),
        # The subject speaks the customer's own time: a reader of the subject alone plans right.
        "window_local": _window(announced.start, announced.end, customer.timezone),
        "zone": customer.timezone,
        "old_window": old_window,
        "local_windows": [
            {
                "zone": zone,
                "offset": offset,
                "window": _window(announced.start, announced.end, zone),
            }
            for zone, offset in sorted(zones.items())
        ],
        "impacts": rows,
        "worst_impact": Impact(worst_impact(impacts)).label,
        "can_object": status in (Maintenance.Status.SCHEDULED, Maintenance.Status.RESCHEDULED),
        "ics_filename": filename,
        "attachments": [(filename, ics, ICS_MIMETYPE)],
        "button": gettext("See the maintenance"),
    }


@notification_context("changes/maintenance", same_for_every_recipient=True)
def _maintenance_notice(notification) -> dict:
    """One notice per affected customer and step, with that customer's .ics (R-GCR-2)."""
    return _maintenance_context(notification)


@notification_context("changes/maintenance_reminder", same_for_every_recipient=True)
def _maintenance_reminder(notification) -> dict:
    """24 hours before the start; a reminder for a window that moved, or for work that was
    cancelled or has already started, is withdrawn instead of sent."""
    maintenance = _maintenance(notification)
    if notification.context.get("sequence") != maintenance.sequence or maintenance.status not in (
        Maintenance.Status.SCHEDULED,
        Maintenance.Status.RESCHEDULED,
    ):
        raise NotificationObsolete("the maintenance moved or was cancelled since")
    return _maintenance_context(notification)


@notification_context("changes/objection")
def _objection(notification) -> dict:
    """R-GCR-2: Change Management hears that a customer asks to reschedule; replies go to the
    customer's author. The context's "url" is the maintenance in admin."""
    maintenance = _maintenance(notification)
    objection = context_row(
        MaintenanceObjection.objects.select_related("author", "customer"),
        notification,
        "objection",
        gone="the request to reschedule is gone",
        maintenance=maintenance,
        customer_id=notification.customer_id,
    )
    impacts = _own_impacts(maintenance, notification.customer_id)
    return {
        "maintenance": maintenance,
        "objection": objection,
        "author_name": objection.author.get_full_name(),
        "author_email": objection.author.email,
        "is_emergency": maintenance.is_emergency,
        "window_utc": _window(maintenance.start, maintenance.end, "UTC"),
        "impacts": [
            {"service": row.service, "zone": row.site_timezone, "impact": Impact(row.impact).label}
            for row in impacts
        ],
        "button": gettext("Open in the staff administration"),
        "reply_to": [objection.author.email],
    }

"""Every write of a standard change request (R-CHG-1..6)."""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from changes.models import (
    ChangeEvent,
    ChangeRequest,
    Maintenance,
    MaintenanceImpact,
    StandardChange,
)
from core.errors import DomainError
from core.lib.business_time import business_hours_add, within_business_hours
from core.models import Membership, NotificationKind, Service, User
from core.selectors.notifications import notification_recipients
from core.services.numbering import number_next
from core.services.outbox import Recipient, notify
from team.models import TeamRole
from team.selectors import team_contact_email

MAX_SITES = 10  # R-CHG-2


def change_path(change: ChangeRequest) -> str:
    return reverse("changes:detail", kwargs={"number": change.number})


def analysis_deadline(*, submitted_at: datetime, customer) -> datetime:
    """R-CHG-4: 72 business hours on the customer's country calendar."""
    return business_hours_add(
        submitted_at, settings.CHANGE_ANALYSIS_BUSINESS_HOURS, customer.country, customer.timezone
    )


def maintenance_clashes(
    *, services: list[Service], start: datetime, end: datetime
) -> list[MaintenanceImpact]:
    """The provider's announced maintenance on these services that overlaps the window."""
    return list(
        MaintenanceImpact.objects.filter(
            service__in=services,
            maintenance__status__in=(
                Maintenance.Status.SCHEDULED,
                Maintenance.Status.RESCHEDULED,
                Maintenance.Status.IN_PROGRESS,
            ),
            maintenance__start__lt=end,
            maintenance__end__gt=start,
        ).select_related("maintenance", "service")
    )


def _notify_customer(change: ChangeRequest, *, event: str, context: dict | None = None) -> None:
    notify(
        event=f"change:{change.number}:{event}",
        template="changes/request_step",
        recipients=notification_recipients(
            change.customer, NotificationKind.MAINTENANCE, users=[change.requested_by]
        ),
        customer=change.customer,
        kind=NotificationKind.MAINTENANCE,
        subject_reference=change.number,
        context={"change": change.pk, "path": change_path(change), **(context or {})},
    )


def _route_target(customer) -> str:
    """R-CHG-6: the service manager, else the account manager, else Service Management, else
    the provider's fallback mailbox: a request outside the catalog always reaches someone."""
    for role in (TeamRole.SERVICE_MANAGER, TeamRole.ACCOUNT_MANAGER):
        email = team_contact_email(customer=customer, role=role)
        if email and email != settings.TEAM_MAILBOX:
            return email
    return (
        settings.SERVICE_MANAGEMENT_MAILBOX
        or settings.TEAM_MAILBOX
        or settings.SUPPORT_FALLBACK_MAILBOX
    )


def change_request_check(
    *,
    membership: Membership,
    change_type: StandardChange,
    services: list[Service],
    execution: str,
    window_start: datetime | None,
    window_end: datetime | None,
    now: datetime | None = None,
) -> list[MaintenanceImpact]:
    """Every rule of a standard request; returns the maintenance clashes to show before
    submitting (they do not block)."""
    customer = membership.customer
    now = now or timezone.now()
    if not change_type.is_active:
        raise DomainError(_("This change is no longer in the catalog."), field="change_type")
    if not services:
        raise DomainError(_("Choose the services to change."), field="services")
    if len(services) > MAX_SITES:
        raise DomainError(
            _(
                "A standard change covers at most %(max)d sites (you chose %(count)d). Send it as "
                "a request outside the catalog: Service Management will plan it with you."
            )
            % {"max": MAX_SITES, "count": len(services)},
            rule="R-CHG-2",
            field="services",
        )
    for service in services:
        if service.customer_id != customer.pk or service.status != Service.Status.ACTIVE:
            raise DomainError(_("Choose active services of yours."), field="services")
        if not change_type.applies_to(service):
            raise DomainError(
                _("%(change)s does not apply to %(service)s (%(line)s).")
                % {
                    "change": change_type.name,
                    "service": service.service_id,
                    "line": service.get_product_line_display(),
                },
                rule="R-CHG-1",
                field="services",
            )
    if execution == ChangeRequest.Execution.PRESET:
        if window_start is None or window_end is None or window_end <= window_start:
            raise DomainError(_("Give the window's start and end."), rule="R-CHG-5", field="window")
        if not within_business_hours(window_start, window_end, customer.country, customer.timezone):
            raise DomainError(
                _(
                    "The window must fall inside business hours: Monday to Friday, 09:00-18:00, "
                    "not on a public holiday."
                ),
                rule="R-CHG-4",
                field="window",
            )
        deadline = analysis_deadline(submitted_at=now, customer=customer)
        if window_start < deadline:
            raise DomainError(
                _("The window must start after the analysis, which may take until %(deadline)s.")
                % {"deadline": date_format(timezone.localtime(deadline), "DATETIME_FORMAT")},
                rule="R-CHG-4",
                field="window",
            )
        return maintenance_clashes(services=services, start=window_start, end=window_end)
    if execution != ChangeRequest.Execution.ANY_SLOT:
        raise DomainError(
            _("Say when the change may be applied."), rule="R-CHG-5", field="execution"
        )
    return []


def change_request_submit(
    *,
    membership: Membership,
    change_type: StandardChange,
    services: list[Service],
    parameters: dict,
    description: str = "",
    execution: str,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> ChangeRequest:
    customer = membership.customer
    now = timezone.now()
    change_request_check(
        membership=membership,
        change_type=change_type,
        services=services,
        execution=execution,
        window_start=window_start,
        window_end=window_end,
        now=now,
    )
    missing = [label for key, label in change_type.parameter_labels() if not parameters.get(key)]
    if missing:
        raise DomainError(
            _("Fill in: %(fields)s.") % {"fields": ", ".join(missing)}, field="parameters"
        )
    with transaction.atomic():
        change = ChangeRequest.objects.create(
            customer=customer,
            number=number_next(prefix="CHG"),
            change_type=change_type,
            parameters={
                key: str(parameters[key]).strip() for key, _ in change_type.parameter_labels()
            },
            description=description.strip(),
            execution=execution,
            window_start=window_start if execution == ChangeRequest.Execution.PRESET else None,
            window_end=window_end if execution == ChangeRequest.Execution.PRESET else None,
            analysis_deadline=analysis_deadline(submitted_at=now, customer=customer),
            requested_by=membership.user,
            created_at=now,
        )
        change.services.set(services)
        ChangeEvent.objects.create(request=change, status=change.status, actor=membership.user)
        _notify_customer(change, event="submitted")
    return change


def change_request_route(
    *,
    membership: Membership,
    description: str,
    services: Sequence[Service] = (),
    reason: str = "",
    change: ChangeRequest | None = None,
    actor: User | None = None,
) -> ChangeRequest:
    """R-CHG-6: a need outside the catalog (or more than 10 sites, or a window the provider
    cannot meet) goes to the service manager or the account manager, never silently refused."""
    customer = membership.customer
    target = _route_target(customer)
    with transaction.atomic():
        if change is None:
            if not description.strip():
                raise DomainError(_("Describe what you need."), field="description")
            change = ChangeRequest.objects.create(
                customer=customer,
                number=number_next(prefix="CHG"),
                description=description.strip(),
                requested_by=membership.user,
                status=ChangeRequest.Status.ROUTED,
                routed_reason=reason or _("Not in the standard catalog."),
                routed_to=target,
            )
            change.services.set([s for s in services if s.customer_id == customer.pk])
        else:
            change = ChangeRequest.objects.select_for_update().get(pk=change.pk)
            if not change.is_open:
                raise DomainError(_("Only an open request can be routed."))
            change.status = ChangeRequest.Status.ROUTED
            change.routed_reason = reason.strip() or _(
                "The provider cannot meet it as a standard change."
            )
            change.routed_to = target
            change.save()
        ChangeEvent.objects.create(
            request=change,
            status=change.status,
            message=change.routed_reason,
            actor=actor or membership.user,
        )
        if target:
            notify(
                event=f"change:{change.number}:routed",
                template="changes/routed",
                recipients=[Recipient.for_team(target)],
                customer=customer,
                kind=NotificationKind.MAINTENANCE,
                subject_reference=change.number,
                context={
                    "change": change.pk,
                    "url": settings.PORTAL_BASE_URL
                    + reverse("admin:changes_changerequest_change", args=[change.pk]),
                },
            )
        _notify_customer(change, event="routed")
    return change


_NEXT: dict[str, set[str]] = {
    ChangeRequest.Status.SUBMITTED: {
        ChangeRequest.Status.IN_ANALYSIS,
        ChangeRequest.Status.APPROVED,
        ChangeRequest.Status.REJECTED,
    },
    ChangeRequest.Status.IN_ANALYSIS: {
        ChangeRequest.Status.APPROVED,
        ChangeRequest.Status.REJECTED,
    },
    ChangeRequest.Status.APPROVED: {ChangeRequest.Status.EXECUTED, ChangeRequest.Status.REJECTED},
}


def change_request_progress(
    *,
    change: ChangeRequest,
    status: str,
    actor: User,
    message: str = "",
    scheduled_start: datetime | None = None,
    scheduled_end: datetime | None = None,
) -> ChangeRequest:
    """Staff move a request on: in analysis, approved with its slot in business hours (R-CHG-4),
    executed, rejected with a reason. Every step tells the customer's change contacts."""
    with transaction.atomic():
        change = (
            ChangeRequest.objects.select_for_update().select_related("customer").get(pk=change.pk)
        )
        if status not in _NEXT.get(change.status, set()):
            raise DomainError(
                _("A request cannot go from %(current)s to %(next)s.")
                % {
                    "current": change.get_status_display(),
                    "next": ChangeRequest.Status(status).label,
                },
                field="status",
            )
        if status == ChangeRequest.Status.REJECTED and not message.strip():
            raise DomainError(_("Tell the customer why it is rejected."), field="message")
        if status == ChangeRequest.Status.APPROVED:
            if scheduled_start is None or scheduled_end is None or scheduled_end <= scheduled_start:
                raise DomainError(_("Give the execution slot."), field="scheduled_start")
            customer = change.customer
            if not within_business_hours(
                scheduled_start, scheduled_end, customer.country, customer.timezone
            ):
                raise DomainError(
                    _("Standard changes are executed in business hours (R-CHG-4)."),
                    rule="R-CHG-4",
                    field="scheduled_start",
                )
            change.scheduled_start, change.scheduled_end = scheduled_start, scheduled_end
        if status == ChangeRequest.Status.REJECTED:
            change.rejection_reason = message.strip()
        change.status = status
        change.save()
        event = ChangeEvent.objects.create(
            request=change, status=status, message=message.strip(), actor=actor
        )
        _notify_customer(change, event=f"step:{event.pk}", context={"event": event.pk})
    return change

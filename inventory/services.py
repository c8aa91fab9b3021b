"""Writes of the services inventory: expansion requests (R-POR-2) and the staff CSV import."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.models import Customer, Membership, Service, User
from core.selectors.notifications import member_recipients
from core.services.numbering import number_next
from core.services.outbox import Recipient, notify
from inventory.models import ExpansionRequest, ExpansionRequestEvent
from team.models import TeamRole
from team.selectors import team_contact_email


def expansion_request_submit(
    *,
    membership: Membership,
    kind: str,
    description: str,
    service: Service | None = None,
    product_line: str = "",
    site_name: str = "",
    site_address: str = "",
    country: str = "",
    capacity: str = "",
    wanted_by: date | None = None,
) -> ExpansionRequest:
    """Record the request with its number and tell the account manager (R-POR-2, R-TEAM-1)."""
    customer = membership.customer
    if service is not None and service.customer_id != customer.pk:
        raise DomainError(_("Choose one of your services."), field="service")
    if service is not None and service.status == Service.Status.DISCONNECTED:
        raise DomainError(
            _("A disconnected service cannot be expanded."), rule="R-POR-2", field="service"
        )
    with transaction.atomic():
        request = ExpansionRequest.objects.create(
            customer=customer,
            number=number_next(prefix="EXP"),
            service=service,
            kind=kind,
            product_line=product_line or (service.product_line if service else ""),
            site_name=site_name,
            site_address=site_address,
            country=country,
            capacity=capacity,
            wanted_by=wanted_by,
            description=description,
            requested_by=membership.user,
            notified_to=team_contact_email(customer=customer, role=TeamRole.ACCOUNT_MANAGER),
        )
        ExpansionRequestEvent.objects.create(
            request=request, status=ExpansionRequest.Status.RECEIVED, by=membership.user
        )
        if request.notified_to:
            notify(
                event=f"expansion:{request.number}:received",
                template="portal/expansion_request",
                recipients=[Recipient.for_team(request.notified_to)],
                customer=customer,
                subject_reference=request.number,
                context={"request": request.pk},
            )
    return request


# Which steps may follow which: a declined or ordered request is finished.
_NEXT_STATUSES = {
    ExpansionRequest.Status.RECEIVED: {
        ExpansionRequest.Status.QUOTED,
        ExpansionRequest.Status.ORDERED,
        ExpansionRequest.Status.DECLINED,
    },
    ExpansionRequest.Status.QUOTED: {
        ExpansionRequest.Status.QUOTED,
        ExpansionRequest.Status.ORDERED,
        ExpansionRequest.Status.DECLINED,
    },
    ExpansionRequest.Status.ORDERED: set(),
    ExpansionRequest.Status.DECLINED: set(),
}


def expansion_request_step_check(*, current: str, status: str, message: str) -> None:
    """Raise DomainError when staff may not take this step (R-POR-2)."""
    if status not in _NEXT_STATUSES[ExpansionRequest.Status(current)]:
        raise DomainError(
            _("An expansion request cannot go from %(current)s to %(next)s.")
            % {
                "current": ExpansionRequest.Status(current).label,
                "next": ExpansionRequest.Status(status).label,
            },
            field="next_status",
        )
    if status == ExpansionRequest.Status.DECLINED and not message.strip():
        raise DomainError(_("Tell the customer why the request is declined."), field="message")


def expansion_request_progress(
    *, request: ExpansionRequest, status: str, message: str, by: User
) -> ExpansionRequestEvent:
    """Staff move a request on; the customer sees the step and the requester gets an e-mail."""
    with transaction.atomic():
        current = ExpansionRequest.objects.select_for_update().get(pk=request.pk)
        expansion_request_step_check(current=current.status, status=status, message=message)
        current.status = status
        current.save(update_fields=["status", "updated_at"])
        event = ExpansionRequestEvent.objects.create(
            request=current, status=status, message=message.strip(), by=by
        )
        notify(
            event=f"expansion:{current.number}:step:{event.pk}",
            template="portal/expansion_request_step",
            recipients=member_recipients(current.customer, [current.requested_by]),
            customer=current.customer,
            subject_reference=current.number,
            context={"event": event.pk},
        )
    request.status = status
    return event


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def services_import(*, customer: Customer, rows: list[tuple[int, dict]]) -> ImportReport:
    """Store parsed rows (portal.forms.inventory.service_rows_parse) for one customer: all or
    nothing. A service id that belongs to another customer is refused; one of this customer's
    is updated."""
    report = ImportReport()
    ids = [row["service_id"] for _line, row in rows]
    foreign = set(
        Service.objects.filter(service_id__in=ids)
        .exclude(customer=customer)
        .values_list("service_id", flat=True)
    )
    for line, row in rows:
        if row["service_id"] in foreign:
            report.errors.append(
                (line, _("%(id)s belongs to another customer.") % {"id": row["service_id"]})
            )
    if report.errors:
        return report
    existing = {
        s.service_id: s for s in Service.objects.filter(customer=customer, service_id__in=ids)
    }
    with transaction.atomic():
        for _line, row in rows:
            service = existing.get(row["service_id"])
            if service is None:
                Service.objects.create(customer=customer, **row)
                report.created += 1
            else:
                for name, value in row.items():
                    setattr(service, name, value)
                service.save()
                report.updated += 1
    return report

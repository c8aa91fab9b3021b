"""Every write of a trouble ticket (R-TT-1..4): open, reply, wait for the customer (R-TT-3),
resolve, reopen, close, cancel, escalate, copy people. Each keeps the SLA deadline current and
tells the people concerned through the outbox."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.lib.attachments import attachments_store
from core.models import Customer, Notification, NotificationKind, Service, User
from core.selectors.notifications import notification_recipients
from core.services.numbering import number_next
from core.services.outbox import Recipient, notify, routed_recipients
from team.models import TeamRole
from team.selectors import team_contact_email
from tickets.models import (
    ESCALATION_INTERVAL,
    Attachment,
    Message,
    PauseInterval,
    Ticket,
)
from tickets.sla import sla_targets, ticket_clock


def ticket_path(ticket: Ticket) -> str:
    return reverse("tickets:detail", kwargs={"number": ticket.number})


def _deadline_refresh(ticket: Ticket) -> None:
    """Store the deadline as of the last change. While a pause runs the stored value is the
    pause's start plus what remained; pages compute the live one from the clock."""
    ticket.restoration_deadline = ticket_clock(ticket).deadline


def _customer_recipients(ticket: Ticket) -> list[Recipient]:
    recipients = notification_recipients(
        ticket.customer, NotificationKind.TICKETS, users=[ticket.requester, ticket.opened_by]
    )
    recipients += [
        Recipient(
            email=watcher.email,
            name=watcher.name,
            language=ticket.customer.language,
            reason=Notification.Reason.COPIED,
        )
        # Only people who confirmed the link: until then they receive nothing of the ticket.
        for watcher in ticket.watchers.all()
        if watcher.is_confirmed
    ]
    return recipients


def _notify_customer(ticket: Ticket, *, event: str, template: str, context: dict) -> None:
    notify(
        event=f"ticket:{ticket.number}:{event}",
        template=template,
        recipients=_customer_recipients(ticket),
        customer=ticket.customer,
        kind=NotificationKind.TICKETS,
        subject_reference=ticket.number,
        context={"ticket": ticket.pk, "path": ticket_path(ticket), **context},
    )


def _staff_recipients(ticket: Ticket) -> list[Recipient]:
    """The assignee, else the TSC queue mailbox, else the provider's fallback mailbox; staff
    read the portal's language."""
    if ticket.assignee is not None and ticket.assignee.is_active:
        return [_staff(ticket.assignee.email, name=ticket.assignee.get_full_name())]
    if settings.TSC_MAILBOX:
        return [_staff(settings.TSC_MAILBOX)]
    return routed_recipients([])


def _staff(email: str, name: str = "") -> Recipient:
    return Recipient(
        email=email, name=name, language=settings.LANGUAGE_CODE, reason=Notification.Reason.STAFF
    )


def _notify_staff(ticket: Ticket, *, event: str, template: str, recipients, context: dict):
    notify(
        event=f"ticket:{ticket.number}:{event}",
        template=template,
        recipients=recipients,
        customer=ticket.customer,
        kind=NotificationKind.TICKETS,
        subject_reference=ticket.number,
        context={
            "ticket": ticket.pk,
            "url": settings.PORTAL_BASE_URL
            + reverse("admin:tickets_ticket_change", args=[ticket.pk]),
            **context,
        },
    )


def _locked(ticket: Ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("customer", "requester", "opened_by", "assignee")
        .get(pk=ticket.pk)
    )


def _attach(ticket: Ticket, message: Message | None, files, by: User, internal=False) -> None:
    attachments_store(Attachment, files, by=by, ticket=ticket, message=message, internal=internal)


def _status_message(ticket: Ticket, status: str, *, actor: User | None, body: str = "") -> Message:
    return Message.objects.create(
        ticket=ticket,
        kind=Message.Kind.STATUS,
        status=status,
        author=actor,
        from_staff=bool(actor and actor.is_staff),
        body=body,
    )


def ticket_open(
    *,
    customer: Customer,
    opened_by: User,
    services: list[Service],
    impact: str,
    subject: str,
    description: str,
    problem_started_at: datetime,
    site_contact_name: str,
    site_contact_phone: str,
    site_contact_email: str = "",
    access_hours: str,
    checks_done: str = "",
    attachments: Sequence[UploadedFile] = (),
    channel: str = Ticket.Channel.PORTAL,
    requester: User | None = None,
) -> Ticket:
    """R-TT-2: a ticket with what the TSC needs; the targets are copied onto it (R-TT-3)."""
    if not services:
        raise DomainError(_("Choose the affected service."), rule="R-TT-2", field="services")
    for service in services:
        if service.customer_id != customer.pk:
            raise DomainError(_("Choose one of your services."), field="services")
        if service.status == Service.Status.DISCONNECTED:
            raise DomainError(
                _("Service %(id)s is disconnected.") % {"id": service.service_id},
                field="services",
            )
    now = timezone.now()
    if problem_started_at > now + timedelta(minutes=5):
        raise DomainError(_("The problem cannot start in the future."), field="problem_started_at")
    response, restoration = sla_targets(impact)
    with transaction.atomic():
        ticket = Ticket.objects.create(
            customer=customer,
            number=number_next(prefix="TT", width=6, zone=customer.timezone),
            impact=impact,
            channel=channel,
            subject=subject.strip(),
            description=description.strip(),
            problem_started_at=problem_started_at,
            site_contact_name=site_contact_name.strip(),
            site_contact_phone=site_contact_phone.strip(),
            site_contact_email=site_contact_email.strip(),
            access_hours=access_hours.strip(),
            checks_done=checks_done.strip(),
            opened_by=opened_by,
            requester=requester or (None if opened_by.is_staff else opened_by),
            response_target=response,
            restoration_target=restoration,
            opened_at=now,
            restoration_deadline=now + restoration,
        )
        ticket.services.set(services)
        message = _status_message(ticket, Ticket.Status.OPEN, actor=opened_by)
        _attach(ticket, message, attachments, opened_by)
        _notify_customer(ticket, event="opened", template="tickets/opened", context={})
    return ticket


def _pause_end(ticket: Ticket, *, at: datetime, by: User | None) -> None:
    ticket.pauses.filter(ended_at__isnull=True).update(ended_at=at, ended_by=by)


def ticket_wait_for_customer(
    *, ticket: Ticket, reason: str, actor: User, message: str = ""
) -> Ticket:
    """R-TT-3: the TSC waits for the customer; the SLA clock stops until they answer."""
    if reason not in PauseInterval.Reason.values:
        raise DomainError(_("Say what the TSC is waiting for."), rule="R-TT-3", field="reason")
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status not in (Ticket.Status.OPEN, Ticket.Status.IN_PROGRESS):
            raise DomainError(_("Only an open ticket can wait for the customer."), rule="R-TT-3")
        now = timezone.now()
        PauseInterval.objects.create(ticket=ticket, reason=reason, started_at=now, started_by=actor)
        ticket.status = Ticket.Status.WAITING_CUSTOMER
        _deadline_refresh(ticket)
        ticket.save()
        _status_message(ticket, ticket.status, actor=actor, body=message.strip())
        _notify_customer(
            ticket,
            event=f"waiting:{now.timestamp():.0f}",
            template="tickets/waiting",
            context={"reason": reason, "message": message.strip()},
        )
    return ticket


def ticket_resume(*, ticket: Ticket, actor: User) -> Ticket:
    """Staff end the wait themselves (the site opened, the contact called back)."""
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != Ticket.Status.WAITING_CUSTOMER:
            raise DomainError(_("This ticket is not waiting for the customer."))
        _pause_end(ticket, at=timezone.now(), by=actor)
        ticket.status = Ticket.Status.IN_PROGRESS
        _deadline_refresh(ticket)
        ticket.save()
        _status_message(ticket, ticket.status, actor=actor)
    return ticket


def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
) -> Message:
    """A public reply (either side) or an internal staff note.

    The customer answering while the TSC waits for them ends the pause (R-TT-3); the first public
    reply of the TSC is the response the SLA measures."""
    from_staff = author.is_staff
    if internal and not from_staff:
        raise DomainError(_("Only the provider's staff can write internal notes."))
    if not body.strip() and not attachments:
        raise DomainError(_("Write a message or attach a file."), field="body")
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status in (Ticket.Status.CLOSED, Ticket.Status.CANCELLED):
            raise DomainError(
                _("Ticket %(number)s is %(status)s: open a new ticket.")
                % {"number": ticket.number, "status": ticket.get_status_display().lower()}
            )
        now = timezone.now()
        message = Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.INTERNAL if internal else Message.Kind.PUBLIC,
            author=author,
            from_staff=from_staff,
            body=body.strip(),
            created_at=now,
        )
        _attach(ticket, message, attachments, author, internal=internal)
        if internal:
            return message
        if from_staff:
            if ticket.first_response_at is None:
                ticket.first_response_at = now
            if ticket.status == Ticket.Status.OPEN:
                ticket.status = Ticket.Status.IN_PROGRESS
            ticket.save()
            _notify_customer(
                ticket,
                event=f"reply:{message.pk}",
                template="tickets/reply",
                context={"message": message.pk},
            )
            return message
        if ticket.status == Ticket.Status.WAITING_CUSTOMER:
            _pause_end(ticket, at=now, by=author)
            ticket.status = Ticket.Status.IN_PROGRESS
            _status_message(ticket, ticket.status, actor=author)
        _deadline_refresh(ticket)
        ticket.save()
        _notify_staff(
            ticket,
            event=f"customer-reply:{message.pk}",
            template="tickets/customer_reply",
            recipients=_staff_recipients(ticket),
            context={"message": message.pk},
        )
    return message


def ticket_resolve(
    *, ticket: Ticket, actor: User, resolution: str, restored_at: datetime | None = None
) -> Ticket:
    now = timezone.now()
    restored_at = restored_at or now
    if not resolution.strip():
        raise DomainError(_("Describe the resolution."), field="resolution")
    with transaction.atomic():
        ticket = _locked(ticket)
        if not ticket.is_active:
            raise DomainError(_("Only an open ticket can be resolved."))
        if restored_at > now or restored_at < ticket.opened_at:
            raise DomainError(
                _("The restoration time must be between the opening and now."),
                field="restored_at",
            )
        _pause_end(ticket, at=now, by=actor)
        ticket.status = Ticket.Status.RESOLVED
        ticket.resolution = resolution.strip()
        ticket.restored_at = restored_at
        ticket.resolved_at = now
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        _deadline_refresh(ticket)
        ticket.save()
        _status_message(ticket, ticket.status, actor=actor, body=ticket.resolution)
        _notify_customer(
            ticket, event=f"resolved:{now.timestamp():.0f}", template="tickets/resolved", context={}
        )
    return ticket


def ticket_reopen(*, ticket: Ticket, actor: User, reason: str) -> Ticket:
    """The customer says it is not fixed, within TICKET_CLOSE_AFTER_DAYS of the resolution.

    The clock runs on from where it stopped: the time since the claimed restoration counts, since
    the service was not in fact restored."""
    if not reason.strip():
        raise DomainError(_("Say what is still wrong."), field="reason")
    with transaction.atomic():
        ticket = _locked(ticket)
        if ticket.status != Ticket.Status.RESOLVED:
            raise DomainError(_("Only a resolved ticket can be reopened."))
        assert ticket.resolved_at is not None  # set with the resolved status
        if timezone.now() > ticket.resolved_at + timedelta(days=settings.TICKET_CLOSE_AFTER_DAYS):
            raise DomainError(_("This ticket can no longer be reopened: open a new one."))
        ticket.status = Ticket.Status.IN_PROGRESS
        ticket.restored_at = None
        ticket.resolved_at = None
        _deadline_refresh(ticket)
        ticket.save()
        message = Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.PUBLIC,
            author=actor,
            body=reason.strip(),
        )
        _status_message(ticket, ticket.status, actor=actor)
        _notify_staff(
            ticket,
            event=f"reopened:{message.pk}",
            template="tickets/customer_reply",
            recipients=_staff_recipients(ticket),
            context={"message": message.pk, "reopened": True},
        )
    return ticket


def ticket_cancel(*, ticket: Ticket, actor: User, reason: str = "") -> Ticket:
    with transaction.atomic():
        ticket = _locked(ticket)
        if not ticket.is_active:
            raise DomainError(_("Only an open ticket can be cancelled."))
        now = timezone.now()
        _pause_end(ticket, at=now, by=actor)
        ticket.status = Ticket.Status.CANCELLED
        ticket.closed_at = now
        ticket.save()
        _status_message(ticket, ticket.status, actor=actor, body=reason.strip())
        _notify_customer(ticket, event="cancelled", template="tickets/status", context={})
    return ticket


def tickets_close_resolved(*, now: datetime | None = None) -> int:
    """Beat: resolved tickets close TICKET_CLOSE_AFTER_DAYS after the resolution."""
    now = now or timezone.now()
    due = Ticket.objects.filter(
        status=Ticket.Status.RESOLVED,
        resolved_at__lte=now - timedelta(days=settings.TICKET_CLOSE_AFTER_DAYS),
    )
    closed = 0
    for ticket in due:
        with transaction.atomic():
            locked = _locked(ticket)
            if locked.status != Ticket.Status.RESOLVED:
                continue
            locked.status = Ticket.Status.CLOSED
            locked.closed_at = now
            locked.save()
            _status_message(locked, locked.status, actor=None)
            closed += 1
    return closed


def ticket_escalate(*, ticket: Ticket, actor: User, reason: str) -> Message:
    """The customer escalates an open ticket: at most once an hour; the TSC queue and the
    customer's client experience lead hear of it."""
    if not reason.strip():
        raise DomainError(_("Say why you are escalating."), field="reason")
    with transaction.atomic():
        ticket = _locked(ticket)
        if not ticket.is_active:
            raise DomainError(_("Only an open ticket can be escalated."))
        now = timezone.now()
        if ticket.last_escalated_at and now - ticket.last_escalated_at < ESCALATION_INTERVAL:
            raise DomainError(
                _("This ticket was escalated less than an hour ago; the TSC is on it.")
            )
        ticket.last_escalated_at = now
        ticket.save(update_fields=["last_escalated_at", "updated_at"])
        message = Message.objects.create(
            ticket=ticket,
            kind=Message.Kind.ESCALATION,
            author=actor,
            body=reason.strip(),
            created_at=now,
        )
        recipients = []
        if settings.TSC_MAILBOX:
            recipients.append(_staff(settings.TSC_MAILBOX))
        lead = team_contact_email(customer=ticket.customer, role=TeamRole.CLIENT_EXPERIENCE_LEAD)
        if lead:
            recipients.append(Recipient.for_team(lead))
        _notify_staff(
            ticket,
            event=f"escalated:{message.pk}",
            template="tickets/escalated",
            recipients=routed_recipients(recipients),
            context={"message": message.pk},
        )
    return message


def ticket_assign(*, ticket: Ticket, staff: User | None) -> Ticket:
    """Give the ticket to a staff member, or back to the TSC queue with None."""
    if staff is not None and not staff.is_staff:
        raise DomainError(_("Only the provider's staff can be assigned a ticket."))
    Ticket.objects.filter(pk=ticket.pk).update(assignee=staff, updated_at=timezone.now())
    ticket.assignee = staff
    return ticket

"""The provider's scheduled maintenance (GCR, R-GCR-1..5): the rules, the lifecycle, and the
notices: one e-mail per affected customer listing only that customer's services (R-GCR-2)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from changes.models import (
    CalendarFeed,
    Maintenance,
    MaintenanceEvent,
    MaintenanceImpact,
    MaintenanceObjection,
)
from core.errors import DomainError
from core.models import (
    AuditEvent,
    Customer,
    Membership,
    NotificationContact,
    NotificationKind,
    User,
)
from core.services import audit_record
from core.services.numbering import number_next
from core.services.outbox import Recipient, notifications_cancel, notify, notify_many

REMINDER_AHEAD = timedelta(hours=24)


@dataclass(frozen=True)
class RuleBreak:
    rule: str  # "A.1" or "A.2"
    service_id: str
    message: str


def maintenance_path(maintenance: Maintenance) -> str:
    return reverse("changes:maintenance_detail", kwargs={"reference": maintenance.reference})


def maintenance_rule_breaks(
    maintenance: Maintenance, *, announce_at: datetime | None = None
) -> list[RuleBreak]:
    """R-GCR-3: A.1, the window inside 00:00-06:00 local time of every affected site; A.2, the
    announcement at least MAINTENANCE_NOTICE_DAYS calendar days before the start."""
    announce_at = announce_at or timezone.now()
    breaks = []
    first, last = settings.MAINTENANCE_WINDOW_START_HOUR, settings.MAINTENANCE_WINDOW_END_HOUR
    for row in maintenance.impacts.select_related("service"):
        zone = ZoneInfo(row.site_timezone)
        start, end = maintenance.start.astimezone(zone), maintenance.end.astimezone(zone)
        opens = datetime.combine(start.date(), time(first), tzinfo=zone)
        closes = datetime.combine(start.date(), time(last), tzinfo=zone)
        if not (opens <= start and end <= closes):
            breaks.append(
                RuleBreak(
                    "A.1",
                    row.service.service_id,
                    _(
                        "R-GCR-3 A.1: at %(service)s (%(zone)s) the work runs %(start)s-%(end)s "
                        "local time, outside %(first)02d:00-%(last)02d:00."
                    )
                    % {
                        "service": row.service.service_id,
                        "zone": row.site_timezone,
                        "start": start.strftime("%Y-%m-%d %H:%M"),
                        "end": end.strftime("%Y-%m-%d %H:%M"),
                        "first": first,
                        "last": last,
                    },
                )
            )
    notice = timedelta(days=settings.MAINTENANCE_NOTICE_DAYS)
    if maintenance.start - announce_at < notice:
        breaks.append(
            RuleBreak(
                "A.2",
                "",
                _(
                    "R-GCR-3 A.2: customers must be told at least %(days)d days ahead; the work "
                    "starts in %(left)s."
                )
                % {
                    "days": settings.MAINTENANCE_NOTICE_DAYS,
                    "left": str(maintenance.start - announce_at).split(".")[0],
                },
            )
        )
    return breaks


def maintenance_create(
    *,
    reason: str,
    kind: str,
    start: datetime,
    end: datetime,
    entered_timezone: str,
    impacts: list[tuple],
    actor: User | None,
) -> Maintenance:
    """A draft: nobody is told until it is confirmed. `impacts` = [(service, impact, minutes)]."""
    if end <= start:
        raise DomainError(_("The maintenance must end after it starts."), field="end")
    if not impacts:
        raise DomainError(_("Add the affected services."), field="impacts")
    with transaction.atomic():
        maintenance = Maintenance.objects.create(
            reference=number_next(prefix="MNT", width=4),
            reason=reason.strip(),
            kind=kind,
            start=start,
            end=end,
            entered_timezone=entered_timezone,
            created_by=actor,
        )
        MaintenanceImpact.objects.bulk_create(
            MaintenanceImpact(
                maintenance=maintenance, service=service, impact=impact, expected_outage_minutes=m
            )
            for service, impact, m in impacts
        )
    return maintenance


def _customers(maintenance: Maintenance) -> list[Customer]:
    return list(
        Customer.objects.filter(services__maintenances__maintenance=maintenance)
        .distinct()
        .order_by("pk")
    )


def _recipients_by_customer(customers: list[Customer]) -> dict[int, list[Recipient]]:
    """Each customer's maintenance contacts (R-GCR-4); for a customer without any, its portal
    administrators, so that nobody learns of an outage from the outage. Two queries in all."""
    by_customer: dict[int, list[Recipient]] = defaultdict(list)
    contacts = NotificationContact.objects.filter(
        customer__in=customers,
        maintenance=True,
        confirmed_at__isnull=False,
        bounced_at__isnull=True,
    ).order_by("email")
    for contact in contacts:
        by_customer[contact.customer_id].append(Recipient.for_contact(contact))
    missing = [customer.pk for customer in customers if customer.pk not in by_customer]
    if missing:
        admins = Membership.objects.filter(
            customer_id__in=missing,
            role=Membership.Role.ADMIN,
            is_active=True,
            user__is_active=True,
        ).select_related("user", "customer")
        for membership in admins:
            by_customer[membership.customer_id].append(
                Recipient.for_user(membership.user, customer=membership.customer, reason="user")
            )
    return by_customer


def _announce(maintenance: Maintenance, *, template: str = "changes/maintenance") -> int:
    """One notice per affected customer, carrying only that customer's services; returns how
    many customers were told. Reminders for the new window replace the old ones."""
    notifications_cancel(event_prefix=f"maintenance:{maintenance.uid}:reminder")
    customers = _customers(maintenance)
    recipients = _recipients_by_customer(customers)
    remind = (
        maintenance.status
        in (
            Maintenance.Status.SCHEDULED,
            Maintenance.Status.RESCHEDULED,
        )
        and maintenance.start - REMINDER_AHEAD > timezone.now()
    )
    events = []
    for customer in customers:
        context = {
            "maintenance": maintenance.pk,
            "status": maintenance.status,
            "sequence": maintenance.sequence,
            "path": maintenance_path(maintenance),
        }
        common = {
            "recipients": recipients.get(customer.pk, []),
            "customer": customer,
            "kind": NotificationKind.MAINTENANCE,
            "subject_reference": maintenance.reference,
        }
        events.append(
            {
                "event": f"maintenance:{maintenance.uid}:{maintenance.sequence}:{customer.pk}",
                "template": template,
                "context": context,
                **common,
            }
        )
        if remind:
            events.append(
                {
                    "event": (
                        f"maintenance:{maintenance.uid}:reminder:{maintenance.sequence}:{customer.pk}"
                    ),
                    "template": "changes/maintenance_reminder",
                    "context": {**context, "reminder": True},
                    "send_at": maintenance.start - REMINDER_AHEAD,
                    **common,
                }
            )
    notify_many(events)
    return len(customers)


def _step(maintenance: Maintenance, status: str, actor: User | None, note: str = "") -> None:
    maintenance.status = status
    maintenance.sequence += 1
    maintenance.save()
    MaintenanceEvent.objects.create(
        maintenance=maintenance,
        status=status,
        start=maintenance.start,
        end=maintenance.end,
        note=note.strip(),
        actor=actor,
    )
    _announce(maintenance)


def _locked(maintenance: Maintenance) -> Maintenance:
    return Maintenance.objects.select_for_update().get(pk=maintenance.pk)


def maintenance_confirm(*, maintenance: Maintenance, actor: User | None) -> Maintenance:
    """Announce a draft. A planned maintenance must keep R-GCR-3; an emergency may break it and is
    announced at once, marked as emergency (R-GCR-5)."""
    with transaction.atomic():
        maintenance = _locked(maintenance)
        if maintenance.status != Maintenance.Status.DRAFT:
            raise DomainError(_("Only a draft can be confirmed."))
        if not maintenance.impacts.exists():
            raise DomainError(_("Add the affected services."))
        if maintenance.kind == Maintenance.Kind.PLANNED:
            breaks = maintenance_rule_breaks(maintenance)
            if breaks:
                raise DomainError(
                    " ".join(str(b.message) for b in breaks), rule="R-GCR-3", field=None
                )
        maintenance.announced_at = timezone.now()
        _step(maintenance, Maintenance.Status.SCHEDULED, actor)
    return maintenance


def maintenance_reschedule(
    *,
    maintenance: Maintenance,
    start: datetime,
    end: datetime,
    actor: User | None,
    note: str = "",
    entered_timezone: str = "",
) -> Maintenance:
    if end <= start:
        raise DomainError(_("The maintenance must end after it starts."), field="end")
    with transaction.atomic():
        maintenance = _locked(maintenance)
        if maintenance.status not in (Maintenance.Status.SCHEDULED, Maintenance.Status.RESCHEDULED):
            raise DomainError(_("Only a scheduled maintenance can be rescheduled."))
        maintenance.start, maintenance.end = start, end
        maintenance.entered_timezone = entered_timezone or maintenance.entered_timezone
        if maintenance.kind == Maintenance.Kind.PLANNED:
            breaks = maintenance_rule_breaks(maintenance)
            if breaks:
                raise DomainError(" ".join(str(b.message) for b in breaks), rule="R-GCR-3")
        _step(maintenance, Maintenance.Status.RESCHEDULED, actor, note)
    return maintenance


def maintenance_advance(
    *, maintenance: Maintenance, status: str, actor: User | None, note: str = ""
) -> Maintenance:
    """Start, complete or cancel; every step is announced to each affected customer."""
    allowed: dict[str, set[str]] = {
        Maintenance.Status.IN_PROGRESS: {
            Maintenance.Status.SCHEDULED,
            Maintenance.Status.RESCHEDULED,
        },
        Maintenance.Status.COMPLETED: {Maintenance.Status.IN_PROGRESS},
        Maintenance.Status.CANCELLED: {
            Maintenance.Status.DRAFT,
            Maintenance.Status.SCHEDULED,
            Maintenance.Status.RESCHEDULED,
        },
    }
    with transaction.atomic():
        maintenance = _locked(maintenance)
        if maintenance.status not in allowed.get(status, set()):
            raise DomainError(
                _("A maintenance cannot go from %(current)s to %(next)s.")
                % {
                    "current": maintenance.get_status_display(),
                    "next": Maintenance.Status(status).label,
                }
            )
        if maintenance.status == Maintenance.Status.DRAFT:  # never announced: nobody to tell
            maintenance.status = status
            maintenance.save()
            return maintenance
        _step(maintenance, status, actor, note)
    return maintenance


def maintenance_object(
    *, maintenance: Maintenance, membership: Membership, message: str
) -> MaintenanceObjection:
    """R-GCR-2: the customer asks to reschedule; Change Management sees it in admin."""
    if not message.strip():
        raise DomainError(_("Say why, and which window would suit you."), field="message")
    if maintenance.status not in (Maintenance.Status.SCHEDULED, Maintenance.Status.RESCHEDULED):
        raise DomainError(_("This maintenance can no longer be rescheduled."))
    if not maintenance.impacts.filter(service__customer=membership.customer).exists():
        raise DomainError(_("This maintenance does not affect your services."))
    with transaction.atomic():
        objection = MaintenanceObjection.objects.create(
            maintenance=maintenance,
            customer=membership.customer,
            author=membership.user,
            message=message.strip(),
        )
        if settings.CHANGE_MANAGEMENT_MAILBOX:
            notify(
                event=f"maintenance:{maintenance.uid}:objection:{objection.pk}",
                template="changes/objection",
                recipients=[Recipient.for_team(settings.CHANGE_MANAGEMENT_MAILBOX)],
                customer=membership.customer,
                kind=NotificationKind.MAINTENANCE,
                subject_reference=maintenance.reference,
                context={
                    "maintenance": maintenance.pk,
                    "objection": objection.pk,
                    "url": settings.PORTAL_BASE_URL
                    + reverse("admin:changes_maintenance_change", args=[maintenance.pk]),
                },
            )
    return objection


def impacts_by_customer(maintenance: Maintenance) -> dict[int, list[MaintenanceImpact]]:
    grouped = defaultdict(list)
    for row in maintenance.impacts.select_related("service"):
        grouped[row.service.customer_id].append(row)
    return grouped


def calendar_feed_rotate(*, membership: Membership, request=None) -> tuple[str, bool]:
    """A new personal feed address for this member (the old one, if any, stops at once).
    Returns the token, which is stored only hashed, so the caller shows it this once, and
    whether it replaced an earlier address."""
    token = CalendarFeed.new_token()
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(membership=membership).first()
        replaced = feed is not None
        feed = feed or CalendarFeed(customer_id=membership.customer_id, membership=membership)
        feed.token_hash = CalendarFeed.hash_token(token)
        feed.rotated_at = timezone.now()
        feed.save()
        audit_record(
            action=AuditEvent.Action.FEED_ROTATE,
            customer=membership.customer,
            actor=membership.user,
            target_email=membership.user.email,
            detail={"feed": "personal"},
            request=request,
        )
    return token, replaced


def calendar_feed_shared_stop(*, customer: Customer, actor: User, request=None) -> bool:
    """The customer's administrator stops the shared address from before personal ones."""
    with transaction.atomic():
        deleted, _rows = CalendarFeed.objects.filter(
            customer=customer, membership__isnull=True
        ).delete()
        if deleted:
            audit_record(
                action=AuditEvent.Action.FEED_STOP,
                customer=customer,
                actor=actor,
                detail={"feed": "shared"},
                request=request,
            )
    return bool(deleted)


def calendar_feeds_revoke(*, membership: Membership, customer_id: int | None = None) -> None:
    """Someone's access to a customer's maintenance ended (their membership deactivated, moved
    to another customer by staff, or changes and maintenance taken away): their personal
    address stops, and so does that customer's shared one, which every member could read.
    Revoked rather than merely refused, so that a later reactivation does not bring an old
    address back. `customer_id` names the customer left when it is no longer the membership's."""
    left = customer_id or membership.customer_id
    CalendarFeed.objects.filter(
        Q(membership=membership) | Q(customer_id=left, membership__isnull=True)
    ).delete()


def maintenance_objection_handle(*, objection: MaintenanceObjection) -> bool:
    """Change Management answered the customer's request to reschedule (R-GCR-2)."""
    return bool(
        MaintenanceObjection.objects.filter(pk=objection.pk, handled_at__isnull=True).update(
            handled_at=timezone.now()
        )
    )

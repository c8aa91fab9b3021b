"""Every write of an order: creation, the six touchpoints (R-ORD-1), the customer's answer to TP1,
the first invoice that closes it (R-ORD-3), cancellation, and the automatic TP4 reminder."""

import logging
from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.lib.business_time import business_day_start, business_days_before
from core.models import Customer, NotificationKind, Service, User
from core.selectors.notifications import notification_recipients
from core.services.numbering import number_next
from core.services.outbox import Recipient, notifications_cancel, notify
from orders.models import Order, OrderEvent, Step, Touchpoint
from team.models import TeamAssignment, TeamPerson, TeamRole

logger = logging.getLogger(__name__)

# How long before the activation window its reminder goes out (a scheduled outbox row).
ACTIVATION_REMINDER_AHEAD = timedelta(hours=24)


def order_path(order: Order) -> str:
    return reverse("orders:detail", kwargs={"number": order.number})


def _notify_customer(order: Order, *, event: str, template: str, context: dict, **extra) -> None:
    """The order contacts (R-GCR-4) and the requester hear of every step of their order."""
    notify(
        event=event,
        template=template,
        recipients=notification_recipients(
            order.customer, NotificationKind.ORDERS, users=[order.requester]
        ),
        customer=order.customer,
        kind=NotificationKind.ORDERS,
        subject_reference=order.number,
        context={"order": order.pk, "path": order_path(order), **context},
        **extra,
    )


def _locked(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("customer", "requester")
        .get(pk=order.pk)
    )


def order_create(
    *,
    customer: Customer,
    product_line: str,
    title: str,
    description: str = "",
    services: Sequence[Service] = (),
    requester: User | None = None,
    care_manager: TeamPerson | None = None,
    received_on: date | None = None,
    actor: User | None = None,
) -> Order:
    for service in services:
        if service.customer_id != customer.pk:
            raise DomainError(_("A service of another customer cannot be part of this order."))
        if service.status != Service.Status.PROVISIONING:
            raise DomainError(
                _("Service %(id)s is not in provisioning; an order delivers new services.")
                % {"id": service.service_id}
            )
    if requester is not None and not requester.memberships.filter(customer=customer).exists():
        raise DomainError(_("The requester must be a portal user of this customer."))
    if care_manager is None:  # R-TEAM-3: the customer's CCM owns its orders by default
        assignment = (
            TeamAssignment.objects.filter(
                customer=customer,
                role=TeamRole.CUSTOMER_CARE_MANAGER,
                person__isnull=False,
                person__is_active=True,
            )
            .select_related("person")
            .first()
        )
        care_manager = assignment.person if assignment else None
    with transaction.atomic():
        order = Order.objects.create(
            customer=customer,
            number=number_next(prefix="ORD"),
            product_line=product_line,
            title=title,
            description=description,
            requester=requester,
            care_manager=care_manager,
            received_on=received_on or timezone.localdate(),
        )
        order.services.set(services)
        OrderEvent.objects.create(order=order, kind=OrderEvent.Kind.RECEIVED, actor=actor)
    return order


def _require[T](value: T | None, message: str, field: str) -> T:
    if value in (None, "", []):
        raise DomainError(message, rule="R-ORD-1", field=field)
    return value


def _touchpoint_allowed(order: Order, step: int) -> None:
    """R-ORD-1: touchpoints of an open order, in order, never past an unanswered TP1."""
    if not order.is_open:
        raise DomainError(
            _("Order %(number)s is %(status)s: no more touchpoints.")
            % {"number": order.number, "status": order.get_status_display().lower()},
            rule="R-ORD-1",
        )
    expected = (order.last_step or 0) + 1
    if step != expected:
        raise DomainError(
            _("TP%(step)s cannot be recorded now: the next touchpoint is TP%(expected)s.")
            % {"step": step, "expected": expected},
            rule="R-ORD-1",
            field="step",
        )
    if order.status == Order.Status.WAITING_CUSTOMER:
        raise DomainError(
            _("The customer has not yet answered the technical details requested in TP1."),
            rule="R-ORD-1",
        )


def _technical_details_set(touchpoint: Touchpoint, order: Order, requested: list[str] | None):
    details = [line.strip() for line in requested or [] if line.strip()]
    touchpoint.details_requested = _require(
        details, _("List the technical details the customer must provide."), "details"
    )
    order.status = Order.Status.WAITING_CUSTOMER


def _estimated_activation_set(
    touchpoint: Touchpoint, order: Order, estimated: date | None, installation: date | None
):
    estimated = _require(
        estimated, _("TP3 needs the estimated activation date."), "estimated_activation_on"
    )
    touchpoint.estimated_activation_on = estimated
    if estimated < order.received_on:
        raise DomainError(
            _("The estimated activation cannot be before the order was received."),
            field="estimated_activation_on",
        )
    order.estimated_activation_on = estimated
    if installation:
        order.installation_on = installation


def _installation_reminder_set(
    touchpoint: Touchpoint,
    order: Order,
    installation: date | None,
    site_preparation: str,
    automatic: bool,
):
    touchpoint.installation_on = _require(
        installation or order.installation_on,
        _("TP4 needs the installation date."),
        "installation_on",
    )
    touchpoint.site_preparation = (site_preparation or order.site_preparation).strip()
    if not automatic:
        _require(
            touchpoint.site_preparation,
            _("TP4 needs what the site must prepare."),
            "site_preparation",
        )
    order.installation_on = touchpoint.installation_on
    order.site_preparation = touchpoint.site_preparation


def _activation_window_set(
    touchpoint: Touchpoint, order: Order, start: datetime | None, end: datetime | None
):
    start = _require(start, _("TP5 needs the activation window."), "activation_start")
    end = _require(end, _("TP5 needs the activation window."), "activation_end")
    if end <= start:
        raise DomainError(
            _("The activation window must end after it starts."), field="activation_end"
        )
    touchpoint.activation_start = start
    touchpoint.activation_end = end
    order.activation_start, order.activation_end = start, end


def _connection_set(touchpoint: Touchpoint, order: Order, activated_on: date | None):
    touchpoint.activated_on = activated_on or timezone.localdate()
    order.activated_on = touchpoint.activated_on
    order.status = Order.Status.ACTIVATED
    order.services.filter(status=Service.Status.PROVISIONING).update(
        status=Service.Status.ACTIVE, activated_on=touchpoint.activated_on
    )
    # Connected: a reminder of the activation window has nothing left to announce.
    notifications_cancel(event_prefix=f"order:{order.number}:activation-reminder")


def touchpoint_record(
    *,
    order: Order,
    step: int,
    actor: User | None,
    message: str = "",
    details_requested: list[str] | None = None,
    estimated_activation_on: date | None = None,
    installation_on: date | None = None,
    site_preparation: str = "",
    activation_start: datetime | None = None,
    activation_end: datetime | None = None,
    activated_on: date | None = None,
    automatic: bool = False,
) -> Touchpoint:
    """Record touchpoint `step` with what it carries and tell the customer (R-ORD-1)."""
    with transaction.atomic():
        order = _locked(order)
        _touchpoint_allowed(order, step)
        touchpoint = Touchpoint(
            order=order,
            step=step,
            message=message.strip(),
            recorded_by=actor,
            automatic=automatic,
        )
        if step == Step.TECHNICAL_DETAILS:
            _technical_details_set(touchpoint, order, details_requested)
        elif step == Step.ESTIMATED_ACTIVATION:
            _estimated_activation_set(touchpoint, order, estimated_activation_on, installation_on)
        elif step == Step.INSTALLATION_REMINDER:
            _installation_reminder_set(
                touchpoint, order, installation_on, site_preparation, automatic
            )
        elif step == Step.ACTIVATION_PLANNING:
            _activation_window_set(touchpoint, order, activation_start, activation_end)
        elif step == Step.CONNECTION:
            _connection_set(touchpoint, order, activated_on)
        touchpoint.save()
        order.last_step = step
        order.save()
        event = f"order:{order.number}:tp{step}"
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.TOUCHPOINT,
            step=step,
            event_key=event,
            actor=actor,
        )
        _notify_customer(
            order, event=event, template="orders/touchpoint", context={"touchpoint": touchpoint.pk}
        )
        if step == Step.ACTIVATION_PLANNING:
            _activation_reminder_schedule(order)
    return touchpoint


def _activation_reminder_schedule(order: Order) -> None:
    """A scheduled outbox row: the day before the window, a reminder with the calendar file."""
    assert order.activation_start is not None  # TP5 has just set the window
    send_at = order.activation_start - ACTIVATION_REMINDER_AHEAD
    if send_at <= timezone.now():
        return
    notifications_cancel(event_prefix=f"order:{order.number}:activation-reminder")
    _notify_customer(
        order,
        event=f"order:{order.number}:activation-reminder:{order.activation_start.isoformat()}",
        template="orders/activation_reminder",
        context={},
        send_at=send_at,
    )


def technical_details_answer(*, order: Order, answers: list[str], actor: User) -> Touchpoint:
    """The customer answers TP1; the order goes back to the care manager (R-TEAM-3)."""
    with transaction.atomic():
        order = _locked(order)
        touchpoint = (
            Touchpoint.objects.select_for_update()
            .filter(order=order, step=Step.TECHNICAL_DETAILS)
            .first()
        )
        waiting = order.status == Order.Status.WAITING_CUSTOMER
        if not waiting or touchpoint is None or not touchpoint.awaits_answer:
            raise DomainError(_("This order is not waiting for technical details."))
        if len(answers) != len(touchpoint.details_requested) or not all(
            answer.strip() for answer in answers
        ):
            raise DomainError(_("Answer every technical detail requested."))
        touchpoint.answers = [
            {"detail": detail, "answer": answer.strip()}
            for detail, answer in zip(touchpoint.details_requested, answers, strict=True)
        ]
        touchpoint.answered_at = timezone.now()
        touchpoint.answered_by = actor
        touchpoint.save(update_fields=["answers", "answered_at", "answered_by"])
        order.status = Order.Status.IN_PROGRESS
        order.save(update_fields=["status", "updated_at"])
        event = f"order:{order.number}:tp1-answered"
        OrderEvent.objects.create(
            order=order, kind=OrderEvent.Kind.ANSWERED, event_key=event, actor=actor
        )
        care_manager = order.care_manager
        recipients = []
        if care_manager is not None and care_manager.is_active:
            recipients.append(
                Recipient.for_team(
                    care_manager.email,
                    name=care_manager.full_name,
                    language=(care_manager.languages or [""])[0],
                )
            )
        notify(
            event=event,
            template="orders/details_answered",
            recipients=recipients,
            customer=order.customer,
            kind=NotificationKind.ORDERS,
            subject_reference=order.number,
            context={
                "order": order.pk,
                "touchpoint": touchpoint.pk,
                "answered_by": actor.get_full_name() or actor.email,
                "url": settings.PORTAL_BASE_URL
                + reverse("admin:orders_order_change", args=[order.pk]),
            },
        )
    return touchpoint


def first_invoice_record(*, order: Order, invoiced_on: date, actor: User | None) -> Order:
    """R-ORD-3: the first invoice ends the order's lifecycle."""
    with transaction.atomic():
        order = _locked(order)
        if order.status != Order.Status.ACTIVATED:
            raise DomainError(
                _("Only an activated order (TP6 sent) can be closed by its first invoice."),
                rule="R-ORD-3",
            )
        if order.activated_on and invoiced_on < order.activated_on:
            raise DomainError(
                _("The first invoice cannot be before the activation date."),
                field="first_invoice_on",
            )
        order.first_invoice_on = invoiced_on
        order.status = Order.Status.CLOSED
        order.save()
        event = f"order:{order.number}:closed"
        OrderEvent.objects.create(
            order=order, kind=OrderEvent.Kind.FIRST_INVOICE, event_key=event, actor=actor
        )
        _notify_customer(order, event=event, template="orders/closed", context={})
    return order


def order_cancel(*, order: Order, reason: str, actor: User | None) -> Order:
    if not reason.strip():
        raise DomainError(_("Say why the order is cancelled."), field="cancel_reason")
    with transaction.atomic():
        order = _locked(order)
        if not order.is_open:
            raise DomainError(_("Only an order in progress can be cancelled."))
        order.status = Order.Status.CANCELLED
        order.cancel_reason = reason.strip()
        order.save()
        order.services.filter(status=Service.Status.PROVISIONING).update(
            status=Service.Status.DISCONNECTED
        )
        notifications_cancel(event_prefix=f"order:{order.number}:activation-reminder")
        event = f"order:{order.number}:cancelled"
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.Kind.CANCELLED,
            event_key=event,
            detail=order.cancel_reason,
            actor=actor,
        )
        _notify_customer(order, event=event, template="orders/cancelled", context={})
    return order


def installation_reminder_due_at(order: Order) -> datetime | None:
    """R-ORD default: 09:00 local, N business days (customer's country) before installation."""
    if order.installation_on is None:
        return None
    customer = order.customer
    day = business_days_before(
        order.installation_on, settings.ORDER_REMINDER_BUSINESS_DAYS, customer.country
    )
    return business_day_start(day, customer.timezone)


def installation_reminders_send(*, now: datetime | None = None) -> list[str]:
    """Beat: send TP4 for every order whose reminder is due and that staff have not sent by hand.
    Exactly once: the order is locked, the step checked, and (order, step) is unique."""
    now = now or timezone.now()
    sent = []
    candidates = Order.objects.filter(
        status=Order.Status.IN_PROGRESS,
        last_step=Step.ESTIMATED_ACTIVATION,
        installation_on__isnull=False,
        installation_on__gte=timezone.localdate(now),
    ).select_related("customer")
    for order in candidates:
        due = installation_reminder_due_at(order)
        if due is None or due > now:
            continue
        try:
            touchpoint_record(
                order=order, step=Step.INSTALLATION_REMINDER, actor=None, automatic=True
            )
        except DomainError:
            continue  # staff recorded it meanwhile, or the order moved on
        except Exception:  # one broken order must not hold back every other order's reminder
            logger.exception("TP4 reminder for order %s failed; retried next run", order.number)
            continue
        sent.append(order.number)
    return sent

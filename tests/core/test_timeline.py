"""The timeline step the customer-facing histories share (core.lib.timeline.TimelineEntry)."""

from datetime import timedelta

from django.utils import timezone

from changes.models import ChangeEvent, MaintenanceEvent
from core.lib.timeline import TimelineEntry
from orders.models import OrderEvent
from tests.factories import OrderFactory


def test_the_steps_read_in_the_order_they_happened_and_name_their_owner(
    customer, portal_admin_user
):
    order = OrderFactory(customer=customer, number="ORD-2026-00042")
    now = timezone.now()
    later = OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.TOUCHPOINT, actor=portal_admin_user, created_at=now
    )
    first = OrderEvent.objects.create(
        order=order, kind=OrderEvent.Kind.RECEIVED, created_at=now - timedelta(hours=1)
    )
    assert list(order.events.all()) == [first, later]
    assert str(later) == "ORD-2026-00042 touchpoint"
    portal_admin_user.delete()
    later.refresh_from_db()
    assert later.actor is None  # the step outlives the person who took it


def test_every_history_is_a_timeline_with_its_own_names():
    for model in (ChangeEvent, MaintenanceEvent, OrderEvent):
        assert issubclass(model, TimelineEntry)
        assert model._meta.ordering == ["created_at", "id"]
    assert str(OrderEvent._meta.verbose_name) != str(ChangeEvent._meta.verbose_name)

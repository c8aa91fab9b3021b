"""The maintenance notices through the outbox (issue 6, section 2; R-GCR-2, R-GCR-4): one e-mail
per contact of each affected customer listing only that customer's services, in the contact's
language, with local times per site; reminders 24 hours before, replaced on reschedule and
withdrawn on cancel; the administrators told when nobody is listed; objections to Change
Management."""

import email
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from changes.models import Maintenance, MaintenanceObjection
from changes.services.maintenance import (
    maintenance_advance,
    maintenance_confirm,
    maintenance_create,
    maintenance_object,
    maintenance_reschedule,
)
from core.models import Notification
from core.services.outbox import notification_deliver, notifications_deliver
from tests.factories import MembershipFactory, NotificationContactFactory, ServiceFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
START = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)  # 01:00 in Buenos Aires, Santiago, São Paulo
END = START + timedelta(hours=2)
ACME_IDS = ("AR-BUE-IPVPN-00001", "CL-SCL-IPVPN-00002")
GLOBEX_ID = "BR-SAO-INET-00003"


@pytest.fixture
def contacts(customer, other_customer):
    for owner, address, language in (
        (customer, "noc-es@acme.test", "es"),
        (customer, "noc-en@acme.test", "en"),
        (other_customer, "noc@globex.test", "pt-br"),
    ):
        NotificationContactFactory(
            customer=owner, email=address, language=language, orders=False, maintenance=True
        )
    # Not a maintenance contact: hears nothing of it.
    NotificationContactFactory(customer=customer, email="orders@acme.test", orders=True)


@pytest.fixture
def maintenance(customer, other_customer, staff_user):
    buenos_aires = ServiceFactory(customer=customer, service_id=ACME_IDS[0], site_name="Depósito")
    santiago = ServiceFactory(
        customer=customer, service_id=ACME_IDS[1], site_name="Oficina Santiago", country="CL"
    )
    sao_paulo = ServiceFactory(
        customer=other_customer,
        service_id=GLOBEX_ID,
        site_name="Escritório São Paulo",
        country="BR",
    )
    with time_machine.travel(T0, tick=False):
        return maintenance_create(
            reason="Backbone upgrade",
            kind=Maintenance.Kind.PLANNED,
            start=START,
            end=END,
            entered_timezone="UTC",
            impacts=[
                (buenos_aires, "outage", 45),
                (santiago, "degraded", 0),
                (sao_paulo, "reduced_redundancy", 0),
            ],
            actor=staff_user,
        )


def _calendar_text(message) -> str:
    raw = email.message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in raw.walk() if p.get_content_type() == "text/calendar"]
    payload, charset = part.get_payload(decode=True), part.get_content_charset()
    assert isinstance(payload, bytes)
    assert charset is not None
    return payload.decode(charset)


def _everything(message) -> str:
    html = message.alternatives[0].content
    return "\n".join([message.subject, message.body, html, _calendar_text(message)])


def test_one_email_per_contact_with_only_the_customers_own_services(
    contacts, maintenance, customer, other_customer, run
):
    sent = run(maintenance_confirm, maintenance=maintenance, actor=None)

    assert set(sent) == {"noc-es@acme.test", "noc-en@acme.test", "noc@globex.test"}
    rows = Notification.objects.filter(template="changes/maintenance")
    assert rows.filter(customer=customer).count() == 2
    assert rows.filter(customer=other_customer).count() == 1
    for address in ("noc-es@acme.test", "noc-en@acme.test"):
        text = _everything(sent[address])
        assert all(service_id in text for service_id in ACME_IDS)
        assert GLOBEX_ID not in text
        assert "Globex" not in text
        assert "São Paulo" not in text
    globex = _everything(sent["noc@globex.test"])
    assert GLOBEX_ID in globex
    assert "Escritório São Paulo" in globex
    for leak in (*ACME_IDS, "Acme", "Depósito", "Santiago", str(customer.reference)):
        assert leak not in globex


def test_in_the_contacts_language_with_local_times_per_site(contacts, maintenance, run):
    sent = run(maintenance_confirm, maintenance=maintenance, actor=None)
    english = sent["noc-en@acme.test"]

    assert english.subject == (
        f"{maintenance.reference} · Maintenance scheduled: Sat 2026-12-05 01:00 – 03:00 "
        "(America/Argentina/Buenos_Aires)"
    )  # the customer's own time in the subject; UTC and every site's time in the body
    assert "Window (UTC): Sat 2026-12-05 04:00 – 06:00" in english.body
    # December: Santiago keeps summer time, UTC-3 like Buenos Aires; each site is listed.
    assert (
        "America/Argentina/Buenos_Aires (UTC-03:00): Sat 2026-12-05 01:00 – 03:00" in english.body
    )
    assert "America/Santiago (UTC-03:00): Sat 2026-12-05 01:00 – 03:00" in english.body
    assert f"{ACME_IDS[0]} · Depósito (America/Argentina/Buenos_Aires)" in english.body
    assert "expected outage 45 minutes" in english.body
    assert "Request to reschedule" in english.body
    assert english.body.count("http://") == 1
    assert f"/maintenance/{maintenance.reference}/" in (english.body)

    spanish, portuguese = sent["noc-es@acme.test"], sent["noc@globex.test"]
    assert "sáb 2026-12-05 01:00 – 03:00" in spanish.body  # Django's own Spanish weekday
    assert "45 minutos" in spanish.body
    assert "Mantenimiento programado" in spanish.subject
    assert "Manutenção agendada" in portuguese.subject
    assert "America/Sao_Paulo (UTC-03:00): Sab 2026-12-05 01:00 – 03:00" in portuguese.body
    assert "Você recebe este e-mail" in portuguese.body


def test_local_times_differ_per_site_in_july(contacts, customer, staff_user, run):
    """Santiago is UTC-4 in July while Buenos Aires stays at UTC-3: one window, two local times."""
    start = datetime(2026, 7, 20, 4, 30, tzinfo=UTC)
    services = [
        ServiceFactory(customer=customer, service_id="AR-X-1"),
        ServiceFactory(customer=customer, service_id="CL-X-2", country="CL"),
    ]
    at = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    with time_machine.travel(at, tick=False):
        maintenance = maintenance_create(
            reason="Fibra",
            kind=Maintenance.Kind.PLANNED,
            start=start,
            end=start + timedelta(hours=1),
            entered_timezone="UTC",
            impacts=[(s, "outage", 10) for s in services],
            actor=staff_user,
        )
    body = run(maintenance_confirm, maintenance=maintenance, actor=None, at=at)[
        "noc-en@acme.test"
    ].body
    assert "America/Argentina/Buenos_Aires (UTC-03:00): Mon 2026-07-20 01:30 – 02:30" in body
    assert "America/Santiago (UTC-04:00): Mon 2026-07-20 00:30 – 01:30" in body


def _reminders(**filters):
    return Notification.objects.filter(template="changes/maintenance_reminder", **filters)


def test_reminders_24_hours_before_replaced_on_reschedule_cancelled_on_cancel(
    contacts, maintenance, run
):
    run(maintenance_confirm, maintenance=maintenance, actor=None)
    first = list(_reminders(status=Notification.Status.PENDING))
    assert len(first) == 3  # one per contact, not sent yet
    assert {row.next_attempt_at for row in first} == {START - timedelta(hours=24)}
    assert not [m for m in mail.outbox if "Reminder" in m.subject]

    new_start = START + timedelta(days=2)
    run(
        maintenance_reschedule,
        maintenance=maintenance,
        start=new_start,
        end=new_start + timedelta(hours=1),
        actor=None,
        at=T0 + timedelta(hours=1),
    )
    assert (
        _reminders(pk__in=[r.pk for r in first], status=Notification.Status.CANCELLED).count() == 3
    )
    second = list(_reminders(status=Notification.Status.PENDING))
    assert len(second) == 3
    assert {row.next_attempt_at for row in second} == {new_start - timedelta(hours=24)}
    assert {row.context["sequence"] for row in second} == {2}

    # Delivered when due: the reminder with the new window and its .ics.
    row = next(r for r in second if r.to_email == "noc-en@acme.test")
    with time_machine.travel(new_start - timedelta(hours=24), tick=False):
        assert notification_deliver(notification_id=row.pk) == "sent"
    reminder = mail.outbox[-1]
    assert reminder.subject == f"{maintenance.reference} · Reminder: maintenance starts in 24 hours"
    assert "Mon 2026-12-07 04:00 – 05:00" in reminder.body
    assert "SEQUENCE:2" in _calendar_text(reminder)

    run(
        maintenance_advance,
        maintenance=maintenance,
        status=Maintenance.Status.CANCELLED,
        actor=None,
        at=T0 + timedelta(hours=2),
    )
    assert not _reminders(status=Notification.Status.PENDING).exists()


def test_a_stale_reminder_is_withdrawn_at_delivery(contacts, maintenance, run):
    """A reminder row that escaped the cancel (written before a later step) is not sent."""
    run(maintenance_confirm, maintenance=maintenance, actor=None)
    row = _reminders().first()
    Maintenance.objects.filter(pk=maintenance.pk).update(sequence=5)
    sent_before = len(mail.outbox)
    with time_machine.travel(START - timedelta(hours=24), tick=False):
        assert notification_deliver(notification_id=row.pk) == "cancelled"
    assert len(mail.outbox) == sent_before


def test_every_step_is_announced_and_cancel_says_so(contacts, maintenance, run):
    run(maintenance_confirm, maintenance=maintenance, actor=None)
    cancelled = run(
        maintenance_advance,
        maintenance=maintenance,
        status=Maintenance.Status.CANCELLED,
        actor=None,
        note="Equipment not delivered",
        at=T0 + timedelta(hours=1),
    )
    english = cancelled["noc-en@acme.test"]
    assert english.subject == f"{maintenance.reference} · Maintenance cancelled"
    assert "was cancelled" in english.body
    assert "Equipment not delivered" in english.body
    assert "Request to reschedule" not in english.body
    assert set(cancelled) == {"noc-es@acme.test", "noc-en@acme.test", "noc@globex.test"}


def test_rescheduled_gives_the_old_and_the_new_window(contacts, maintenance, run):
    run(maintenance_confirm, maintenance=maintenance, actor=None)
    new_start = START + timedelta(days=1)
    body = run(
        maintenance_reschedule,
        maintenance=maintenance,
        start=new_start,
        end=new_start + timedelta(hours=1),
        actor=None,
        at=T0 + timedelta(hours=1),
    )["noc-en@acme.test"].body
    assert "Previous window (UTC): Sat 2026-12-05 04:00 – 06:00" in body
    assert "New window (UTC): Sun 2026-12-06 04:00 – 05:00" in body


def test_emergency_is_marked_and_announced_at_once(contacts, customer, staff_user, run):
    service = ServiceFactory(customer=customer, service_id="AR-EMG-1")
    start = T0 + timedelta(hours=3)  # 12:00 in Buenos Aires, tomorrow is too late
    with time_machine.travel(T0, tick=False):
        maintenance = maintenance_create(
            reason="Fibra cortada por obras",
            kind=Maintenance.Kind.EMERGENCY,
            start=start,
            end=start + timedelta(hours=2),
            entered_timezone="UTC",
            impacts=[(service, "outage", 60)],
            actor=staff_user,
        )
    sent = run(maintenance_confirm, maintenance=maintenance, actor=None)
    english = sent["noc-en@acme.test"]
    assert english.subject.startswith(f"EMERGENCY · {maintenance.reference} · ")
    assert english.body.count("EMERGENCY MAINTENANCE") == 1
    assert "expected outage 1 hour" in english.body
    assert not _reminders().exists()  # less than 24 hours ahead


def test_without_maintenance_contacts_the_administrators_are_told(
    maintenance, customer, other_customer, portal_admin_user, run
):
    MembershipFactory(customer=customer, user__email="user@acme.test")  # not an administrator
    sent = run(maintenance_confirm, maintenance=maintenance, actor=None)
    assert "admin@acme.test" in sent
    assert "user@acme.test" not in sent
    row = Notification.objects.get(template="changes/maintenance", to_email="admin@acme.test")
    assert row.reason == "user"
    assert all(service_id in sent["admin@acme.test"].body for service_id in ACME_IDS)
    assert GLOBEX_ID not in _everything(sent["admin@acme.test"])


def test_objection_goes_to_change_management(
    contacts, maintenance, customer, admin_membership, run, settings
):
    settings.CHANGE_MANAGEMENT_MAILBOX = "change-management@lumen.test"
    settings.LANGUAGE_CODE = "en"
    run(maintenance_confirm, maintenance=maintenance, actor=None)
    maintenance.refresh_from_db()
    sent = run(
        maintenance_object,
        maintenance=maintenance,
        membership=admin_membership,
        message="Cierre de mes: mejor el sábado 12.",
        at=T0 + timedelta(hours=1),
    )
    assert set(sent) == {"change-management@lumen.test"}
    message = sent["change-management@lumen.test"]
    objection = MaintenanceObjection.objects.get()
    assert message.subject == f"{maintenance.reference} · Acme Logística asks to reschedule"
    assert "Ana Admin <admin@acme.test>" in message.body
    assert "Cierre de mes: mejor el sábado 12." in message.body
    assert all(service_id in message.body for service_id in ACME_IDS)
    assert GLOBEX_ID not in message.body
    assert f"/admin/changes/maintenance/{maintenance.pk}/change/" in message.body
    assert message.reply_to == ["admin@acme.test"]
    assert objection.customer == customer


def test_a_notice_is_delivered_in_seven_queries_whatever_its_services(
    contacts, maintenance, customer, other_customer, django_assert_num_queries
):
    """Claim, the row, the contact's check, the administrators, the maintenance with the row's
    customer's impacts, the step it announces, the sent mark: one round trip each, for two
    services (Acme) as for one (Globex). 3,000 notices are 3,000 times this."""
    with time_machine.travel(T0, tick=False):
        maintenance_confirm(maintenance=maintenance, actor=None)  # rows only: nothing commits
    rows = Notification.objects.filter(template="changes/maintenance")
    for owner in (customer, other_customer):
        row = rows.filter(customer=owner).first()
        with django_assert_num_queries(7):
            assert notification_deliver(notification_id=row.pk) == "sent"
    assert len(mail.outbox) == 2


@pytest.fixture
def three_spanish_contacts(customer):
    for address in ("noc-1@acme.test", "noc-2@acme.test", "noc-3@acme.test"):
        NotificationContactFactory(
            customer=customer, email=address, language="es", orders=False, maintenance=True
        )
    NotificationContactFactory(
        customer=customer, email="noc-en@acme.test", language="en", orders=False, maintenance=True
    )


def test_a_batch_builds_a_customers_notice_once_per_language(
    three_spanish_contacts, maintenance, customer, django_assert_num_queries
):
    """Issue 15, e-mails: the rows of one batch share what does not depend on the recipient. The
    first row runs the seven queries; every other one only claims, reads, checks its contact and
    records the send (4). The English row writes its own notice, in English, from the same
    reads."""
    with time_machine.travel(T0, tick=False):
        maintenance_confirm(maintenance=maintenance, actor=None)
    ids = list(
        Notification.objects.filter(template="changes/maintenance", customer=customer)
        .order_by("to_email")
        .values_list("pk", flat=True)
    )  # noc-1, noc-2, noc-3 (es), then noc-en
    with django_assert_num_queries(7 + 4 + 4 + 4):
        assert notifications_deliver(notification_ids=ids) == {"sent": 4}

    sent = {m.to[0].split("<")[-1].rstrip(">"): m for m in mail.outbox}
    spanish = [sent[f"noc-{n}@acme.test"] for n in (1, 2, 3)]
    assert len({m.subject for m in spanish}) == 1
    assert len({_calendar_text(m) for m in spanish}) == 1
    assert all(service_id in _everything(m) for m in spanish for service_id in ACME_IDS)
    assert "Mantenimiento" in spanish[0].subject
    assert "Maintenance" in sent["noc-en@acme.test"].subject
    assert "Backbone upgrade" in sent["noc-en@acme.test"].body


def test_nothing_is_shared_between_two_batches(three_spanish_contacts, maintenance, customer):
    """What a batch shares lives as long as the batch: the next one reads the maintenance as it
    is now."""
    with time_machine.travel(T0, tick=False):
        maintenance_confirm(maintenance=maintenance, actor=None)
    first, second = (
        Notification.objects.filter(template="changes/maintenance", language="es")
        .order_by("to_email")
        .values_list("pk", flat=True)[:2]
    )
    assert notifications_deliver(notification_ids=[first]) == {"sent": 1}
    Maintenance.objects.filter(pk=maintenance.pk).update(reason="Fibre repair on the backbone")

    assert notifications_deliver(notification_ids=[second]) == {"sent": 1}

    assert "Backbone upgrade" in mail.outbox[0].body
    assert "Fibre repair on the backbone" in mail.outbox[1].body
    assert "Backbone upgrade" not in mail.outbox[1].body

"""The BCOP maintenance-notification .ics as an interface (issue 6, section 2): every field read
back from the attachment of the real e-mail, after Django built the MIME message and the raw
bytes were parsed again, as a mail client or a NOC's ingest script would."""

import email
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from icalendar import Calendar

from changes.models import Maintenance
from changes.services.maintenance import (
    maintenance_advance,
    maintenance_confirm,
    maintenance_create,
    maintenance_reschedule,
)
from tests.factories import NotificationContactFactory, ServiceFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
START = datetime(2026, 12, 5, 4, 0, tzinfo=UTC)  # 01:00 in Buenos Aires and São Paulo
END = START + timedelta(hours=3)
REASON = "Migración del nodo São Paulo – Córdoba (fibra óptica)"


@pytest.fixture
def maintenance(customer, other_customer, staff_user, settings):
    settings.PROVIDER_NAME = "Lumen"
    settings.DEFAULT_FROM_EMAIL = "Lumen <portal@lumen.test>"
    settings.NOTIFICATION_MESSAGE_ID_DOMAIN = "portal.lumen.test"
    for owner, address, language in (
        (customer, "noc@acme.test", "es"),
        (other_customer, "noc@globex.test", "pt-br"),
    ):
        NotificationContactFactory(
            customer=owner, email=address, language=language, orders=False, maintenance=True
        )
    cordoba = ServiceFactory(
        customer=customer, service_id="AR-COR-IPVPN-00001", site_name="Planta Córdoba"
    )
    depot = ServiceFactory(customer=customer, service_id="AR-BUE-INET-00002", site_name="Núñez")
    sao_paulo = ServiceFactory(
        customer=other_customer,
        service_id="BR-SAO-IPVPN-00003",
        site_name="Escritório São Paulo",
        country="BR",
    )
    with time_machine.travel(T0, tick=False):
        return maintenance_create(
            reason=REASON,
            kind=Maintenance.Kind.PLANNED,
            start=START,
            end=END,
            entered_timezone="UTC",
            impacts=[
                (cordoba, "reduced_redundancy", 0),
                (depot, "outage", 30),
                (sao_paulo, "degraded", 5),
            ],
            actor=staff_user,
        )


def _ics(message, reference):
    """The one text/calendar part of the raw message, decoded with its declared charset."""
    raw = email.message_from_bytes(message.message().as_bytes())
    parts = [part for part in raw.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_filename() == f"{reference}.ics"
    assert part.get_content_charset() == "utf-8"
    assert part.get_param("method") == "PUBLISH"
    text = part.get_payload(decode=True).decode(part.get_content_charset())
    calendar = Calendar.from_ical(text)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0], text


def _object_ids(event) -> dict:
    values = event.get("X-MAINTNOTE-OBJECT-ID")
    values = values if isinstance(values, list) else [values]
    return {str(v): v.params["X-MAINTNOTE-OBJECT-IMPACT"] for v in values}


def test_calendar_header_and_every_bcop_field(maintenance, customer, run):
    sent = run(maintenance_confirm, maintenance=maintenance, actor=None)
    calendar, event, text = _ics(sent["noc@acme.test"], maintenance.reference)

    assert str(calendar["PRODID"]) == "-//Lumen//Customer Portal maintenance//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(event["UID"]) == f"{maintenance.uid}-{customer.reference}@portal.lumen.test"
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == END
    assert "DTSTART:20261205T040000Z" in text
    assert "DTEND:20261205T070000Z" in text
    assert event.decoded("DTSTAMP") == T0
    assert str(event["ORGANIZER"]) == "mailto:portal@lumen.test"
    assert str(event["SUMMARY"]) == f"Lumen maintenance {maintenance.reference}"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["X-MAINTNOTE-PROVIDER"]) == "portal.lumen.test"
    assert str(event["X-MAINTNOTE-ACCOUNT"]) == str(customer.reference)
    assert str(event["X-MAINTNOTE-MAINTENANCE-ID"]) == maintenance.reference
    assert _object_ids(event) == {
        "AR-BUE-INET-00002": "OUTAGE",
        "AR-COR-IPVPN-00001": "REDUCED-REDUNDANCY",
    }
    assert str(event["X-MAINTNOTE-IMPACT"]) == "OUTAGE"  # the worst for this account
    assert str(event["X-MAINTNOTE-STATUS"]) == "CONFIRMED"
    # Non-ASCII survives the MIME round trip intact.
    assert str(event["DESCRIPTION"]) == REASON
    assert "São Paulo – Córdoba" in text


def test_each_customer_gets_its_own_uid_account_objects_and_worst_impact(
    maintenance, customer, other_customer, run
):
    sent = run(maintenance_confirm, maintenance=maintenance, actor=None)
    _, acme, _ = _ics(sent["noc@acme.test"], maintenance.reference)
    _, globex, globex_text = _ics(sent["noc@globex.test"], maintenance.reference)

    assert str(acme["UID"]) != str(globex["UID"])
    assert str(globex["X-MAINTNOTE-ACCOUNT"]) == str(other_customer.reference)
    assert _object_ids(globex) == {"BR-SAO-IPVPN-00003": "DEGRADED"}
    assert str(globex["X-MAINTNOTE-IMPACT"]) == "DEGRADED"
    assert "AR-" not in globex_text
    assert str(customer.reference) not in globex_text
    assert "Acme" not in globex_text


def test_uid_stays_and_sequence_grows_across_reschedule_and_cancel(maintenance, run):
    """changes.services.maintenance._step adds one per announced step.

    Confirm 1, reschedule 2, cancel 3.
    """
    confirmed = run(maintenance_confirm, maintenance=maintenance, actor=None)
    new_start = START + timedelta(days=1)
    rescheduled = run(
        maintenance_reschedule,
        maintenance=maintenance,
        start=new_start,
        end=new_start + timedelta(hours=2),
        actor=None,
        at=T0 + timedelta(hours=1),
    )
    cancelled = run(
        maintenance_advance,
        maintenance=maintenance,
        status=Maintenance.Status.CANCELLED,
        actor=None,
        at=T0 + timedelta(hours=2),
    )
    events = [
        _ics(sent["noc@acme.test"], maintenance.reference)[1]
        for sent in (confirmed, rescheduled, cancelled)
    ]

    assert len({str(event["UID"]) for event in events}) == 1
    assert [event["SEQUENCE"] for event in events] == [1, 2, 3]
    assert [str(event["X-MAINTNOTE-STATUS"]) for event in events] == [
        "CONFIRMED",
        "RE-SCHEDULED",
        "CANCELLED",
    ]
    assert [str(event["STATUS"]) for event in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert events[1].decoded("DTSTART") == new_start
    assert events[1].decoded("DTEND") == new_start + timedelta(hours=2)
    assert events[1].decoded("DTSTAMP") == T0 + timedelta(hours=1)


def test_in_process_and_completed(maintenance, run):
    run(maintenance_confirm, maintenance=maintenance, actor=None)
    started = run(
        maintenance_advance,
        maintenance=maintenance,
        status=Maintenance.Status.IN_PROGRESS,
        actor=None,
        at=START,
    )
    completed = run(
        maintenance_advance,
        maintenance=maintenance,
        status=Maintenance.Status.COMPLETED,
        actor=None,
        at=END,
    )
    for sent, sequence, status in ((started, 2, "IN-PROCESS"), (completed, 3, "COMPLETED")):
        for address in ("noc@acme.test", "noc@globex.test"):
            event = _ics(sent[address], maintenance.reference)[1]
            assert event["SEQUENCE"] == sequence
            assert str(event["X-MAINTNOTE-STATUS"]) == status


def test_emergency_is_marked_in_the_summary(maintenance, run):
    Maintenance.objects.filter(pk=maintenance.pk).update(kind=Maintenance.Kind.EMERGENCY)
    sent = run(maintenance_confirm, maintenance=maintenance, actor=None)
    event = _ics(sent["noc@globex.test"], maintenance.reference)[1]
    assert str(event["SUMMARY"]) == f"EMERGENCY Lumen maintenance {maintenance.reference}"

"""The change request e-mails (issue 6, section 1; R-CHG-4, R-CHG-6): every step tells the
customer's contacts for changes and the requester, each in their language (es / pt-br / en),
with the analysis deadline and the slot in the customer's timezone; a need outside the catalog
reaches the service manager with the customer, the services and a link to admin."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import dateformat, translation

from changes.models import ChangeRequest, StandardChange
from changes.services.requests import (
    change_request_progress,
    change_request_route,
    change_request_submit,
)
from team.models import TeamAssignment, TeamRole
from tests.factories import NotificationContactFactory, ServiceFactory, TeamPersonFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # Tuesday 10:00 in Buenos Aires
BA = ZoneInfo("America/Argentina/Buenos_Aires")
SLOT_START = datetime(2026, 12, 10, 17, 0, tzinfo=UTC)  # Thursday 14:00 in Buenos Aires
LANGUAGES = {"noc-es@acme.test": "es", "noc-br@acme.test": "pt-br", "noc@acme.test": "en"}


@pytest.fixture
def contacts(customer):
    """Spanish and Portuguese change contacts; the requester (limited_user) reads English."""
    for address, language in (("noc-es@acme.test", "es"), ("noc-br@acme.test", "pt-br")):
        NotificationContactFactory(
            customer=customer, email=address, language=language, orders=False, maintenance=True
        )


@pytest.fixture
def bandwidth(db):
    return StandardChange.objects.create(
        code="hk-bandwidth",
        name_es="Cambio de ancho de banda",
        name_pt="Mudança de largura de banda",
        name_en="Bandwidth change",
        product_lines=["ip_vpn"],
        parameters=[
            {
                "key": "bandwidth",
                "label_es": "Nuevo ancho de banda",
                "label_pt": "Nova largura de banda",
                "label_en": "New bandwidth",
            }
        ],
    )


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run a service at `at` and return the e-mails it sent, by the recipient's language."""

    def _send(function, at=T0, **kwargs):
        before = len(mail.outbox)
        with (
            time_machine.travel(at, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            result = function(**kwargs)
        sent = {}
        for message in mail.outbox[before:]:
            address = message.to[0].split("<")[-1].rstrip(">")
            sent[LANGUAGES.get(address, address)] = message
        return result, sent

    return _send


@pytest.fixture
def change(customer, limited_membership, contacts, bandwidth, send):
    service = ServiceFactory(
        customer=customer, service_id="AR-COR-IPVPN-00042", site_name="Córdoba"
    )
    change, sent = send(
        change_request_submit,
        membership=limited_membership,
        change_type=bandwidth,
        services=[service],
        parameters={"bandwidth": "200 Mbps"},
        execution=ChangeRequest.Execution.ANY_SLOT,
    )
    change.sent = sent
    return change


def _local(value, language) -> str:
    with translation.override(language):
        return dateformat.format(value.astimezone(BA), "D Y-m-d H:i")


def test_submitted_gives_the_request_services_and_deadline_in_each_language(change):
    sent = change.sent
    assert set(sent) == {"es", "pt-br", "en"}
    deadline = change.analysis_deadline
    assert deadline > T0
    english = sent["en"]
    assert english.subject == f"{change.number} · Change request received"
    assert f"We received your change request {change.number}." in english.body
    assert "Request: Bandwidth change" in english.body
    assert "New bandwidth: 200 Mbps" in english.body
    assert "- AR-COR-IPVPN-00042 · Córdoba" in english.body
    assert "When: in any business-hours slot." in english.body
    assert (
        f"you will have our answer by {_local(deadline, 'en')} "
        "(America/Argentina/Buenos_Aires) at the latest" in english.body
    )
    assert f"/changes/{change.number}/" in english.body

    spanish, portuguese = sent["es"], sent["pt-br"]
    assert "Cambio de ancho de banda" in spanish.body
    assert "Nuevo ancho de banda" in spanish.body
    assert "Mudança de largura de banda" in portuguese.body
    assert _local(deadline, "es") in spanish.body
    assert _local(deadline, "pt-br") in portuguese.body
    assert spanish.subject == f"{change.number} · Solicitud de cambio recibida"
    assert portuguese.subject == f"{change.number} · Solicitação de mudança recebida"
    assert f"Recibimos su solicitud de cambio {change.number}." in spanish.body
    assert f"Recebemos sua solicitação de mudança {change.number}." in portuguese.body


def test_submitted_with_a_preset_window(customer, limited_membership, contacts, bandwidth, send):
    service = ServiceFactory(customer=customer)
    _, sent = send(
        change_request_submit,
        membership=limited_membership,
        change_type=bandwidth,
        services=[service],
        parameters={"bandwidth": "1 Gbps"},
        execution=ChangeRequest.Execution.PRESET,
        window_start=SLOT_START,
        window_end=SLOT_START + timedelta(hours=1),
    )
    assert (
        "When: in the window you chose, Thu 2026-12-10 14:00 – 15:00 "
        "(America/Argentina/Buenos_Aires)." in sent["en"].body
    )


def test_in_analysis(change, staff_user, send):
    _, sent = send(
        change_request_progress,
        change=change,
        status=ChangeRequest.Status.IN_ANALYSIS,
        actor=staff_user,
        at=T0 + timedelta(hours=2),
    )
    english = sent["en"]
    assert english.subject == f"{change.number} · Change request in analysis"
    assert _local(change.analysis_deadline, "en") in english.body
    assert sent["es"].subject == f"{change.number} · Solicitud de cambio en análisis"
    assert sent["pt-br"].subject == f"{change.number} · Solicitação de mudança em análise"


def test_approved_gives_the_slot_in_the_customers_timezone(change, staff_user, send):
    _, sent = send(
        change_request_progress,
        change=change,
        status=ChangeRequest.Status.APPROVED,
        actor=staff_user,
        message="Lo aplica el equipo de backbone.",
        scheduled_start=SLOT_START,
        scheduled_end=SLOT_START + timedelta(hours=1),
        at=T0 + timedelta(days=1),
    )
    english = sent["en"]
    assert english.subject == (
        f"{change.number} · Change request approved: Thu 2026-12-10 14:00 – 15:00"
    )
    assert (
        "We will apply it on Thu 2026-12-10 14:00 – 15:00 (America/Argentina/Buenos_Aires), "
        "in business hours." in english.body
    )
    assert "Lo aplica el equipo de backbone." in english.body
    assert "jue 2026-12-10 14:00 – 15:00" in sent["es"].body
    assert "Qui 2026-12-10 14:00 – 15:00" in sent["pt-br"].body
    assert sent["es"].subject.startswith(f"{change.number} · Solicitud de cambio aprobada")


def test_executed(change, staff_user, send):
    for status, at in (
        (ChangeRequest.Status.APPROVED, T0 + timedelta(days=1)),
        (ChangeRequest.Status.EXECUTED, SLOT_START + timedelta(hours=1)),
    ):
        _, sent = send(
            change_request_progress,
            change=change,
            status=status,
            actor=staff_user,
            scheduled_start=SLOT_START,
            scheduled_end=SLOT_START + timedelta(hours=1),
            at=at,
        )
    assert sent["en"].subject == f"{change.number} · Change request executed"
    assert f"Your change request {change.number} has been applied." in sent["en"].body
    assert sent["es"].subject == f"{change.number} · Solicitud de cambio ejecutada"
    assert sent["pt-br"].subject == f"{change.number} · Solicitação de mudança executada"


def test_rejected_gives_the_reason_once(change, staff_user, send):
    reason = "El puerto de la sede Córdoba no admite 200 Mbps."
    _, sent = send(
        change_request_progress,
        change=change,
        status=ChangeRequest.Status.REJECTED,
        actor=staff_user,
        message=reason,
        at=T0 + timedelta(days=1),
    )
    english = sent["en"]
    assert english.subject == f"{change.number} · Change request rejected"
    assert f"Reason: {reason}" in english.body
    assert english.body.count(reason) == 1
    assert f"Motivo: {reason}" in sent["es"].body
    assert sent["pt-br"].subject == f"{change.number} · Solicitação de mudança recusada"


@pytest.fixture
def service_manager(customer):
    person = TeamPersonFactory(email="sm@lumen.test", full_name="Sara Service")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.SERVICE_MANAGER, person=person)
    return person


def test_routed_tells_the_customer_and_the_service_manager(
    customer, limited_membership, limited_user, contacts, service_manager, send, settings
):
    settings.LANGUAGE_CODE = "en"
    service = ServiceFactory(customer=customer, service_id="AR-BUE-INET-00007", site_name="Núñez")
    need = "Un enlace dedicado entre Núñez y São Paulo."
    change, sent = send(
        change_request_route,
        membership=limited_membership,
        description=need,
        services=[service],
        reason="Not in the standard catalog.",
    )
    assert set(sent) == {"es", "pt-br", "en", "sm@lumen.test"}

    staff = sent["sm@lumen.test"]
    assert staff.subject == f"{change.number} · Acme Logística needs a change outside the catalog"
    assert need in staff.body
    assert f"Requested by: Nico NOC <{limited_user.email}>" in staff.body
    assert "- AR-BUE-INET-00007 · Núñez · Argentina" in staff.body
    assert f"/admin/changes/changerequest/{change.pk}/change/" in staff.body
    assert "Open in the staff administration" in staff.body
    assert staff.reply_to == [limited_user.email]

    english = sent["en"]
    assert english.subject == f"{change.number} · Request passed to Service Management"
    assert "passed to Service Management and your account manager" in english.body
    assert "Why: Not in the standard catalog." in english.body
    assert "Request: " + need in english.body
    assert sent["es"].subject == f"{change.number} · Solicitud derivada a Service Management"
    assert (
        sent["pt-br"].subject == f"{change.number} · Solicitação encaminhada ao Service Management"
    )


def test_a_standard_request_routed_by_staff(change, limited_membership, staff_user, send, settings):
    settings.SERVICE_MANAGEMENT_MAILBOX = "service-management@lumen.test"
    _, sent = send(
        change_request_route,
        membership=limited_membership,
        description="",
        change=change,
        reason="The port needs a new card first.",
        actor=staff_user,
        at=T0 + timedelta(days=1),
    )
    assert "Why: The port needs a new card first." in sent["en"].body
    staff = sent["service-management@lumen.test"]
    assert "Cambio de ancho de banda" in staff.body
    assert "200 Mbps" in staff.body

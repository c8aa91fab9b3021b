"""Questions and suggestions about the portal go to the service manager (R-POR-6)."""

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.urls import reverse

from core.errors import DomainError
from core.models import Feedback
from team.models import TeamAssignment, TeamMailbox, TeamRole
from tests.conftest import staff_login
from tests.factories import TeamPersonFactory

pytestmark = pytest.mark.django_db

URL = reverse("portal:feedback")
VALID = {
    "kind": Feedback.Kind.SUGGESTION,
    "subject": "Export tickets to CSV",
    "message": "It would help our NOC to export the ticket list.",
    "page": "/services/",
}


@pytest.fixture
def service_manager(customer):
    person = TeamPersonFactory(full_name="Sara Service", email="sara.sm@provider.test")
    TeamAssignment.objects.create(customer=customer, role=TeamRole.SERVICE_MANAGER, person=person)
    return person


def _send(client, captured, data=VALID):
    with captured(execute=True):
        return client.post(URL, data)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_person_without_an_active_membership_gets_403(client, inactive_membership, staff_user):
    for user in (inactive_membership.user, staff_user):
        client.force_login(user)
        assert client.get(URL).status_code == 403
        assert client.post(URL, VALID).status_code == 403
    assert not Feedback.objects.exists()


def test_form_is_shown_with_the_page_it_is_about(limited_client):
    response = limited_client.get(URL, {"page": "/help/billing/"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="subject"' in html
    assert 'name="message"' in html
    assert 'value="/help/billing/"' in html


def test_sent_message_is_recorded_and_emailed_once_to_the_service_manager(
    limited_client, limited_user, customer, service_manager, django_capture_on_commit_callbacks
):
    response = _send(limited_client, django_capture_on_commit_callbacks)

    assert response.status_code == 302
    assert response["Location"] == URL
    feedback = Feedback.objects.get()
    assert feedback.customer == customer
    assert feedback.author == limited_user
    assert feedback.kind == Feedback.Kind.SUGGESTION
    assert feedback.page == "/services/"
    assert feedback.language == "en"
    assert feedback.sent_to == "sara.sm@provider.test"
    assert feedback.status == Feedback.Status.NEW

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sara.sm@provider.test"]
    assert message.reply_to == ["noc@acme.test"]
    assert "Export tickets to CSV" in message.subject
    assert "Acme Logística" in message.subject
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert "Acme Logística" in body
        assert "Nico NOC" in body
        assert "noc@acme.test" in body
        assert "/services/" in body
        assert "It would help our NOC" in body
        assert f"/admin/portal/feedback/{feedback.pk}/change/" in body

    page = limited_client.get(URL).content.decode()
    assert "sara.sm@provider.test" in page  # the person learns who received it


def test_email_is_in_the_portal_default_language_for_provider_staff(
    limited_client, service_manager, django_capture_on_commit_callbacks, settings
):
    """The author reads the portal in English; staff get the portal's default language."""
    settings.LANGUAGE_CODE = "es"
    _send(limited_client, django_capture_on_commit_callbacks)
    html = mail.outbox[0].alternatives[0][0]
    assert "Portal de Clientes" in html
    assert "Customer Portal" not in html


def test_vacant_service_manager_falls_back_to_the_team_mailbox(
    limited_client, customer, django_capture_on_commit_callbacks
):
    TeamAssignment.objects.create(customer=customer, role=TeamRole.SERVICE_MANAGER, person=None)
    TeamMailbox.objects.create(role=TeamRole.SERVICE_MANAGER, email="service-mgmt@provider.test")
    _send(limited_client, django_capture_on_commit_callbacks)
    assert Feedback.objects.get().sent_to == "service-mgmt@provider.test"
    assert [m.to for m in mail.outbox] == [["service-mgmt@provider.test"]]


def test_without_a_mailbox_the_portal_wide_team_mailbox_receives_it(
    limited_client, settings, django_capture_on_commit_callbacks
):
    settings.TEAM_MAILBOX = "portal-team@provider.test"
    _send(limited_client, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["portal-team@provider.test"]]


def test_without_any_recipient_it_is_recorded_for_staff_and_nobody_is_emailed(
    limited_client, settings, django_capture_on_commit_callbacks
):
    settings.TEAM_MAILBOX = ""
    response = _send(limited_client, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Feedback.objects.get().sent_to == ""
    assert mail.outbox == []
    page = limited_client.get(URL).content.decode()
    assert "our staff will read it" in page


def test_another_customers_service_manager_is_not_used(
    limited_client, other_customer, settings, django_capture_on_commit_callbacks
):
    settings.TEAM_MAILBOX = ""
    person = TeamPersonFactory(email="globex.sm@provider.test")
    TeamAssignment.objects.create(
        customer=other_customer, role=TeamRole.SERVICE_MANAGER, person=person
    )
    _send(limited_client, django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_feedback_belongs_to_the_active_customer(
    client, limited_membership, other_customer, django_capture_on_commit_callbacks
):
    """A person of two customers writes for the one they are working for now."""
    from tests.factories import MembershipFactory

    user = limited_membership.user
    MembershipFactory(user=user, customer=other_customer)
    client.force_login(user)
    session = client.session
    session["active_customer"] = other_customer.pk
    session.save()
    _send(client, django_capture_on_commit_callbacks)
    assert Feedback.objects.get().customer == other_customer


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({**VALID, "subject": ""}, "subject", "Write a subject."),
        ({**VALID, "message": "  "}, "message", "Write your message."),
        ({**VALID, "subject": "x" * 151}, "subject", "at most 150 characters"),
        ({**VALID, "message": "x" * 5001}, "message", "at most 5000 characters"),
        ({**VALID, "kind": "complaint"}, "kind", "Select a valid choice"),
    ],
)
def test_invalid_message_is_a_400_with_the_form(
    limited_client, data, field, error, django_capture_on_commit_callbacks
):
    response = _send(limited_client, django_capture_on_commit_callbacks, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert error in html
    assert 'data-testid="feedback-form"' in html
    assert not Feedback.objects.exists()
    assert mail.outbox == []


def test_more_than_five_an_hour_are_refused_with_a_clear_message(
    limited_client, service_manager, django_capture_on_commit_callbacks, time_machine
):
    time_machine.move_to("2026-03-10 10:00:00Z")
    for _ in range(5):
        assert _send(limited_client, django_capture_on_commit_callbacks).status_code == 302
    response = _send(limited_client, django_capture_on_commit_callbacks)
    assert response.status_code == 429
    assert "Please wait a while" in response.content.decode()
    assert Feedback.objects.count() == 5
    assert len(mail.outbox) == 5


def test_limit_counts_per_person(
    client, limited_user, portal_admin_user, django_capture_on_commit_callbacks
):
    client.force_login(limited_user)
    for _ in range(5):
        _send(client, django_capture_on_commit_callbacks)
    client.force_login(portal_admin_user)
    assert _send(client, django_capture_on_commit_callbacks).status_code == 302


def test_get_does_not_count_nor_write(limited_client):
    for _ in range(10):
        assert limited_client.get(URL).status_code == 200
    assert not Feedback.objects.exists()


def test_staff_see_feedback_in_admin_and_mark_it_answered(
    client, limited_client, django_capture_on_commit_callbacks, django_user_model
):
    _send(limited_client, django_capture_on_commit_callbacks)
    feedback = Feedback.objects.get()
    boss = django_user_model.objects.create_superuser(email="boss@provider.test", password="x")
    staff_login(client, boss)

    listing = client.get(reverse("admin:portal_feedback_changelist"), {"q": "CSV"})
    assert listing.status_code == 200
    assert "Export tickets to CSV" in listing.content.decode()

    change = client.get(reverse("admin:portal_feedback_change", args=[feedback.pk]))
    html = change.content.decode()
    assert 'name="staff_note"' in html
    assert 'name="status"' in html
    assert 'name="message"' not in html
    assert 'name="subject"' not in html

    client.post(
        reverse("admin:portal_feedback_changelist"),
        {"action": "mark_answered", "_selected_action": [feedback.pk]},
    )
    feedback.refresh_from_db()
    assert feedback.status == Feedback.Status.ANSWERED
    assert site._registry[Feedback].has_add_permission(None) is False


@pytest.mark.django_db(transaction=True)
def test_parallel_messages_cannot_pass_the_hourly_limit_together(
    limited_membership, service_manager, settings
) -> None:
    """Review §5: the limit was checked before the message was stored and counted after, so
    requests arriving together all passed the check. Here the database makes them wait for a
    moment (another transaction writing), as a busy database would, and all six meet there."""
    import threading

    from django.db import connection, transaction

    from core.scopes import customer_scope, scopes_disabled
    from portal.services import feedback_submit

    settings.FEEDBACK_PER_HOUR = 2
    holding, release = threading.Event(), threading.Event()

    def hold_the_feedback_table() -> None:
        # A thread starts with no customer scope: this one is test code, the senders are requests.
        with scopes_disabled(), transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("LOCK TABLE portal_feedback IN EXCLUSIVE MODE")
            else:  # SQLite: an IMMEDIATE transaction holds the write lock from its start
                Feedback.objects.filter(pk=0).delete()
            holding.set()
            release.wait(timeout=10)
        connection.close()

    results: list[str] = []

    def send() -> None:
        try:
            with customer_scope(limited_membership.customer):  # as the member's request would
                feedback_submit(
                    membership=limited_membership,
                    kind="question",
                    subject="Where is the invoice?",
                    message="I cannot find it.",
                    language="en",
                )
            results.append("sent")
        except DomainError:
            results.append("refused")
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_feedback_table)
    holder.start()
    assert holding.wait(timeout=10)
    senders = [threading.Thread(target=send) for _ in range(6)]
    for thread in senders:
        thread.start()
    threading.Event().wait(0.5)  # every sender is past the limit check, waiting for the lock
    release.set()
    for thread in [holder, *senders]:
        thread.join(timeout=30)

    assert sorted(results) == ["refused"] * 4 + ["sent"] * 2
    assert Feedback.objects.count() == 2

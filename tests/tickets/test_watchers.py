"""People copied on a ticket (issue 13, item 4; review finding I3): caps per ticket and per
customer per day with a 429 on the ticket page, only the ticket's number and a link until the
person confirms, and a confirmation link that works once (GET asks, POST confirms)."""

import datetime
import re

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse

from core.models import AuditEvent
from tests.factories import ServiceFactory, ticket_open_for
from tickets import services
from tickets.models import Watcher

pytestmark = pytest.mark.django_db
SPAM = "CHEAP PILLS at pills.example - click now"
T0 = datetime.datetime(2026, 11, 30, 13, 0, tzinfo=datetime.UTC)


@pytest.fixture
def ticket(customer, portal_admin_user):
    service = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-30001")
    return ticket_open_for(customer, portal_admin_user, service=service, subject=SPAM)


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """A POST as the browser sends it, with the e-mails of its transaction delivered."""

    def _post(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return _post


def _copy(post, ticket, email, name=""):
    return post(
        reverse("tickets:watcher_add", args=[ticket.number]), {"email": email, "name": name}
    )


def _link(message) -> str:
    match = re.search(r"http://\S+/tickets/copied/[^/\s]+/", message.body)
    assert match is not None, message.body
    return match.group(0)


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to[0]]


def test_a_person_copied_receives_only_the_number_and_a_link_until_they_confirm(
    client, limited_user, staff_user, ticket, post, django_capture_on_commit_callbacks
):
    client.force_login(limited_user)
    mail.outbox.clear()

    response = _copy(post, ticket, "Boss@Example.org", name=SPAM)

    assert response.status_code == 302
    (invitation,) = _mails_to("boss@example.org")
    assert invitation.to == ["boss@example.org"]  # not the name the customer typed
    assert ticket.number in invitation.subject
    for text in (invitation.subject, invitation.body, invitation.alternatives[0][0]):
        assert "PILLS" not in text
        assert "pills.example" not in text
    assert "Acme Logística" in invitation.body
    link = _link(invitation)

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, author=staff_user, body="On it")
    assert not _mails_to("boss@example.org")  # not confirmed: nothing of the ticket

    client.logout()
    page = client.get(_path(link))  # what a mail scanner does
    assert page.status_code == 200
    assert ticket.number in page.content.decode()
    assert "PILLS" not in page.content.decode()
    assert not Watcher.objects.get().is_confirmed

    confirmed = client.post(_path(link))
    assert confirmed.status_code == 200
    assert 'data-testid="confirmed"' in confirmed.content.decode()
    assert Watcher.objects.get().is_confirmed

    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_reply(ticket=ticket, author=staff_user, body="A technician is on the way")
    (update,) = _mails_to("boss@example.org")
    assert "A technician is on the way" in update.body

    again = client.post(_path(link))
    assert again.status_code == 400
    assert "ya se usó" in again.content.decode()


def test_the_confirmation_page_speaks_the_customers_language(
    client, portal_admin_user, ticket, post
):
    client.force_login(portal_admin_user)
    _copy(post, ticket, "jefa@example.org")
    link = _link(_mails_to("jefa@example.org")[0])
    client.logout()

    page = client.get(_path(link)).content.decode()

    assert "Confirme que quiere las novedades del ticket" in page
    assert "Acme Logística pidió al Centro de Servicio Técnico" in page


def test_at_most_so_many_people_on_one_ticket(client, portal_admin_user, ticket, post, settings):
    settings.TICKET_WATCHERS_MAX = 2
    portal_admin_user.language = "en"
    portal_admin_user.save()
    client.force_login(portal_admin_user)
    for email in ("a@example.org", "b@example.org"):
        assert _copy(post, ticket, email).status_code == 302
    mail.outbox.clear()

    response = _copy(post, ticket, "c@example.org")

    assert response.status_code == 429
    assert "At most 2 people can be copied on one ticket. Remove someone first." in (
        response.content.decode()
    )
    assert 'data-testid="watcher-form"' in response.content.decode()  # the page they were on
    assert not Watcher.objects.filter(email="c@example.org").exists()
    assert not mail.outbox


def test_at_most_so_many_people_a_day_per_customer_remove_and_re_add_included(
    client, portal_admin_user, customer, ticket, post, settings
):
    settings.TICKET_WATCHERS_PER_DAY = 3
    portal_admin_user.language = "es"
    portal_admin_user.save()
    client.force_login(portal_admin_user)
    other_ticket = ticket_open_for(customer, portal_admin_user, service=ticket.services.get())
    remove = reverse("tickets:watcher_remove", args=[ticket.number])
    with time_machine.travel(T0, tick=False):
        assert _copy(post, ticket, "a@example.org").status_code == 302
        assert post(remove, {"email": "a@example.org"}).status_code == 302
        assert _copy(post, ticket, "a@example.org").status_code == 302  # the loop counts
        assert _copy(post, other_ticket, "b@example.org").status_code == 302
        mail.outbox.clear()

        response = _copy(post, other_ticket, "c@example.org")

        assert response.status_code == 429
        assert "Su organización copió a 3 personas en tickets en las últimas 24 horas" in (
            response.content.decode()
        )
        assert not mail.outbox
    with time_machine.travel(T0 + datetime.timedelta(hours=24, minutes=1), tick=False):
        assert _copy(post, other_ticket, "c@example.org").status_code == 302
    actions = list(
        AuditEvent.objects.filter(customer=customer)
        .exclude(action__startswith="sign")
        .order_by("created_at", "id")
        .values_list("action", "target_email", "detail")
    )
    assert actions == [
        ("watcher_add", "a@example.org", {"ticket": ticket.number}),
        ("watcher_remove", "a@example.org", {"ticket": ticket.number}),
        ("watcher_add", "a@example.org", {"ticket": ticket.number}),
        ("watcher_add", "b@example.org", {"ticket": other_ticket.number}),
        ("watcher_add", "c@example.org", {"ticket": other_ticket.number}),
    ]


def test_a_link_that_was_tampered_with_expired_or_outlived_its_person_is_refused(
    client, portal_admin_user, ticket, post
):
    client.force_login(portal_admin_user)
    with time_machine.travel(T0, tick=False):
        _copy(post, ticket, "boss@example.org")
    first = _path(_link(_mails_to("boss@example.org")[0]))
    client.logout()

    token = first.split("/")[-2]
    data = signing.loads(token, salt="tickets.watcher.confirm")
    forged = signing.dumps({**data, "t": "TT-2026-999999"}, salt="another.salt")
    assert client.get(f"/tickets/copied/{forged}/").status_code == 400
    assert client.post(f"/tickets/copied/{token[:-2]}xx/").status_code == 400

    with time_machine.travel(T0 + datetime.timedelta(days=15)):
        expired = client.post(first)
    assert expired.status_code == 400
    assert not Watcher.objects.get().is_confirmed

    client.force_login(portal_admin_user)
    post(reverse("tickets:watcher_remove", args=[ticket.number]), {"email": "boss@example.org"})
    _copy(post, ticket, "boss@example.org")
    client.logout()
    with time_machine.travel(T0 + datetime.timedelta(days=1)):
        stale = client.post(first)  # the link of the person removed, not of the new one
    assert stale.status_code == 400
    assert not Watcher.objects.get().is_confirmed


def test_the_ticket_page_says_who_has_not_confirmed_yet(client, portal_admin_user, ticket, post):
    client.force_login(portal_admin_user)
    _copy(post, ticket, "boss@example.org")

    page = client.get(reverse("tickets:detail", args=[ticket.number])).content.decode()

    assert "boss@example.org" in page
    assert 'data-testid="watcher-pending"' in page


def test_the_audit_log_says_who_copied_whom_on_which_ticket(
    client, portal_admin_user, ticket, post
):
    portal_admin_user.language = "en"
    portal_admin_user.save()
    client.force_login(portal_admin_user)
    _copy(post, ticket, "boss@example.org")

    page = client.get(reverse("portal:audit")).content.decode()

    assert "Copied a person on a ticket" in page
    assert "boss@example.org" in page
    assert ticket.number in page


def test_an_address_longer_than_the_database_keeps_is_a_form_error_not_a_500(
    client, portal_admin_user, ticket, post
):
    """An e-mail address may be 320 characters by the standard; the database keeps 254."""
    client.force_login(portal_admin_user)
    address = "x" * 250 + "@acme.test"

    response = _copy(post, ticket, address)

    assert response.status_code == 400
    assert not Watcher.objects.filter(ticket=ticket).exists()


def test_copying_and_uncopying_a_person_records_where_it_was_done_from(
    client, portal_admin_user, ticket, post
):
    client.force_login(portal_admin_user)
    _copy(post, ticket, "boss@example.org")
    post(reverse("tickets:watcher_remove", args=[ticket.number]), {"email": "boss@example.org"})

    events = AuditEvent.objects.filter(
        action__in=[AuditEvent.Action.WATCHER_ADD, AuditEvent.Action.WATCHER_REMOVE]
    )
    assert events.count() == 2
    assert [event.ip_address for event in events] == ["127.0.0.1", "127.0.0.1"]

"""Notification contacts (R-GCR-4): the portal administrator (R-POR-5) keeps the people who
receive the customer's e-mails; each one confirms the address through a public link."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent, Notification, NotificationContact
from tests.factories import NotificationContactFactory

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
LIST = reverse("portal:notification_contacts")
CREATE = reverse("portal:notification_contact_create")


def _url(name: str, contact) -> str:
    return reverse(f"portal:notification_contact_{name}", kwargs={"reference": contact.reference})


def _data(**overrides) -> dict:
    data = {
        "name": "NOC Buenos Aires",
        "email": "noc.bue@acme.test",
        "language": "es",
        "kinds": ["orders", "maintenance"],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _confirmation_path(address: str) -> str:
    """The path of the link in the last confirmation e-mail sent to `address`."""
    sent = [message for message in mail.outbox if address in message.to[0]]
    assert sent, [message.to for message in mail.outbox]
    links = re.findall(r"https?://\S+/notifications/confirm/[^/\s]+/", str(sent[-1].body))
    assert len(links) == 1, sent[-1].body
    return urlsplit(links[0]).path


@pytest.fixture
def contact(customer):
    return NotificationContactFactory(
        customer=customer, name="Carla Compras", email="carla@acme.test", billing=True
    )


@pytest.fixture
def other_contact(other_customer):
    return NotificationContactFactory(
        customer=other_customer, name="Gustavo Globex", email="gustavo@globex.test"
    )


@pytest.fixture
def waiting(customer):
    return NotificationContactFactory(
        customer=customer,
        name="Walter Waiting",
        email="walter@acme.test",
        confirmed_at=None,
        confirmation_sent_at=timezone.now() - timedelta(days=2),
        tickets=True,
    )


@pytest.fixture
def bounced(customer):
    return NotificationContactFactory(
        customer=customer,
        name="Bruno Bounced",
        email="bruno@acme.test",
        bounced_at=timezone.now() - timedelta(hours=3),
        bounce_reason="SMTPRecipientsRefused: 550 5.1.1 mailbox unavailable",
    )


@pytest.fixture
def visitor():
    """Somebody opening the link: signed out, their own cookies (not the administrator's), a
    browser set to English (the page itself speaks the contact's language when it knows it)."""
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def add(portal_admin_client, django_capture_on_commit_callbacks):
    """POST the add form and deliver the confirmation e-mail (the outbox runs on commit)."""

    def _add(**overrides):
        with django_capture_on_commit_callbacks(execute=True):
            return portal_admin_client.post(CREATE, _data(**overrides))

    return _add


# --- access (R-POR-5 and the tenancy rules) --------------------------------------------------


@pytest.mark.parametrize(
    ("name", "method"),
    [("list", "get"), ("create", "get"), ("create", "post"), ("edit", "get"), ("edit", "post")]
    + [("remove", "post"), ("resend", "post")],
)
def test_anonymous_visitor_is_sent_to_sign_in(client, contact, name, method):
    path = LIST if name == "list" else CREATE if name == "create" else _url(name, contact)

    response = getattr(client, method)(path)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert NotificationContact.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize(
    ("name", "method"),
    [("list", "get"), ("create", "get"), ("create", "post"), ("edit", "get"), ("edit", "post")]
    + [("remove", "post"), ("resend", "post")],
)
def test_a_member_who_is_not_the_administrator_is_refused(limited_client, contact, name, method):
    """R-POR-5: only the portal administrator manages the customer's contacts."""
    path = LIST if name == "list" else CREATE if name == "create" else _url(name, contact)

    response = getattr(limited_client, method)(path, _data() if method == "post" else None)

    assert response.status_code == 403
    assert NotificationContact.objects.filter(pk=contact.pk).exists()
    assert NotificationContact.objects.count() == 1
    assert not mail.outbox


@pytest.mark.parametrize(
    ("name", "method"),
    [("edit", "get"), ("edit", "post")]
    + [
        ("remove", "post"),
        ("resend", "post"),
    ],
)
def test_another_customers_contact_is_not_found(
    portal_admin_client, other_contact, django_capture_on_commit_callbacks, name, method
):
    with django_capture_on_commit_callbacks(execute=True):
        response = getattr(portal_admin_client, method)(
            _url(name, other_contact), _data() if method == "post" else None
        )

    assert response.status_code == 404
    assert "gustavo@globex.test" not in response.content.decode()
    other_contact.refresh_from_db()
    assert other_contact.name == "Gustavo Globex"
    assert not mail.outbox


def test_a_malformed_reference_is_not_found(portal_admin_client):
    response = portal_admin_client.get("/notifications/not-a-uuid/")

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["remove", "resend"])
def test_write_views_refuse_get(portal_admin_client, waiting, name):
    response = portal_admin_client.get(_url(name, waiting))

    assert response.status_code == 405
    assert NotificationContact.objects.filter(pk=waiting.pk).exists()
    assert not mail.outbox


def test_confirmation_page_refuses_other_methods(client, contact):
    from core.services.notification_contacts import contact_confirmation_token

    path = reverse(
        "portal:notification_contact_confirm", kwargs={"token": contact_confirmation_token(contact)}
    )

    assert client.put(path).status_code == 405


# --- the list --------------------------------------------------------------------------------


def test_empty_list_explains_what_contacts_are_for(portal_admin_client):
    response = portal_admin_client.get(LIST)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="empty-state"' in body
    assert "They need not be portal users" in body
    assert "confirms the address through a link" in body
    for kind in ("Orders", "Trouble tickets", "Maintenance and changes", "Billing"):
        assert f"<dt>{kind}</dt>" in body
    assert f'href="{CREATE}"' in body


def test_list_shows_each_contact_with_what_it_receives_and_its_state(
    portal_admin_client, contact, waiting, bounced, other_contact
):
    response = portal_admin_client.get(LIST)

    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-testid="contact-row"') == 3
    assert "gustavo@globex.test" not in body
    assert "carla@acme.test" in body
    assert "Carla Compras" in body
    assert 'data-testid="state-confirmed"' in body
    assert 'data-testid="state-waiting"' in body
    assert "Waiting for confirmation" in body
    since = timezone.localtime(waiting.confirmation_sent_at).strftime("%m/%d/%Y")
    assert f"since {since}" in body
    assert 'data-testid="state-bounced"' in body
    assert "550 5.1.1 mailbox unavailable" in body
    rows = re.findall(r'<tr data-testid="contact-row".*?</tr>', body, re.S)
    carla = next(row for row in rows if "carla@acme.test" in row)
    assert "<li>Orders</li>" in carla
    assert "<li>Billing</li>" in carla
    assert "<li>Trouble tickets</li>" not in carla
    assert "E-mails in Spanish" in carla
    # Resend is offered only where the address does not receive anything.
    assert _url("resend", contact) not in carla
    assert _url("resend", waiting) in body
    assert _url("resend", bounced) in body
    assert body.count("data-confirm=") == 3


def test_list_summary_names_the_contacts_that_receive_nothing(
    portal_admin_client, contact, waiting, bounced
):
    """R-GCR-4: an unconfirmed or bounced address receives nothing; the administrator is told."""
    response = portal_admin_client.get(LIST)

    summary = re.search(r'data-testid="attention">(.*?)</div>', response.content.decode(), re.S)
    assert summary, "no summary at the top"
    text = " ".join(summary.group(1).split())
    assert "2 contacts receive nothing:" in text
    assert "Bruno Bounced (address refused)" in text
    assert "Walter Waiting (not confirmed yet)" in text
    assert "Carla" not in text


def test_list_without_problems_has_no_summary(portal_admin_client, contact):
    response = portal_admin_client.get(LIST)

    assert 'data-testid="attention"' not in response.content.decode()


def test_list_flags_a_confirmation_link_that_has_expired(portal_admin_client, customer):
    NotificationContactFactory(
        customer=customer,
        confirmed_at=None,
        confirmation_sent_at=timezone.now() - timedelta(days=15),
    )

    response = portal_admin_client.get(LIST)

    assert "The link has expired: send a new one." in response.content.decode()


# --- add -------------------------------------------------------------------------------------


def test_add_form_starts_in_the_customers_language(portal_admin_client, customer):
    customer.language = "pt-br"
    customer.save(update_fields=["language"])

    response = portal_admin_client.get(CREATE)

    assert response.status_code == 200
    assert response.context["form"]["language"].value() == "pt-br"
    assert '<option value="pt-br" selected>' in response.content.decode()


def test_add_records_the_contact_and_sends_a_confirmation_that_works(
    add, portal_admin_user, customer, visitor
):
    response = add(email="  NOC.Bue@Acme.test ")

    assert response.status_code == 302
    assert response["Location"] == LIST
    contact = NotificationContact.objects.get(customer=customer)
    assert (contact.name, contact.email, contact.language) == (
        "NOC Buenos Aires",
        "noc.bue@acme.test",
        "es",
    )
    assert contact.kinds == ["orders", "maintenance"]
    assert contact.confirmed_at is None
    assert contact.confirmation_sent_at is not None
    assert contact.created_by == portal_admin_user
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONTACT_ADD)
    assert (event.customer, event.actor, event.target_email, event.ip_address) == (
        customer,
        portal_admin_user,
        "noc.bue@acme.test",
        "127.0.0.1",
    )
    notification = Notification.objects.get(to_email="noc.bue@acme.test")
    assert notification.reason == Notification.Reason.CONFIRMATION
    assert notification.template == "portal/contact_confirm"
    assert notification.status == Notification.Status.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["noc.bue@acme.test"]  # no name until the address confirms

    page = visitor.get(_confirmation_path("noc.bue@acme.test"))
    assert page.status_code == 200
    assert "Acme Logística" in page.content.decode()


def test_add_tells_the_administrator_what_happens_next(portal_admin_client, add):
    response = add()

    follow = portal_admin_client.get(response["Location"])
    assert any("noc.bue@acme.test was added" in text for text in _messages(follow))
    assert 'data-testid="state-waiting"' in follow.content.decode()


def test_add_without_any_kind_is_refused_on_the_form(add):
    """At least one kind: said by the checkboxes, with the other errors of the same submit."""
    response = add(kinds=None, email="bad")

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["kinds"] == ["Choose at least one kind of notification."]
    assert "email" in errors
    assert response.context["form"].data["name"] == "NOC Buenos Aires"
    assert not NotificationContact.objects.exists()
    assert not Notification.objects.exists()
    assert not mail.outbox


def test_a_rule_the_service_refuses_is_shown_on_the_form(add, monkeypatch):
    """Whatever DomainError the service raises is a 400 with its message, never a 500."""
    from core.errors import DomainError
    from core.services import notification_contacts

    def refuse(**kwargs):
        raise DomainError("Choose at least one kind of notification.")

    monkeypatch.setattr(notification_contacts, "contact_add", refuse)

    response = add()

    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "Choose at least one kind of notification."
    ]
    assert 'class="form-errors"' in response.content.decode()


def test_add_with_an_address_already_in_the_list_is_a_form_error(add, contact):
    response = add(email="Carla@ACME.test")

    assert response.status_code == 400
    assert response.context["form"].errors["email"] == [
        "This address is already a notification contact."
    ]
    assert NotificationContact.objects.count() == 1
    assert not mail.outbox


def test_the_same_address_may_be_a_contact_of_another_customer(add, other_contact):
    response = add(email="gustavo@globex.test")

    assert response.status_code == 302
    assert NotificationContact.objects.filter(email="gustavo@globex.test").count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"language": "fr"}, "language"),
        ({"kinds": ["orders", "gossip"]}, "kinds"),
        ({"email": ("a" * 250) + "@acme.test"}, "email"),
    ],
)
def test_bad_input_is_a_400_with_the_form_never_a_500(add, overrides, field):
    response = add(**overrides)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert "field-error" in response.content.decode()
    assert not NotificationContact.objects.exists()


def test_an_empty_post_is_a_400_that_names_the_missing_fields(portal_admin_client, contact):
    for path in (CREATE, _url("edit", contact)):
        response = portal_admin_client.post(path, {})

        assert response.status_code == 400
        assert set(response.context["form"].errors) == {"name", "email", "language", "kinds"}


def test_form_errors_are_in_the_administrators_language(add, portal_admin_user):
    portal_admin_user.language = "es"
    portal_admin_user.save(update_fields=["language"])

    response = add(email="not-an-address")

    assert response.status_code == 400
    assert "Introduzca una dirección de correo electrónico válida." in (response.content.decode())


# --- edit ------------------------------------------------------------------------------------


def test_edit_form_shows_the_contact_and_says_a_new_address_needs_confirming(
    portal_admin_client, contact
):
    response = portal_admin_client.get(_url("edit", contact))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'value="carla@acme.test"' in body
    assert 'value="orders" id="id_kinds_0" checked' in body.replace("\n", "")
    assert "Changing the address sends a confirmation link to the new one" in body
    assert 'data-testid="state-confirmed"' in body


def test_edit_without_changing_the_address_keeps_it_confirmed(
    portal_admin_client, contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            _url("edit", contact),
            _data(name="Carla C.", email="carla@acme.test", kinds=["tickets"], language="en"),
        )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.name, contact.language, contact.kinds) == ("Carla C.", "en", ["tickets"])
    assert contact.is_confirmed
    assert not mail.outbox
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_CHANGE).count() == 1


def test_edit_with_a_new_address_asks_for_a_new_confirmation(
    portal_admin_client, contact, django_capture_on_commit_callbacks, visitor
):
    from core.services.notification_contacts import contact_confirmation_token

    old_link = reverse(
        "portal:notification_contact_confirm", kwargs={"token": contact_confirmation_token(contact)}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(
            _url("edit", contact), _data(name="Carla", email="carla.new@acme.test")
        )

    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.email == "carla.new@acme.test"
    assert not contact.is_confirmed
    assert [message.to for message in mail.outbox] == [["carla.new@acme.test"]]
    assert Notification.objects.filter(
        to_email="carla.new@acme.test", reason=Notification.Reason.CONFIRMATION
    ).exists()
    follow = portal_admin_client.get(LIST)
    assert "A confirmation link was sent to carla.new@acme.test." in _messages(follow)[0]
    # The link sent to the old address no longer confirms anything.
    anonymous = visitor
    assert anonymous.get(old_link).status_code == 400
    assert anonymous.get(_confirmation_path("carla.new@acme.test")).status_code == 200


def test_edit_to_an_address_already_in_the_list_is_a_form_error(
    portal_admin_client, contact, waiting
):
    response = portal_admin_client.post(_url("edit", waiting), _data(email="carla@acme.test"))

    assert response.status_code == 400
    assert "This address is already a notification contact." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.email == "walter@acme.test"


def test_edit_without_any_kind_is_refused_on_the_form(portal_admin_client, contact):
    response = portal_admin_client.post(
        _url("edit", contact), _data(email=contact.email, kinds=None)
    )

    assert response.status_code == 400
    assert "Choose at least one kind of notification." in response.content.decode()
    contact.refresh_from_db()
    assert contact.kinds == ["orders", "billing"]


def test_edit_page_of_a_bounced_contact_shows_why(portal_admin_client, bounced):
    response = portal_admin_client.get(_url("edit", bounced))

    body = response.content.decode()
    assert 'data-testid="state-bounced"' in body
    assert "550 5.1.1 mailbox unavailable" in body


# --- remove and resend -----------------------------------------------------------------------


def test_remove_deletes_the_contact_and_records_it(portal_admin_client, contact, portal_admin_user):
    response = portal_admin_client.post(_url("remove", contact))

    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not NotificationContact.objects.filter(pk=contact.pk).exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONTACT_REMOVE)
    assert (event.actor, event.target_email, event.ip_address) == (
        portal_admin_user,
        "carla@acme.test",
        "127.0.0.1",
    )
    follow = portal_admin_client.get(LIST)
    assert _messages(follow) == ["carla@acme.test no longer receives notifications."]


def test_resend_sends_a_new_link_that_works(
    portal_admin_client, waiting, django_capture_on_commit_callbacks, visitor
):
    before = waiting.confirmation_sent_at
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(_url("resend", waiting))

    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.confirmation_sent_at > before
    assert len(mail.outbox) == 1
    follow = portal_admin_client.get(LIST)
    assert _messages(follow) == ["A new confirmation link was sent to walter@acme.test."]
    assert visitor.post(_confirmation_path("walter@acme.test")).status_code == 200
    waiting.refresh_from_db()
    assert waiting.is_confirmed


def test_resend_to_a_bounced_address_is_allowed(
    portal_admin_client, bounced, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(_url("resend", bounced))

    assert [message.to for message in mail.outbox] == [["bruno@acme.test"]]


def test_resend_to_a_confirmed_address_is_refused_with_a_message(
    portal_admin_client, contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(_url("resend", contact))

    assert response.status_code == 302
    assert not mail.outbox
    follow = portal_admin_client.get(LIST)
    assert _messages(follow) == ["This address is already confirmed."]


def test_resending_twice_within_ten_minutes_is_refused_and_each_resend_is_audited(
    portal_admin_client, waiting, django_capture_on_commit_callbacks
):
    """The link goes to a third party: an administrator cannot flood their mailbox."""
    waiting.confirmation_sent_at = timezone.now() - timedelta(hours=1)
    waiting.save()
    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(_url("resend", waiting))
        again = portal_admin_client.post(_url("resend", waiting))

    assert len(mail.outbox) == 1
    assert again.status_code == 429  # the list again, with the message (issue 13, item 4)
    assert _messages(again)[-1].startswith("A link was sent less than 10 minutes")
    resent = AuditEvent.objects.filter(action="contact_change", target_email=waiting.email)
    assert [event.detail for event in resent] == [{"confirmation_resent": True}]
    later = timezone.now() + timedelta(minutes=11)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(_url("resend", waiting))
    assert len(mail.outbox) == 2


# --- the public confirmation page ------------------------------------------------------------


@pytest.fixture
def link(add):
    """The path of the link a new contact received."""
    add(name="Nina Nueva", email="nina@acme.test", kinds=["tickets", "billing"], language="en")
    return _confirmation_path("nina@acme.test")


def test_confirmation_page_asks_and_does_not_confirm_on_get(visitor, link):
    """Mail scanners open links: GET only asks; the button POSTs."""
    response = visitor.get(link)

    body = response.content.decode()
    assert response.status_code == 200
    assert not NotificationContact.objects.get(email="nina@acme.test").is_confirmed
    assert "Acme Logística" in body
    assert "<li>Trouble tickets</li>" in body
    assert "<li>Billing</li>" in body
    assert re.search(
        r'<form method="post">\s*<input type="hidden" name="csrfmiddlewaretoken"', body
    )
    assert "noindex" in body
    assert response["Cache-Control"].startswith("max-age=0")
    # Nothing but the customer's display name and the kinds.
    for secret in ("nina@acme.test", "Nina Nueva", "Acme Logística S.A.", "admin@acme.test"):
        assert secret not in body
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_CONFIRM).exists()


def test_confirmation_page_speaks_the_contacts_language(add, visitor):
    add(email="paula@acme.test", language="pt-br")

    response = visitor.get(_confirmation_path("paula@acme.test"))

    assert response.status_code == 200
    assert '<html lang="pt-br">' in response.content.decode()


def test_posting_the_confirmation_confirms_and_thanks(visitor, link):
    with time_machine.travel(NOW, tick=False):
        response = visitor.post(link)

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="confirmed"' in body
    assert "<li>Trouble tickets</li>" in body
    contact = NotificationContact.objects.get(email="nina@acme.test")
    assert contact.confirmed_at == NOW
    assert contact.can_receive
    event = AuditEvent.objects.get(action=AuditEvent.Action.CONTACT_CONFIRM)
    assert event.target_email == "nina@acme.test"
    assert event.actor is None
    # The link works once (issue 13, A5): a second click changes nothing and says why.
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        again = visitor.post(link)
    assert again.status_code == 400
    assert "This link was already used." in again.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_CONFIRM).count() == 1


def test_confirmation_needs_no_sign_in_and_works_for_anyone_signed_in(link, other_user, visitor):
    visitor.force_login(other_user)

    response = visitor.post(link)

    assert response.status_code == 200
    assert NotificationContact.objects.get(email="nina@acme.test").is_confirmed


def test_an_expired_link_explains_to_ask_for_a_new_one(add, visitor):
    with time_machine.travel(NOW, tick=False):
        add()
        path = _confirmation_path("noc.bue@acme.test")

    with time_machine.travel(NOW + timedelta(days=14, minutes=1), tick=False):
        shown = visitor.get(path)
        posted = visitor.post(path)

    for response in (shown, posted):
        body = response.content.decode()
        assert response.status_code == 400
        assert "This link has expired. Ask your portal administrator to send a new one." in body
        assert "Ask the portal administrator of the company that added your address" in body
        assert "Acme" not in body
    assert not NotificationContact.objects.get(email="noc.bue@acme.test").is_confirmed


def test_a_link_still_works_on_its_last_day(add, visitor):
    with time_machine.travel(NOW, tick=False):
        add()
        path = _confirmation_path("noc.bue@acme.test")

    with time_machine.travel(NOW + timedelta(days=13, hours=23), tick=False):
        assert visitor.post(path).status_code == 200


def test_a_tampered_link_is_refused(visitor, link):
    token = link.rstrip("/").rsplit("/", 1)[1]
    tampered = link.replace(token, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))

    response = visitor.post(tampered)

    assert response.status_code == 400
    assert "This link is not valid." in response.content.decode()
    assert not NotificationContact.objects.get(email="nina@acme.test").is_confirmed


def test_a_garbage_token_is_refused(visitor, db):
    response = visitor.get(reverse("portal:notification_contact_confirm", kwargs={"token": "x"}))

    assert response.status_code == 400


def test_the_link_of_a_removed_contact_is_refused(visitor, portal_admin_client, link):
    contact = NotificationContact.objects.get(email="nina@acme.test")
    portal_admin_client.post(_url("remove", contact))

    response = visitor.post(link)

    assert response.status_code == 400
    assert "the contact was changed or removed" in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.CONTACT_CONFIRM).exists()


def test_confirming_a_bounced_address_with_a_new_link_clears_the_flag(
    bounced, visitor, portal_admin_client, django_capture_on_commit_callbacks
):
    """The link the address confirmed with before cannot clear the bounce (issue 13, A5); the
    new one the administrator sends can."""
    from core.services.notification_contacts import contact_confirmation_token

    old = reverse(
        "portal:notification_contact_confirm", kwargs={"token": contact_confirmation_token(bounced)}
    )
    assert visitor.post(old).status_code == 400
    bounced.refresh_from_db()
    assert bounced.is_bounced

    with django_capture_on_commit_callbacks(execute=True):
        portal_admin_client.post(_url("resend", bounced))
    assert visitor.post(old).status_code == 400
    assert visitor.post(_confirmation_path("bruno@acme.test")).status_code == 200
    bounced.refresh_from_db()
    assert bounced.can_receive
    assert not bounced.bounce_reason

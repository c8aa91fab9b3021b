"""E-mails to an address that has not confirmed anything yet: a notification contact's
confirmation, the request to someone copied on a ticket, an invitation. Anyone can be made to
receive them from the provider's domain, so they carry nothing the customer typed (no name in
To, no greeting with it, no inviter's name), only the customer's display name, which the
provider keeps, and the kinds of notice; and they do not give the customer's administrators'
addresses to that stranger (QA review of issue 13, items 1-3)."""

from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.urls import reverse

from core.models import Notification, NotificationContact
from core.notifications import notification_message
from core.services.outbox import Recipient, notify
from tests.factories import NotificationContactFactory, ServiceFactory, ticket_open_for
from tickets.services import ticket_reply, ticket_watcher_add
from tickets.services.watchers import ticket_watcher_confirm, watcher_confirmation_token

pytestmark = pytest.mark.django_db
PHISH = (
    "Sua senha expirou. Ligue AGORA para +55 11 99999-0000 ou acesse http://lumen-suporte.example"
)
PHISH_PARTS = ("expirou", "99999", "lumen-suporte", "AGORA")
ADMIN = "admin@acme.test"


def _texts(message) -> list[str]:
    """Everything the recipient sees: the raw headers (To, Subject) and both bodies."""
    raw = message.message().as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    return [str(parsed["To"]), message.subject, message.body, message.alternatives[0][0]]


def _to(message):
    """The To header as a mail client reads it: (display name, address) of each recipient."""
    parsed = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    return [(address.display_name, address.addr_spec) for address in parsed["To"].addresses]


def _mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to[0]]


def _assert_nothing_typed(message) -> None:
    for text in _texts(message):
        for part in PHISH_PARTS:
            assert part not in text, (part, text)


@pytest.fixture
def add_contact(portal_admin_client, django_capture_on_commit_callbacks):
    def _add(**data):
        values = {"name": PHISH, "email": "vitima@example.com", "language": "pt-br"}
        values |= {"kinds": ["maintenance"], **data}
        with django_capture_on_commit_callbacks(execute=True):
            response = portal_admin_client.post(
                reverse("portal:notification_contact_create"), values
            )
        assert response.status_code == 302
        return NotificationContact.objects.get(email=values["email"])

    return _add


@pytest.fixture
def ticket(customer, portal_admin_user):
    service = ServiceFactory(customer=customer, service_id="AR-BUE-IPVPN-51001")
    return ticket_open_for(customer, portal_admin_user, service=service, subject="Link down")


# --- 1. nothing the customer typed -------------------------------------------------------------


def test_a_contact_confirmation_carries_no_name_the_customer_typed(add_contact):
    add_contact()

    (message,) = _mails_to("vitima@example.com")
    assert message.to == ["vitima@example.com"]
    assert _to(message) == [("", "vitima@example.com")]
    _assert_nothing_typed(message)
    assert not message.body.startswith("Olá, Sua")
    # What it does say: the customer (kept by the provider) and the kinds of notice.
    assert "Acme Logística" in message.subject
    assert "Acme Logística" in message.body
    assert "manutenção e mudanças" in message.body
    assert message.body.startswith("Olá,\n")


@pytest.mark.parametrize("resend", [False, True])
def test_a_confirmation_queued_with_a_name_still_leaves_without_it(customer, resend):
    """Rows written before this change, or by any other caller, carry the contact's name: the
    e-mail to an unconfirmed address is rendered without it all the same."""
    contact = NotificationContactFactory(
        customer=customer, name=PHISH, email="vitima@example.com", confirmed_at=None
    )
    (pk,) = notify(
        event=f"contact.confirm:{contact.reference}:{int(resend)}",
        template="portal/contact_confirm",
        recipients=[Recipient("vitima@example.com", "pt-br", "confirmation", name=PHISH)],
        customer=customer,
        context={"contact": contact.pk},
    )

    message = notification_message(Notification.objects.get(pk=pk))

    assert message.to == ["vitima@example.com"]
    _assert_nothing_typed(message)


def test_a_copy_request_carries_no_name_the_customer_typed(customer, portal_admin_user, ticket):
    watcher = ticket_watcher_add(
        ticket=ticket, actor=portal_admin_user, email="vitima@example.com", name=PHISH
    )
    request = Notification.objects.get(to_email="vitima@example.com")
    request.to_name = PHISH  # as if written by an older version
    request.save(update_fields=["to_name"])

    message = notification_message(request)

    assert message.to == ["vitima@example.com"]
    _assert_nothing_typed(message)
    assert watcher.ticket.number in message.subject


def test_an_invitation_names_neither_the_invitee_nor_the_inviter_as_typed(
    portal_admin_client, portal_admin_user, django_capture_on_commit_callbacks
):
    """The invitee's name is typed by the customer's administrator, and so is the
    administrator's own name (their profile): an administrator who calls themself PHISH and
    invites strangers would otherwise have the provider mail PHISH to them."""
    portal_admin_user.full_name = PHISH[:150]
    portal_admin_user.save(update_fields=["full_name"])
    data = {"email": "vitima@example.com", "full_name": PHISH, "language": "pt-br"}
    data |= {"role": "user", "tickets": "view"}

    with django_capture_on_commit_callbacks(execute=True):
        response = portal_admin_client.post(reverse("portal:user_invite"), data)

    assert response.status_code == 302
    (message,) = _mails_to("vitima@example.com")
    assert _to(message) == [("", "vitima@example.com")]
    _assert_nothing_typed(message)
    assert "Um administrador do portal de Acme Logística convidou você" in message.body
    assert ADMIN not in message.body
    assert ADMIN not in message.alternatives[0][0]


# --- 2. the customer's administrators are not disclosed to a stranger -------------------------


def test_a_contact_confirmation_footer_lists_no_administrator(add_contact):
    add_contact(language="es")

    (message,) = _mails_to("vitima@example.com")
    for text in (message.body, message.alternatives[0][0]):
        assert ADMIN not in text
        assert "Quién recibe estos correos lo decide Acme Logística." in text
        assert "deciden quién recibe" not in text


def test_a_copy_request_footer_lists_no_administrator(
    client, portal_admin_user, ticket, django_capture_on_commit_callbacks
):
    client.force_login(portal_admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("tickets:watcher_add", args=[ticket.number]),
            {"email": "vitima@example.com", "name": ""},
        )

    (message,) = _mails_to("vitima@example.com")
    for text in (message.body, message.alternatives[0][0]):
        assert ADMIN not in text
        assert "Quién recibe estos correos lo decide Acme Logística." in text


def test_confirmed_contacts_copied_people_and_members_still_see_who_decides(
    customer, portal_admin_user, ticket, staff_user, django_capture_on_commit_callbacks
):
    NotificationContactFactory(customer=customer, email="noc@acme.test", orders=False, tickets=True)
    watcher = ticket_watcher_add(ticket=ticket, actor=portal_admin_user, email="jefa@example.org")
    ticket_watcher_confirm(token=watcher_confirmation_token(watcher))
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        ticket_reply(ticket=ticket, author=staff_user, body="A technician is on the way.")

    for address in ("noc@acme.test", "jefa@example.org", ADMIN):
        (message,) = _mails_to(address)
        assert f": {ADMIN}.\n" in message.body, address  # the footer's last line


# --- 3. the copy request says what happened, not that the person is copied --------------------


def test_a_copy_request_footer_says_someone_asked_and_nothing_comes_before_confirming(
    portal_admin_user, ticket
):
    ticket_watcher_add(ticket=ticket, actor=portal_admin_user, email="vitima@example.com")
    request = Notification.objects.get(to_email="vitima@example.com")
    request.language = "en"

    message = notification_message(request)

    for text in (message.body, message.alternatives[0][0]):
        assert "because you were copied" not in text
        assert (
            f"You receive this e-mail because someone at Acme Logística asked to copy you on "
            f"{ticket.number}. Nothing else about it is sent to you unless you confirm."
        ) in text
        assert "Who receives these e-mails is decided by Acme Logística." in text


@pytest.mark.parametrize(
    ("language", "wording"),
    [
        ("es", "Recibe este correo porque alguien de Acme Logística pidió ponerle en copia de"),
        ("pt-br", "Você recebe este e-mail porque alguém de Acme Logística pediu para incluir"),
    ],
)
def test_the_copy_request_footer_is_translated(portal_admin_user, ticket, language, wording):
    ticket_watcher_add(ticket=ticket, actor=portal_admin_user, email="vitima@example.com")
    request = Notification.objects.get(to_email="vitima@example.com")
    request.language = language

    message = notification_message(request)

    assert wording in message.body
    assert "está en copia" not in message.body
    assert "está em cópia" not in message.body

"""What a customer may send from the provider's mail domain (issue 13, item 4; review findings I3
and A5): confirmation links to notification contacts and invitations are capped per customer
per 24 hours, remove / re-add loops included, with a translated 429 on the page the person was
on; a contact's confirmation link works once and only the latest one works."""

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from core.models import Invitation, NotificationContact
from core.services.notification_contacts import contact_bounce_record
from tests.factories import NotificationContactFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
CONTACTS = reverse("portal:notification_contacts")
CREATE = reverse("portal:notification_contact_create")


@pytest.fixture
def post(portal_admin_client, portal_admin_user, django_capture_on_commit_callbacks):
    """The administrator's POSTs, their e-mails delivered; the pages in Spanish."""
    portal_admin_user.language = "es"
    portal_admin_user.save()

    def _post(url, data=None):
        with django_capture_on_commit_callbacks(execute=True):
            return portal_admin_client.post(url, data or {})

    return _post


def _contact(email: str, **extra) -> dict:
    return {"name": "NOC", "email": email, "language": "es", "kinds": ["tickets"], **extra}


def _url(name: str, reference) -> str:
    return reverse(f"portal:notification_contact_{name}", kwargs={"reference": reference})


def _link(address: str) -> str:
    (message,) = [m for m in mail.outbox if address in m.to[0]][-1:]
    match = re.search(r"https?://\S+/notifications/confirm/[^/\s]+/", str(message.body))
    assert match is not None, message.body
    found = match.group(0)
    return urlsplit(found).path


# --- notification contacts -----------------------------------------------------------------------


def test_confirmation_links_are_capped_per_customer_per_day_re_adds_included(
    post, customer, settings
):
    settings.CONTACT_CONFIRMATIONS_PER_DAY = 3
    with time_machine.travel(NOW, tick=False):
        assert post(CREATE, _contact("a@example.org")).status_code == 302
        first = NotificationContact.objects.get(email="a@example.org")
        assert post(_url("remove", first.reference)).status_code == 302
        assert post(CREATE, _contact("a@example.org")).status_code == 302  # the loop counts
        other = NotificationContactFactory(customer=customer, email="b@example.org")
        edit = _url("edit", other.reference)
        assert post(edit, _contact("b2@example.org")).status_code == 302  # a new address
        assert len(mail.outbox) == 3
        mail.outbox.clear()

        refused = post(CREATE, _contact("c@example.org"))

        assert refused.status_code == 429
        page = refused.content.decode()
        assert "Se enviaron 3 enlaces de confirmación" in page
        assert "Corrija los errores" not in page  # nothing to correct: it is a cap
        assert 'name="email"' in page
        assert "c@example.org" in page
        assert not NotificationContact.objects.filter(email="c@example.org").exists()
        readdress = post(edit, _contact("b3@example.org"))
        assert readdress.status_code == 429
        assert NotificationContact.objects.get(pk=other.pk).email == "b2@example.org"
        # Saving the same address again sends nothing, so it is not capped.
        assert post(edit, _contact("b2@example.org", name="NOC 2")).status_code == 302
        assert not mail.outbox

    with time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False):
        assert post(CREATE, _contact("c@example.org")).status_code == 302


def test_a_resend_over_a_cap_is_a_429_on_the_list_with_its_message(post, customer, settings):
    settings.CONTACT_CONFIRMATIONS_PER_DAY = 1
    waiting = NotificationContactFactory(
        customer=customer,
        email="w@example.org",
        confirmed_at=None,
        confirmation_sent_at=NOW - timedelta(days=2),
    )
    with time_machine.travel(NOW, tick=False):
        assert post(CREATE, _contact("a@example.org")).status_code == 302
        mail.outbox.clear()

        response = post(_url("resend", waiting.reference))

    assert response.status_code == 429
    page = response.content.decode()
    assert "Se envió 1 enlace de confirmación" in page
    assert 'data-testid="state-waiting"' in page  # the list of contacts, where they were
    assert not mail.outbox


def test_resending_within_ten_minutes_is_a_429_too(post, customer):
    waiting = NotificationContactFactory(
        customer=customer,
        email="w@example.org",
        confirmed_at=None,
        confirmation_sent_at=NOW - timedelta(days=2),
    )
    with time_machine.travel(NOW, tick=False):
        assert post(_url("resend", waiting.reference)).status_code == 302
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        again = post(_url("resend", waiting.reference))
    assert again.status_code == 429
    assert "Se envió un enlace hace menos de 10 minutos" in again.content.decode()


# --- a confirmation link works once, and only the latest (A5) ------------------------------------


def test_a_used_confirmation_link_cannot_clear_a_later_bounce(post, customer):
    visitor = Client(headers={"accept-language": "en"})
    with time_machine.travel(NOW, tick=False):
        post(CREATE, _contact("noc@example.org", language="en"))
    link = _link("noc@example.org")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert visitor.post(link).status_code == 200
    contact = NotificationContact.objects.get(email="noc@example.org")
    assert contact.is_confirmed
    contact_bounce_record(customer_id=customer.pk, email=contact.email, reason="550 5.1.1 unknown")

    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        reused = visitor.post(link)
        shown = visitor.get(link)

    assert reused.status_code == 400
    assert shown.status_code == 400
    assert "This link was already used." in reused.content.decode()
    contact.refresh_from_db()
    assert contact.is_bounced  # the old link did not clear it

    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert post(_url("resend", contact.reference)).status_code == 302
        fresh = _link("noc@example.org")
        assert fresh != link
        assert visitor.post(link).status_code == 400
        assert visitor.post(fresh).status_code == 200
    contact.refresh_from_db()
    assert contact.can_receive


def test_only_the_latest_link_works(post, customer):
    visitor = Client(headers={"accept-language": "en"})
    with time_machine.travel(NOW, tick=False):
        post(CREATE, _contact("noc@example.org", language="en"))
    first = _link("noc@example.org")
    contact = NotificationContact.objects.get(email="noc@example.org")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        post(_url("resend", contact.reference))
    latest = _link("noc@example.org")

    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        replaced = visitor.post(first)
        assert visitor.post(latest).status_code == 200

    assert replaced.status_code == 400
    assert "This link was replaced by a newer one" in replaced.content.decode()


# --- invitations ------------------------------------------------------------------------------


def _invite(email: str) -> dict:
    return {
        "email": email,
        "full_name": "Nora",
        "language": "es",
        "role": "user",
        "tickets": "view",
    }


def test_invitations_and_resends_are_capped_per_customer_per_day(post, customer, settings):
    settings.INVITATIONS_PER_DAY = 2
    invite = reverse("portal:user_invite")
    with time_machine.travel(NOW, tick=False):
        assert post(invite, _invite("a@example.org")).status_code == 302
        pending = Invitation.objects.get(email="a@example.org")
        resend = reverse("portal:invitation_resend", kwargs={"reference": pending.reference})
        assert post(resend).status_code == 302
        mail.outbox.clear()
        latest = Invitation.objects.get(email="a@example.org", revoked_at__isnull=True)
        resend = reverse("portal:invitation_resend", kwargs={"reference": latest.reference})

        refused = post(invite, _invite("b@example.org"))
        again = post(resend)

    assert refused.status_code == 429
    message = "Se enviaron 2 invitaciones de su organización en las últimas 24 horas"
    assert message in refused.content.decode()
    assert 'name="full_name"' in refused.content.decode()  # the invitation form
    assert again.status_code == 429
    assert message in again.content.decode()
    assert 'data-testid="invitation-row"' in again.content.decode()  # the users list
    assert not Invitation.objects.filter(email="b@example.org").exists()
    assert not mail.outbox
    with time_machine.travel(NOW + timedelta(hours=24, minutes=1), tick=False):
        assert post(invite, _invite("b@example.org")).status_code == 302

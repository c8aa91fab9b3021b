"""The To header names exactly the intended recipient, whatever their name (QA review of issue
13, item 4). Python 3.12.1's e-mail package drops the quotes around a display name when it folds
a long header or encodes part of the name, so "Compras, Logística" read as two recipients and
"Ventas: Acme Logística" as a group. Checked with the real parser on the bytes that leave."""

from email import message_from_bytes, policy
from email.utils import formataddr

import pytest
from django.core import mail

from core.models import Notification
from core.notifications import _mailbox_checked, mailbox_format, notification_message
from core.services.outbox import Recipient, notification_deliver, notify

pytestmark = pytest.mark.django_db
ADDRESS = "admin@acme.test"
NAMES = [
    "Departamento de Compras y Abastecimiento, Acme Logística S.A.",
    "Compras, Logística",
    "Ventas: Acme Logística S.A.",
    "Ventas: Acme",
    'Juan "JJ" Pérez',
    'Juan "JJ" Perez; Ventas',
    "Pérez; Juan <otro@example.com>",
    "João da Silva (Compras), São Paulo: NOC",
    "Ana María Pérez de la Fuente, Gerente de Operaciones",
    "Sua senha expirou. Ligue AGORA para +55 11 99999-0000 ou acesse http://lumen-suporte.example",
    "Ñandú, Ü: “Ölçü”; 日本語の名前, " + "á" * 40,
    "x" * 150,
    "Müller, " + "Jürgen " * 20,
    "Ana\nBeatriz\r\nCosta",
]
# Names that the header carries intact keep it: the fix must not simply drop every name.
KEPT = ["Ana Admin", "Müller, Jürgen", "Ventas: Acme", "O'Brien, Pat", "María José Gómez"]


def _row(portal_admin_user, customer, name: str) -> Notification:
    portal_admin_user.full_name = name
    portal_admin_user.save(update_fields=["full_name"])
    (pk,) = notify(
        event=f"test:header:{hash(name)}",
        template="portal/contact_bounced",
        recipients=[Recipient.for_user(portal_admin_user, customer=customer, reason="user")],
        customer=customer,
        context={"contact_name": "NOC", "contact_email": "noc@acme.test", "path": "/"},
    )
    return Notification.objects.get(pk=pk)


def _to(message, header_policy=policy.default) -> list[tuple[str, str]]:
    """(display name, address) of each recipient of the To header, as a mail client reads the
    bytes; a group ("Ventas: ...;") is not a recipient's name and fails here."""
    raw = message.message(policy=header_policy).as_bytes()
    parsed = message_from_bytes(raw, policy=policy.default)
    assert len(parsed.get_all("To") or []) == 1
    assert [group.display_name for group in parsed["To"].groups] == [None], parsed["To"]
    return [(address.display_name, address.addr_spec) for address in parsed["To"].addresses]


@pytest.mark.parametrize("name", NAMES)
def test_the_only_recipient_is_the_intended_address_whatever_the_name(
    portal_admin_user, customer, name
):
    message = notification_message(_row(portal_admin_user, customer, name))

    shown = " ".join(name.split())
    for header_policy in (policy.default, policy.SMTP):  # as message() and the SMTP backend
        recipients = _to(message, header_policy)
        assert len(recipients) == 1, recipients
        assert recipients[0][1] == ADDRESS, recipients
        assert recipients[0][0] in (shown, ""), recipients  # the whole name, or none
    assert message.recipients() == message.to  # the envelope: one entry


@pytest.mark.parametrize("name", KEPT)
def test_a_name_the_header_carries_intact_is_kept(portal_admin_user, customer, name):
    message = notification_message(_row(portal_admin_user, customer, name))

    assert _to(message) == [(name, ADDRESS)]


def test_a_name_with_a_line_break_is_sent_on_one_line_not_failed(portal_admin_user, customer):
    """A name typed with a line break used to make every attempt raise, until the row failed."""
    row = _row(portal_admin_user, customer, "Ana\nBeatriz")

    assert notification_deliver(notification_id=row.pk) == "sent"

    (message,) = mail.outbox
    assert _to(message) == [("Ana Beatriz", ADDRESS)]


PLAIN = [
    "Ana Admin",
    "NOC 1 Bench 0001",
    "Pat O-Brien",
    "X",
    "Juan Perez " * 5,  # folded: long
    "Acme S.A.",  # quoted: a dot
    "Ana=?utf-8?q?x?=",
    "Ana Admin ",
    "ana",
]


@pytest.mark.parametrize("name", PLAIN + NAMES + KEPT)
@pytest.mark.parametrize("address", [ADDRESS, "noc-1.bench+tickets@sub.example.com"])
def test_the_shortcut_for_plain_names_agrees_with_the_full_check(name, address):
    """mailbox_format skips the header round trip for a short name of plain ASCII words: for
    every name, it answers what the round trip answers."""
    shown = " ".join(name.split())
    full = _mailbox_checked(shown, address, formataddr((shown, address))) if shown else address

    assert mailbox_format(name, address) == full

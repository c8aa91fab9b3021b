"""The embedded-mode e-mail backend (EMAIL_URL default file://var/mail)."""

import email
import io
from email import policy

from django.core.mail import EmailMultiAlternatives

from core.lib.mail import EmlFileEmailBackend


def test_each_message_is_written_as_an_eml_file_and_echoed(tmp_path):
    stream = io.StringIO()
    backend = EmlFileEmailBackend(directory=str(tmp_path / "mail"), stream=stream, alias="default")
    message = EmailMultiAlternatives(
        subject="Invitación",
        body="Hola ñandú",
        to=["a@example.com"],
        from_email="portal@example.com",
    )
    message.attach_alternative("<p>Hola ñandú</p>", "text/html")

    assert backend.send_messages([message, message]) == 2

    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 2
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert parsed["To"] == "a@example.com"
    assert parsed["Subject"] == "Invitación"
    assert parsed.get_body(("plain",)).get_content().strip() == "Hola ñandú"
    assert parsed.get_body(("html",)).get_content().strip() == "<p>Hola ñandú</p>"
    assert "Subject: Invitación" in stream.getvalue()
    assert str(files[0]) in stream.getvalue()

"""The form of a notification contact (R-GCR-4): who, which address, which language, what for.

It validates and normalises only; the rules (at least one kind, one address per customer, a new
address is confirmed again) live in portal.services.notification_contacts.
"""

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import LANGUAGE_CHOICES, NotificationContact, NotificationKind

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise

# What each kind brings, for the form's checkboxes and the empty list's explanation.
KIND_DESCRIPTIONS = {
    NotificationKind.ORDERS: _(
        "The progress of each new order, from its technical details to the connection."
    ),
    NotificationKind.TICKETS: _(
        "Updates on trouble tickets, and when the Technical Service Center waits for you."
    ),
    NotificationKind.MAINTENANCE: _(
        "Scheduled work on our network that interrupts your services, and your change requests."
    ),
    NotificationKind.BILLING: _("Invoices, billing inquiries, disputes and credits."),
}


def kind_descriptions() -> list[tuple["_StrOrPromise", "_StrOrPromise"]]:
    return [(kind.label, KIND_DESCRIPTIONS[kind]) for kind in NotificationKind]


class NotificationContactForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=150,
        help_text=_("A person or a team mailbox, for example “NOC Buenos Aires”."),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "We send a confirmation link to this address. Nothing else is sent to it until "
            "it is confirmed."
        ),
    )
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=LANGUAGE_CHOICES)
    kinds = forms.MultipleChoiceField(
        label=_("Notifications to receive"),
        choices=NotificationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        # The service refuses it too (DomainError); asked here, the message sits by the boxes
        # and comes with the other errors of the same submit.
        error_messages={"required": _("Choose at least one kind of notification.")},
    )

    def __init__(self, *args, contact: NotificationContact | None = None, **kwargs):
        if contact is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": contact.name,
                    "email": contact.email,
                    "language": contact.language,
                    "kinds": contact.kinds,
                },
            )
        super().__init__(*args, **kwargs)
        if contact is not None:
            self.fields["email"].help_text = _(
                "Changing the address sends a confirmation link to the new one: until it is "
                "confirmed, this contact receives nothing."
            )

    def kind_options(self) -> list[tuple]:
        """Each checkbox with what it brings."""
        return [
            (option, KIND_DESCRIPTIONS[NotificationKind(option.data["value"])])
            for option in self["kinds"]
        ]

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()

    def contact_values(self) -> dict:
        """The keyword arguments of contact_add / contact_update."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "email": data["email"],
            "language": data["language"],
            **{kind.value: kind.value in data["kinds"] for kind in NotificationKind},
        }

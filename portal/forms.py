"""Forms of the help centre: the article search and the feedback form (R-POR-3, R-POR-6)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Feedback
from portal.help_articles import SEARCH_MAX_LENGTH


class HelpSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search the help centre"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        error_messages={
            "max_length": _("Use at most %(limit_value)d characters to search."),
        },
    )


class FeedbackForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=Feedback.Kind.choices,
        initial=Feedback.Kind.QUESTION,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of message it is.")},
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=150,
        error_messages={
            "required": _("Write a subject."),
            "max_length": _("The subject can have at most %(limit_value)d characters."),
        },
    )
    message = forms.CharField(
        label=_("Message"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={
            "required": _("Write your message."),
            "max_length": _("The message can have at most %(limit_value)d characters."),
        },
    )
    page = forms.CharField(
        label=_("Page it is about (optional)"),
        max_length=200,
        required=False,
        help_text=_("For example /users/ or the name of the page."),
        error_messages={
            "max_length": _("The page can have at most %(limit_value)d characters."),
        },
    )

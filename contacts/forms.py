from django import forms
from django.utils.translation import gettext_lazy as _

from contacts.models import CountryCode
from contacts.selectors import Need


class DirectoryFilterForm(forms.Form):
    """The GET filters of the public directory; unknown values are errors shown on the page."""

    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=[("", _("All countries")), *CountryCode.choices],
    )
    need = forms.ChoiceField(
        label=_("What do you need?"),
        required=False,
        choices=[("", _("Everything")), *Need.CHOICES],
    )

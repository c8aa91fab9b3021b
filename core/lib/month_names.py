"""Brazilian Portuguese writes month names in lower case ("24 de outubro de 2026"), as Spanish
does; Django's own pt_BR catalogue capitalises them. These are Django's msgids
(django.utils.dates.MONTHS): naming them here puts them in our catalogue, which Django reads
before its own, with the lower-case form."""

from django.utils.translation import gettext_noop

MONTHS = [
    gettext_noop("January"),
    gettext_noop("February"),
    gettext_noop("March"),
    gettext_noop("April"),
    gettext_noop("May"),
    gettext_noop("June"),
    gettext_noop("July"),
    gettext_noop("August"),
    gettext_noop("September"),
    gettext_noop("October"),
    gettext_noop("November"),
    gettext_noop("December"),
]

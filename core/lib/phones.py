"""Phone numbers of the directory: E.164 for machines, a readable form and a tel: link for people.

The handbook prints toll-free numbers in national form ("0800 800 5383"): they only work when
dialled inside the country, so their tel: link dials the national digits. Numbers printed with a
country code ("+54 11 5170 5383", also the regional "+1 800 467 7288") link to the E.164 (R-CON-1).
"""

from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_FORMAT_EXAMPLE = "+54 11 5170 5383"


@dataclass(frozen=True)
class Phone:
    e164: str
    display: str
    href: str
    toll_free: bool


def _parse(value: str, region: str | None = None) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(value, region or None)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def e164_normalise(value: str, *, region: str | None = None) -> str:
    """The E.164 form of `value` (international, or national for `region`); a clear error if it
    is not a valid number."""
    number = _parse((value or "").strip(), region)
    if number is None:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid phone number. Write it with its country code, e.g. "
                "%(example)s."
            ),
            code="invalid_phone",
            params={"value": value, "example": _FORMAT_EXAMPLE},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def dials_nationally(printed: str, *, toll_free: bool) -> bool:
    return toll_free and not printed.strip().startswith("+")


def phone(e164: str, *, printed: str = "", toll_free: bool = False) -> Phone:
    """How a stored number is shown and dialled."""
    number = _parse(e164)
    if number is None:  # a row saved around the validation: show it as stored, still dialable
        return Phone(e164=e164, display=printed or e164, href=f"tel:{e164}", toll_free=toll_free)
    if dials_nationally(printed, toll_free=toll_free):
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        display = national.replace("(", "").replace(")", "").replace("-", " ")
        href = "tel:" + "".join(ch for ch in national if ch.isdigit())
    else:
        international = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        display = international.replace("-", " ")
        href = f"tel:{e164}"
    return Phone(e164=e164, display=display, href=href, toll_free=toll_free)
